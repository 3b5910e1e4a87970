"""Exercises: checks a learner runs in a notebook, learner copies made from solutions, and grading.

Example, from the course folder::

    from pathlib import Path
    from labsupport.exercises import stale
    stale(Path("exercises/solutions"), Path("exercises"))   # [] when every learner copy is current
"""

from __future__ import annotations

__all__ = ["SolutionMarkerError", "generate", "make_learner_copy", "stale"]


def __getattr__(name: str):
    # Learner copies need nbformat (about 2 s to import). Every server process imports labsupport,
    # and so labsupport.exercises.check; load .copies on first use only, so they start quickly.
    if name in __all__:
        from . import copies

        return getattr(copies, name)
    raise AttributeError(f"module 'labsupport.exercises' has no attribute {name!r}")
