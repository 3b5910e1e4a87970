"""Tests for labsupport.plots.timeline: Span, timed and plot_timeline."""

from __future__ import annotations

import asyncio
import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from labsupport.plots.timeline import Span, plot_timeline, timed  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _bars(ax):
    """(x, width, y-centre) of each bar, in drawing order."""
    return [(p.get_x(), p.get_width(), p.get_y() + p.get_height() / 2) for p in ax.patches]


def test_one_bar_per_span():
    spans = [Span("laundry", 0.0, 0.6), Span("oven", 0.0, 0.4), Span("kettle", 0.0, 0.2)]
    ax = plot_timeline(spans, title="three chores")
    assert len(ax.patches) == 3


def test_bars_start_at_offsets_from_the_earliest_start():
    spans = [Span("b", 100.2, 101.0), Span("a", 100.0, 100.5)]
    ax = plot_timeline(spans, title="t")
    (x_b, w_b, _), (x_a, w_a, _) = _bars(ax)
    assert (x_a, x_b) == pytest.approx((0.0, 0.2))
    assert (w_a, w_b) == pytest.approx((0.5, 0.8))
    assert ax.get_xlim()[0] == 0


def test_milliseconds_scale_positions_and_label():
    ax = plot_timeline([Span("a", 5.0, 5.25), Span("b", 5.5, 6.0)], title="t", unit="ms")
    flat = [v for x, w, _ in _bars(ax) for v in (x, w)]
    assert flat == pytest.approx([0.0, 250.0, 500.0, 500.0])
    assert ax.get_xlabel().endswith("(ms)")


def test_title_axis_labels_and_readable_fonts():
    ax = plot_timeline([Span("kettle", 0.0, 0.2)], title="The kettle boils in 0.2 s")
    assert ax.get_title() == "The kettle boils in 0.2 s"
    assert "(s)" in ax.get_xlabel()
    assert ax.get_ylabel()
    assert ax.title.get_fontsize() >= 14  # the default (12 pt) is too small for a projector
    assert ax.xaxis.label.get_fontsize() >= 12
    assert all(t.get_fontsize() >= 12 for t in ax.get_yticklabels())


def test_rows_follow_first_appearance_top_to_bottom():
    spans = [Span("laundry", 0.3, 0.9), Span("kettle", 0.0, 0.2), Span("laundry", 1.0, 1.1)]
    ax = plot_timeline(spans, title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["laundry", "kettle"]
    y_laundry, y_kettle, y_laundry_again = (y for _, _, y in _bars(ax))
    assert y_laundry == y_laundry_again != y_kettle
    bottom, top = ax.get_ylim()
    assert bottom > top  # y grows downwards, so the first row is on top
    assert ax.get_legend() is None


def test_spans_in_one_lane_share_a_row_and_get_a_legend():
    spans = [
        Span("beat", 0.00, 0.01, lane="heartbeat"),
        Span("beat", 0.05, 0.06, lane="heartbeat"),
        Span("time.sleep(0.5)", 0.02, 0.52, lane="work"),
        Span("stall", 0.06, 0.52, lane="heartbeat"),
    ]
    ax = plot_timeline(spans, title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["heartbeat", "work"]
    ys = [y for _, _, y in _bars(ax)]
    assert ys[0] == ys[1] == ys[3] != ys[2]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["beat", "time.sleep(0.5)", "stall"]
    colours = [p.get_facecolor() for p in ax.patches]
    assert colours[0] == colours[1] != colours[3]


def test_draws_into_the_given_axes_without_a_new_figure():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plot_timeline([Span("a", 0, 1)], title="right", ax=right)
    assert returned is right
    assert plt.get_fignums() == [fig.number]
    assert len(left.patches) == 0 and len(right.patches) == 1


def test_drawing_twice_on_one_axes_keeps_the_first_row_on_top():
    ax = plot_timeline([Span("a", 0, 1), Span("b", 0, 1)], title="t")
    plot_timeline([Span("a", 0, 1), Span("b", 0, 1)], title="t", ax=ax)
    bottom, top = ax.get_ylim()
    assert bottom > top


def test_no_spans_is_a_clear_value_error():
    with pytest.raises(ValueError, match="no spans"):
        plot_timeline([], title="nothing")
    with pytest.raises(ValueError, match="no spans"):
        plot_timeline(iter(()), title="nothing")


def test_non_span_items_are_a_clear_type_error():
    with pytest.raises(TypeError, match="not tuple"):
        plot_timeline([("kettle", 0.0, 0.2)], title="t")


def test_unknown_unit_is_rejected():
    with pytest.raises(ValueError, match="unit"):
        plot_timeline([Span("a", 0, 1)], title="t", unit="minutes")


def test_span_is_frozen_and_checks_its_order():
    span = Span("kettle", 1.0, 1.25)
    assert span.duration == pytest.approx(0.25)
    assert span.row == "kettle" and Span("k", 0, 1, lane="L").row == "L"
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.end = 2.0
    with pytest.raises(ValueError, match="ends before it starts"):
        Span("kettle", 2.0, 1.0)


def test_timed_returns_the_result_and_a_span_covering_the_wait():
    result, span = asyncio.run(timed("nap", asyncio.sleep(0.05, result="rested"), lane="me"))
    assert result == "rested"
    assert (span.label, span.lane) == ("nap", "me")
    assert 0.05 <= span.duration < 1.0


def test_timed_spans_overlap_under_gather():
    async def main():
        return await asyncio.gather(timed("a", asyncio.sleep(0.1)), timed("b", asyncio.sleep(0.1)))

    (_, a), (_, b) = asyncio.run(main())
    assert b.start < a.end  # b started while a was still waiting


def test_timed_lets_exceptions_through():
    async def fail():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        asyncio.run(timed("fail", fail()))
