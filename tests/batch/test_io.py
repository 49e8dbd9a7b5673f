"""Streaming input and atomic output of the batch engine (livingmeta.batch.io, .output)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from livingmeta.batch.engine import SkippedAnalysis
from livingmeta.batch.io import inspect_table, parse_numeric, read_chunks, table_format
from livingmeta.batch.output import TableWriter, write_skipped
from livingmeta.errors import DataValidationError, ParameterError, Problem

SIZES = [3, 1, 7, 2, 2, 5, 1, 4]  # the 7 straddles any chunk size below 7


def long_frame() -> pd.DataFrame:
    ids = np.repeat([f"id{j}" for j in range(len(SIZES))], SIZES)
    n = ids.size
    return pd.DataFrame({"id": ids, "study": [f"s{i}" for i in range(n)],
                         "yi": np.linspace(-1, 1, n), "vi": np.linspace(0.01, 0.2, n),
                         "notes": ["x"] * n})


def write(frame: pd.DataFrame, path) -> None:
    if str(path).endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 5, 100])
def test_chunks_keep_meta_analyses_whole_with_bounded_rows(tmp_path, suffix, chunk_rows):
    frame = long_frame()
    path = tmp_path / f"t{suffix}"
    write(frame, path)
    chunks = list(read_chunks(inspect_table(path), chunk_rows))
    ids = [c.ids.tolist() for c in chunks]
    # Every id lies in exactly one chunk, whole, and in file order.
    assert list(itertools.chain(*ids)) == frame["id"].tolist()
    firsts = list(itertools.chain(*(dict.fromkeys(i) for i in ids)))
    assert firsts == list(dict.fromkeys(frame["id"]))
    # Memory bound: a chunk never holds more than chunk_rows plus one meta-analysis.
    assert max(c.n_rows for c in chunks) <= chunk_rows + max(SIZES)
    assert np.concatenate([c.rows for c in chunks]).tolist() == list(range(1, len(frame) + 1))
    assert np.concatenate([c.columns["yi"] for c in chunks]).tolist() == frame["yi"].tolist()
    assert set(chunks[0].columns) == {"yi", "vi"}  # other columns are not read
    assert chunks[0].study is not None and chunks[0].study[0] == "s0"


def test_small_chunks_are_bounded_by_chunk_rows_plus_one_meta_analysis(tmp_path):
    path = tmp_path / "t.csv"
    write(long_frame(), path)
    chunks = list(read_chunks(inspect_table(path), 2))
    # The 7-row meta-analysis is carried through reads of 2 rows until it ends.
    seven = [c for c in chunks if "id2" in c.ids.tolist()]
    assert len(seven) == 1 and seven[0].ids.tolist().count("id2") == 7
    assert seven[0].n_rows <= 2 + 7


@pytest.mark.parametrize("chunk_rows", [2, 100])
def test_non_contiguous_id_is_an_error_naming_the_row(tmp_path, chunk_rows):
    frame = long_frame()
    frame.loc[12, "id"] = "id0"  # id0 is rows 1-3; row 13 brings it back
    path = tmp_path / "t.csv"
    write(frame, path)
    with pytest.raises(DataValidationError, match=r"row 13: id must be contiguous") as info:
        list(read_chunks(inspect_table(path), chunk_rows))
    assert info.value.problems[0].value == "id0"


def test_rows_without_id_are_reported_and_the_rest_go_on(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,yi,vi\na,0.1,0.1\n,0.2,0.1\na,0.3,0.1\n  ,0.2,0.1\nb,0.1,0.1\n")
    chunks = list(read_chunks(inspect_table(path), 100))
    assert list(itertools.chain(*(c.ids.tolist() for c in chunks))) == ["a", "a", "b"]
    problems = [p for c in chunks for p in c.problems]
    assert [(p.row, p.field) for p in problems] == [(2, "id"), (4, "id")]


def test_header_problems_are_reported_at_once(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("ID,effect,variance,label\n1,0.1,0.2,A\n")
    layout = inspect_table(path, "id")  # matched case-insensitively; aliases understood
    assert (layout.id_column, layout.study_column) == ("ID", "label")
    assert layout.numeric == {"effect": "yi", "variance": "vi"}
    path.write_text("ID,effect,yi,variance\n1,0.1,0.2,0.3\n")
    with pytest.raises(DataValidationError) as info:
        inspect_table(path, "meta")
    assert str(info.value).splitlines()[1:] == [
        "  the id column 'meta' is not a column of t.csv; its columns are ID, effect, yi, "
        "variance", "  column 'yi' duplicates column 'effect' (both mean 'yi')"]
    with pytest.raises(DataValidationError, match="does not exist"):
        inspect_table(tmp_path / "none.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataValidationError, match="is empty"):
        inspect_table(tmp_path / "empty.csv")
    with pytest.raises(ParameterError, match=r"\.csv, \.parquet"):
        table_format("table.xlsx")


def test_parse_numeric_locates_bad_cells():
    values = np.array(["1.5", " NA ", "abc", "inf", None, "2e-3", "."], dtype=object)
    rows = np.arange(10, 17)
    out, problems = parse_numeric(values, "sd1i", rows, np.array(["A"] * 7, dtype=object))
    assert np.array_equal(out, [1.5, np.nan, np.nan, np.nan, np.nan, 0.002, np.nan],
                          equal_nan=True)
    assert [(p.row, p.value, p.rule) for p in problems] == [
        (12, "abc", "must be a number"), (13, "inf", "must be a finite number")]
    assert str(problems[0]) == "study 'A' (row 12): sd1i must be a number, got 'abc'"
    floats, none = parse_numeric(np.array([0.5, np.inf]), "yi", rows[:2])
    assert np.isnan(floats[1]) and none[0].rule == "must be a finite number"


def test_csv_cells_are_read_exactly_as_pool_reads_them(tmp_path):
    text = "0.1000000000000000055511151231257827,3.141592653589793238,1e-310"
    path = tmp_path / "t.csv"
    path.write_text("id,yi\n" + "".join(f"a,{v}\n" for v in text.split(",")))
    chunk = next(read_chunks(inspect_table(path), 10))
    assert chunk.columns["yi"].tolist() == [float(v) for v in text.split(",")]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_writer_streams_frames_into_one_file(tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    parts = [pd.DataFrame({"id": ["a", "b"], "x": [0.1, np.nan], "ok": [True, False]}),
             pd.DataFrame({"id": ["c"], "x": [1 / 3], "ok": [True]})]
    with TableWriter(out) as writer:
        for part in parts:
            writer.write(part)
        assert not out.exists()  # nothing at the final path until the end
    back = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert back["id"].tolist() == ["a", "b", "c"]
    assert np.array_equal(back["x"].to_numpy(), [0.1, np.nan, 1 / 3], equal_nan=True)
    assert back["ok"].tolist() == [True, False, True]
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_writer_leaves_nothing_on_failure(tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    out.write_text("previous")
    with pytest.raises(RuntimeError), TableWriter(out) as writer:
        writer.write(pd.DataFrame({"id": ["a"], "x": [1.0]}))
        raise RuntimeError("the run failed")
    assert out.read_text() == "previous"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_write_skipped_as_csv_and_text(tmp_path):
    skipped = [SkippedAnalysis("m1", "bad rows", (Problem(4, None, "sd1i", -1.5, "must be > 0"),
                                                  Problem(5, None, "n1i", 0, "must be > 0"))),
               SkippedAnalysis("m2", "k = 0")]
    write_skipped(tmp_path / "e.csv", skipped)
    frame = pd.read_csv(tmp_path / "e.csv")
    assert frame["id"].tolist() == ["m1", "m1", "m2"]
    assert frame["row"].tolist()[:2] == [4, 5] and frame["column"].tolist()[0] == "sd1i"
    assert frame["value"].tolist()[0] == -1.5 and frame["rule"].tolist()[2] == "k = 0"
    write_skipped(tmp_path / "e.txt", skipped)
    lines = (tmp_path / "e.txt").read_text().splitlines()
    assert lines == ["meta-analysis 'm1' skipped (bad rows): row 4: sd1i must be > 0, got -1.5; "
                     "row 5: n1i must be > 0, got 0", "meta-analysis 'm2' skipped (k = 0)"]


def test_chunk_rows_must_be_positive(tmp_path):
    path = tmp_path / "t.csv"
    write(long_frame(), path)
    with pytest.raises(ParameterError, match="chunk_rows"):
        next(read_chunks(inspect_table(path), 0))


def test_parquet_integer_ids_with_nulls_and_text_cells(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": pa.array([7, 7, None, 9]),
                             "yi": pa.array(["0.1", "x", None, "0.3"]),
                             "vi": pa.array([0.1, None, 0.2, 1.0])}), tmp_path / "t.parquet")
    chunks = list(read_chunks(inspect_table(tmp_path / "t.parquet"), 2))
    assert [c.ids.tolist() for c in chunks] == [[7, 7], [9]]
    assert [(p.row, p.field) for p in chunks[0].problems] == [(3, "id")]
    values, problems = parse_numeric(chunks[0].columns["yi"], "yi", chunks[0].rows)
    assert values[0] == 0.1 and [(p.row, p.value) for p in problems] == [(2, "x")]
