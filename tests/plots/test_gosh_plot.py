"""GoshPlot (src/livingmeta/plots/gosh.py): binned layout on the data, drawing, saving."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from livingmeta.errors import ParameterError
from livingmeta.plots import GoshPlot
from livingmeta.sensitivity.gosh import gosh

YI = [0.1, 0.15, 0.05, 0.12, 0.08, 0.95]
VI = [0.01, 0.012, 0.011, 0.01, 0.013, 0.01]


@pytest.fixture(scope="module")
def result():
    return gosh(YI, VI, method="DL", measure="OR", study=list("ABCDEF"))


def test_counts_hold_every_subset(result):
    display = GoshPlot.from_result(result, bins=40)
    assert display.counts.shape == (40, 40)
    assert display.counts.sum() == display.n_subsets == 63
    assert display.highlight_counts is None
    # Every point lies inside the edges; I2 edges stay within [0, 100].
    assert display.x_edges[0] < result.estimate.min() and display.x_edges[-1] > \
        result.estimate.max()
    assert 0.0 <= display.y_edges[0] and display.y_edges[-1] <= 100.0


def test_highlight_counts_the_subsets_with_the_study(result):
    display = GoshPlot.from_result(result, highlight="F", bins=30)
    assert display.highlight == "F"
    assert display.highlight_counts is not None
    assert display.highlight_counts.sum() == int(result.contains("F").sum()) == 32
    assert (display.highlight_counts <= display.counts).all()
    by_position = GoshPlot.from_result(result, highlight=5, bins=30)
    assert by_position.highlight == "F"
    np.testing.assert_array_equal(by_position.highlight_counts, display.highlight_counts)


def test_ratio_measure_ticks_are_on_the_ratio_scale(result):
    display = GoshPlot.from_result(result)
    assert display.scale.transform == "exp"
    np.testing.assert_allclose(np.exp(display.ticks),
                               [float(t) for t in display.tick_labels], rtol=1e-9)


def test_draws_on_a_new_figure_and_on_given_axes(result, tmp_path):
    drawn = GoshPlot.from_result(result, highlight="F").plot()
    assert isinstance(drawn.figure, Figure)
    assert drawn.ax.get_ylabel() == "I² (%)"
    assert "Odds Ratio" in drawn.ax.get_xlabel()
    figure = Figure()
    ax = figure.add_subplot()
    again = GoshPlot.from_result(result).plot(ax=ax)
    assert again.ax is ax and again.figure is figure
    for suffix in (".svg", ".png"):
        path = GoshPlot.from_result(result).savefig(tmp_path / f"gosh{suffix}", dpi=50)
        assert path.stat().st_size > 1000


def test_bad_input():
    with pytest.raises(ParameterError, match="same length"):
        GoshPlot.from_arrays([0.1, 0.2], [10.0])
    with pytest.raises(ParameterError, match="contains"):
        GoshPlot.from_arrays([0.1, 0.2], [10.0, 20.0], contains=[True])
    with pytest.raises(ParameterError, match="bins"):
        GoshPlot.from_arrays([0.1, 0.2], [10.0, 20.0], bins=1)
    with pytest.raises(ParameterError, match="style"):
        GoshPlot.from_arrays([0.1, 0.2], [10.0, 20.0]).plot(colour="red")
