"""Tests for labsupport.watch.loop_watchdog: real servers on a watched loop, and a watched kernel."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import tornado.web
from tornado.httpclient import AsyncHTTPClient

import labsupport
from labsupport.errors import NoRunningLoopError, WatchdogError
from labsupport.watch.loop_watchdog import BlockReport, LoopWatchdog, watch_loop

from ..conftest import run
from ..kernels import Kernel

HERE = Path(__file__)


def line_of(marker: str, text: str | None = None) -> int:
    """The line of ``text`` (this file by default) that ends with ``# <marker>``."""
    lines = (HERE.read_text() if text is None else text).splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.rstrip().endswith(f"# {marker}"))


class SleepyHandler(tornado.web.RequestHandler):
    took: list[float] = []

    def get(self) -> None:
        start = time.monotonic()
        time.sleep(0.3)  # blocks
        self.took.append(time.monotonic() - start)
        self.write("slept")


class PoliteHandler(tornado.web.RequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(0.3)
        self.write("waited")


class BusyHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        total, end = 0, time.perf_counter() + 0.3
        while time.perf_counter() < end:
            for i in range(20_000):
                total += i * i  # computes
        self.write(str(total % 7))


def watchdog_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "labsupport-loop-watchdog"]


async def watched_requests(*paths: str, threshold: float = 0.1) -> LoopWatchdog:
    """Serve the handlers on a watched loop, GET each path in turn; return the watchdog."""
    dog = watch_loop(threshold, show=False)
    server = labsupport.serve(tornado.web.Application(
        [(r"/sleepy", SleepyHandler), (r"/polite", PoliteHandler), (r"/busy", BusyHandler)]))
    client = AsyncHTTPClient()
    for path in paths:
        assert (await client.fetch(server.url + path, request_timeout=10)).code == 200
    await asyncio.sleep(0.05)  # the loop goes back to select(): the last stall is reported
    return dog


def test_a_handler_that_sleeps_is_named_with_the_call_the_line_and_the_duration(capsys):
    dog = run(watched_requests("sleepy"))
    [report] = dog.reports
    assert (report.function, report.callee, report.lineno) == ("SleepyHandler.get", "time.sleep", line_of("blocks"))
    assert report.where == f"{HERE.relative_to(Path.cwd())}, line {line_of('blocks')}"
    assert 0.25 < report.duration < 0.5
    assert abs(report.duration - SleepyHandler.took[-1]) < 0.01  # the iteration's own time: the sleep, and a little
    assert str(report) == (f"the event loop was blocked for {report.duration * 1000:.0f} ms by time.sleep in "
                           f"SleepyHandler.get ({report.where})")
    assert f"WARNING labsupport.watchdog: {report}\n" in capsys.readouterr().err


def test_a_handler_that_awaits_is_never_reported():
    dog = run(watched_requests("polite", "polite", "polite"))
    assert list(dog.reports) == []


def test_a_cpu_loop_is_named_by_function_and_line_without_a_callee():
    dog = run(watched_requests("busy"))
    [report] = dog.reports
    assert (report.function, report.callee, report.lineno) == ("BusyHandler.get", None, line_of("computes"))
    assert str(report).endswith(f"blocked for {report.duration * 1000:.0f} ms in BusyHandler.get ({report.where})")


def test_an_idle_loop_is_never_woken_or_reported_and_is_watched_all_along():
    async def scenario():
        dog = watch_loop(0.1, show=False)
        await asyncio.sleep(0.05)
        before = dog._iterations
        await asyncio.sleep(1)  # nothing to do: the loop waits in select() for the timer, once
        idle = dog._iterations - before
        loop = asyncio.get_running_loop()
        loop.call_soon(lambda: time.sleep(0.3))  # stalls
        await asyncio.sleep(0.05)
        return dog, idle
    dog, idle = run(scenario())
    assert idle <= 3, f"the loop was woken {idle} times in an idle second"
    [report] = dog.reports
    assert report.function.endswith("<lambda>") and (report.callee, report.lineno) == ("time.sleep", line_of("stalls"))


def test_a_busy_loop_wakes_the_thread_only_now_and_then():
    async def scenario():
        dog = watch_loop(0.1, show=False)
        await asyncio.sleep(0.02)
        wakes, wake = [], dog._awake.set
        dog._awake.set = lambda: (wakes.append(1), wake())[-1]
        before = dog._iterations
        for _ in range(50_000):
            await asyncio.sleep(0)  # an iteration each, and a moment in select() between them
        return dog._iterations - before, len(wakes)
    iterations, wakes = run(scenario())
    assert iterations >= 50_000 and wakes < iterations / 100, (iterations, wakes)


