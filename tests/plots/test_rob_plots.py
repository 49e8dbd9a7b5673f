"""Risk-of-bias plots: traffic lights, weighted summary bars, forest-plot RoB columns."""

from __future__ import annotations

import pytest

from livingmeta.appraisal import load_rob2
from livingmeta.errors import ParameterError
from livingmeta.plots import JUDGMENT_STYLES, RobSummaryPlot, TrafficLightPlot, rob_columns
from livingmeta.review import embedded_review_path, load_review


@pytest.fixture(scope="module")
def rob():
    review = load_review(embedded_review_path())
    return load_rob2(review.path, review.studies, record=review.record)


def test_traffic_light_rows_columns_and_symbols(rob):
    plot = TrafficLightPlot.from_assessments(rob, "pain")
    assert plot.studies == ("Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026")
    assert plot.domains == ("D1", "DS", "D2", "D3", "D4", "D5", "Overall")
    bested = dict(zip(plot.domains, plot.symbols[1], strict=True))
    assert bested == {"D1": "-", "DS": "-", "D2": "-", "D3": "x", "D4": "+", "D5": "-",
                      "Overall": "x"}
    assert plot.overridden[1][2] is True
    final = dict(zip(plot.domains, plot.judgments[2], strict=True))
    assert final["DS"] is None and plot.symbols[2][1] == ""
    drawn = plot.plot()
    texts = [t.get_text() for t in drawn.ax.texts]
    assert "-*" in texts  # the overridden domain is marked
    assert len(texts) == sum(1 for row in plot.judgments for j in row if j)
    assert "DS: Period and carryover effects" in drawn.ax.get_xlabel()


def test_traffic_light_picks_studies_and_robins(rob):
    plot = TrafficLightPlot.from_assessments(rob, "pain", studies=["FINAL 2024"])
    assert plot.domains == ("D1", "D2", "D3", "D4", "D5", "Overall")
    with pytest.raises(ParameterError, match="'studies'"):
        TrafficLightPlot.from_assessments(rob, "pain", studies=["Younger 2009"])
    robins = TrafficLightPlot.from_robins(rob, "pain")
    assert robins.tool == "ROBINS-I" and robins.symbols[0][-1] == "!"
    assert len(robins.domains) == 8
    robins.plot()


def test_weighted_summary_shares(rob):
    weights = {"Younger 2013": 20.0, "Bested 2023": 30.0, "FINAL 2024": 25.0,
               "INNOVA 2026": 25.0}
    plot = RobSummaryPlot.from_assessments(rob, "pain", weights=weights)
    assert plot.weighted
    assert plot.domains[-1] == "Overall risk of bias"
    overall = dict(zip(plot.levels, plot.shares[-1], strict=True))
    assert overall["High"] == pytest.approx(0.55)
    assert overall["Some concerns"] == pytest.approx(0.45)
    carry = dict(zip(plot.levels, plot.shares[1], strict=True))
    assert carry["Not applicable"] == pytest.approx(0.5)
    for row in plot.shares:
        assert sum(row) == pytest.approx(1.0)
    drawn = plot.plot()
    assert len(drawn.ax.patches) == len(plot.domains) * len(plot.levels)
    unweighted = RobSummaryPlot.from_assessments(rob, "pain")
    assert not unweighted.weighted
    with pytest.raises(ParameterError, match="'studies'"):
        RobSummaryPlot.from_assessments(rob, "pain", weights={"Younger 2009": 1.0})


def test_rob_columns_for_the_forest_plot(rob):
    studies = ["Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026", "Younger 2009"]
    cells = rob_columns(rob, "pain", studies)
    assert list(cells) == ["D1", "DS", "D2", "D3", "D4", "D5", "RoB"]
    assert cells["RoB"] == ["-", "x", "-", "x", "!"]
    assert cells["DS"] == ["-", "-", "", "", ""]
    assert all(len(v) == len(studies) for v in cells.values())
    assert rob_columns(rob, "pain", studies, domains=False) == {"RoB": cells["RoB"]}


def test_symbols_are_distinct_per_severity():
    rob2 = [JUDGMENT_STYLES[j] for j in ("Low", "Some concerns", "High")]
    assert len({s for s, _ in rob2}) == 3 and len({c for _, c in rob2}) == 3


def test_savefig(rob, tmp_path):
    path = TrafficLightPlot.from_assessments(rob, "pain").savefig(tmp_path / "t.svg")
    assert path.read_text().startswith("<?xml")
    path = RobSummaryPlot.from_assessments(rob, "pain").savefig(tmp_path / "s.png")
    assert path.stat().st_size > 1000
