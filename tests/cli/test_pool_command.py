"""The ``pool``, ``effects`` and ``datasets`` commands on well-formed input.

Numbers are checked against metafor in tests/reference; these tests pin the shape of the
output: the JSON contract's keys (README, "JSON output"), the text table, the files written.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from livingmeta.cli.main import cli

CONTRACT_KEYS = {
    "k", "measure", "method", "test", "level", "df", "estimate", "se", "statistic", "pval",
    "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "tau2_ci", "I2", "I2_ci", "H2", "H2_ci",
    "Q", "Q_df", "Q_pval", "back_transformed", "studies", "dropped", "warnings",
}


def pool_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["pool", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_contract_keys_for_random_effects():
    out = pool_json("bcg", "--measure", "RR")
    assert CONTRACT_KEYS <= set(out)
    assert out["k"] == 13 and out["method"] == "REML" and out["level"] == 95
    assert len(out["studies"]) == 13
    assert sum(s["weight"] for s in out["studies"]) == pytest.approx(100)
    assert out["tau2_ci"][0] < out["tau2"] < out["tau2_ci"][1]
    back = out["back_transformed"]
    assert back["transform"] == "exp" and back["ci_low"] < back["estimate"] < back["ci_high"]


def test_level_is_percent_on_the_command_line():
    wide = pool_json("bcg", "--measure", "RR", "--level", "99")
    narrow = pool_json("bcg", "--measure", "RR", "--level", "90")
    assert wide["level"] == 99 and narrow["level"] == 90
    assert wide["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < wide["ci_high"]


def test_knha_reports_t_degrees_of_freedom():
    out = pool_json("bcg", "--measure", "RR", "--test", "knha")
    assert out["df"] == 12
    assert pool_json("bcg", "--measure", "RR")["df"] is None


def test_fe_alias_and_common_effect_has_no_tau2():
    out = pool_json("bcg", "--measure", "RR", "--method", "fe")
    assert out["method"] == "EE"
    assert out["tau2"] is None and out["tau2_ci"] is None
    assert out["pi_low"] is None and out["pi_high"] is None  # metafor: no PI for EE


@pytest.mark.parametrize("method", ["MH", "PETO"])
def test_mantel_haenszel_and_peto(method):
    out = pool_json("bcg", "--measure", "OR", "--method", method)
    assert out["method"] == method and out["tau2"] is None
    if method == "MH":  # the Cochran-Mantel-Haenszel test comes with the MH odds ratio
        assert set(out["cmh"]) == {"statistic", "pval"} and out["cmh"]["statistic"] > 0
    else:  # Peto's method has no CMH test
        assert out["cmh"] is None


def test_subgroups_by_column():
    out = pool_json("bcg", "--measure", "RR", "--by", "alloc")
    assert [g["group"] for g in out["subgroups"]] == ["random", "alternate", "systematic"]
    assert sum(g["k"] for g in out["subgroups"]) == 13
    assert out["subgroup_test"]["df"] == 2


def test_meta_regression_with_continuous_and_categorical_moderators():
    out = pool_json("bcg", "--measure", "RR", "--mods", "ablat,alloc")
    names = [c["name"] for c in out["coefficients"]]
    assert names == ["intrcpt", "ablat", "alloc[alternate]", "alloc[systematic]"]
    assert out["QM_df"] == 3 and 0 <= out["R2"] <= 100
    assert out["estimate"] is None


def test_text_output_is_a_readable_table():
    result = CliRunner().invoke(cli, ["pool", "bcg", "--measure", "RR"])
    assert result.exit_code == 0, result.output
    assert "RR meta-analysis, method REML" in result.output
    assert "Aronson 1948" in result.output and "Heterogeneity" in result.output


def test_effects_writes_the_table(tmp_path):
    out = tmp_path / "effects.csv"
    result = CliRunner().invoke(cli, ["effects", "normand1999", "--measure", "SMD",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "study,yi,vi,sei,notes" and len(lines) == 10


def test_datasets_lists_bundled_tables():
    result = CliRunner().invoke(cli, ["datasets"])
    assert result.exit_code == 0
    assert "bcg" in result.output and "normand1999" in result.output


def test_leave_one_out_rows_match_the_library():
    import warnings

    from livingmeta import escalc, leave_one_out, read_study_table
    from livingmeta.datasets import dataset_path

    out = pool_json("bcg", "--measure", "RR", "--leave1out")
    rows = out["leave_one_out"]
    assert [r["study"] for r in rows] == [s["study"] for s in out["studies"]]
    cols = read_study_table(dataset_path("bcg")).columns
    es = escalc("RR", ai=cols["ai"], bi=cols["bi"], ci=cols["ci"], di=cols["di"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loo = leave_one_out(es.yi, es.vi)
    assert [r["estimate"] for r in rows] == pytest.approx(list(loo.estimate), rel=1e-12)


def test_leave_one_out_is_refused_for_mantel_haenszel(tmp_path):
    result = CliRunner().invoke(cli, ["pool", "bcg", "--measure", "OR", "--method", "MH",
                                      "--leave1out"])
    assert result.exit_code == 2 and "leave-one-out" in result.output


def test_subgroups_with_a_common_tau2_match_the_mixed_effects_model():
    import warnings

    from livingmeta import escalc, read_study_table, rma
    from livingmeta.datasets import dataset_path

    out = pool_json("bcg", "--measure", "RR", "--by", "alloc", "--subgroup-tau2", "common")
    assert out["subgroup_test"]["tau2"] == "common"
    table = read_study_table(dataset_path("bcg"))
    cols = table.columns
    es = escalc("RR", ai=cols["ai"], bi=cols["bi"], ci=cols["ci"], di=cols["di"])
    alloc = table.covariate("alloc")
    design = [[float(a == "alternate"), float(a == "systematic")] for a in alloc]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = rma(es.yi, es.vi, mods=design)
    assert out["subgroup_test"]["Q"] == pytest.approx(model.QM, rel=1e-10)
    assert out["subgroup_test"]["df"] == 2
    assert len({g["tau2"] for g in out["subgroups"]}) == 1
