"""A view of the requests reaching a server, live in JupyterLab and plain text elsewhere.

``server.watch()`` makes one (for ``labsupport.serve`` and ``serve_process`` servers). In
JupyterLab it is a widget that redraws itself, at most four times a second and only when
something changed, while the kernel is idle: requests in progress, counts by status, the
last requests, a timeline of the last 40 on one time axis (bars that overlap were served at the
same time), and the loop watchdog's last reports. Under nbval, ``nbconvert`` or in a terminal it
shows only stable text (counts and statuses, no times), so committed outputs do not change.
Example::

    view = server.watch()          # in JupyterLab: the live view
    await client.get(server.url)
    print(view.summary())          # 'HelloHandler: 1 request (1 × 200 GET /), 0 in progress'
"""

from __future__ import annotations

import asyncio
import collections
import html
import time
from collections.abc import Callable

from ..kernel.frontend import live_front_end
from .request_log import RequestLog, SeenRequest

__all__ = ["RequestView"]

REFRESH = 0.25  # seconds between checks for something new to draw
ROWS = 15  # requests listed in the table
BARS = 40  # requests drawn on the timeline
_CELL = "padding:0 10px 0 0;line-height:1.3;text-align:left"
_COLOURS = {2: "#1a7f37", 3: "#0969da", 4: "#9a6700", 5: "#cf222e"}


class RequestView:
    """What a server saw; made by ``server.watch()``. ``summary()`` is stable text, ``requests()`` the records."""

    def __init__(self, name: str, log: RequestLog, *, poll: Callable[[], None] | None = None,
                 on_stop: Callable[[], None] | None = None) -> None:
        self.name = name
        self.log = log
        self.status = "watching"
        self.blocks: collections.deque = collections.deque(maxlen=5)  # the loop watchdog's last reports
        self._poll = poll  # reads new events (a server process); None for a server in this kernel
        self._on_stop = on_stop
        self._began = time.time()
        self._widget = None
        self._drawn = -1
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._live = live_front_end()
        self.unsubscribe: Callable[[], None] | None = None  # from the loop watchdog's reports

    def requests(self) -> list[SeenRequest]:
        """The answered requests kept (the last ``limit``), then those in progress."""
        self._update()
        return [*self.log.answered, *self.log.in_progress.values()]

    def summary(self) -> str:
        """``HelloHandler: 3 requests (2 × 200 GET /, 1 × 404 GET /x), 1 in progress``: counts only."""
        self._update()
        groups = ", ".join(f"{count} × {status or 'no answer'} {method} {path}"
                           for (status, method, path), count in self.log.summary_counts())
        total = self.log.total
        text = f"{self.name}: {total} request{'' if total == 1 else 's'}" + (f" ({groups})" if groups else "")
        if self.log.complete:
            text += f", {len(self.log.in_progress)} in progress"
        places = sorted({report.place for report in self.blocks})
        if places:
            text += "; the loop was blocked by " + "; ".join(places)
        return text + ("" if self.status == "watching" else f" ({self.status})")

    def add_block(self, report) -> None:
        """Show a loop watchdog report (a :class:`labsupport.watch.loop_watchdog.BlockReport`)."""
        self.blocks.append(report)
        self.log.version += 1

    def stop(self) -> None:
        """Stop watching: no more redraws, the hooks are removed; the last picture stays."""
        if self.status == "stopped":
            return
        self._update()
        self.status = "stopped"
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for undo in (self._on_stop, self.unsubscribe):
            if undo is not None:
                undo()
        self._draw(force=True)

    def start(self) -> None:
        """Begin redrawing on the running loop (live mode only); called by ``server.watch()``."""
        if not self._live or self._timer is not None or self.status != "watching":
            return
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = self._loop.call_later(REFRESH, self._tick)

    def _tick(self) -> None:
        self._timer = None
        if self.status != "watching":
            return
        try:
            self._update()
            self._draw()
        finally:
            if self.status == "watching" and self._loop is not None and not self._loop.is_closed():
                self._timer = self._loop.call_later(REFRESH, self._tick)

    def _update(self) -> None:
        if self._poll is not None and self.status == "watching":
            self._poll()
        self.log.forget_closed()

    def _draw(self, *, force: bool = False) -> None:
        if self._widget is None or (self._drawn == self.log.version and not force):
            return
        self._drawn = self.log.version
        self._widget.value = self.html()

    def html(self) -> str:
        """The live view's picture as HTML (an inline SVG timeline and a table)."""
        now = time.time()
        log = self.log
        by_status = collections.Counter()
        for (status, _method, _path), count in log.summary_counts():
            by_status[status] += count
        counts = " · ".join(f"{status or 'no answer'} ×{count}" for status, count in sorted(
            by_status.items(), key=lambda item: item[0] or 0))
        in_progress = f"{len(log.in_progress)} in progress" if log.complete else "in progress: not known (access log)"
        head = (f"<b>{html.escape(self.name)}</b> · {log.total} requests · {in_progress}"
                f"{' · ' + counts if counts else ''} · {self.status}")
        recent = sorted([*log.answered, *log.in_progress.values()], key=lambda r: r.start)
        rows = "".join(_row(r, self._began, now) for r in reversed(recent[-ROWS:]))
        blocks = "".join(f"<div style='color:#cf222e'>⚠ {html.escape(str(b))}</div>" for b in self.blocks)
        heads = "".join(f"<th style='{_CELL}'>{head}</th>" for head in ("at (s)", "method", "path", "status", "ms"))
        table = (f"<table style='font-family:monospace;font-size:12px;border-collapse:collapse'><tr>{heads}</tr>"
                 f"{rows}</table>") if rows else "<i>no requests yet</i>"
        return f"<div>{head}{blocks}{_timeline(recent[-BARS:], now)}{table}</div>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if not self._live:
            display({"text/plain": self.summary()}, raw=True)
            return
        if self._widget is None:
            import ipywidgets

            self._widget = ipywidgets.HTML(self.html())
            self._drawn = self.log.version
        display(self._widget)

    def __repr__(self) -> str:
        return self.summary()


