"""versions.toml: parsing and checking, the review and the records as a version had them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from livingmeta.errors import ParameterError
from livingmeta.records import load_records
from livingmeta.review import (
    ReviewValidationError,
    embedded_review_path,
    load_review,
    load_versions,
    parse_versions,
    run_review,
    version_records,
    version_review,
)

LDN = embedded_review_path()


@pytest.fixture(scope="module")
def review():
    return load_review(LDN)


@pytest.fixture(scope="module")
def records():
    return load_records(LDN)


@pytest.fixture(scope="module")
def versions(review):
    return load_versions(review)


def _included_reports() -> dict[str, str]:
    """Record id -> study of every report included at full text, read straight from
    records/screening.csv (the final decision is the consensus row, else the decision
    both reviewers gave; the LDN file resolves every conflict by consensus)."""
    with (LDN / "records" / "screening.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    final: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row["stage"] != "full_text":
            continue
        if row["reviewer"] == "consensus" or row["record_id"] not in final:
            final[row["record_id"]] = (row["decision"], row["study"])
    return {rid: study for rid, (decision, study) in final.items() if decision == "include"}


def test_ldn_versions_are_listed_oldest_first(versions, review):
    assert versions.ids == ("v1", "v2")
    v1, v2 = versions.versions
    assert v1.date < v2.date
    assert set(v2.included) - set(v1.included) == {"INNOVA 2026"}
    # the latest version is the folder as it stands: the same status for every study
    assert dict(v2.statuses) == {s.study: s.status for s in review.studies}
    assert v1.status("INNOVA 2026") is None and v1.status("de Paula 2023") == "awaiting-data"
    assert v1.has_record("pubmed.nbib#2") and not v1.has_record("pubmed.nbib#3")
    assert not v1.has_record("other.ris#1")
    assert versions.before("v2") is v1 and versions.before("v1") is None


def test_unknown_version_lists_the_known_ids(versions, review):
    with pytest.raises(ParameterError, match=r"\{'v1', 'v2'\}\. Got 'v9'"):
        versions.version("v9")
    with pytest.raises(ParameterError, match="'v1', 'v2'"):
        version_review(review, "v9", versions=versions)


def test_version_review_excludes_what_the_version_had_not_identified(review, versions):
    before = version_review(review, "v1", versions=versions)
    innova = before.study("INNOVA 2026")
    assert innova.status == "excluded" and "not yet identified in version 'v1'" in innova.reason
    assert review.study("INNOVA 2026").status == "included"  # the argument is unchanged
    assert before.study("de Paula 2023") == review.study("de Paula 2023")
    assert (before.info.version, before.info.date) == ("v1", "2025-12-31")
    assert before.data == review.data and before.digest == review.digest
    pain = run_review(before).primary_outcome.main
    assert pain.analysed == ("Younger 2013", "Bested 2023", "FINAL 2024")
    assert "INNOVA 2026" not in {e.study for e in pain.effects}


def test_version_review_applies_a_changed_status(tmp_path, review):
    text = ('[[versions]]\nid = "a"\ndate = 2020-01-01\nincluded = ["de Paula 2023"]\n'
            'excluded = ["FINAL 2024"]\n')
    versions = parse_versions(text, [s.study for s in review.studies])
    as_of = version_review(review, "a", versions=versions)
    assert as_of.study("de Paula 2023").status == "included"
    assert as_of.study("de Paula 2023").reason == ""
    final = as_of.study("FINAL 2024")
    assert final.status == "excluded" and "excluded in version 'a'" in final.reason


def test_version_records_give_the_updated_review_flow(records, versions):
    included = _included_reports()
    unseen = set(versions.version("v1").unseen_records)
    previous = {rid: s for rid, s in included.items() if rid not in unseen}
    new = {rid: s for rid, s in included.items() if rid in unseen}
    v1 = version_records(records, versions, "v1").flow
    assert not v1.updated and v1.previous_studies == 0
    assert (v1.studies_included, v1.reports_included) == (len(set(previous.values())),
                                                          len(previous))
    v2 = version_records(records, versions, "v2").flow
    assert v2.updated
    assert (v2.previous_studies, v2.previous_reports) == (len(set(previous.values())),
                                                          len(previous))
    assert (v2.studies_included, v2.reports_included) == (len(set(new.values())), len(new))
    # records/README.md: 4 studies in 14 reports in all (the whole folder's flow)
    whole = records.flow
    assert (v2.total_studies, v2.total_reports) == (4, 14)
    assert (v2.total_studies, v2.total_reports) == (whole.studies_included,
                                                    whole.reports_included)


def test_version_records_restrict_records_screening_and_duplicates(records, versions):
    state = version_records(records, versions, "v1")
    unseen = set(versions.version("v1").unseen_records)
    assert {r.record_id for r in state.records} == {r.record_id for r in records.records
                                                    if r.record_id not in unseen}
    assert not any(d.record_id in unseen for d in state.screening)
    assert not any(set(d.record_ids) & unseen for d in state.duplicate_decisions)
    # records/README.md: PubMed 7 and ClinicalTrials.gov 4 records in all; v1 had not
    # seen pubmed.nbib#3 and ctgov.json#4 (INNOVA)
    assert state.flow.databases == (("PubMed", 6),)
    assert state.flow.registers == (("ClinicalTrials.gov", 3),)
    # the websites copy of INNOVA's record (websites.csv#9) was the v2 duplicate
    assert dict(records.removed)["websites.csv#9"] == "pubmed.nbib#3"
    assert "websites.csv#9" not in dict(state.removed)
    assert len(state.removed) == len(records.removed) - 1
    v2 = version_records(records, versions, "v2")
    assert all(r.previous != (r.record_id in unseen) for r in v2.records)
    with pytest.raises(ParameterError, match="previous_id"):
        version_records(records, versions, "v2", previous_id="v2")


def test_every_problem_of_versions_toml_at_once(review, records):
    text = """
