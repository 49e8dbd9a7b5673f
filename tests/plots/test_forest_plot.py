"""ForestPlot: the layout is tested on the computed rows and columns, then smoke-rendered."""

from __future__ import annotations

import itertools
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from livingmeta import escalc, rma, rma_mh, subgroup_analysis
from livingmeta.errors import ParameterError
from livingmeta.plots import DrawnPlot, ForestPlot

from ._images import assert_image


def _arms(counts):
    ai, bi, ci, di = (counts[c].astype(int) for c in ("ai", "bi", "ci", "di"))
    return {"BCG\nevents/total": [f"{a}/{a + b}" for a, b in zip(ai, bi, strict=True)],
            "Control\nevents/total": [f"{c}/{c + d}" for c, d in zip(ci, di, strict=True)]}


@pytest.fixture(scope="module")
def forest(bcg):
    return ForestPlot.from_result(bcg["fit"], effects=bcg["effects"], arm_columns=_arms(
        bcg["counts"]), favours=("vaccine", "control"), title="BCG")


def test_one_row_per_study_in_input_order(forest, bcg):
    studies = forest.rows_of_kind("study")
    assert [r.label for r in studies] == list(bcg["effects"].study)
    ys = [r.y for r in forest.rows]
    assert len(set(ys)) == len(ys)
    assert ys == sorted(ys, reverse=True)  # first row on top
    assert all(forest.ylim[0] < y < forest.ylim[1] for y in ys)
    assert [r.kind for r in forest.rows if r.kind not in ("study", "gap")] == [
        "overall", "prediction", "note", "note"]


def test_study_text_is_on_the_natural_scale(forest):
    aronson = forest.rows_of_kind("study")[0]
    assert aronson.text == "0.41 [0.13, 1.26]"  # metafor: RR 0.41 [0.13, 1.26]
    assert aronson.cells == ("4/123", "11/139")
    overall = forest.rows_of_kind("overall")[0]
    assert overall.text == "0.49 [0.34, 0.70]"  # metafor REML: 0.49 [0.34, 0.70]


def test_square_area_is_proportional_to_weight(forest):
    studies = forest.rows_of_kind("study")
    weights = np.array([r.weight for r in studies])
    sizes = np.array([r.marker_size for r in studies])
    order = np.argsort(weights)
    assert np.all(np.diff(sizes[order]) >= 0)
    biggest = int(np.argmax(weights))
    above_floor = sizes > 3.0
    ratio = sizes[above_floor] ** 2 / sizes[biggest] ** 2
    np.testing.assert_allclose(ratio, weights[above_floor] / weights[biggest], rtol=1e-12)
    assert math.isclose(weights.sum(), 100.0, rel_tol=1e-9)


def test_text_columns_are_ordered_and_do_not_overlap(forest):
    cols = forest.columns
    assert [c.key for c in cols] == ["label", "cell0", "cell1", "weight", "estimate"]
    for left, right in itertools.pairwise(cols):
        assert left.right < right.left
    left_side = [c for c in cols if c.side == "left"]
    right_side = [c for c in cols if c.side == "right"]
    assert max(c.right for c in left_side) < forest.plot_left
    assert forest.plot_right < min(c.left for c in right_side)
    assert max(c.right for c in cols) < forest.width


def test_ratio_axis_has_natural_scale_tick_labels(forest):
    assert "1" in forest.tick_labels
    natural = [float(t.replace("−", "-")) for t in forest.tick_labels]
    np.testing.assert_allclose(np.exp(forest.ticks), natural, rtol=1e-12)
    assert forest.xlim[0] <= min(forest.ticks) and max(forest.ticks) <= forest.xlim[1]
    assert forest.scale.transform == "exp"
    assert forest.scale.axis_label == "Risk Ratio (log scale)"


