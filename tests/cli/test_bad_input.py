"""Bad input never shows a traceback: one line per problem, naming row, field, value, rule.

Each case is one item of issue 2, section 6. The CLI runs in-process (click's CliRunner);
exit status 2 is the contract for invalid data or arguments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from livingmeta.cli.main import cli


def run(tmp_path: Path, csv_text: str | None, *args: str):
    path = tmp_path / "data.csv"
    if csv_text is not None:
        path.write_text(csv_text)
    result = CliRunner().invoke(cli, ["pool", str(path), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


BINARY = "study,ai,bi,ci,di\nA,4,119,11,128\nB,6,300,29,274\nC,3,228,11,209\n"
CONTINUOUS = (
    "study,n1i,m1i,sd1i,n2i,m2i,sd2i\n"
    "A,20,5.1,1.2,21,6.0,1.4\nB,30,4.8,1.1,29,5.9,1.3\nC,25,5.0,1.5,24,5.5,1.2\n"
)


def test_missing_file_is_reported(tmp_path):
    result = run(tmp_path, None, "--measure", "RR")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_empty_file(tmp_path):
    result = run(tmp_path, "", "--measure", "RR")
    assert result.exit_code == 2
    assert "is empty" in result.output


def test_header_only_file(tmp_path):
    result = run(tmp_path, "study,ai,bi,ci,di\n", "--measure", "RR")
    assert result.exit_code == 2
    assert "no data rows" in result.output


def test_non_numeric_cells_all_listed(tmp_path):
    text = "study,ai,bi,ci,di\nA,4,x,11,128\nB,6,300,29,274\nC,3,228,eleven,209\n"
    result = run(tmp_path, text, "--measure", "RR")
    assert result.exit_code == 2
    assert "study 'A' (row 1): bi must be a number, got 'x'" in result.output
    assert "study 'C' (row 3): ci must be a number, got 'eleven'" in result.output
    assert "2 problems" in result.output


def test_missing_required_column_for_measure(tmp_path):
    text = "study,n1i,m1i,n2i,m2i,sd2i\nA,20,5.1,21,6.0,1.4\n"
    result = run(tmp_path, text, "--measure", "SMD")
    assert result.exit_code == 2
    assert "sd1i" in result.output


def test_unknown_by_column(tmp_path):
    result = run(tmp_path, BINARY, "--measure", "RR", "--by", "region")
    assert result.exit_code == 2
    assert "region is not a column" in result.output


def test_unknown_moderator_column(tmp_path):
    result = run(tmp_path, BINARY, "--measure", "RR", "--mods", "latitude")
    assert result.exit_code == 2
    assert "latitude is not a column" in result.output


def test_k_zero_after_dropping(tmp_path):
    text = "study,ai,bi,ci,di\nA,,119,11,128\nB,6,,29,274\n"
    result = run(tmp_path, text, "--measure", "RR")
    assert result.exit_code == 2
    assert "k = 0" in result.output


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("study,ai,n1i,ci,n2i\nA,4,0,11,128\nB,6,300,29,274\n", "n1i", "0"),
        ("study,ai,n1i,ci,n2i\nA,4,120.5,11,128\nB,6,300,29,274\n", "n1i", "120.5"),
        ("study,ai,n1i,ci,n2i\nA,140,120,11,128\nB,6,300,29,274\n", "ai", "140"),
    ],
    ids=["n-below-one", "non-integer-count", "events-exceed-n"],
)
def test_count_rules(tmp_path, text, field, value):
    result = run(tmp_path, text, "--measure", "RR")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "'A' (row 1)" in line)
    assert field in line and value in line


@pytest.mark.parametrize("bad_sd", ["-1.6", "0"])
def test_non_positive_sd(tmp_path, bad_sd):
    text = CONTINUOUS.replace("A,20,5.1,1.2", f"A,20,5.1,{bad_sd}")
    result = run(tmp_path, text, "--measure", "SMD")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "'A' (row 1)" in line)
    assert "sd1i" in line and bad_sd in line


def test_non_positive_variance(tmp_path):
    result = run(tmp_path, "study,yi,vi\nA,0.1,0.02\nB,0.3,-0.01\n")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "'B' (row 2)" in line)
    assert "vi" in line and "-0.01" in line


def test_ci_upper_below_lower(tmp_path):
    text = "study,yi,ci_lb,ci_ub\nA,0.1,-0.2,0.4\nB,0.3,0.6,0.1\n"
    result = run(tmp_path, text, "--measure", "GEN")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "'B' (row 2)" in line)
    assert "ci_ub" in line or "ci_lb" in line


@pytest.mark.parametrize("p", ["0", "1.2", "-0.1"])
def test_p_value_outside_unit_interval(tmp_path, p):
    text = f"study,yi,pval,ni\nA,0.1,0.04,40\nB,0.3,{p},50\n"
    result = run(tmp_path, text, "--measure", "GEN")
    assert result.exit_code == 2
    line = next(line for line in result.output.splitlines() if "'B' (row 2)" in line)
    assert "pval" in line and p in line


def test_unknown_measure_and_method(tmp_path):
    result = run(tmp_path, BINARY, "--measure", "XYZ")
    assert result.exit_code == 2 and "XYZ" in result.output
    result = run(tmp_path, BINARY, "--measure", "RR", "--method", "DLX")
    assert result.exit_code == 2 and "DLX" in result.output


def test_method_not_valid_for_data(tmp_path):
    result = run(tmp_path, CONTINUOUS, "--measure", "SMD", "--method", "MH")
    assert result.exit_code == 2
    assert "Mantel-Haenszel" in result.output and "SMD" in result.output


def test_level_out_of_range(tmp_path):
    result = run(tmp_path, BINARY, "--measure", "RR", "--level", "120")
    assert result.exit_code == 2
    assert "between 0 and 100" in result.output


def test_all_problems_reported_at_once(tmp_path):
    text = (
        "study,n1i,m1i,sd1i,n2i,m2i,sd2i\n"
        "A,20,5.1,-1,21,6.0,1.4\nB,0,4.8,1.1,29,5.9,1.3\nC,25,5.0,1.5,24,5.5,0\n"
    )
    result = run(tmp_path, text, "--measure", "MD")
    assert result.exit_code == 2
    for where in ("'A' (row 1)", "'B' (row 2)", "'C' (row 3)"):
        assert where in result.output


def test_effects_out_file_not_half_written(tmp_path):
    out = tmp_path / "effects.csv"
    bad = tmp_path / "bad.csv"
    bad.write_text("study,yi,vi\nA,0.1,-1\n")
    result = CliRunner().invoke(cli, ["effects", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_sparse_single_table_gives_null_not_overflow(tmp_path):
    """Found by the property test: table (0, 0, 0, 1419), Peto log-OR pooled by REML: the
    estimate and upper CI bound overflow exp() and are shown as null, not a crash."""
    import json

    result = run(tmp_path, "study,ai,bi,ci,di\nA,0,0,0,1419\n", "--measure", "PETO",
                 "--method", "REML", "--json")
    assert result.exit_code == 0, result.output
    back = json.loads(result.stdout)["back_transformed"]
    assert back["estimate"] is None and back["ci_high"] is None
    assert back["ci_low"] > 1e270
