"""``livingmeta batch``: files in and out, streaming, bad meta-analyses, exit codes.

Reference: each output row must equal ``livingmeta pool`` (``read_study_table`` +
``pool_table``) run on that meta-analysis' rows alone (tolerances BATCH_RTOL/BATCH_ATOL);
tests/batch/test_engine.py covers every method and test against ``rma``.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from livingmeta.batch.engine import OUTPUT_COLUMNS
from livingmeta.cli.batch import _progress, batch
from livingmeta.data import read_study_table
from livingmeta.pooling import pool_table

# tests/tolerances.py BATCH_RTOL and BATCH_ATOL (that module is not importable from
# tests/cli, which is not a package).
BATCH_RTOL = 1e-8
BATCH_ATOL = 1e-12


def yi_vi_frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    sizes = [4, 1, 9, 2, 30, 3, 6, 1, 12]
    ids = np.repeat([f"ma{j}" for j in range(len(sizes))], sizes)
    vi = rng.uniform(0.01, 0.3, ids.size)
    frame = pd.DataFrame({"id": ids, "study": [f"S{i}" for i in range(ids.size)],
                          "yi": rng.normal(0.2, np.sqrt(vi + 0.05)), "vi": vi})
    frame.loc[[2, 20], "yi"] = np.nan  # missing values: those studies are dropped
    frame.loc[15:16, "yi"] = 0.25  # ma3: identical yi, tau2 at 0
    return frame


def invoke(*args: str):
    group = click.Group()
    group.add_command(batch)
    result = CliRunner().invoke(group, ["batch", *map(str, args)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=True) if path.suffix == ".csv" else \
        pd.read_parquet(path)


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= BATCH_ATOL + BATCH_RTOL * abs(b)


def check_against_pool(frame: pd.DataFrame, out: pd.DataFrame, tmp_path: Path,
                       measure: str | None, method: str, test: str) -> None:
    """Each output row against `livingmeta pool` on that meta-analysis' rows alone."""
    for name, part in frame.groupby("id", sort=False):
        path = tmp_path / f"one-{name}.csv"
        part.drop(columns="id").to_csv(path, index=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pooled = pool_table(read_study_table(path), measure=measure, method=method,
                                test=test)
        row = out.set_index("id").loc[name]
        ci = pooled.tau2_interval
        expected = {f: getattr(pooled.fit, f) for f in (
            "estimate", "se", "statistic", "pval", "ci_low", "ci_high", "pi_low", "pi_high",
            "tau2", "I2", "H2", "Q", "Q_pval")}
        expected |= {"tau2_ci_low": math.nan if ci is None else ci.tau2_ci_low,
                     "tau2_ci_high": math.nan if ci is None else ci.tau2_ci_high}
        assert int(row["k"]) == pooled.fit.k
        for field, value in expected.items():
            assert same(float(row[field]), float(value)), (name, field, row[field], value)


def test_yi_vi_table_to_parquet_equals_pool(tmp_path):
    frame = yi_vi_frame()
    frame.to_csv(tmp_path / "t.csv", index=False)
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.parquet", "--method", "reml",
                    "--test", "knha")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (f"9 meta-analyses written to {tmp_path / 'o.parquet'} "
                                     "from 68 rows; 0 skipped")
    out = read(tmp_path / "o.parquet")
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out["id"].tolist() == list(dict.fromkeys(frame["id"]))
    check_against_pool(frame, out, tmp_path, None, "REML", "knha")
    warn = out.set_index("id")["warnings"]
    assert "k = 1" in warn["ma1"] and "tau2 estimated at 0" in warn["ma3"]
    assert "1 row dropped" in warn["ma0"]


def test_tiny_chunks_csv_out_equal_one_chunk_parquet_out(tmp_path):
    frame = yi_vi_frame()
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    frame.to_csv(tmp_path / "t.csv", index=False)
    one = invoke(tmp_path / "t.parquet", "--out", tmp_path / "one.parquet", "--method", "PM")
    tiny = invoke(tmp_path / "t.csv", "--out", tmp_path / "tiny.csv", "--method", "PM",
                  "--chunk-rows", "2")
    assert one.exit_code == 0 and tiny.exit_code == 0, tiny.output
    a, b = read(tmp_path / "one.parquet"), read(tmp_path / "tiny.csv")
    b["warnings"] = b["warnings"].fillna("")
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=False)


