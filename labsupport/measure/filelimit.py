"""Raise this process's open-file limit for thousands of sockets, and put it back afterwards.

Every connection is a socket and every socket an open file; Linux caps them per process with a
soft limit (often 1,024) that a process may raise up to the hard one (``ulimit -Hn``). The C10K
client (:mod:`labsupport.measure.c10k`) and its servers (:mod:`labsupport.measure.c10k_servers`)
both need that. Example::

    from labsupport.measure import filelimit
    filelimit.raise_open_file_limit(11_000)   # 20000 where the hard limit is 20000
    with filelimit.room_for_sockets(5_000):
        ...                                   # 5,000 more sockets fit in this block
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..errors import C10kError

try:
    import resource
except ImportError:  # pragma: no cover - Windows has no RLIMIT_NOFILE to raise
    resource = None  # type: ignore[assignment]

__all__ = ["SPARE_FILES", "open_files", "raise_open_file_limit", "room_for_sockets"]

SPARE_FILES = 64  # files a process needs besides its connections (logs, pipes, the listener...)


def raise_open_file_limit(files: int) -> int:
    """Raise this process's soft open-file limit to at least ``files``; return the new soft limit.

    The soft limit only goes up, and never above the hard limit (``ulimit -Hn``): asking for
    more raises :class:`C10kError`. On Windows, which has no such limit, this does nothing.

    Example::

        raise_open_file_limit(11_000)   # 20000 where the hard limit is 20000
    """
    if resource is None:  # pragma: no cover - Windows
        return files
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or files <= soft:
        return soft
    if hard != resource.RLIM_INFINITY and files > hard:
        raise C10kError(f"This needs {files} open files in one process, but the hard open-file limit is "
                        f"{hard} (`ulimit -Hn`). Ask for fewer, or raise the hard limit (as root) first.")
    target = hard if hard != resource.RLIM_INFINITY else files
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:  # macOS caps it below an unlimited hard limit
        raise C10kError(f"Could not raise the open-file limit to {target} ({exc}); ask for fewer.") from None
    return target


@contextlib.contextmanager
def room_for_sockets(sockets: int) -> Iterator[None]:
    """Raise the soft open-file limit for ``sockets`` more connections in the block, then restore it.

    Raises :class:`C10kError` before the block when they cannot fit under the hard limit,
    saying how many would.

    Example::

        with room_for_sockets(5_000):
            ...   # open 5,000 connections here
    """
    previous = resource.getrlimit(resource.RLIMIT_NOFILE) if resource is not None else None
    overhead = open_files() + SPARE_FILES
    if previous and previous[1] != resource.RLIM_INFINITY and sockets + overhead > previous[1]:
        raise C10kError(
            f"{sockets:,} connections need about {sockets + overhead:,} open files in this "
            f"process (one socket each, plus {overhead} for what it has open already), but the hard "
            f"open-file limit is {previous[1]:,} (`ulimit -Hn`). Ask for at most "
            f"{max(previous[1] - overhead, 0):,} connections, or raise the hard limit (as root) first.")
    raise_open_file_limit(sockets + overhead)
    try:
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, previous)


def open_files() -> int:
    """How many files (sockets, pipes...) this process has open right now.

    Example::

        open_files()   # 23
    """
    import psutil

    me = psutil.Process()
    return me.num_fds() if hasattr(me, "num_fds") else me.num_handles()