def test_a_stopped_loop_run_again_is_not_a_stall():
    loop = asyncio.new_event_loop()
    try:
        dog = watch_loop(0.05, loop=loop, show=False)
        loop.run_until_complete(asyncio.sleep(0.05))
        time.sleep(0.3)  # the loop is not running: the thread sees it stopped, and samples nothing
        loop.run_until_complete(asyncio.sleep(0.05))
        assert dog.watching and list(dog.reports) == []
        loop.call_soon(lambda: (time.sleep(0.2), loop.stop()))
        loop.run_forever()  # the iteration the loop stopped in has no end to time it by: not reported
        time.sleep(0.3)
        loop.run_until_complete(asyncio.sleep(0.05))
        assert list(dog.reports) == []
        loop.call_soon(lambda: time.sleep(0.2))  # stalls again
        loop.run_until_complete(asyncio.sleep(0.05))
        assert [report.lineno for report in dog.reports] == [line_of("stalls again")]
        assert 0.19 < dog.reports[0].duration < 0.3
    finally:
        loop.close()


def test_what_a_report_schedules_runs_at_once_on_an_idle_loop():
    async def scenario():
        loop = asyncio.get_running_loop()
        dog = watch_loop(0.05, show=False)
        heard = loop.create_future()
        dog.on_report(lambda report: loop.call_soon(heard.set_result, report))
        await asyncio.sleep(0.02)
        loop.call_soon(lambda: time.sleep(0.2))  # stalls, and then the loop has nothing to do
        started = time.monotonic()
        report = await asyncio.wait_for(heard, 5)  # the only timer: the loop would wake at 5 s
        return report, time.monotonic() - started
    report, took = run(scenario())
    assert report.lineno == line_of("stalls, and then the loop has nothing to do") and took < 1.0, took


def test_a_watchdog_stopped_after_it_began_leaves_the_next_one_to_report():
    async def scenario():
        old = watch_loop(0.05, show=False)
        await asyncio.sleep(0.02)  # its select() is in place
        old.stop()
        new = watch_loop(0.05, show=False)
        await asyncio.sleep(0.02)
        asyncio.get_running_loop().call_soon(lambda: time.sleep(0.2))  # stalls once more
        await asyncio.sleep(0.05)
        return old, new
    old, new = run(scenario())
    assert new is not old and list(old.reports) == []
    assert [report.lineno for report in new.reports] == [line_of("stalls once more")]


def test_stop_gives_the_selector_its_own_select_back():
    async def scenario():
        selector = asyncio.get_running_loop()._selector
        dog = watch_loop(0.1, show=False)
        await asyncio.sleep(0.01)
        assert "select" in vars(selector)
        dog.stop()
        await asyncio.sleep(0.01)
        return "select" not in vars(selector) and not dog.watching
    assert run(scenario())


def test_a_loop_without_a_selector_is_refused_with_a_reason():
    class NoSelectorLoop(asyncio.AbstractEventLoop):
        def is_closed(self) -> bool:
            return False

    with pytest.raises(WatchdogError, match=r"this loop \(NoSelectorLoop\) has none with a select\(\)"):
        watch_loop(loop=NoSelectorLoop())


def test_one_watchdog_per_loop_and_stop_ends_its_thread():
    for thread in watchdog_threads():  # those of earlier tests' loops, which asyncio.run closed, end soon
        thread.join(timeout=2)

    async def scenario():
        before = len(watchdog_threads())
        dog = watch_loop(0.1, show=False)
        again = watch_loop(0.2, show=False)  # re-running the cell
        assert again is dog and dog.threshold == 0.2 and len(watchdog_threads()) == before + 1
        dog.stop()
        assert len(watchdog_threads()) == before and not dog.watching
        assert repr(dog) == "LoopWatchdog(threshold=0.2 s, stopped)"
        fresh = watch_loop(show=False)  # a stopped watchdog is replaced, not revived
        assert fresh is not dog and repr(fresh) == "LoopWatchdog(threshold=0.1 s, watching)"
        return fresh
    fresh = run(scenario())
    fresh._thread.join(timeout=2)  # asyncio.run closed the loop: the thread ends by itself
    assert watchdog_threads() == [] and not fresh.watching


def test_asking_again_without_a_threshold_keeps_the_one_set():
    async def scenario():
        dog = watch_loop(0.05, show=False)
        assert watch_loop(show=False) is dog and dog.threshold == 0.05  # a later cell only asks for it
        dog.stop()
        return watch_loop(show=False).threshold
    assert run(scenario()) == 0.1


def test_a_stack_it_cannot_read_does_not_end_the_watching(monkeypatch):
    import labsupport.watch.loop_watchdog as module

    calls = []

    def broken(frame):
        calls.append(frame)
        raise RuntimeError("a frame we cannot read")

    monkeypatch.setattr(module.stacks, "classify", broken)

    async def scenario():
        dog = watch_loop(0.05, show=False)
        await asyncio.sleep(0.05)  # its select() is in place
        time.sleep(0.2)  # the thread samples the loop's stack, and fails
        await asyncio.sleep(0.1)
        assert calls and dog.watching and dog._thread.is_alive()
        return dog
    assert list(run(scenario()).reports) == []


