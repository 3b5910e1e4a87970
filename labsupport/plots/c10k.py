"""Draw what :func:`labsupport.measure.c10k.measure` found: memory per idle connection, and connections held.

Example (a notebook cell)::

    import matplotlib.pyplot as plt
    from labsupport.measure import c10k
    from labsupport.plots.c10k import plot_c10k

    results = [await c10k.measure(kind, connections=300) for kind in c10k.SERVERS]
    plot_c10k(results)
    plt.show()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..measure.c10k import C10kResult
from .style import LABEL_SIZE, TICK_SIZE, TITLE_SIZE

if TYPE_CHECKING:  # pyplot is imported only when a figure is drawn
    from matplotlib.figure import Figure

__all__ = ["plot_c10k"]

_NAMES = {"tornado": "Tornado HTTPServer", "threads": "thread per connection"}
_COUNTS = (("asked", "0.75"), ("accepted", "C2"), ("served", "C0"))


def plot_c10k(results: Sequence[C10kResult], *, title: str | None = None) -> Figure:
    """Draw two panels, one bar per server: KB per idle connection; connections asked/accepted/served.

    "Accepted" is what the server process itself holds open (established sockets on its port),
    "served" what the client checked (a 200 with the right body). Return the Figure.

    Example::

        plot_c10k([tornado, threads], title="10,000 idle connections")
    """
    results = list(results)
    if not results or not all(isinstance(r, C10kResult) for r in results):
        raise TypeError("plot_c10k() draws a list of what c10k.measure() returns (C10kResult objects), "
                        f"not {results!r:.80}.")
    import matplotlib.pyplot as plt

    names = [f"{_NAMES.get(r.server, r.server)}\n({r.threads:,} thread{'s' * (r.threads != 1)})"
             for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    bars = left.bar(names, [r.kb_per_connection for r in results], width=0.6,
                    color=[f"C{i}" for i in range(len(results))])
    left.bar_label(bars, fmt="%.1f KB", fontsize=LABEL_SIZE, padding=3)
    left.set_ylim(0, max(r.kb_per_connection for r in results) * 1.2 or 1)
    left.set_ylabel("server memory per connection (KB)", fontsize=LABEL_SIZE)
    left.set_title("Memory each idle connection costs the server", fontsize=TITLE_SIZE)
    width = 0.26
    for offset, (attr, colour) in zip((-width, 0.0, width), _COUNTS):
        where = [i + offset for i in range(len(results))]
        bars = right.bar(where, [getattr(r, attr) for r in results], width, label=attr, color=colour)
        right.bar_label(bars, labels=[f"{getattr(r, attr):,}" for r in results],
                        fontsize=TICK_SIZE - 1, padding=2)
    right.set_xticks(range(len(results)), names)
    right.set_ylim(0, max(r.asked for r in results) * 1.3)
    right.yaxis.set_major_formatter("{x:,.0f}")
    right.set_ylabel("connections", fontsize=LABEL_SIZE)
    right.set_title("Connections held open at once", fontsize=TITLE_SIZE)
    right.legend(fontsize=TICK_SIZE, loc="upper center", ncols=3, frameon=False)
    for ax in (left, right):
        ax.tick_params(labelsize=TICK_SIZE)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    asked = max(r.asked for r in results)
    fig.suptitle(title or f"{asked:,} idle keep-alive connections, one server process each",
                 fontsize=TITLE_SIZE + 2)
    return fig
