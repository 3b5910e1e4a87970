"""BaseView: JSON in, JSON out, and one shape for every error."""

import json
from http import HTTPStatus

import tornado.web
from tornado.routing import HostMatches


class ApiError(tornado.web.HTTPError):
    """Stop handling a request and answer ``status`` with a message (and per-field problems)."""

    def __init__(self, status: int, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.message, self.fields = message, fields


class BaseView(tornado.web.RequestHandler):
    """Reads the body into ``self.form_data`` before any method runs; answers and fails in JSON."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")

    def prepare(self) -> None:
        """Called before get/post/...: check the body's size and decode it, JSON or form."""
        limit = self.settings["max_body_bytes"]
        if len(self.request.body) > limit:
            raise ApiError(413, f"the body has {len(self.request.body)} bytes; the limit is {limit}")
        self.form_data = self._decode_body()

    def _decode_body(self) -> dict:
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            if self.request.body.lstrip().startswith(b"{"):
                raise ApiError(400, "the body looks like JSON but says it is a form: "
                                    "send it with Content-Type: application/json")
            return {name: values[-1].decode(errors="replace")
                    for name, values in self.request.body_arguments.items()}
        if not self.request.body.strip():
            return {}
        try:
            data = json.loads(self.request.body)
        except (ValueError, RecursionError) as exc:  # also bodies that are not UTF-8, or nested too deep
            raise ApiError(400, f"the body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ApiError(400, f"the body must be a JSON object like {{\"name\": ...}}, not {type(data).__name__}")
        return data

    def send(self, data: dict | None, status: int = 200) -> None:
        """Answer ``data`` as JSON with ``status``; None sends no body (204)."""
        self.set_status(status)
        if data is not None:
            self.write(json.dumps(data))

    @classmethod
    def allowed_methods(cls) -> list[str]:
        """The HTTP methods this view defines, e.g. ["GET", "POST"]."""
        return [method for method in ("GET", "POST", "PUT", "DELETE")
                if getattr(cls, method.lower()) is not getattr(tornado.web.RequestHandler, method.lower())]

    def write_error(self, status_code: int, **kwargs) -> None:
        """Called by Tornado for every error, including ones we did not foresee: answer JSON."""
        error = kwargs.get("exc_info", (None, None))[1]
        message = (getattr(error, "message", None)
                   or (isinstance(error, tornado.web.HTTPError) and error.get_message())
                   or HTTPStatus(status_code).phrase)
        if status_code == 405:
            allowed = self.allowed_methods()
            self.set_header("Allow", ", ".join(allowed))
            message = f"{self.request.method} is not allowed here; use {' or '.join(allowed) or 'GET /'}"
        elif status_code >= 500:
            message = "internal error: the server log has the details"
        body = {"status": status_code, "message": message}
        if getattr(error, "fields", None):
            body["fields"] = error.fields
        self.finish(json.dumps({"error": body}))


class NotFoundView(BaseView):
    """Every request the routes do not take: 400 for a host name not ours, else 404, in JSON."""

    def prepare(self) -> None:
        if HostMatches(self.settings["hosts"]).match(self.request) is None:
            raise ApiError(400, f"this app does not answer for the host {self.request.host_name!r}; "
                                "start it with a --hosts pattern that includes this name")
        raise ApiError(404, f"no such resource: {self.request.path}; GET / lists the routes")
