"""Drive a real ipykernel through jupyter_client the way JupyterLab does: one cell at a time, with cell ids."""

from __future__ import annotations

import json
import uuid

from jupyter_client.manager import start_new_kernel

from .conftest import ROOT

__all__ = ["Kernel"]


class Kernel:
    """A kernel plus a way to run a cell (with a JupyterLab-style cell id) and get its stdout."""

    def __init__(self, *, cwd: str | None = None) -> None:
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=cwd or str(ROOT))

    def run(self, code: str, *, cell_id: str | None = None, timeout: float = 30,
            streams: tuple[str, ...] = ("stdout",)) -> str:
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}
        message = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id or str(uuid.uuid4())})
        self.client.shell_channel.send(message)
        msg_id, out = message["header"]["msg_id"], []
        while True:
            reply = self.client.get_iopub_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "stream" and body["name"] in streams:
                out.append(body["text"])
            elif kind == "error":
                raise AssertionError(f"cell failed: {body['ename']}: {body['evalue']}")
            elif kind == "status" and body["execution_state"] == "idle":
                break
        while True:  # an aborted cell (the kernel drops cells after an error) must not pass as empty
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                if reply["content"]["status"] == "aborted":
                    raise AssertionError("cell aborted: the kernel dropped it after an earlier error")
                return "".join(out)

    def run_json(self, code: str, **kwargs) -> dict:
        return json.loads(self.run(code, **kwargs).strip().splitlines()[-1])

    def shutdown(self, *, now: bool = False) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=now)
