"""Duplicates, Cohen's kappa, screening conflicts and the PRISMA 2020 counts."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from livingmeta.errors import ParameterError
from livingmeta.plots import PrismaDiagram
from livingmeta.records import Record, cohen_kappa, find_duplicates, load_records
from livingmeta.review import ReviewValidationError, embedded_review_path

DATA = Path(__file__).parent / "data"


def _rec(rid: str, title: str, author: str = "", year: int | None = None, **ids: object
         ) -> Record:
    return Record(rid, "other", title, (author,) if author else (), author, year,
                  **ids)  # type: ignore[arg-type]


def test_kappa_matches_a_hand_computed_two_by_two_table():
    # a = 20 both include, b = 5 A include / B exclude, c = 10 A exclude / B include,
    # d = 15 both exclude; n = 50. p_o = 35/50 = 0.70; p_e = 0.5*0.6 + 0.5*0.4 = 0.50;
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40;
    # se = sqrt(0.70 * 0.30 / (50 * 0.50^2)) = sqrt(0.0168) = 0.129615 (Cohen 1960);
    # se_0 = sqrt(0.50 / (50 * 0.50)) = sqrt(0.02) = 0.141421.
    a = ["in"] * 25 + ["out"] * 25
    b = ["in"] * 20 + ["out"] * 5 + ["in"] * 10 + ["out"] * 15
    k = cohen_kappa(a, b)
    assert k.n == 50 and k.p_observed == pytest.approx(0.70)
    assert k.p_expected == pytest.approx(0.50)
    assert k.kappa == pytest.approx(0.40, abs=1e-12)
    assert k.se == pytest.approx(math.sqrt(0.0168), abs=1e-12)
    assert k.se_null == pytest.approx(math.sqrt(0.02), abs=1e-12)
    low, high = k.confidence_interval(0.95)
    assert low == pytest.approx(0.40 - 1.959964 * math.sqrt(0.0168), abs=1e-6)
    assert high > 0.4


def test_kappa_degenerate_and_bad_input():
    assert math.isnan(cohen_kappa(["in"] * 3, ["in"] * 3).kappa)
    assert cohen_kappa(["in", "out"], ["in", "out"]).kappa == 1.0
    with pytest.raises(ParameterError, match="ratings_b"):
        cohen_kappa(["in"], [])


def test_duplicates_link_by_identifier_and_by_fuzzy_title():
    records = [
        _rec("a#1", "Low-dose naltrexone for fibromyalgia", "Younger", 2013,
             doi="10.1/x"),
        _rec("b#1", "Something else entirely", "Other", 2013, doi="10.1/x"),
        _rec("b#2", "Low dose naltrexone for fibromyalgia.", "Younger", 2012),
        _rec("c#1", "Low dose naltrexone for fibromyalgia.", "Younger", 2010),
        _rec("c#2", "Low dose naltrexone for fibromyalgia.", "Bested", 2013),
        _rec("d#1", "A registry record", registry_ids=("NCT04270877",)),
        _rec("d#2", "A paper", pmid="1", registry_ids=("NCT04270877",)),
        _rec("d#3", "The same paper", pmid="1"),
    ]
    groups = find_duplicates(records)
    assert [g.record_ids for g in groups] == [("a#1", "b#1", "b#2"), ("d#1", "d#2", "d#3")]
    assert [(lk.record_a, lk.record_b, lk.reason) for lk in groups[0].links] == [
        ("a#1", "b#1", "doi"), ("a#1", "b#2", "title")]
    assert "title score 100" in groups[0].links[1].detail
    assert {lk.reason for lk in groups[1].links} == {"registry id", "pmid"}
    assert find_duplicates(records[:3], title_threshold=100.0)[0].record_ids == (
        "a#1", "b#1", "b#2")
    with pytest.raises(ParameterError, match="title_threshold"):
        find_duplicates(records, title_threshold=0)


def test_ldn_records_flow_counts():
    state = load_records(embedded_review_path())
    flow = state.flow
    assert flow.databases == (("PubMed", 7),)
    assert flow.registers == (("ClinicalTrials.gov", 4),)
    assert flow.other_sources == (("citation searching", 6), ("websites", 11))
    assert (flow.duplicates_removed, flow.other_duplicates_removed) == (0, 3)
    assert (flow.records_screened, flow.records_excluded) == (11, 0)
    assert (flow.reports_sought, flow.reports_not_retrieved, flow.reports_assessed) == (
        11, 1, 10)
    assert dict(flow.reports_excluded) == {"systematic review, not a primary study": 3,
                                           "not randomized": 1}
    assert (flow.other_reports_sought, flow.other_reports_assessed) == (14, 14)
    assert dict(flow.other_reports_excluded) == {
        "systematic review, not a primary study": 2, "not randomized": 2}
    assert (flow.reports_awaiting, flow.other_reports_awaiting, flow.studies_awaiting) == (
        1, 1, 1)
    assert (flow.studies_included, flow.reports_included) == (4, 14)
    assert not flow.updated and flow.to_dict()["records_identified"] == 11
    assert {s.status for s in state.duplicate_groups} == {"partly confirmed", "rejected"}
    assert state.pending_duplicates == () and state.open_conflicts == ()
    assert len(state.conflicts) == 5
    ta, ft = state.agreement
    assert (ta.stage, ta.kappa.n, ta.kappa.kappa) == ("title_abstract", 11,
                                                      pytest.approx(0.5))
    assert (ft.stage, ft.kappa.n) == ("full_text", 25)
    included = {f.study for f in state.final_decisions
                if f.stage == "full_text" and f.decision == "include"}
    assert included == {"Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026"}


def test_prisma_diagram_boxes_carry_the_counts(tmp_path):
    flow = load_records(embedded_review_path()).flow
    diagram = PrismaDiagram.from_flow(flow)
    assert "PubMed (n = 7)" in diagram.box("identified").text
    assert "ClinicalTrials.gov (n = 4)" in diagram.box("identified").text
    assert "Duplicate records removed (n = 0)" in diagram.box("removed").text
    assert diagram.box("screened").text == "Records screened (n = 11)"
    assert diagram.box("not_retrieved").text == "Reports not retrieved (n = 1)"
    assert "not randomized (n = 1)" in diagram.box("reports_excluded").text
    assert "Websites (n = 11)" in diagram.box("other_identified").text
    assert diagram.box("other_assessed").text == "Reports assessed for eligibility (n = 14)"
    assert "Studies awaiting classification (n = 1)" in diagram.box("awaiting").text
    assert ("other_assessed", "included") in diagram.arrows
    with pytest.raises(KeyError):
        diagram.box("previous")
    drawn = diagram.plot()
    texts = [t.get_text() for t in drawn.ax.texts]
    assert "Records screened (n = 11)" in texts
    svg = drawn.savefig(tmp_path / "prisma.svg").read_text()
    assert "<svg" in svg
    assert diagram.savefig(tmp_path / "prisma.png").stat().st_size > 1000


def _copy_ldn(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    shutil.copytree(embedded_review_path(), folder)
    return folder


def test_updated_review_counts_previous_and_new(tmp_path):
    folder = _copy_ldn(tmp_path)
    sources = folder / "records" / "sources.toml"
    text = sources.read_text()
    # The citation-searching file becomes the previous version's records
    text = text.replace('method = "citation searching"',
                        'method = "citation searching"\nprevious = true')
    sources.write_text(text)
    flow = load_records(folder).flow
    assert flow.updated
    assert (flow.previous_studies, flow.previous_reports) == (2, 3)
    assert flow.other_sources == (("websites", 11),)
    # Younger 2013 and FINAL 2024 were included before; Bested and INNOVA are new
    assert flow.studies_included == 2 and flow.total_studies == 4
    assert flow.total_reports == flow.previous_reports + flow.reports_included
    diagram = PrismaDiagram.from_flow(flow)
    assert "version of review (n = 2)" in diagram.box("previous").text
    assert diagram.box("total").text.startswith("Total studies included in review (n = 4)")
    assert diagram.box("included").text.startswith("New studies included in review (n = 2)")
    diagram.plot()


def test_bad_records_folder_reports_every_problem(tmp_path):
    folder = _copy_ldn(tmp_path)
    records = folder / "records"
    shutil.copy(DATA / "sample.ris", records / "citation.ris")
    (records / "ctgov.json").write_text("{not json")
    screening = (records / "screening.csv").read_text().splitlines()
    screening[1] = "pubmed.nbib#99,title_abstract,reviewer-1,include,,,"
    screening[2] = "pubmed.nbib#1,full_text,reviewer-2,exclude,,,"
    screening.append("websites.csv#9,full_text,reviewer-1,include,,,")
    (records / "screening.csv").write_text("\n".join(screening) + "\n")
    with pytest.raises(ReviewValidationError) as info:
        load_records(folder)
    message = str(info.value)
    assert "records/citation.ris record 2" in message
    assert "records/citation.ris record 5: has no title" in message
    assert "records/ctgov.json: is not valid JSON" in message
    assert "records/screening.csv row 1: record_id must be a record id" in message
    assert "records/screening.csv row 2: reason must be given for a full-text" in message
    assert "websites.csv#9' is a duplicate removed" not in message  # its row names it
    assert "is a duplicate removed in favour of 'pubmed.nbib#3'" in message
    assert "duplicates.csv row" in message  # rows naming records of the broken files


def test_missing_manifest_and_bad_manifest(tmp_path):
    with pytest.raises(ReviewValidationError, match=r"records/sources\.toml: is missing"):
        load_records(tmp_path)
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "sources.toml").write_text(
        '[[sources]]\nfile = "x.ris"\nkind = "library"\nformat = "endnote"\n')
    with pytest.raises(ReviewValidationError) as info:
        load_records(tmp_path)
    assert "[[sources]] 1: format must be one of" in str(info.value)
    assert "[[sources]] 1: kind must be one of" in str(info.value)
