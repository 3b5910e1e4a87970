"""Exercises: checks a learner runs in a notebook, learner copies made from solutions, and grading.

Example, from the course folder::

    from pathlib import Path
    from labsupport.exercises import stale
    stale(Path("exercises/solutions"), Path("exercises"))   # [] when every learner copy is current
"""

from __future__ import annotations

from .copies import SolutionMarkerError, generate, make_learner_copy, stale

__all__ = ["SolutionMarkerError", "generate", "make_learner_copy", "stale"]
