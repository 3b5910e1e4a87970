"""Draw counts that change over time as step lines: pages fetched, items waiting in a queue.

Example (a notebook cell)::

    labsupport.plot_steps({"5 workers": [(0.0, 0), (0.1, 3), (0.4, 9)]},
                          title="Pages fetched over time", ylabel="pages fetched")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .style import LABEL_SIZE, TICK_SIZE, TITLE_SIZE

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["counts_over_time", "plot_steps"]


def counts_over_time(moments: Sequence[float]) -> list[tuple[float, int]]:
    """Turn the moments at which things finished into (time, how many so far) points.

    >>> counts_over_time([0.3, 0.1])
    [(0.0, 0), (0.1, 1), (0.3, 2)]
    """
    return [(0.0, 0)] + [(t, n) for n, t in enumerate(sorted(moments), start=1)]


def plot_steps(series: Mapping[str, Sequence[tuple[float, float]]], *, title: str,
               ylabel: str, xlabel: str = "time (s)", ax: Axes | None = None) -> Axes:
    """Draw each series of (time, value) points as a step line that holds until the next point.

    ``title`` should state the finding; each series gets a legend entry under its name.
    """
    if not series or any(len(points) == 0 for points in series.values()):
        raise ValueError("plot_steps() needs at least one series, each with at least one (time, value) point.")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    for label, points in series.items():
        times, values = zip(*points)
        ax.step(times, values, where="post", label=label, linewidth=2)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.legend(fontsize=TICK_SIZE)
    ax.grid(alpha=0.3)
    return ax