def test_arm_level_columns_with_measure_equal_pool(tmp_path):
    rows = [("t1", "A", 4, 50, 9, 50), ("t1", "B", 0, 40, 3, 41), ("t1", "C", 7, 60, 7, 58),
            ("t2", "D", 12, 100, 20, 100),
            ("t3", "E", 2, 30, 2, 30), ("t3", "F", 3, 30, 3, 30), ("t3", "G", 5, 40, 5, 40),
            ("t4", "H", 10, 80, 14, 80), ("t4", "I", None, 80, 12, 80),
            ("t4", "J", 8, 70, 15, 75), ("t4", "K", 20, 90, 30, 90)]
    frame = pd.DataFrame(rows, columns=["id", "study", "events_treatment", "n_treatment",
                                        "events_control", "n_control"])
    frame.to_csv(tmp_path / "t.csv", index=False)
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.csv", "--measure", "rr",
                    "--method", "DL", "--chunk-rows", "3", "--level", "90")
    assert result.exit_code == 0, result.output
    out = read(tmp_path / "o.csv")
    for name, part in frame.groupby("id", sort=False):
        path = tmp_path / f"one-{name}.csv"
        part.drop(columns="id").to_csv(path, index=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pooled = pool_table(read_study_table(path), measure="RR", method="DL", level=0.9)
        row = out.set_index("id").loc[name]
        for field in ("estimate", "se", "ci_low", "ci_high", "pi_high", "tau2", "I2", "Q"):
            assert same(float(row[field]), float(getattr(pooled.fit, field))), (name, field)
    assert "zero-cell corrected" in out.set_index("id").loc["t1", "warnings"]


def test_bad_meta_analyses_are_reported_by_id_and_skipped(tmp_path):
    text = ("id,study,m1i,sd1i,n1i,m2i,sd2i,n2i\n"
            "a,A1,10,2,20,9,2,20\na,A2,11,2.5,30,9.5,2,31\n"
            "b,B1,10,-1.6,20,9,2,20\nb,B2,10,2,20,9,2,20\n"
            "c,C1,ten,2,20,9,2,20\n"
            "d,D1,12,3,40,10,3,40\n")
    (tmp_path / "t.csv").write_text(text)
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.csv", "--measure", "SMD")
    assert result.exit_code == 0, result.output
    assert read(tmp_path / "o.csv")["id"].tolist() == ["a", "d"]
    assert result.stderr.splitlines() == [
        "meta-analysis 'b' skipped (bad rows): study 'B1' (row 3): sd1i must be > 0, got -1.6",
        "meta-analysis 'c' skipped (bad rows): study 'C1' (row 5): m1i must be a number, "
        "got 'ten'"]
    assert "2 skipped (2 bad rows)" in result.stdout
    errors = tmp_path / "errors.csv"
    again = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.csv", "--measure", "SMD",
                   "--errors", errors)
    assert again.exit_code == 0 and again.stderr == ""
    report = pd.read_csv(errors)
    assert report[["id", "row", "column", "value"]].values.tolist() == [
        ["b", 3, "sd1i", "-1.6"], ["c", 5, "m1i", "ten"]]


def test_nothing_pooled_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "t.csv").write_text("id,yi,vi\na,0.1,-1\nb,NA,0.1\nc,x,0.2\n")
    errors = tmp_path / "errors.txt"
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.parquet", "--errors", errors)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 3 problems in the input data:"
    assert [line.split(" skipped")[0].strip() for line in lines[1:]] == [
        "meta-analysis 'a'", "meta-analysis 'b'", "meta-analysis 'c'"]
    assert not (tmp_path / "o.parquet").exists()
    assert len(errors.read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.txt", "t.csv"]


def test_non_contiguous_ids_fail_before_anything_is_written(tmp_path):
    (tmp_path / "t.csv").write_text("id,yi,vi\na,0.1,0.1\nb,0.2,0.1\na,0.3,0.1\n")
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.csv", "--chunk-rows", "1")
    assert result.exit_code == 2
    assert "row 3: id must be contiguous" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_no_tau2_ci_and_common_effect(tmp_path):
    yi_vi_frame().to_csv(tmp_path / "t.csv", index=False)
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.csv", "--no-tau2-ci")
    out = read(tmp_path / "o.csv")
    assert result.exit_code == 0 and out["tau2_ci_low"].isna().all()
    assert (out["tau2"] > 0).any()
    fe = invoke(tmp_path / "t.csv", "--out", tmp_path / "fe.csv", "--method", "FE")
    out = read(tmp_path / "fe.csv")
    assert fe.exit_code == 0 and out["pi_low"].isna().all() and (out["tau2"] == 0).all()


@pytest.mark.parametrize("args, message", [
    (["--out", "o.xlsx"], "must end in .csv, .parquet"),
    (["--out", "o.csv", "--id-column", "meta"], "the id column 'meta' is not a column"),
    (["--out", "o.csv", "--method", "MH"], "Invalid value for '--method'"),
])
def test_bad_options(tmp_path, args, message):
    yi_vi_frame().to_csv(tmp_path / "t.csv", index=False)
    args = [str(tmp_path / a) if a.startswith("o.") else a for a in args]
    result = invoke(tmp_path / "t.csv", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_needs_a_measure_without_yi(tmp_path):
    (tmp_path / "t.csv").write_text("id,ai,n1i,ci,n2i\na,1,10,2,10\n")
    result = invoke(tmp_path / "t.csv", "--out", tmp_path / "o.csv")
    assert result.exit_code == 2 and "'measure' parameter is required" in result.stderr


def test_progress_callback_updates_a_display():
    with _progress(True) as update:
        assert update is not None
        update(10, 2)
    with _progress(False) as none:
        assert none is None


def test_dask_scheduler_run_equals_local_run(tmp_path):
    from distributed import LocalCluster

    from livingmeta.batch.pipeline import pool_file

    yi_vi_frame().to_csv(tmp_path / "t.csv", index=False)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                      dashboard_address=":0") as cluster:
        run = pool_file(tmp_path / "t.csv", tmp_path / "d.parquet", chunk_rows=5, window=3,
                        scheduler=cluster.scheduler_address)
    local = pool_file(tmp_path / "t.csv", tmp_path / "l.parquet", chunk_rows=5)
    assert run.written == local.written == 9 and run.chunks == local.chunks > 3
    pd.testing.assert_frame_equal(read(tmp_path / "d.parquet"), read(tmp_path / "l.parquet"),
                                  check_exact=True)
