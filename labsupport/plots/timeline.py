"""Plot spans of activity over time, one horizontal bar per span.

Example (a notebook cell; top-level ``await`` works there)::

    import asyncio
    import matplotlib.pyplot as plt
    import labsupport

    pairs = await asyncio.gather(
        labsupport.timed("kettle", asyncio.sleep(0.2)),
        labsupport.timed("oven", asyncio.sleep(0.4)),
    )
    labsupport.plot_timeline([span for _, span in pairs], title="Kettle and oven wait together")
    plt.show()
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from .style import LABEL_SIZE, TICK_SIZE, TITLE_SIZE

if TYPE_CHECKING:  # pyplot is imported only when a figure is drawn, keeping `import labsupport` light
    from matplotlib.axes import Axes

__all__ = ["Span", "plot_timeline", "timed"]

T = TypeVar("T")

_PER_SECOND = {"s": 1.0, "ms": 1000.0}


@dataclass(frozen=True)
class Span:
    """One stretch of activity: ``label`` was busy from ``start`` to ``end`` (seconds).

    Spans with the same ``lane`` share a row of the plot; without a lane a span's row is its label.

    Example::

        Span("kettle", start=0.0, end=0.2).duration   # 0.2
    """

    label: str
    start: float
    end: float
    lane: str | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"Span {self.label!r} ends before it starts (start={self.start}, end={self.end}); "
                "take `end` from the same clock after the work finishes."
            )

    @property
    def duration(self) -> float:
        """Seconds from start to end."""
        return self.end - self.start

    @property
    def row(self) -> str:
        """The plot row this span is drawn in: its lane, or else its label."""
        return self.lane if self.lane is not None else self.label


async def timed(label: str, aw: Awaitable[T], *, lane: str | None = None) -> tuple[T, Span]:
    """Await ``aw`` and return its result with a Span measured by ``time.perf_counter``.

    If ``aw`` raises, the exception propagates and no span is returned.

    Example::

        result, span = await labsupport.timed("nap", asyncio.sleep(0.2, result="rested"))
        result, round(span.duration, 1)   # ('rested', 0.2)
    """
    start = time.perf_counter()
    result = await aw
    return result, Span(label, start, time.perf_counter(), lane)


def plot_timeline(
    spans: Iterable[Span], *, title: str, ax: Axes | None = None, unit: str = "s"
) -> Axes:
    """Draw one horizontal bar per span against time since the earliest start; return the Axes.

    ``title`` should state what the plot shows ("Interleaved chores finish in half the time").
    Rows run top to bottom in the order they first appear; each label keeps one colour.
    ``unit`` is ``"s"`` or ``"ms"``. Pass ``ax`` to draw into an existing figure.

    Example::

        spans = [Span("laundry", 0.0, 0.6), Span("kettle", 0.6, 0.8)]
        labsupport.plot_timeline(spans, title="One chore after another")
        plt.show()
    """
    spans = list(spans)
    if not spans:
        raise ValueError(
            "plot_timeline() got no spans to draw; pass a list with at least one Span, "
            "e.g. [Span('kettle', 0.0, 0.2)]."
        )
    for span in spans:
        if not isinstance(span, Span):
            raise TypeError(
                f"plot_timeline() draws Span objects, not {type(span).__name__}; "
                "wrap each start and end as Span(label, start, end)."
            )
    if unit not in _PER_SECOND:
        raise ValueError(f"unit must be one of {sorted(_PER_SECOND)}, not {unit!r}.")

    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    scale = _PER_SECOND[unit]
    origin = min(span.start for span in spans)
    rows = list(dict.fromkeys(span.row for span in spans))  # first-seen order
    colours = {label: f"C{i % 10}" for i, label in enumerate(dict.fromkeys(s.label for s in spans))}
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1.6 + 0.5 * len(rows)), layout="constrained")

    for span in spans:
        ax.barh(
            rows.index(span.row),
            span.duration * scale,
            left=(span.start - origin) * scale,
            height=0.6,
            color=colours[span.label],
        )

    ax.set_yticks(range(len(rows)), rows)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top; set_ylim, unlike invert_yaxis, is idempotent
    ax.set_xlim(left=0)
    ax.set_xlabel(f"time since first start ({unit})", fontsize=LABEL_SIZE)
    ax.set_ylabel("activity", fontsize=LABEL_SIZE)
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if any(len({s.label for s in spans if s.row == row}) > 1 for row in rows):
        # A row mixes labels, so the y tick labels alone cannot name every bar.
        handles = [Patch(color=colour, label=label) for label, colour in colours.items()]
        ax.legend(handles=handles, fontsize=TICK_SIZE, loc="upper right")
    return ax
