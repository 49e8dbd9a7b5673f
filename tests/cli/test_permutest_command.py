"""``livingmeta permutest`` and ``livingmeta bootstrap``: JSON contracts, options, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from livingmeta.cli.bootstrap import bootstrap
from livingmeta.cli.permutest import permutest
from livingmeta.sensitivity.permutation import permutation_test

PERMUTEST_CONTRACT = {"k", "p", "measure", "method", "test", "moderator_names", "estimate",
                      "se", "statistic", "model_pval", "pval", "QM", "QM_df",
                      "model_QM_pval", "QM_pval", "df", "exact", "permutations",
                      "exact_count", "seed", "failed", "warnings", "provenance", "studies"}
BOOTSTRAP_CONTRACT = {"k", "measure", "method", "kind", "interval", "level", "replicates",
                      "replicates_used", "seed", "estimate", "ci_low", "ci_high", "tau2",
                      "tau2_ci_low", "tau2_ci_high", "I2", "I2_ci_low", "I2_ci_high",
                      "distributions", "warnings", "provenance", "studies"}
# yi/vi of six trials (log RR), a latitude moderator and a grouping with a missing value.
TABLE = (
    "study,yi,vi,lat,alloc\n"
    "A,-0.889,0.326,44,random\nB,-1.585,0.195,55,random\nC,-1.348,0.415,42,random\n"
    "D,-1.442,0.020,52,random\nE,-0.218,0.051,13,alternate\nF,-0.786,0.007,44,\n"
)


def invoke(tmp_path: Path, *args: str, text: str = TABLE):
    group = click.Group()
    group.add_command(permutest)
    group.add_command(bootstrap)
    path = tmp_path / "data.csv"
    path.write_text(text)
    result = CliRunner().invoke(group, [args[0], str(path), *args[1:]])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_permutest_json_contract_exact_sign_flips(tmp_path):
    result = invoke(tmp_path, "permutest", "--method", "dl", "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert set(d) == PERMUTEST_CONTRACT
    assert d["exact"] is True and d["permutations"] == d["exact_count"] == 64
    assert d["seed"] is None and d["moderator_names"] == ["intrcpt"]
    assert d["measure"] == "GEN" and d["studies"] == list("ABCDEF")
    # The same numbers as the library on the same effect sizes.
    lib = permutation_test([-0.889, -1.585, -1.348, -1.442, -0.218, -0.786],
                           [0.326, 0.195, 0.415, 0.020, 0.051, 0.007], method="DL")
    assert d["pval"] == lib.pval.tolist() and d["QM_pval"] == lib.QM_pval


def test_permutest_moderators_drop_incomplete_rows_with_a_warning(tmp_path):
    result = invoke(tmp_path, "permutest", "--mods", "lat,alloc", "--no-exact",
                    "--permutations", "50", "--seed", "9", "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d["k"] == 5 and d["studies"] == list("ABCDE")
    assert d["moderator_names"] == ["intrcpt", "lat", "alloc[alternate]"]
    assert d["exact"] is False and d["permutations"] == 50 and d["seed"] == 9
    assert any("left out for missing values: F" in w for w in d["warnings"])
    again = json.loads(invoke(tmp_path, "permutest", "--mods", "lat,alloc", "--no-exact",
                              "--permutations", "50", "--seed", "9", "--json").output)
    assert again["pval"] == d["pval"]


def test_permutest_text_output(tmp_path):
    result = invoke(tmp_path, "permutest", "--mods", "lat", "--test", "knha",
                    "--permutations", "100000")
    assert result.exit_code == 0, result.output
    assert "Exact test: all 360 distinct permutations" in result.output
    assert "intrcpt" in result.output and "lat" in result.output


def test_bootstrap_json_contract(tmp_path):
    result = invoke(tmp_path, "bootstrap", "--kind", "nonparametric", "--interval", "bca",
                    "--replicates", "200", "--seed", "4", "--level", "90", "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert set(d) == BOOTSTRAP_CONTRACT
    assert d["level"] == 90 and d["replicates"] == 200 and d["seed"] == 4
    assert d["kind"] == "nonparametric" and d["interval"] == "bca"
    assert d["ci_low"] < d["estimate"] < d["ci_high"]
    assert [x["quantity"] for x in d["distributions"]] == ["estimate", "tau2", "I2"]


def test_bootstrap_text_output(tmp_path):
    result = invoke(tmp_path, "bootstrap", "--replicates", "100", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "Bootstrap confidence intervals: parametric, percentile" in result.output
    assert "100 replicates (seed 1)" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (("permutest", "--mods", "nope"), "nope is not a column"),
    (("permutest", "--permutations", "1"), "--permutations"),
    (("bootstrap", "--level", "0.95x"), "must be a number"),
    (("bootstrap", "--kind", "jackknife"), "--kind"),
    (("permutest", "--method", "MH"), "--method"),
])
def test_bad_input_exits_with_one_line(tmp_path, args, message):
    result = invoke(tmp_path, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_table_without_effect_sizes_names_the_problem(tmp_path):
    result = invoke(tmp_path, "bootstrap", text="study,x\nA,1\nB,2\n")
    assert result.exit_code == 2
    assert "Error:" in result.output and "measure" in result.output