[[versions]]
id = "v1"
date = 2026-01-01
included = ["Younger 2013", "Nobody 1999"]
excluded = ["Younger 2013"]
records = ["pubmed.nbib", "scopus.ris"]
unseen_records = ["pubmed.nbib#99", "ctgov.json#1", "pubmed.nbib"]
colour = "blue"

[[versions]]
id = "v1"
date = 2025-01-01

[[versions]]
date = "yesterday"
label = 3

[extra]
"""
    with pytest.raises(ReviewValidationError) as info:
        parse_versions(text, [s.study for s in review.studies], records)
    message = str(info.value)
    lines = message.splitlines()
    assert lines[0].startswith("13 problems")
    where = "versions.toml [[versions]] 1 (id 'v1')"
    assert f"{where}: included must name a study of studies.csv, got 'Nobody 1999'" in message
    assert f"{where}: excluded is already listed as included, got 'Younger 2013'" in message
    assert f"{where}: records must name a file of records/sources.toml, got 'scopus.ris'" \
        in message
    assert f"{where}: unseen_records must name a record of its file, got 'pubmed.nbib#99'" \
        in message
    assert "unseen_records must be a record id '<file>#<n>' of a file in this version's " \
           "records, got 'ctgov.json#1'" in message
    assert "got 'pubmed.nbib'" in message
    assert f"{where}: colour is not a known key" in message
    assert "versions.toml [[versions]] (id 'v1'): id must be unique, got 'v1'" in message
    assert ("date must be later than the date of version 'v1' (2026-01-01): versions are "
            "listed oldest first, got '2025-01-01'") in message
    assert "[[versions]] 3: id must be a non-empty string, got missing" in message
    assert "[[versions]] 3: date must be a date" in message and "got 'yesterday'" in message
    assert "[[versions]] 3: label must be a string, got 3" in message
    assert "versions.toml top level: extra is not a known table" in message


def test_invalid_toml_and_missing_or_empty_file(tmp_path, review):
    with pytest.raises(ReviewValidationError, match=r"versions.toml line 2, column \d+: "
                                                    r"invalid TOML"):
        parse_versions("[[versions]]\nid = \n", [])
    with pytest.raises(ReviewValidationError, match="must list at least one version"):
        parse_versions("", [])
    with pytest.raises(ReviewValidationError, match=r"needs records/sources\.toml"):
        parse_versions('[[versions]]\nid = "a"\ndate = 2020-01-01\nrecords = ["x.ris"]\n',
                       [], None)
    folder = tmp_path / "review"
    shutil.copytree(LDN, folder)
    (folder / "versions.toml").unlink()
    copy = load_review(folder)
    with pytest.raises(ReviewValidationError, match=r"versions\.toml: file not found"):
        load_versions(copy)


def test_load_versions_reports_records_problems_with_its_own(tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(LDN, folder)
    (folder / "records" / "ctgov.json").write_text("{not json")
    text = (folder / "versions.toml").read_text().replace('"FINAL 2024"]', '"FINAL 2042"]', 1)
    (folder / "versions.toml").write_text(text)
    with pytest.raises(ReviewValidationError) as info:
        load_versions(load_review(folder))
    message = str(info.value)
    assert "records/ctgov.json: is not valid JSON" in message
    assert "included must name a study of studies.csv, got 'FINAL 2042'" in message


def test_string_dates_and_defaults(review):
    text = ('[[versions]]\nid = "a"\ndate = "2024-02-29"\n[[versions]]\nid = "b"\n'
            'label = "Second"\ndate = 2024-03-01T10:00:00\nincluded = ["FINAL 2024"]\n')
    versions = parse_versions(text, [s.study for s in review.studies])
    a, b = versions.versions
    assert (a.label, a.date, a.statuses, a.records) == ("a", "2024-02-29", (), ())
    assert (b.label, b.date, b.included) == ("Second", "2024-03-01", ("FINAL 2024",))
    assert versions.to_dict()["versions"][1]["statuses"] == {"FINAL 2024": "included"}


def test_example_review_has_no_versions_file():
    from livingmeta.review import example_review_path

    assert not (Path(example_review_path()) / "versions.toml").exists()
