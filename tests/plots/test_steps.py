"""Tests for labsupport.plots.steps: counts over time and their step plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import labsupport  # noqa: E402


def test_counts_over_time_sorts_and_counts_from_zero():
    assert labsupport.counts_over_time([0.5, 0.1, 0.3]) == [(0.0, 0), (0.1, 1), (0.3, 2), (0.5, 3)]
    assert labsupport.counts_over_time([]) == [(0.0, 0)]


def test_plot_steps_draws_one_labelled_step_line_per_series():
    ax = labsupport.plot_steps({"a": [(0, 0), (1, 2)], "b": [(0, 1), (2, 3)]}, title="T", ylabel="items")
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert ax.get_title() == "T" and ax.get_ylabel() == "items" and ax.get_xlabel() == "time (s)"
    assert ax.get_lines()[1].get_drawstyle() == "steps-post"
    plt.close("all")


@pytest.mark.parametrize("series", [{}, {"empty": []}])
def test_plot_steps_refuses_empty_series(series):
    with pytest.raises(ValueError, match="at least one"):
        labsupport.plot_steps(series, title="T", ylabel="y")
