"""BaujatPlot and LabbePlot: stored coordinates, pooled-effect line, renders."""

from __future__ import annotations

import math

import numpy as np
import pytest

from livingmeta.errors import DataValidationError, ParameterError
from livingmeta.plots import BaujatPlot, LabbePlot

from ._images import assert_image


def test_baujat_keeps_points_and_labels(tmp_path):
    plot = BaujatPlot.from_arrays([1.0, 5.0, 0.2], [0.5, 3.0, 0.1], ["A", "B", "C"])
    assert plot.study == ("A", "B", "C")
    np.testing.assert_array_equal(plot.x, [1.0, 5.0, 0.2])
    with pytest.raises(ParameterError, match="same length"):
        BaujatPlot.from_arrays([1.0], [1.0, 2.0])
    assert_image(plot.savefig(tmp_path / "baujat.svg"), "svg")
    assert_image(plot.savefig(tmp_path / "baujat.png", dpi=50), "png")


@pytest.fixture(scope="module")
def labbe(bcg):
    c = bcg["counts"]
    return LabbePlot.from_counts(c["ai"], c["ai"] + c["bi"], c["ci"], c["ci"] + c["di"],
                                 pooled=bcg["fit"].estimate, measure="RR",
                                 study=bcg["table"].study)


def test_labbe_places_risks_and_sizes(labbe, bcg):
    c = bcg["counts"]
    np.testing.assert_allclose(labbe.x, c["ci"] / (c["ci"] + c["di"]))
    np.testing.assert_allclose(labbe.y, c["ai"] / (c["ai"] + c["bi"]))
    order = np.argsort(labbe.n)
    assert np.all(np.diff(labbe.marker_area[order]) >= 0)
    assert labbe.limits[0] == 0 and labbe.limits[1] >= max(labbe.x.max(), labbe.y.max())


def test_labbe_pooled_line_is_the_pooled_ratio(labbe, bcg):
    assert labbe.pooled_line is not None
    x, y = labbe.pooled_line
    np.testing.assert_allclose(y / x, math.exp(bcg["fit"].estimate))
    np.testing.assert_array_equal(labbe.no_effect[0], labbe.no_effect[1])


@pytest.mark.parametrize("measure, pooled", [("OR", math.log(2.0)), ("RD", 0.1)])
def test_labbe_pooled_line_for_odds_ratios_and_differences(measure, pooled):
    plot = LabbePlot.from_counts([5, 10], [50, 60], [3, 8], [50, 55], pooled=pooled,
                                 measure=measure, scale="logodds")
    x, y = plot.pooled_line or (np.array([]), np.array([]))
    assert x.size > 10
    if measure == "OR":
        np.testing.assert_allclose(y - x, math.log(2.0))  # constant on the log-odds scale
    else:
        pc, pt = 1 / (1 + np.exp(-x)), 1 / (1 + np.exp(-y))
        np.testing.assert_allclose(pt - pc, 0.1)


def test_labbe_zero_cells_on_the_log_odds_scale_are_corrected():
    plot = LabbePlot.from_counts([0, 4], [10, 10], [10, 2], [10, 10], scale="logodds")
    assert plot.pooled_line is None
    np.testing.assert_allclose(plot.y[0], math.log(0.5 / 10.5))
    np.testing.assert_allclose(plot.x[0], math.log(10.5 / 0.5))
    assert np.all(np.isfinite(plot.x)) and np.all(np.isfinite(plot.y))


def test_labbe_rejects_impossible_counts():
    with pytest.raises(DataValidationError, match="study 'b'"):
        LabbePlot.from_counts([1, 12], [10, 10], [1, 1], [10, 10], study=["a", "b"])
    with pytest.raises(ParameterError, match="'measure'"):
        LabbePlot.from_counts([1], [10], [1], [10], measure="IRR")


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_labbe_renders(labbe, tmp_path, kind):
    assert_image(labbe.savefig(tmp_path / f"labbe.{kind}", dpi=60), kind)
