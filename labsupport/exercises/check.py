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
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..errors import CheckFailed

__all__ = ["CheckFailed", "TASKS", "check", "task"]

TASKS: dict[str, "_Task"] = {}  # every registered check, by task name (the checks package fills it)


@dataclass(frozen=True)
class _Task:
    name: str
    run: Callable[..., Awaitable[str]]
    budget: float


def task(name: str, *, budget: float = 5.0) -> Callable:
    """Register ``async def run(*answers) -> str`` as the check for ``name``.

    ``run`` raises :class:`CheckFailed` with a hint, or returns the detail of the pass line.
    It runs inside the checker thread's loop and must finish within ``budget`` seconds.
    """
    def register(run: Callable[..., Awaitable[str]]) -> Callable[..., Awaitable[str]]:
        TASKS[name] = _Task(name, run, budget)
        return run
    return register


async def check(name: str, *answers: object) -> None:
    """Run the check for task ``name`` on the learner's ``answers``; print a pass line or raise."""
    from . import checks  # noqa: F401  (registers every lesson's tasks)

    if name not in TASKS:
        raise CheckFailed(f"✘ There is no task called {name!r}; tasks: {', '.join(sorted(TASKS))}.")
    spec = TASKS[name]
    try:
        detail = await _run_in_checker_thread(lambda: spec.run(*answers), spec.budget)
    except CheckFailed as failed:
        raise CheckFailed(f"✘ {name}: {failed}") from None
    except TimeoutError:
        raise CheckFailed(
            f"✘ {name}: no result within {spec.budget:g} s. Your code blocks or never finishes "
            "(time.sleep, a blocking call, an endless loop?). Use await for every wait; "
            "restart the kernel to stop the stuck code.") from None
    except NotImplementedError:
        raise CheckFailed(f"✘ {name}: not done yet: replace `raise NotImplementedError()` with your code.") from None
    except Exception as exc:  # the learner's code raised something: show it, not our internals
        raise CheckFailed(f"✘ {name}: your code raised {type(exc).__name__}: {exc}") from None
    print(f"✔ {name} passed: {detail}")


async def _run_in_checker_thread(make: Callable[[], Awaitable[str]], budget: float) -> str:
    """Run ``make()`` with asyncio.run in a daemon thread; give up waiting after ``budget`` s."""
    outcome: concurrent.futures.Future[str] = concurrent.futures.Future()

    def main() -> None:
        try:
            result = asyncio.run(make())
        except BaseException as exc:  # handed to the kernel's side, which decides what to say
            if not outcome.cancelled():  # the kernel's side may have given up already
                outcome.set_exception(exc)
        else:
            if not outcome.cancelled():
                outcome.set_result(result)

    threading.Thread(target=main, name="labsupport-check", daemon=True).start()
    return await asyncio.wait_for(asyncio.wrap_future(outcome), budget)

