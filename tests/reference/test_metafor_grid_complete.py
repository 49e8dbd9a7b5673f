"""The metafor case grid cannot quietly shrink (STYLE.md, convention 11).

The required coverage is written out here, independently of the fixtures and of the
manifest that validation/metafor/generate.R writes, so that deleting cases from the R
script (or from the JSON) fails this file rather than silently passing fewer tests.
"""

from __future__ import annotations

import csv
import itertools
import math

import pytest

from ._fixtures import FIXTURES, ROOT, load

FIXTURE_FILES = ("escalc.json", "rma.json", "mh_peto.json", "regression.json",
                 "subgroups.json", "leave1out.json")
MEASURES = ("MD", "SMD", "SMDH", "ROM", "MC", "SMCC", "SMCR", "OR", "RR", "RD", "PETO",
            "IRR", "IRD", "COR", "ZCOR")
METHODS = ("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
TESTS = ("z", "knha", "adhoc")
MH_MEASURES = ("OR", "RR", "RD")
EDGE_TAGS = ("k1", "k2", "k3", "tau2_zero", "equal_vi", "k_large")
MIN_PUBLISHED_DATASETS = 8
# Lower bounds on case counts (the grid as of metafor 3.8.1; raise, never lower).
MIN_CASES = {"escalc.json": 29, "rma.json": 270, "mh_peto.json": 20, "regression.json": 16,
             "subgroups.json": 2, "leave1out.json": 4}
RMA_EXPECTED_KEYS = {"k", "estimate", "se", "statistic", "pval", "ci_low", "ci_high",
                     "pi_low", "pi_high", "tau2", "tau2_ci", "I2", "I2_ci", "H2", "H2_ci",
                     "Q", "Q_df", "Q_pval", "df", "weights"}


def _cases(name):
    return load(name)["cases"]


@pytest.mark.parametrize("name", [*FIXTURE_FILES, "manifest.json"])
def test_fixture_file_is_generated_and_versioned(name):
    data = load(name)
    assert data["_generated"] == "by validation/metafor/generate.R — do not edit"
    assert data["metafor_version"] == "3.8.1"
    assert data["r_version"].startswith("R version 4.2.2")
    assert data["date"]


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_file_covers_its_manifest_entry(name):
    promised = load("manifest.json")["files"][name]
    present = [c["id"] for c in _cases(name)]
    assert present == promised
    assert len(set(present)) == len(present), "duplicate case ids"
    assert len(present) >= MIN_CASES[name]


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_every_case_names_its_r_call_data_and_warning(name):
    from livingmeta import errors

    for case in _cases(name):
        assert case["r_call"].strip(), case["id"]
        assert (ROOT / case["data_csv"]).is_file(), case["data_csv"]
        warning = case.get("expect_warning")
        if warning is not None:
            assert issubclass(getattr(errors, warning), errors.LivingMetaWarning), warning


def test_every_measure_is_covered_by_escalc_cases():
    covered = {c["measure"] for c in _cases("escalc.json")}
    assert set(MEASURES) <= covered, sorted(set(MEASURES) - covered)


def test_zero_cells_are_covered_both_ways():
    zero = [c for c in _cases("escalc.json") if c["dataset"] == "zeros"]
    assert {(c["measure"], c["options"]["drop00"]) for c in zero} == {
        (m, d) for m in ("OR", "RR", "RD", "PETO") for d in (False, True)}
    assert all(c["expect_warning"] == "ZeroCellWarning" for c in zero)


def test_every_estimator_and_test_on_every_published_dataset():
    rma = _cases("rma.json")
    published = {(c["dataset"], c["measure"]) for c in rma if "published" in c["tags"]}
    datasets = {d for d, _ in published}
    assert len(datasets) >= MIN_PUBLISHED_DATASETS, sorted(datasets)
    have = {(c["dataset"], c["measure"], c["method"], c["test"]) for c in rma
            if c["level"] == 0.95}
    for (dataset, measure), method, test in itertools.product(published, METHODS, TESTS):
        assert (dataset, measure, method, test) in have, (dataset, measure, method, test)


def test_rma_cases_pin_every_json_key():
    for case in _cases("rma.json"):
        assert RMA_EXPECTED_KEYS <= set(case["expected"]), case["id"]
        assert case["cli_args"][0] == "pool" and "--json" in case["cli_args"]


def test_level_90_is_covered():
    assert any(c["level"] == 0.90 for c in _cases("rma.json"))


def test_edge_cases_are_covered():
    rma = _cases("rma.json")
    tags = {t for c in rma for t in c["tags"]}
    assert set(EDGE_TAGS) <= tags, sorted(set(EDGE_TAGS) - tags)
    k1 = [c for c in rma if "k1" in c["tags"]]
    assert all(c["expected"]["k"] == 1 for c in k1)
    assert all(c["expect_warning"] == "SingleStudyWarning" for c in k1)
    large = [c for c in rma if "k_large" in c["tags"]]
    assert {(c["method"], c["test"]) for c in large} >= {
        (m, t) for m in ("REML", "DL", "PM") for t in TESTS}
    assert all(c["expected"]["k"] >= 1000 for c in large)
    zero = [c for c in rma if "tau2_zero" in c["tags"] and c["method"] in ("DL", "REML", "PM")]
    assert zero and all(c["expected"]["tau2"] == 0 for c in zero)
    assert all(c["expect_warning"] == "ZeroTau2Warning" for c in zero)


def test_mantel_haenszel_and_peto_are_covered():
    cases = _cases("mh_peto.json")
    mh = {(c["dataset"], c["measure"]) for c in cases if c["kind"] == "mh"}
    peto = {c["dataset"] for c in cases if c["kind"] == "peto"}
    datasets = {d for d, _ in mh}
    assert {m for _, m in mh} == set(MH_MEASURES)
    assert all((d, m) in mh for d in datasets for m in MH_MEASURES)
    assert peto == datasets
    assert "zeros" in datasets
    for case in cases:
        if case["measure"] == "OR":
            assert case["expected"]["cmh"] is not None and "tarone" in case["expected"]


def test_meta_regression_subgroups_and_leave1out_are_covered():
    reg = _cases("regression.json")
    assert {(c["mods"], c["method"], c["test"]) for c in reg} >= {
        (mods, m, t) for mods in ("~ablat", "~year", "~factor(alloc)")
        for m in ("REML", "DL") for t in TESTS}
    for case in reg:
        if case["test"] != "z":
            assert len(case["expected"]["QM_df"]) == 2, case["id"]
    assert {c["method"] for c in _cases("subgroups.json")} >= {"REML", "DL"}
    assert {(c["method"], c["test"]) for c in _cases("leave1out.json")} >= {
        ("REML", "z"), ("DL", "z")}


def test_csv_inputs_are_the_fixture_inputs():
    """The CSV that the CLI reads holds the values metafor was given."""
    for case in _cases("rma.json"):
        if case["measure"] != "GEN":
            continue
        with (ROOT / case["data_csv"]).open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row, yi, vi in zip(rows, case["input"]["yi"], case["input"]["vi"], strict=True):
            assert math.isclose(float(row["yi"]), yi, rel_tol=1e-14)
            assert math.isclose(float(row["vi"]), vi, rel_tol=1e-14)


def test_no_stray_fixture_files():
    on_disk = {p.name for p in FIXTURES.glob("*.json")}
    # diagnostics.json (generate_diagnostics.R), ldn.json (generate_ldn.R), gosh.json
    # (generate_gosh.R) and permutest.json (generate_permutest.R) carry their own
    # manifests, checked by test_metafor_diagnostics.py, test_metafor_ldn.py,
    # test_metafor_gosh.py and test_metafor_permutest.py.
    assert on_disk == {*FIXTURE_FILES, "manifest.json", "diagnostics.json", "ldn.json",
                       "gosh.json", "permutest.json"}


def test_q_profile_interval_does_not_depend_on_the_estimator():
    """metafor's Q-profile CI depends on the data only; a bound stuck at tau2.max would not.

    Guards the fixture against metafor's default search limit max(100, 10 tau2), which
    differs between estimators (validation/metafor/README.md).
    """
    groups: dict[tuple, list] = {}
    for case in _cases("rma.json"):
        if case["expected"]["tau2_ci"] is not None:
            key = (case["dataset"], case["measure"], case["level"])
            groups.setdefault(key, []).append(case["expected"]["tau2_ci"])
    for key, intervals in groups.items():
        for lo, hi in intervals:
            assert math.isclose(lo, intervals[0][0], rel_tol=1e-9, abs_tol=1e-12), key
            assert math.isclose(hi, intervals[0][1], rel_tol=1e-9, abs_tol=1e-12), key