def test_correlations_are_back_transformed_with_tanh():
    fit = rma([0.2, 0.5, 0.35], [0.02, 0.03, 0.025], method="EE", measure="ZCOR")
    plot = ForestPlot.from_result(fit)
    assert plot.scale.transform == "tanh"
    natural = [float(t.replace("−", "-")) for t in plot.tick_labels]
    np.testing.assert_allclose(np.tanh(plot.ticks), natural, atol=1e-12)
    first = plot.rows_of_kind("study")[0]
    assert first.text.startswith(f"{math.tanh(0.2):.2f} [")


def test_heterogeneity_and_overall_test_lines(forest):
    het, overall = forest.notes
    assert re.fullmatch(r"Heterogeneity: tau² = 0\.31; I² = 92%; "
                        r"Q = 152\.23 \(df = 12\), p < 0\.001", het)
    assert overall == "Test for overall effect: z = -3.97, p < 0.001"


def test_prediction_interval_row_only_when_there_is_one(bcg, forest):
    pi = forest.rows_of_kind("prediction")
    assert len(pi) == 1
    assert (pi[0].ci_low, pi[0].ci_high) == (bcg["fit"].pi_low, bcg["fit"].pi_high)
    assert not ForestPlot.from_result(bcg["fit"], prediction=False).rows_of_kind("prediction")
    ee = rma(bcg["effects"].yi, bcg["effects"].vi, method="EE", measure="RR")
    plot = ForestPlot.from_result(ee)
    assert not plot.rows_of_kind("prediction")
    assert "tau²" not in plot.notes[0]
    assert plot.rows_of_kind("overall")[0].label == "Common-effect model"


def test_mantel_haenszel_result_without_tau2(bcg):
    c = bcg["counts"]
    mh = rma_mh(c["ai"], c["bi"], c["ci"], c["di"], measure="RR", study=bcg["table"].study)
    plot = ForestPlot.from_result(mh)
    assert len(plot.rows_of_kind("study")) == 13
    assert not plot.rows_of_kind("prediction")
    assert plot.notes[0].startswith("Heterogeneity: I² = ")
    assert plot.rows_of_kind("overall")[0].label == "Mantel-Haenszel model"


def test_generic_result_object():
    fit = SimpleNamespace(
        estimate=-0.3, ci_low=-0.6, ci_high=0.0, weights=np.array([60.0, 40.0]),
        yi=np.array([-0.2, -0.5]), vi=np.array([0.02, 0.04]), study=("A", "B"),
        Q=1.1, Q_df=1, Q_pval=0.29, I2=10.0, statistic=-2.0, pval=0.046)
    plot = ForestPlot.from_result(fit, measure="SMD")
    assert plot.scale.transform == "identity"
    assert [r.label for r in plot.rows_of_kind("study")] == ["A", "B"]
    assert plot.rows_of_kind("overall")[0].text == "-0.30 [-0.60, 0.00]"


def test_subgroup_blocks_with_subtotals(bcg):
    es = bcg["effects"]
    sub = subgroup_analysis(es.yi, es.vi, bcg["alloc"], study=es.study, measure="RR")
    plot = ForestPlot.from_result(bcg["fit"], subgroups=sub, favours=("vaccine", "control"))
    assert [r.label for r in plot.rows_of_kind("group")] == list(sub.groups)
    subtotals = plot.rows_of_kind("subtotal")
    assert len(subtotals) == 3
    np.testing.assert_allclose([r.estimate for r in subtotals], sub.estimate)
    assert math.isclose(sum(r.weight for r in subtotals), 100.0, rel_tol=1e-9)
    for name in sub.groups:
        block = [r for r in plot.rows if r.group == name]
        kinds = [r.kind for r in block]
        assert kinds[0] == "group" and "subtotal" in kinds
        expected = [s for s, g in zip(sub.study, sub.group, strict=True) if g == name]
        assert [r.label for r in block if r.kind == "study"] == expected
    assert plot.notes[-1].startswith("Test for subgroup differences: Q = ")
    assert len(plot.rows_of_kind("overall")) == 1
    alone = ForestPlot.from_subgroups(sub)
    assert not alone.rows_of_kind("overall")


