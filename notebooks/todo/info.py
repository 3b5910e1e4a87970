"""InfoView, what the API offers, at /; HealthView, whether it runs, at /health."""

import re

from .base import BaseView


class InfoView(BaseView):
    """GET / lists every route and its methods; other methods are answered 405."""

    def get(self) -> None:
        (ours,) = self.application.wildcard_router.rules  # one rule: our host names, then the routes
        routes = {}
        for rule in ours.target.rules:
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", rule.matcher.regex.pattern.rstrip("$"))
            routes[path] = rule.target.allowed_methods()
        self.send({"name": "to-do API", "version": 1, "routes": routes})


class HealthView(BaseView):
    """GET /health answers 200 while the app runs: what a monitor or a load balancer asks."""

    def get(self) -> None:
        self.send({"status": "ok"})
