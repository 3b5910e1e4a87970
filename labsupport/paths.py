"""Find the course folder (the one holding ``notebooks/``, ``exercises/`` and ``requirements.txt``).

It is the folder named by the environment variable ``TORNADO_LAB_ROOT`` when that is set (a
copy of the course, a hub's shared folder), else the checkout labsupport was installed from
with ``pip install -e``. Example::

    from labsupport.paths import course_path
    course_path("exercises", "solutions")   # PosixPath('/home/ada/tornado-lab/exercises/solutions')
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT_VARIABLE", "course_path", "course_root"]

ROOT_VARIABLE = "TORNADO_LAB_ROOT"


def course_root() -> Path:
    """The course folder: ``$TORNADO_LAB_ROOT``, or the folder above the labsupport package."""
    chosen = os.environ.get(ROOT_VARIABLE)
    return Path(chosen).expanduser().resolve() if chosen else Path(__file__).resolve().parent.parent


def course_path(*parts: str) -> Path:
    """A path inside the course folder, e.g. ``course_path("requirements.txt")``."""
    return course_root().joinpath(*parts)