def test_cumulative_rows_are_points_without_squares():
    cumulative = SimpleNamespace(estimate=np.array([0.1, 0.2, 0.25]),
                                 ci_low=np.array([-0.5, -0.1, 0.05]),
                                 ci_high=np.array([0.7, 0.5, 0.45]),
                                 study=("A", "B", "C"), measure="MD", level=0.95)
    plot = ForestPlot.from_cumulative(cumulative)
    rows = plot.rows_of_kind("cumulative")
    assert [r.label for r in rows] == ["A", "+ B", "+ C"]
    assert all(r.marker_size == 0 for r in rows)
    assert [c.key for c in plot.columns] == ["label", "estimate"]
    with pytest.raises(ParameterError, match="one entry per step"):
        ForestPlot.from_cumulative(cumulative, labels=["A"])


def test_intervals_clipped_by_the_axis_get_arrows(bcg):
    plot = ForestPlot.from_result(bcg["fit"], xlim=(0.2, 2.0))
    np.testing.assert_allclose(plot.xlim, np.log([0.2, 2.0]))
    for row in plot.rows_of_kind("study"):
        assert row.arrow_low == (row.ci_low < math.log(0.2))
        assert row.arrow_high == (row.ci_high > math.log(2.0))
    assert any(r.arrow_low for r in plot.rows) and any(r.arrow_high for r in plot.rows)
    default = ForestPlot.from_result(bcg["fit"])
    assert not any(r.arrow_low or r.arrow_high for r in default.rows)


def test_height_grows_with_rows(bcg):
    es = bcg["effects"]
    small = ForestPlot.from_result(rma(es.yi[:4], es.vi[:4], method="EE", measure="RR"))
    assert small.height < ForestPlot.from_result(bcg["fit"]).height


def test_bad_arguments_are_reported(bcg):
    with pytest.raises(ParameterError, match="'arm_columns' entry 'x'"):
        ForestPlot.from_result(bcg["fit"], arm_columns={"x": ["1"]})
    with pytest.raises(ParameterError, match="'labels'"):
        ForestPlot.from_result(bcg["fit"], labels=["a"])
    with pytest.raises(ParameterError, match="'xlim'"):
        ForestPlot.from_result(bcg["fit"], xlim=(-1.0, 2.0))
    with pytest.raises(ParameterError, match="Unknown style"):
        ForestPlot.from_result(bcg["fit"]).plot(colour="red")


@pytest.mark.parametrize("kind", ["svg", "png", "pdf"])
def test_renders_to_file(forest, tmp_path, kind):
    path = forest.savefig(tmp_path / f"forest.{kind}", dpi=72)
    assert_image(path, kind)


def test_plot_returns_figure_axes_and_display(forest, tmp_path):
    drawn = forest.plot()
    assert isinstance(drawn, DrawnPlot) and drawn.display is forest
    assert tuple(drawn.figure.get_size_inches()) == pytest.approx((forest.width, forest.height))
    assert drawn.ax.get_xlim() == pytest.approx(forest.xlim)
    with pytest.raises(ParameterError, match="'path'"):
        drawn.savefig(tmp_path / "forest.gif")


def test_draws_on_a_given_axes(bcg, tmp_path):
    figure = Figure(figsize=(10, 6))
    ax = figure.add_axes((0.45, 0.15, 0.3, 0.75))
    es = escalc("RR", ai=bcg["counts"]["ai"], bi=bcg["counts"]["bi"],
                ci=bcg["counts"]["ci"], di=bcg["counts"]["di"])
    drawn = ForestPlot.from_result(bcg["fit"], effects=es).plot(ax=ax)
    assert drawn.ax is ax and drawn.figure is figure
    assert_image(drawn.savefig(tmp_path / "given.png", dpi=50), "png")
