"""Draw what a :func:`labsupport.load` run measured: a request timeline, latencies, throughput.

Example (a notebook cell; top-level ``await`` works there)::

    import matplotlib.pyplot as plt
    import labsupport

    slow = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", settings={"seconds": 0.5})
    result = await labsupport.load(slow.url + "blocking", requests=5, concurrency=5)
    labsupport.plot_requests(result, title="A blocking handler answers one request at a time")
    plt.show()
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..measure.loadgen import LoadResult
from .style import LABEL_SIZE, TICK_SIZE, TITLE_SIZE

if TYPE_CHECKING:  # pyplot is imported only when a figure is drawn, keeping `import labsupport` light
    from matplotlib.axes import Axes

__all__ = ["plot_latency", "plot_requests", "plot_throughput"]

_KINDS = (("ok (2xx)", "C0"), ("other status", "C1"), ("error", "C3"))


def plot_requests(result: LoadResult, *, title: str, ax: Axes | None = None) -> Axes:
    """Draw one horizontal bar per request, from its start to its end; return the Axes.

    Rows are request numbers (the first on top) and x is seconds since the first request
    started, so requests that overlap stack up side by side and requests that wait for one
    another form a staircase. Errors are red, non-2xx answers orange.
    ``title`` should state the finding ("Five async requests finish together").

    Example::

        labsupport.plot_requests(result, title="The blocking handler serves one at a time")
    """
    records = list(_check_result(result, "plot_requests"))
    import matplotlib.pyplot as plt

    origin = min(r.start for r in records)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, min(2.0 + 0.25 * len(records), 7.0)), layout="constrained")
    for label, colour in _KINDS:
        chosen = [r for r in records if _kind(r) == label]
        if chosen:
            ax.barh([r.index for r in chosen], [r.end - r.start for r in chosen],
                    left=[r.start - origin for r in chosen], height=0.7, color=colour, label=label)
    rows = max(r.index for r in records) + 1
    ax.set_ylim(rows - 0.5, -0.5)  # first request on top, like a to-do list
    if rows <= 20:
        ax.set_yticks(range(rows))
    ax.set_xlim(left=0)
    ax.set_xlabel("time since the first request started (s)", fontsize=LABEL_SIZE)
    ax.set_ylabel("request number", fontsize=LABEL_SIZE)
    _finish(ax, title)
    ax.grid(axis="x", alpha=0.3)
    if any(_kind(r) != "ok (2xx)" for r in records):  # an all-blue chart needs no key
        ax.legend(fontsize=TICK_SIZE, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def plot_latency(results: Mapping[str, LoadResult] | LoadResult, *, title: str,
                 ax: Axes | None = None) -> Axes:
    """Draw the share of requests answered within each latency (an ECDF, in ms); return the Axes.

    Pass one result, or a dict of labelled results to compare them: the curve further left
    answers sooner, and a curve that climbs in steps shows requests waiting in turn. Only 2xx
    requests count. The legend gives each series' median.

    Example::

        labsupport.plot_latency({"blocking": blocking, "async": fast},
                                title="Async requests all wait 0.5 s; blocking ones queue")
    """
    series = {"latency": results} if isinstance(results, LoadResult) else dict(results)
    if not series:
        raise ValueError("plot_latency() got no results; pass a LoadResult or a dict of them.")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for name, result in series.items():
        _check_result(result, "plot_latency")
        if not result.latencies:
            raise ValueError(f"The series {name!r} has no successful (2xx) request to draw; "
                             f"check result.error_kinds and result.statuses.")
        ms = [s * 1000 for s in result.latencies]
        ax.ecdf(ms, label=f"{name} (median {result.percentile(50) * 1000:.0f} ms)", linewidth=2.5)
    ax.set_xlim(left=0)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("latency (ms)", fontsize=LABEL_SIZE)
    ax.set_ylabel("requests answered within it", fontsize=LABEL_SIZE)
    _finish(ax, title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=TICK_SIZE, loc="lower right")
    return ax


def plot_throughput(points: Mapping[int, LoadResult], *, title: str, ax: Axes | None = None) -> Axes:
    """Draw requests per second against concurrency, one labelled point per level; return the Axes.

    ``points`` is what :func:`labsupport.sweep` returns: ``{concurrency: LoadResult}``. Both
    axes are linear and start at 0, so a straight line through the origin means throughput
    grows in proportion to concurrency and a flat stretch means the server is saturated.

    Example::

        points = await labsupport.sweep(server.url, concurrencies=(1, 10, 50))
        labsupport.plot_throughput(points, title="Throughput stops growing at ten in flight")
    """
    if not points:
        raise ValueError("plot_throughput() got no points; pass the dict that sweep() returns.")
    for level, result in points.items():
        _check_result(result, "plot_throughput")
        if not isinstance(level, int) or level < 1:
            raise ValueError(f"plot_throughput() keys are concurrency levels (whole numbers >= 1), "
                             f"not {level!r}.")
    import matplotlib.pyplot as plt

    levels = sorted(points)
    rates = [points[level].throughput for level in levels]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    ax.plot(levels, rates, marker="o", markersize=9, linewidth=2.5, color="C0")
    for level, rate in zip(levels, rates):
        ax.annotate(f"{rate:.0f}", (level, rate), textcoords="offset points", xytext=(0, 9),
                    ha="center", fontsize=TICK_SIZE)
    ax.set_xlim(0, max(levels) * 1.05)  # linear, so twice the concurrency is twice as far along
    ax.set_ylim(0, max(rates) * 1.2 or 1)
    ax.set_xlabel("concurrency (requests in flight)", fontsize=LABEL_SIZE)
    ax.set_ylabel("throughput (requests/s)", fontsize=LABEL_SIZE)
    _finish(ax, title)
    ax.grid(alpha=0.3)
    return ax


def _kind(record) -> str:
    if record.error is not None:
        return "error"
    return "ok (2xx)" if record.ok else "other status"


def _check_result(result: object, caller: str) -> LoadResult:
    if not isinstance(result, LoadResult):
        raise TypeError(f"{caller}() draws what labsupport.load() returns (a LoadResult), "
                        f"not {type(result).__name__}.")
    if not result:
        raise ValueError(f"{caller}() got a LoadResult with no requests in it.")
    return result


def _finish(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_axisbelow(True)
