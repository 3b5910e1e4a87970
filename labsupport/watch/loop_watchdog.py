"""A watchdog that names the line of code that blocked the event loop, and for how long.

Example, in a notebook cell (the kernel's loop is running there)::

    import time, tornado.web, labsupport
    from labsupport.watch.loop_watchdog import watch_loop

    class NoteHandler(tornado.web.RequestHandler):
        def get(self):
            time.sleep(0.3)          # blocks every other request for 0.3 s
            self.write("noted")

    dog = watch_loop(0.1)            # report anything that holds the loop for over 100 ms
    server = labsupport.serve(tornado.web.Application([(r"/", NoteHandler)]))
    # after a request: WARNING labsupport.watchdog: the event loop was blocked for 301 ms
    #                  by time.sleep in NoteHandler.get (Cell In[14], line 3)
    dog.summary()                    # '1 block over 100 ms: time.sleep in NoteHandler.get (Cell In[14], line 3)'

How: the loop spends its idle time in its selector's ``select()``, waiting for I/O or the next
timer; everything else it does, one iteration after another, runs between two of those calls.
The watchdog wraps ``select()`` to note when each iteration begins and ends. A daemon thread
sleeps until an iteration has run for ``threshold / 2``, then samples the loop thread's stack
(``sys._current_frames()``) every ``threshold / 8`` while that iteration lasts. When the loop
calls ``select()`` again after more than ``threshold``, the most frequent sample names the place
(see :mod:`labsupport.watch.stacks` for which frame, and why neither the cell's own top-level
code nor the kernel's tab completion is reported). The duration is the iteration's own: how
long the loop was held, the stalling callback's time and that of the others run with it.
An idle loop is never woken for the watchdog, and its thread sleeps until the loop has work
(or a second, to see whether the loop was closed).

Cost, measured by ``benchmarks/watchdog.py --rounds 5`` (hello-world requests on the same loop,
2 cores): no loss to measure (4,548 requests/s on, 4,563 off, medians of 5 rounds, 0.997), and
0.26 ms of CPU a second on an idle loop (0.14 without). Each iteration pays about 0.5 µs for
the wrapper (an ``await asyncio.sleep(0)`` loop: 2.95 µs an iteration against 2.46). A heartbeat
on the loop every 20 ms, which an earlier version used, cost 12 ms a second on an idle loop on
the same machine: 1.2 % of a core for every kernel that had served a page, all day. asyncio's
debug mode (``loop.set_debug(True)``, which logs "Executing <Handle ...> took 0.301 seconds") was
the alternative; it was not chosen because it names only the callback handle
(``<Task ... coro=<RequestHandler._execute() ...>> took 0.301 seconds``), not the line or the
call, and it costs far more: 785 requests/s in the same run, a sixth of the speed.

The selector is the loop's ``_selector`` attribute, whose ``select()`` every asyncio loop of
the standard library calls once an iteration (the kernel's, ``asyncio.run``'s, Windows'
proactor loop too); a loop without one (uvloop, Tornado's ``AddThreadSelectorEventLoop``) gets
a :class:`WatchdogError` that says so.

Limits: the thread can only sample while the loop thread lets go of the GIL. A stall inside C
code that holds the GIL throughout (a catastrophic regular expression, say) leaves no sample, and
so no report. A loop that stops (``loop.stop()``, the end of ``run_until_complete``) leaves its
last iteration without an end to time it by: once the thread has seen the loop stopped, a stall
in that iteration is not reported; a loop run again sooner (within ``threshold / 2``) may have
it reported with the pause counted in. A notebook kernel's loop never stops.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import html
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import stacks
from ..errors import NoRunningLoopError, WatchdogError
from ..kernel import cell_request
from ..kernel.cell_logging import show_warnings_of
from ..kernel.frontend import live_front_end

__all__ = ["BlockReport", "LoopWatchdog", "watch_loop", "watchdog_of"]

logger = logging.getLogger("labsupport.watchdog")
_LONGEST_WAIT = 1.0  # the thread's longest sleep: also how soon it sees its loop closed
_KEPT = 50  # reports kept per watchdog
DEFAULT_THRESHOLD = 0.1  # seconds, for a new watchdog when watch_loop() is given none
_SHOWN = 5  # reports listed in the live display
_watchdogs: dict[asyncio.AbstractEventLoop, LoopWatchdog] = {}
_registry_lock = threading.Lock()


@dataclass(frozen=True)
class BlockReport:
    """One stall of the loop: how long (s), in which function, calling what, where; ``at`` is when it began (``time.time()``)."""

    duration: float
    function: str
    callee: str | None
    where: str
    filename: str
    lineno: int
    at: float

    @property
    def place(self) -> str:
        """``time.sleep in NoteHandler.get (Cell In[14], line 3)``, or without a callee ``busy (app.py, line 9)``."""
        by = f"{self.callee} in " if self.callee else ""
        return f"{by}{self.function} ({self.where})"

    def __str__(self) -> str:
        by = f"by {self.callee} in" if self.callee else "in"
        return f"the event loop was blocked for {_seconds(self.duration)} {by} {self.function} ({self.where})"


class LoopWatchdog:
    """Watches one event loop and keeps a :class:`BlockReport` of each stall over ``threshold``; made by :func:`watch_loop`.

    ``reports`` holds the last 50; ``summary()`` is stable text for a notebook's committed output;
    ``on_report(callback)`` calls ``callback(report)`` on the loop's thread for each new one;
    ``stop()`` ends the watching (closing the loop does too).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, *, threshold: float) -> None:
        self.loop = loop
        self.reports: collections.deque[BlockReport] = collections.deque(maxlen=_KEPT)
        self._callbacks: list[Callable[[BlockReport], object]] = []
        self._lock = threading.Lock()
        self._samples: collections.Counter = collections.Counter()  # (kind, place) -> count, for one stall
        self._samples_of: int | None = None  # the iteration they were taken in
        self._selector = _selector_of(loop)
        self._wrapper: Callable | None = None  # our select(), while it is the selector's
        self._running: tuple[int, float] | None = None  # (number, start) of the iteration running; None in select
        self._iterations = 0
        self._awake = threading.Event()  # the thread sleeps on it while the loop idles; a new iteration sets it
        self._sleeping = False  # the thread waits on _awake: only then does the loop thread set it
        self._halted: int | None = None  # an iteration during which the thread saw the loop stopped
        self._context: contextvars.Context | None = None  # where reports are logged when no cell runs
        self._loop_thread: int | None = None
        self._stopping = threading.Event()
        self._widget = None
        self._configure(threshold)
        self._thread = threading.Thread(target=self._watch, name="labsupport-loop-watchdog", daemon=True)

    @property
    def threshold(self) -> float:
        """Seconds the loop must be held for a report."""
        return self._threshold

    @property
    def watching(self) -> bool:
        """True until ``stop()`` or the loop closes."""
        return self._thread.is_alive() and not self._stopping.is_set()

    def on_report(self, callback: Callable[[BlockReport], object]) -> Callable[[], None]:
        """Call ``callback(report)`` for each new report, on the loop's thread; return a function that stops it."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def summary(self) -> str:
        """``2 blocks over 100 ms: time.sleep in NoteHandler.get (Cell In[14], line 3)``; no durations or times."""
        over = _seconds(self._threshold)
        if not self.reports:
            return f"no block over {over}"
        places = collections.Counter(report.place for report in self.reports)
        count = len(self.reports)
        listed = "; ".join(place if n == 1 or len(places) == 1 else f"{place} ×{n}" for place, n in places.items())
        return f"{count} block{'s' if count > 1 else ''} over {over}: {listed}"

    def stop(self) -> None:
        """Stop timing the loop's iterations and end the watchdog's thread; the reports stay."""
        self._stopping.set()
        self._awake.set()  # wakes the thread, wherever it waits
        self._unwrap()
        with _registry_lock:
            if _watchdogs.get(self.loop) is self:
                del _watchdogs[self.loop]
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=2)
        self._on_loop(self._refresh)

    def __repr__(self) -> str:
        return f"LoopWatchdog(threshold={self._threshold:g} s, {'watching' if self.watching else 'stopped'})"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))

    def _configure(self, threshold: float) -> None:
        self._threshold = threshold
        self._overdue = threshold / 2  # an iteration this long may grow into one to report: sample it
        self._period = threshold / 8  # between samples of one stall

    def _start(self) -> None:
        self._thread.start()
        self.loop.call_soon_threadsafe(self._wrap)

    def _wrap(self) -> None:
        """On the loop's thread: put our ``select()`` in front of the selector's, and count this iteration."""
        if self._stopping.is_set():
            return
        self._loop_thread = threading.get_ident()
        self._context = contextvars.copy_context()  # the cell that began watching, for ipykernel's output
        inner = self._selector.select

        clock = time.monotonic

        def select(timeout: float | None = None):  # on every iteration: kept to a few attribute reads
            running = self._running
            if running is not None and clock() - running[1] > self._threshold and self._iteration_ends():
                timeout = 0  # a report is scheduled: run it now, not when the loop next wakes
            self._running = None
            try:
                return inner(timeout)
            finally:
                if self._wrapper is not None:  # not stopped (another wrapper in front of ours still calls it)
                    self._iterations += 1
                    self._running = (self._iterations, clock())
                    if self._sleeping:
                        self._awake.set()

        self._wrapper = self._selector.select = select
        self._begin_counting()

    def _unwrap(self) -> None:
        wrapper, self._wrapper = self._wrapper, None
        if wrapper is not None and vars(self._selector).get("select") is wrapper:
            del self._selector.select  # the class's select() again (ours was an instance attribute)

    def _begin_counting(self) -> None:
        """The first iteration watched is the one running now."""
        self._iterations += 1
        self._running = (self._iterations, time.monotonic())

    def _iteration_ends(self) -> bool:
        """An iteration ran over the threshold and the loop calls ``select()``: schedule its report (True)."""
        running = self._running
        if running is None or self._wrapper is None:
            return False
        took = time.monotonic() - running[1]
        if self._halted == running[0]:  # the loop stopped in it: the pause is not a stall
            return False
        with self._lock:
            samples = self._samples if self._samples_of == running[0] else collections.Counter()
            self._samples, self._samples_of = collections.Counter(), None
        context = self._context.copy() if self._context is not None else None  # the cell that began watching
        self.loop.call_soon(self._stalled, took, samples, context=context)
        return True

    def _watch(self) -> None:
        """The watchdog's thread: sleep until an iteration is overdue, then sample the loop thread's stack."""
        stopped_in = None  # the iteration the loop stopped in, as this thread saw it
        while not self._stopping.is_set():
            running = self._running
            if running is None or running is stopped_in:  # the loop waits in select(), or is stopped
                self._awake.clear()
                self._sleeping = True
                woken = self._running is not running or self._awake.wait(_LONGEST_WAIT)  # re-checked: no lost wake
                self._sleeping = False
                if self.loop.is_closed():
                    break
                if woken:  # an iteration began just now: it can be overdue no sooner than this
                    self._stopping.wait(self._overdue)
                continue
            number, since = running
            if not self.loop.is_running():  # stopped between two runs (or closed): not a stall
                self._halted, stopped_in = number, running
                if self.loop.is_closed():
                    break
                continue
            wait = since + self._overdue - time.monotonic()
            if wait > 0:  # the iteration is young: sleep until it would be overdue, then look again
                self._stopping.wait(wait)
                continue
            if self._loop_thread is not None:
                self._sample(self._loop_thread, number)
            self._stopping.wait(self._period)
        self._unwrap()
        with _registry_lock:
            if _watchdogs.get(self.loop) is self:
                del _watchdogs[self.loop]

    def _sample(self, thread: int, number: int) -> None:
        try:
            frame = sys._current_frames().get(thread)
            if frame is None:
                return
            sample = stacks.classify(frame)
            del frame
        except Exception:  # a frame we cannot read must not end the watching
            logger.debug("the watchdog could not read the loop thread's stack", exc_info=True)
            return
        with self._lock:
            running = self._running
            if running is None or running[0] != number:  # that iteration ended meanwhile
                return
            if self._samples_of != number:  # a new stall: the samples of an earlier one are stale
                self._samples, self._samples_of = collections.Counter(), number
            self._samples[sample] += 1

    def _stalled(self, duration: float, samples: collections.Counter) -> None:
        """Make the report of one stall, unless it was idle time, the cell's own code or the kernel's."""
        places = collections.Counter({place: n for (kind, place), n in samples.items() if kind == "callback"})
        in_cell = sum(n for (kind, _), n in samples.items() if kind in ("cell", "kernel"))
        if not places:
            return
        share = places.total() / (places.total() + in_cell)  # a stall can run a cell, then a handler
        duration *= share
        if duration <= self._threshold:
            return
        (code, lasti, lineno), count = places.most_common(1)[0]
        same_line = sum(n for (c, _, line), n in places.items() if c is code and line == lineno)
        place = stacks.describe(code, lasti, lineno, call_share=count / same_line)
        report = BlockReport(duration, place.function, place.callee, place.where, place.filename, place.lineno,
                             at=time.time() - duration)
        self.reports.append(report)
        log = lambda: logger.warning("%s", report, extra={"block_report": report})  # noqa: E731
        if not cell_request.run_in_running_cell(log):  # under the cell running now, else the one that began watching
            log()
        for callback in list(self._callbacks):
            try:
                callback(report)
            except Exception:  # someone else's callback must not stop the watching
                logger.exception("a watch_loop on_report callback failed")
        self._refresh()

    def _on_loop(self, function: Callable[[], None]) -> None:
        """Run ``function`` on the loop's thread (widgets must be changed there), now if this is it."""
        if threading.get_ident() == self._loop_thread:
            function()
        elif not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(function)
            except RuntimeError:  # closed meanwhile
                pass

    def _display(self) -> None:
        import ipywidgets
        from IPython.display import display

        if self._widget is None:
            self._widget = ipywidgets.HTML()
        self._refresh()
        display(self._widget)

    def _refresh(self) -> None:
        if self._widget is None:
            return
        state = "watching" if self.watching else "stopped"
        rows = "".join(f"<li><code>{time.strftime('%H:%M:%S', time.localtime(r.at))}</code> {html.escape(str(r))}</li>"
                       for r in list(self.reports)[-_SHOWN:])
        self._widget.value = (f"<div><b>Loop watchdog</b> · over {_seconds(self._threshold)} · {state}: "
                              f"{html.escape(self.summary())}<ul>{rows}</ul></div>")


