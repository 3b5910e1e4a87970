"""Check a learner's exercise answer for real and say, in one line, what passed or what to fix.

In an exercise notebook's check cell::

    await labsupport.check("greet-handler", GreetHandler)
    # ✔ greet-handler passed: GET /hello/ada answered 200 'Hello, ada!'

The learner's code runs on a private event loop in a checker thread, so code that blocks or
never returns is reported after a few seconds while the kernel stays free.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..errors import CheckFailed

__all__ = ["CheckFailed", "GRACE", "TASKS", "check", "requirement", "task"]

TASKS: dict[str, "_Task"] = {}  # every registered check, by task name (the checks package fills it)
GRACE = 1.0  # seconds the learner's code gets to stop once a check has given up on it


@dataclass(frozen=True)
class _Task:
    name: str
    run: Callable[..., Awaitable[str]]
    budget: float
    requirements: dict[str, str] = field(default_factory=dict)  # key: what the prompt asks for


@dataclass
class _Progress:
    """Which requirement a running check is testing, for the message when time runs out."""

    task: _Task
    now: str | None = None


_PROGRESS: contextvars.ContextVar[_Progress] = contextvars.ContextVar("labsupport_check_progress")


def task(name: str, *, budget: float = 5.0, requirements: dict[str, str] | None = None) -> Callable:
    """Register ``async def run(*answers) -> str`` as the check for ``name``.

    ``run`` raises :class:`CheckFailed` with a hint, or returns the detail of the pass line.
    It runs inside the checker thread's loop and must finish within ``budget`` seconds.
    ``requirements`` lists what the task's prompt asks for, ``{key: "what it requires"}``; the
    check calls :func:`requirement` with a key as it starts testing that requirement.
    """
    def register(run: Callable[..., Awaitable[str]]) -> Callable[..., Awaitable[str]]:
        TASKS[name] = _Task(name, run, budget, dict(requirements or {}))
        return run
    return register


def requirement(key: str) -> None:
    """Note that the running check now tests its task's requirement ``key``.

    Example, inside a check: ``requirement("cleans-up-on-success")``. When the check runs out of
    time, its message says which requirement it was testing.
    """
    progress = _PROGRESS.get(None)
    if progress is None:
        return  # a check's helpers may run outside a check, in tests
    if key not in progress.task.requirements:
        raise ValueError(f"{progress.task.name} lists no requirement {key!r}: {sorted(progress.task.requirements)}")
    progress.now = key


async def check(name: str, *answers: object) -> None:
    """Run the check for task ``name`` on the learner's ``answers``; print a pass line or raise."""
    from . import checks  # noqa: F401  (registers every lesson's tasks)

    if name not in TASKS:
        raise CheckFailed(f"✘ There is no task called {name!r}; tasks: {', '.join(sorted(TASKS))}.")
    spec = TASKS[name]
    progress = _Progress(spec)

    async def run() -> str:
        _PROGRESS.set(progress)  # the check's tasks inherit it
        return await spec.run(*answers)

    try:
        detail = await _run_in_checker_thread(run, spec.budget)
    except CheckFailed as failed:
        raise CheckFailed(f"✘ {name}: {failed}") from None
    except _OutOfTime:
        testing = f" while checking that {spec.requirements[progress.now]}" if progress.now else ""
        raise CheckFailed(
            f"✘ {name}: no result within {spec.budget:g} s{testing}. Your code blocks or never finishes "
            "(time.sleep, a blocking call, an endless loop, a CancelledError caught and ignored?). "
            "Use await for every wait; restart the kernel if the cell stays busy.") from None
    except NotImplementedError:
        raise CheckFailed(f"✘ {name}: not done yet: replace `raise NotImplementedError()` with your code.") from None
    except Exception as exc:  # the learner's code raised something: show it, not our internals
        raise CheckFailed(f"✘ {name}: your code raised {type(exc).__name__}: {exc}") from None
    print(f"✔ {name} passed: {detail}")


async def _run_in_checker_thread(make: Callable[[], Awaitable[str]], budget: float) -> str:
    """Run ``make()`` on a new loop in a daemon thread; give up waiting after ``budget`` s.

    Giving up cancels every task of that loop; code that ignores the cancellation is stopped
    :data:`GRACE` s later with its loop, so no check leaves a thread or a task behind, unless the
    learner's code blocks the thread itself (``time.sleep``), which it does until that call returns.
    """
    outcome: concurrent.futures.Future[str] = concurrent.futures.Future()
    loop = asyncio.new_event_loop()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            result = loop.run_until_complete(make())
        except BaseException as exc:  # handed to the kernel's side, which decides what to say
            if not outcome.done():
                outcome.set_exception(exc)
        else:
            if not outcome.done():
                outcome.set_result(result)
        finally:
            _close(loop)

    threading.Thread(target=main, name="labsupport-check", daemon=True).start()
    waiting = asyncio.wrap_future(outcome)
    done, _ = await asyncio.wait({waiting}, timeout=budget)
    if done:
        return waiting.result()  # a TimeoutError the learner's code raised is theirs, not ours
    waiting.cancel()
    try:
        loop.call_soon_threadsafe(_give_up, loop)
    except RuntimeError:  # the loop closed just now: nothing is left to stop
        pass
    raise _OutOfTime()


class _OutOfTime(Exception):
    """The check's budget ran out before the learner's code finished."""


def _give_up(loop: asyncio.AbstractEventLoop) -> None:
    """On the checker loop: cancel everything, and stop the loop if that is ignored for GRACE s."""
    for running in asyncio.all_tasks(loop):
        running.cancel()
    loop.call_later(GRACE, loop.stop)


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on ``loop``, wait at most GRACE s for it, then close the loop quietly."""
    left = asyncio.all_tasks(loop)
    for running in left:
        running.cancel()
    if left:
        try:
            loop.run_until_complete(asyncio.wait(left, timeout=GRACE))
        except RuntimeError:  # stopped by _give_up meanwhile
            pass
    loop.set_exception_handler(lambda loop, context: None)  # tasks that refused to stop die silently
    try:
        loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), GRACE))
    except (RuntimeError, TimeoutError):
        pass
    loop.close()
