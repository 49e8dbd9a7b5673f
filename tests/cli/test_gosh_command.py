"""The ``gosh`` command (src/livingmeta/cli/gosh.py): output files, JSON contract, errors.

Numbers are checked in tests/reference/test_metafor_gosh.py and tests/unit/test_gosh.py;
these tests pin the command's shape.
"""

from __future__ import annotations

import json

import click
import numpy as np
import pandas as pd
from click.testing import CliRunner

from livingmeta.cli.gosh import OUTPUT_COLUMNS, gosh
from livingmeta.sensitivity.gosh import gosh as run_gosh

CSV = ("study,yi,vi\nA,0.10,0.010\nB,0.15,0.012\nC,0.05,0.011\nD,0.12,0.010\n"
       "E,0.08,0.013\nF,0.95,0.010\nG,,0.02\n")
JSON_KEYS = {"k", "measure", "method", "n_subsets", "n_possible", "sampled", "max_subsets",
             "seed", "not_converged", "out", "plot", "columns", "outlying_studies", "studies",
             "clustering", "dropped", "warnings"}


def invoke(tmp_path, *args, csv=CSV):
    path = tmp_path / "data.csv"
    path.write_text(csv)
    group = click.Group()
    group.add_command(gosh)
    result = CliRunner().invoke(group, ["gosh", str(path), *args])
    assert "Traceback" not in result.output
    return result


def test_json_contract_and_csv_table(tmp_path):
    out = tmp_path / "subsets.csv"
    result = invoke(tmp_path, "--method", "DL", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert JSON_KEYS <= set(data)
    assert data["k"] == 6 and data["n_subsets"] == 63 and data["sampled"] is False
    assert data["dropped"] == ["G"] and data["outlying_studies"] == ["F"]
    assert [s["study"] for s in data["studies"]] == list("ABCDEF")
    assert {"kmeans", "dbscan", "gmm", "points", "seed"} <= set(data["clustering"])
    assert any("left out" in w for w in data["warnings"])
    table = pd.read_csv(out)
    assert tuple(table.columns) == OUTPUT_COLUMNS
    expected = run_gosh([0.10, 0.15, 0.05, 0.12, 0.08, 0.95],
                        [0.010, 0.012, 0.011, 0.010, 0.013, 0.010], method="DL")
    assert table["subset"].tolist() == expected.subset.tolist()
    np.testing.assert_allclose(table["tau2"], expected.tau2, rtol=1e-15)


def test_parquet_sample_and_plot(tmp_path):
    out, plot = tmp_path / "subsets.parquet", tmp_path / "gosh.svg"
    result = invoke(tmp_path, "--method", "ee", "--max-subsets", "20", "--seed", "4",
                    "--out", str(out), "--plot", str(plot), "--highlight", "F")
    assert result.exit_code == 0, result.output
    assert "GOSH" in result.output and "wrote 20 subsets" in result.output
    table = pd.read_parquet(out)
    assert len(table) == 20 and table["subset"].is_unique
    assert table["subset"].dtype == np.uint64
    assert plot.stat().st_size > 1000


def test_bad_input_exits_2_without_writing(tmp_path):
    out = tmp_path / "subsets.csv"
    bad_suffix = invoke(tmp_path, "--method", "DL", "--out", str(tmp_path / "x.txt"))
    assert bad_suffix.exit_code == 2 and "--out" in bad_suffix.output
    bad_highlight = invoke(tmp_path, "--method", "DL", "--out", str(out), "--plot",
                           str(tmp_path / "g.png"), "--highlight", "nobody")
    assert bad_highlight.exit_code == 2 and "study" in bad_highlight.output
    assert not out.exists()
    bad_method = invoke(tmp_path, "--method", "XX", "--out", str(out))
    assert bad_method.exit_code == 2