def _row(request: SeenRequest, began: float, now: float) -> str:
    ms = "…" if request.end is None else f"{request.duration * 1000:.1f}"
    status = "…" if request.end is None else (request.status or "left")
    cells = (f"{request.start - began:+.3f}", html.escape(request.method), html.escape(request.path[:60]), status, ms)
    return "<tr>" + "".join(f"<td style='{_CELL}'>{cell}</td>" for cell in cells) + "</tr>"


def _timeline(requests: list[SeenRequest], now: float, *, width: int = 600, bar: int = 6) -> str:
    """Horizontal bars on one time axis, one row per request, oldest at the top."""
    if not requests:
        return ""
    first = requests[0].start
    last = max(now if r.end is None else r.end for r in requests)
    span = max(last - first, 1e-3)
    height = len(requests) * (bar + 1) + 14
    bars = []
    for row, r in enumerate(requests):
        x = (r.start - first) / span * width
        w = max(((now if r.end is None else r.end) - r.start) / span * width, 3)
        colour = "#8250df" if r.end is None else _COLOURS.get((r.status or 0) // 100, "#57606a")
        bars.append(f"<rect x='{x:.1f}' y='{row * (bar + 1)}' width='{w:.1f}' height='{bar}' fill='{colour}'>"
                    f"<title>{html.escape(r.method)} {html.escape(r.path[:60])}</title></rect>")
    label = f"<text x='0' y='{height - 2}' font-size='10'>0</text>" \
            f"<text x='{width}' y='{height - 2}' font-size='10' text-anchor='end'>{span * 1000:.0f} ms</text>"
    return f"<svg width='{width}' height='{height}' style='display:block'>{''.join(bars)}{label}</svg>"