def watchdog_of(loop: asyncio.AbstractEventLoop) -> LoopWatchdog | None:
    """The watchdog watching ``loop``, or None."""
    dog = _watchdogs.get(loop)
    return dog if dog is not None and dog.watching else None


def watch_loop(threshold: float | None = None, *, loop: asyncio.AbstractEventLoop | None = None,
               show: bool = True) -> LoopWatchdog:
    """Watch the running loop (or ``loop``); report each time code holds it for over ``threshold`` seconds.

    Each report is logged (a WARNING on ``labsupport.watchdog``, shown under the running cell),
    kept in ``.reports``, and, with ``show=True`` in JupyterLab, listed in a display that
    updates itself, also for requests that arrive while no cell runs. There is one watchdog
    per loop: calling again (re-running the cell) returns it, with the new threshold if one is
    given; without one, a new watchdog uses 0.1 s and a running one keeps its own::

        dog = watch_loop(0.05)
        dog.reports[-1].where    # 'Cell In[14], line 3'
        watch_loop().threshold   # still 0.05
    """
    threshold = None if threshold is None else _checked(threshold)
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise NoRunningLoopError(
                "watch_loop() watches a running asyncio event loop, and none runs here. A notebook cell "
                "has one; in a script, call it inside a coroutine run by asyncio.run(), or pass loop=.") from None
    if loop.is_closed():
        raise WatchdogError("watch_loop() was given a closed event loop; pass one that runs, or none in a notebook.")
    with _registry_lock:
        dog = _watchdogs.get(loop)
        if dog is not None and dog.watching:
            if threshold is not None:
                dog._configure(threshold)
        else:
            dog = _watchdogs[loop] = LoopWatchdog(loop, threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
            dog._start()
    show_warnings_of(logger.name)
    dog._on_loop(dog._refresh)
    if show and live_front_end():
        dog._display()
    return dog


def _selector_of(loop: asyncio.AbstractEventLoop):
    selector = getattr(loop, "_selector", None)
    if not callable(getattr(selector, "select", None)):
        raise WatchdogError(f"watch_loop() times the loop's waits in its selector, and this loop "
                            f"({type(loop).__name__}) has none with a select(); the asyncio loops of the "
                            f"standard library (a notebook kernel's, asyncio.run()'s) have one.")
    return selector


def _checked(threshold: object) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.001 <= threshold < 3600:
        raise WatchdogError(f"threshold is how many seconds the loop may be held before a report: a number "
                            f"from 0.001 to 3600, such as 0.1 for 100 ms, not {threshold!r}.")
    return float(threshold)


def _seconds(seconds: float) -> str:
    """``312 ms`` under a second, ``1.20 s`` from one."""
    return f"{seconds * 1000:.0f} ms" if seconds < 0.9995 else f"{seconds:.2f} s"