def test_summary_is_stable_text_and_on_report_hears_each_report_on_the_loop_thread():
    heard: list[tuple[BlockReport, int]] = []

    async def scenario():
        dog = watch_loop(0.1, show=False)
        assert dog.summary() == "no block over 100 ms"
        forget = dog.on_report(lambda report: heard.append((report, threading.get_ident())))
        await watched_requests("sleepy", "busy", "sleepy")
        forget()
        await watched_requests("sleepy")
        return dog
    dog = run(scenario())
    where = f"{HERE.relative_to(Path.cwd())}, line"
    assert dog.summary() == (f"4 blocks over 100 ms: time.sleep in SleepyHandler.get ({where} {line_of('blocks')}) ×3; "
                             f"BusyHandler.get ({where} {line_of('computes')})")
    assert [report for report, _ in heard] == list(dog.reports)[:3]
    assert {thread for _, thread in heard} == {threading.get_ident()}


def test_learner_mistakes_get_a_message_that_says_what_to_do():
    with pytest.raises(NoRunningLoopError, match="in a script, call it inside a coroutine"):
        watch_loop()
    for bad in (0, -1, "0.1", True, float("nan")):
        with pytest.raises(WatchdogError, match="such as 0.1 for 100 ms"):
            watch_loop(bad)  # type: ignore[arg-type]
    closed = asyncio.new_event_loop()
    closed.close()
    with pytest.raises(WatchdogError, match="closed event loop"):
        watch_loop(loop=closed)


@pytest.fixture
def kernel():
    k = Kernel()
    yield k
    if k.manager.is_alive():
        k.shutdown(now=True)


WATCH_CELL = """\
import asyncio, json, time, tornado.web, labsupport
from labsupport.watch.loop_watchdog import watch_loop
dog = watch_loop(0.1)
"""
HANDLER_CELL = """\
class NoteHandler(tornado.web.RequestHandler):
    def get(self):
        time.sleep(0.3)  # blocks
        self.write("noted")
server = labsupport.serve(tornado.web.Application([(r"/", NoteHandler)]))
print(server.port)
"""
REPORTS = "print(json.dumps({'reports': [str(r) for r in dog.reports], 'shown': dog._widget.value}))"


def test_in_a_kernel_a_handler_is_named_by_its_cell_and_the_cells_own_code_is_not(kernel):
    kernel.run(WATCH_CELL, cell_id="watch")  # In[1]
    port = int(kernel.run(HANDLER_CELL, cell_id="handler"))  # In[2]
    # The kernel is idle now, as when a browser sends the request.
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read() == b"noted"
    time.sleep(0.2)
    kernel.run("time.sleep(0.5)")  # the cell's own code: the learner sees the cell busy
    kernel.run("await asyncio.sleep(0.05)\ntime.sleep(0.5)")  # still the cell's own code, after an await
    kernel.run("def slow():\n    time.sleep(0.5)\nslow()")
    found = kernel.run_json(REPORTS)
    line = line_of("blocks", HANDLER_CELL)
    assert found["reports"] == [found["reports"][0]] and found["reports"][0].endswith(
        f"by time.sleep in NoteHandler.get (Cell In[2], line {line})")
    assert "time.sleep in NoteHandler.get (Cell In[2]" in found["shown"]  # JupyterLab's display, updated while idle
    woken = int(kernel.run("n = dog._iterations\nawait asyncio.sleep(1)\nprint(dog._iterations - n)"))
    assert woken <= 5, f"the kernel's loop ran {woken} times in a second of waiting"  # a 20 ms heartbeat: 50


def test_in_a_kernel_callbacks_a_cell_scheduled_are_reported_but_tab_completion_is_not(kernel):
    kernel.run(WATCH_CELL.replace("0.1", "0.05"), cell_id="watch")
    kernel.run("asyncio.get_running_loop().call_later(0.05, lambda: time.sleep(0.3))\nawait asyncio.sleep(0.6)")
    start = time.perf_counter()
    kernel.client.complete("tornado.web.Req", 15)  # jedi and parso, on their first use: slow
    assert "RequestHandler" in kernel.client.get_shell_msg(timeout=30)["content"]["matches"]
    completion = time.perf_counter() - start
    found = kernel.run_json(REPORTS)
    assert len(found["reports"]) == 1 and found["reports"][0].endswith("by time.sleep in <lambda> (Cell In[2], line 1)")
    if completion < 0.1:
        pytest.skip(f"the completion took {completion * 1000:.0f} ms: too fast to test that it is not reported")
