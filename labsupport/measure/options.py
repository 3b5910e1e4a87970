"""Check the counts and durations a measurement is given, with one wording for every tool.

Example::

    from labsupport.measure import options
    options.check_count("concurrency", 0, most=1000)   # LoadError: concurrency must be a whole
                                                       # number from 1 to 1000, not 0.
"""

from __future__ import annotations

import math

from ..errors import LoadError

__all__ = ["check_count", "check_seconds"]


def check_count(name: str, value: object, *, most: int | None = None,
                error: type[LoadError] = LoadError) -> None:
    """Raise ``error`` unless ``value`` is a whole number from 1 to ``most`` (no upper bound: None).

    Example::

        check_count("requests", 100)                        # fine
        check_count("connections", 30_000, most=25_000)     # LoadError: ... from 1 to 25,000, not 30000.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value and (most is None or value <= most):
        return
    bound = "of at least 1" if most is None else f"from 1 to {_number(most)}"
    raise error(f"{name} must be a whole number {bound}, not {value!r}.")


def check_seconds(name: str, value: object, *, zero: bool = False, most: float = math.inf,
                  error: type[LoadError] = LoadError) -> None:
    """Raise ``error`` unless ``value`` is a number of seconds above 0 (or 0 itself, with ``zero=True``)
    and at most ``most``. NaN and infinity never pass: a run must end.

    Example::

        check_seconds("timeout", 10.0)                     # fine
        check_seconds("settle", 0, zero=True, most=3600)   # fine
        check_seconds("timeout", 0)                        # LoadError: ... greater than 0, not 0.
    """
    if (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and (0 <= value if zero else 0 < value) and value <= most):
        return
    bound = "from 0" if zero else "greater than 0"
    if most < math.inf:
        bound += f" to {_number(most)}" if zero else f" and at most {_number(most)}"
    raise error(f"{name} must be a number of seconds {bound}, not {value!r}.")


def _number(n: float) -> str:
    """3600 stays 3600; from 10,000 on, thousands get commas, as in the lessons' prose."""
    n = int(n) if float(n).is_integer() else n
    return f"{n:,}" if n >= 10_000 else f"{n}"
