"""Tests for labsupport.plots.requests: bars, curves and points drawn from LoadResults, labelled and legible."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labsupport.measure.loadgen import LoadResult, RequestRecord  # noqa: E402
from labsupport.plots.requests import plot_latency, plot_requests, plot_throughput  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def result_of(*spans: tuple[float, float, int | None, str | None]) -> LoadResult:
    return LoadResult(RequestRecord(i, s, e, status, error) for i, (s, e, status, error) in enumerate(spans))


def serial(n: int, seconds: float, *, at: float = 100.0) -> LoadResult:
    """n requests sent together, answered one after another, ``seconds`` apart."""
    return result_of(*((at, at + seconds * (i + 1), 200, None) for i in range(n)))


def together(n: int, seconds: float, *, at: float = 100.0) -> LoadResult:
    return result_of(*((at, at + seconds, 200, None) for _ in range(n)))


def assert_legible(ax, title: str) -> None:
    assert ax.get_title() == title
    assert ax.get_xlabel() and ax.get_ylabel()
    assert "(" in ax.get_xlabel()  # a unit
    assert ax.title.get_fontsize() >= 14
    assert ax.xaxis.label.get_fontsize() >= 12 and ax.yaxis.label.get_fontsize() >= 12
    assert all(t.get_fontsize() >= 12 for t in ax.get_xticklabels() + ax.get_yticklabels())


def test_plot_requests_draws_one_bar_per_request_from_the_first_start():
    result = result_of((10.0, 10.5, 200, None), (10.25, 11.0, 200, None), (10.5, 10.75, 200, None))
    ax = plot_requests(result, title="Three overlap")
    bars = [v for p in ax.patches for v in (p.get_x(), p.get_width(), p.get_y() + p.get_height() / 2)]
    assert bars == pytest.approx([0.0, 0.5, 0, 0.25, 0.75, 1, 0.5, 0.25, 2])  # (left, width, row)
    assert ax.get_ylim() == (2.5, -0.5)  # request 0 on top
    assert ax.get_legend() is None  # all ok: nothing to explain
    assert_legible(ax, "Three overlap")
    assert ax.get_xlabel().endswith("(s)")


def test_plot_requests_colours_errors_and_other_statuses_apart():
    result = result_of((0.0, 0.1, 200, None), (0.0, 0.2, 500, None), (0.0, 0.3, None, "timeout"),
                       (0.0, 0.4, None, "connection refused"))
    ax = plot_requests(result, title="t")
    colours = [tuple(p.get_facecolor()) for p in ax.patches]
    assert len(ax.patches) == 4 and len(set(colours)) == 3
    assert colours[2] == colours[3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ok (2xx)", "other status", "error"]


def test_plot_requests_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_requests(serial(3, 0.1), title="left", ax=left) is left
    assert plot_requests(together(3, 0.1), title="right", ax=right) is right
    assert len(left.patches) == len(right.patches) == 3 and len(fig.axes) == 2


def test_plot_latency_draws_one_labelled_curve_per_series_in_ms():
    ax = plot_latency({"blocking": serial(4, 0.5), "async": together(4, 0.5)}, title="Async waits together")
    assert len(ax.lines) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["blocking (median 1000 ms)", "async (median 500 ms)"]
    assert max(ax.lines[0].get_xdata()) == pytest.approx(2000.0)  # milliseconds, not seconds
    assert ax.get_xlabel() == "latency (ms)"
    assert_legible(ax, "Async waits together")


def test_plot_latency_takes_a_single_result_and_skips_failed_requests():
    result = result_of((0.0, 0.1, 200, None), (0.0, 5.0, None, "timeout"))
    ax = plot_latency(result, title="one")
    assert len(ax.lines) == 1 and max(ax.lines[0].get_xdata()) == pytest.approx(100.0)


def test_plot_latency_without_successes_says_so():
    with pytest.raises(ValueError, match="'down' has no successful"):
        plot_latency({"down": result_of((0.0, 1.0, None, "timeout"))}, title="t")


def test_plot_throughput_draws_one_point_per_level_in_order():
    points = {5: together(5, 0.5), 1: together(1, 0.5), 2: together(2, 0.5)}
    ax = plot_throughput(points, title="Throughput grows with concurrency")
    (line,) = ax.lines
    assert list(line.get_xdata()) == [1, 2, 5]
    assert list(line.get_ydata()) == pytest.approx([2.0, 4.0, 10.0])
    assert [t.get_text() for t in ax.texts] == ["2", "4", "10"]
    assert ax.get_ylim()[0] == 0 and ax.get_xlim()[0] == 0
    assert "requests/s" in ax.get_ylabel()
    assert_legible(ax, "Throughput grows with concurrency")


@pytest.mark.parametrize("call, error, message", [
    (lambda: plot_requests([1, 2], title="t"), TypeError, "draws what labsupport.load"),
    (lambda: plot_requests(LoadResult(), title="t"), ValueError, "no requests"),
    (lambda: plot_latency({}, title="t"), ValueError, "got no results"),
    (lambda: plot_throughput({}, title="t"), ValueError, "got no points"),
    (lambda: plot_throughput({"ten": together(1, 0.1)}, title="t"), ValueError, "concurrency levels"),
])
def test_wrong_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_title_is_required():
    with pytest.raises(TypeError):
        plot_requests(serial(1, 0.1))  # the title states the finding, so it is not optional
