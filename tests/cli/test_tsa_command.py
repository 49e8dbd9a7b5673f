"""``livingmeta tsa``: the JSON contract and bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from livingmeta.cli.tsa import tsa

CONTRACT = {"ris", "ris_formula", "heterogeneity_correction", "looks", "adjusted_ci",
            "verdict"}
LOOK_KEYS = {"study", "information", "information_fraction", "z", "upper", "lower",
             "futility_upper", "futility_lower"}
CONTINUOUS = (
    "study,n1i,m1i,sd1i,n2i,m2i,sd2i\n"
    "A 2001,20,5.1,1.2,21,6.0,1.4\nB 2005,30,4.8,1.1,29,5.9,1.3\nC 2010,25,5.0,1.5,24,5.5,1.2\n"
)
BINARY = "study,ai,n1i,ci,n2i\nA,12,100,20,100\nB,30,250,41,248\nC,8,90,15,92\n"


def invoke(tmp_path: Path, csv_text: str, *args: str):
    group = click.Group()
    group.add_command(tsa)
    path = tmp_path / "data.csv"
    path.write_text(csv_text)
    result = CliRunner().invoke(group, ["tsa", str(path), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_json_contract_continuous(tmp_path):
    result = invoke(tmp_path, CONTINUOUS, "--measure", "SMD", "--delta", "0.3", "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert CONTRACT <= set(d)
    assert [look["study"] for look in d["looks"]] == ["A 2001", "B 2005", "C 2010"]
    assert all(LOOK_KEYS <= set(look) for look in d["looks"])
    assert [look["information"] for look in d["looks"]] == [41, 100, 149]  # n1i + n2i
    assert d["heterogeneity_correction"] == "D2" and isinstance(d["ris"], float)
    assert len(d["adjusted_ci"]) == 2 and d["verdict"]


def test_json_binary_ratio_on_log_scale(tmp_path):
    result = invoke(tmp_path, BINARY, "--measure", "rr", "--delta", "0.8", "--control-risk",
                    "0.2", "--heterogeneity", "none", "--sides", "1", "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d["looks"][0]["estimate"] == pytest.approx(__import__("math").log(0.12 / 0.2))
    assert all(look["upper"] is None for look in d["looks"])  # one-sided, lower = benefit
    assert "no heterogeneity correction" in d["ris_formula"]


def test_ni_column_for_yi_vi_tables_and_text_output(tmp_path):
    text = "study,yi,vi,n\nA,-0.3,0.04,100\nB,-0.2,0.03,120\n"
    result = invoke(tmp_path, text, "--measure", "SMD", "--delta", "0.2")
    assert result.exit_code == 0, result.output
    assert "Trial sequential analysis" in result.output and "verdict" in result.output


def test_missing_participants_name_the_study(tmp_path):
    text = "study,yi,vi,n\nA,-0.3,0.04,100\nB,-0.2,0.03,\n"
    result = invoke(tmp_path, text, "--measure", "SMD", "--delta", "0.2")
    assert result.exit_code == 2
    assert "study 'B' (row 2): n1i + n2i (or ni) must be given" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (("--measure", "RR", "--delta", "0.8"), "'control_risk' parameter is required"),
    (("--measure", "SMD", "--delta", "0"), "'delta' parameter must not be 0"),
    (("--measure", "SMD", "--delta", "0.2", "--alpha", "2"), "'alpha' parameter"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, message):
    result = invoke(tmp_path, BINARY if args[1] == "RR" else CONTINUOUS, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_measure_is_a_usage_error(tmp_path):
    result = invoke(tmp_path, CONTINUOUS, "--measure", "ROM", "--delta", "0.2")
    assert result.exit_code == 2 and "Invalid value for '--measure'" in result.output
