"""CPU time of a process tree: what a server, its workers and their threads have used so far.

>>> import os
>>> cpu_seconds(process_tree(os.getpid())) > 0
True
"""

from __future__ import annotations

from collections.abc import Iterable

import psutil

__all__ = ["cpu_seconds", "process_tree"]


def process_tree(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and all its descendants now; ``[]`` when it is gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    """User + system CPU seconds of ``processes`` (every thread), and of the children they have reaped.

    A process that ended since it was listed counts 0, so a difference of two readings of one tree
    stays true as long as the parent reaps what ends (its ``children_*`` times then hold it).
    """
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total
