"""FunnelPlot: contour bands, pseudo-confidence region, filled studies, renders."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import ParameterError
from livingmeta.plots import FunnelPlot

from ._images import assert_image


@pytest.fixture(scope="module")
def funnel(bcg):
    fit = bcg["fit"]
    return FunnelPlot.from_arrays(fit.yi, fit.vi, fit.estimate, filled_yi=[-0.1, 0.2],
                                  filled_vi=[0.3, 0.5], measure="RR", study=fit.study)


def test_contour_bands_are_ordered_from_the_null_outwards(funnel):
    bands = funnel.contours
    assert [b.p_high for b in bands] == [0.1, 0.05, 0.01]
    assert [b.p_low for b in bands] == [0.05, 0.01, 0.0]
    z_inner = [b.z_inner for b in bands]
    assert z_inner == sorted(z_inner)
    assert z_inner[0] == pytest.approx(stats.norm.ppf(0.95))
    for inner, outer in itertools.pairwise(bands):
        assert inner.z_outer == outer.z_inner
    assert math.isinf(bands[-1].z_outer)
    assert [b.label for b in bands] == ["0.10 > p > 0.05", "0.05 > p > 0.01", "p < 0.01"]


def test_contours_can_be_left_out_or_given_in_any_order(bcg):
    fit = bcg["fit"]
    assert FunnelPlot.from_arrays(fit.yi, fit.vi, fit.estimate, contours=None).contours == ()
    shuffled = FunnelPlot.from_arrays(fit.yi, fit.vi, fit.estimate, contours=(0.01, 0.1))
    assert [b.p_high for b in shuffled.contours] == [0.1, 0.01]
    with pytest.raises(ParameterError, match="'contours'"):
        FunnelPlot.from_arrays(fit.yi, fit.vi, fit.estimate, contours=(5,))


def test_points_region_and_axis(funnel, bcg):
    fit = bcg["fit"]
    np.testing.assert_allclose(funnel.sei, np.sqrt(fit.vi))
    assert funnel.se_max >= max(funnel.sei.max(), funnel.filled_sei.max())
    low, high = funnel.pseudo_interval([0.0, 0.5])
    np.testing.assert_allclose(low, fit.estimate - stats.norm.ppf(0.975) * np.array([0, 0.5]))
    np.testing.assert_allclose(high - fit.estimate, fit.estimate - low)
    assert funnel.xlim[0] < min(funnel.yi.min(), low[0]) and funnel.xlim[1] > funnel.yi.max()
    natural = [float(t.replace("−", "-")) for t in funnel.tick_labels]
    np.testing.assert_allclose(np.exp(funnel.ticks), natural)


def test_studies_that_cannot_be_placed_are_dropped_with_their_labels():
    plot = FunnelPlot.from_arrays([0.1, np.nan, 0.3], [0.01, 0.02, 0.03], 0.2,
                                  study=["a", "b", "c"], contours=None)
    assert plot.study == ("a", "c")
    assert plot.filled_yi.size == 0


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_renders_to_file(funnel, tmp_path, kind):
    assert_image(funnel.savefig(tmp_path / f"funnel.{kind}", dpi=72), kind)


def test_plain_funnel_renders(bcg, tmp_path):
    plot = FunnelPlot.from_result(bcg["fit"], contours=None)
    drawn = plot.plot(legend=False)
    assert drawn.ax.get_ylim() == pytest.approx((plot.se_max, 0.0))  # inverted
    assert_image(drawn.savefig(tmp_path / "plain.png", dpi=50), "png")
