"""SynthesesPlot: published pooled estimates by date beside the living estimate."""

from __future__ import annotations

import math

import pytest

from livingmeta.errors import ParameterError
from livingmeta.plots import SynthesesPlot
from livingmeta.report.figures import syntheses_for

ROWS = [
    {"review": "Late", "year": 2026, "search_date": "NA", "estimate": -0.4, "ci_low": -0.8,
     "ci_high": 0.0, "model": "RE", "studies": "4 RCTs"},
    {"review": "Early", "year": 2024, "search_date": "2024-05-20", "estimate": -0.9,
     "ci_low": -1.2, "ci_high": -0.5, "model": "DL"},
    {"review": "Sens", "year": 2025, "analysis": "sensitivity", "estimate": -0.8,
     "ci_low": -1.3, "ci_high": -0.3},
    {"review": "No number", "year": 2025, "estimate": None},
]
LIVING = {"estimate": -0.15, "ci_low": -0.57, "ci_high": 0.27, "pi_low": -0.85,
          "pi_high": 0.55, "k": 4, "profile": "cochrane-2025"}


def test_rows_are_ordered_by_date_with_the_living_estimate_last():
    plot = SynthesesPlot.from_rows(ROWS, living=LIVING, measure="SMD", favours=("LDN", "pbo"))
    assert [r.label for r in plot.rows] == ["Early", "Sens (sensitivity)", "Late",
                                            "This review (living)"]
    assert [r.kind for r in plot.rows] == ["published"] * 3 + ["living"]
    assert plot.rows[0].date == "2024, search 2024-05-20"
    assert plot.rows[0].model == "DL" and plot.rows[2].studies == "4 RCTs"
    living = plot.rows_of_kind("living")[0]
    assert living.text == "-0.15 [-0.57, 0.27]; PI [-0.85, 0.55]"
    assert (living.pi_low, living.studies, living.model) == (-0.85, "k = 4", "cochrane-2025")
    assert all(math.isnan(r.pi_low) for r in plot.rows_of_kind("published"))
    ys = [r.y for r in plot.rows]
    assert ys == sorted(ys, reverse=True)
    assert plot.xlim[0] < -1.3 and plot.xlim[1] > 0.55


def test_ratio_measures_are_logged_and_labelled_on_the_natural_scale():
    rows = [{"review": "A", "year": 2025, "estimate": 1.68, "ci_low": 0.84, "ci_high": 3.36}]
    living = {"estimate": math.log(0.97), "ci_low": math.log(0.87), "ci_high": math.log(1.08)}
    plot = SynthesesPlot.from_rows(rows, living=living, measure="RR")
    assert plot.rows[0].estimate == pytest.approx(math.log(1.68))
    assert plot.rows[0].text == "1.68 [0.84, 3.36]"
    assert plot.rows[1].text == "0.97 [0.87, 1.08]"
    assert plot.scale.null == 0.0 and "1" in plot.tick_labels


def test_draws_and_saves(tmp_path):
    plot = SynthesesPlot.from_rows(ROWS, living=LIVING, measure="SMD", title="Pain")
    drawn = plot.plot()
    assert drawn.display is plot
    path = plot.savefig(tmp_path / "syntheses.svg")
    assert path.read_text().lstrip().startswith("<?xml")


def test_nothing_to_draw_and_bad_arguments_raise():
    with pytest.raises(ParameterError, match="nothing to draw"):
        SynthesesPlot.from_rows([{"review": "x", "estimate": None}])
    with pytest.raises(ParameterError, match="level"):
        SynthesesPlot.from_rows(ROWS, level=95)
    with pytest.raises(ParameterError, match="style"):
        SynthesesPlot.from_rows(ROWS).plot(colour="red")


def test_only_primary_outcome_syntheses_on_the_same_measure(ldn_result):
    smd = syntheses_for(ldn_result, "SMD")
    md = syntheses_for(ldn_result, "MD")
    assert {p.review for p in smd} == {"AnnMedSurg2025", "Ologunowa2025", "Hegde2025",
                                       "Rizwan_ACR2025"}
    assert len(smd) == 5
    assert {p.review for p in md} == {"Vatvani2024", "Saif_IJMDC2026"}
    assert all(p.outcome_id == "pain" and p.estimate is not None for p in (*smd, *md))
    assert syntheses_for(ldn_result, "RR") == ()
