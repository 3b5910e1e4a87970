"""Let sync-style code run an event loop inside a notebook cell, by applying nest_asyncio once.

A notebook cell already runs inside the kernel's event loop, so ``asyncio.run()`` and
``loop.run_until_complete()`` refuse to start. nest_asyncio patches asyncio so they re-enter
the running loop instead. The appendix to lesson 02,
``notebooks/02a-avoid-deadlocking-your-own-server.ipynb``, shows why, and what it cannot fix. Example::

    import asyncio, labsupport
    labsupport.allow_nested_loops()    # 'nest_asyncio 1.6.0 applied'
    asyncio.run(asyncio.sleep(0.1))    # works now, on the kernel's own loop

The original ``nest_asyncio`` is archived and breaks on Python 3.12+, so there the maintained
fork ``nest-asyncio2`` (same API) is used.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import sys

__all__ = ["allow_nested_loops", "nested_loops_allowed"]


def _module_name() -> str:
    return "nest_asyncio" if sys.version_info < (3, 12) else "nest_asyncio2"


def nested_loops_allowed() -> bool:
    """Whether nest_asyncio's patch is in place in this process."""
    return bool(getattr(asyncio, "_nest_patched", False))


def allow_nested_loops() -> str:
    """Apply nest_asyncio (or nest-asyncio2 on Python 3.12+) once; return what was applied.

    Calling it again is harmless. The patch cannot be undone without restarting the kernel.
    """
    name = _module_name()
    distribution = name.replace("_", "-")
    try:
        module = importlib.import_module(name)
    except ImportError:
        raise ImportError(f"{distribution} is not installed in this environment. "
                          f"Install the course's pins: pip install -r requirements.txt") from None
    version = importlib.metadata.version(distribution)
    if nested_loops_allowed():
        return f"{name} {version} already applied"
    module.apply()
    return f"{name} {version} applied"
