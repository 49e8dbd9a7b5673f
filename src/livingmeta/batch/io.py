"""Streaming input of the batch engine: CSV or Parquet, by extension.

Reading (:func:`read_chunks`) holds at most about ``chunk_rows`` rows plus one
meta-analysis in memory: the rows of the last id of a chunk may continue in the next
chunk, so they are carried over and the chunk ends before them. **The rows of one
meta-analysis must be contiguous** (the table sorted or grouped by id); an id that
reappears after other ids is an error naming its row (the run then writes nothing).
To detect that, the reader keeps a 64-bit hash of every id already passed on (8 bytes per
meta-analysis). Cells are passed on as read (CSV numbers parsed correctly rounded, as
``float(text)`` in :func:`~livingmeta.data.read_study_table`); :func:`parse_numeric` checks
the others inside each chunk's task, so that a bad cell skips only its own meta-analysis.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta.data import COLUMN_ALIASES, NUMERIC_COLUMNS
from livingmeta.errors import DataValidationError, ParameterError, Problem

__all__ = ["MISSING_TOKENS", "RawChunk", "TableLayout", "inspect_table", "parse_numeric",
           "read_chunks", "table_format"]

#: Cell texts read as missing values (compared after trimming, case-insensitively).
MISSING_TOKENS = ("", "na", "nan", "null", "none", ".")
_CSV_NA = sorted({v for t in MISSING_TOKENS for v in (t, t.upper(), t.capitalize())})
_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: str | Path) -> str:
    """``"csv"`` or ``"parquet"`` from the file's extension (ParameterError otherwise)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ParameterError(f"{str(path)!r} must end in .csv, .parquet or .pq "
                             f"(the format is chosen by extension). Got {suffix or 'none'!r}.")
    return _SUFFIXES[suffix]


@dataclass(frozen=True, slots=True)
class TableLayout:
    """Which columns of an input table the batch engine reads.

    Attributes
    ----------
    path : Path
        The table.
    format : str
        ``"csv"`` or ``"parquet"``.
    id_column : str
        Name of the id column, as in the file.
    study_column : str or None
        Name of the study-label column, as in the file (used in messages only).
    numeric : dict
        File column name -> canonical numeric column name (``yi``, ``sd1i``, ...).
    """

    path: Path
    format: str
    id_column: str
    study_column: str | None
    numeric: dict[str, str]


def _canonical(raw: str) -> str:
    lowered = raw.strip().lower()
    if lowered in NUMERIC_COLUMNS or lowered == "study":
        return lowered
    return COLUMN_ALIASES.get(lowered, raw.strip())


def inspect_table(path: str | Path, id_column: str = "id") -> TableLayout:
    """Read the header of a table and check its columns (every problem at once).

    The id column is matched exactly, else case-insensitively; numeric columns by their
    canonical names or aliases (:data:`livingmeta.data.COLUMN_ALIASES`).
    """
    path = Path(path)
    fmt = table_format(path)
    if not path.is_file():
        raise DataValidationError([Problem(None, None, None, None,
                                           f"file {str(path)!r} does not exist")])
    names = _header(path, fmt)
    matches = [n for n in names if n == id_column] or [
        n for n in names if n.strip().lower() == id_column.strip().lower()]
    problems: list[Problem] = []
    if not matches:
        problems.append(Problem(None, None, None, None,
                                f"the id column {id_column!r} is not a column of {path.name}; "
                                f"its columns are {', '.join(names) or '(none)'}"))
    numeric: dict[str, str] = {}
    seen: dict[str, str] = {}
    study = None
    for name in names:
        canon = _canonical(name)
        if matches and name == matches[0]:
            if canon in NUMERIC_COLUMNS:
                problems.append(Problem(None, None, None, None, f"column {name!r} cannot be "
                                        f"both the id column and the numeric column {canon!r}"))
            continue
        if canon in seen:
            problems.append(Problem(None, None, None, None, f"column {name!r} duplicates "
                                    f"column {seen[canon]!r} (both mean {canon!r})"))
            continue
        seen[canon] = name
        if canon in NUMERIC_COLUMNS:
            numeric[name] = canon
        elif canon == "study":
            study = name
    if problems:
        raise DataValidationError(problems)
    return TableLayout(path, fmt, matches[0], study, numeric)


def _header(path: Path, fmt: str) -> list[str]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise DataValidationError([Problem(None, None, None, None, f"file {str(path)!r} "
                                               f"is not valid Parquet: {exc}")]) from None
    try:
        return [str(c) for c in pd.read_csv(path, nrows=0, skipinitialspace=True).columns]
    except pd.errors.EmptyDataError:
        raise DataValidationError([Problem(None, None, None, None,
                                           f"file {str(path)!r} is empty")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataValidationError([Problem(None, None, None, None, f"file {str(path)!r} is "
                                           f"not valid CSV: {first}")]) from None


@dataclass(frozen=True, slots=True)
class RawChunk:
    """Whole meta-analyses of an input table, cells as read (picklable).

    Attributes
    ----------
    index : int
        Position of the chunk in the file (0, 1, ...).
    rows : ndarray of int
        1-based data row of each row (as a spreadsheet user counts below the header).
    ids : ndarray
        The id of each row (never missing: rows without an id are in ``problems``).
    study : ndarray or None
        Study labels (for messages), when the table has a study column.
    columns : dict
        Canonical numeric name -> cells (float array, or object array to be parsed).
    problems : tuple of Problem
        Rows without an id (read past, never pooled).
    """

    index: int
    rows: NDArray[np.int64]
    ids: NDArray[Any]
    study: NDArray[Any] | None
    columns: dict[str, NDArray[Any]]
    problems: tuple[Problem, ...] = ()

    @property
    def n_rows(self) -> int:
        """Rows with an id in this chunk."""
        return int(self.rows.shape[0])


def _frames(layout: TableLayout, chunk_rows: int) -> Iterator[dict[str, NDArray[Any]]]:
    """The needed columns of ``chunk_rows`` rows at a time, under canonical names."""
    wanted = [layout.id_column, *([layout.study_column] if layout.study_column else []),
              *layout.numeric]
    rename: dict[str | None, str] = {layout.id_column: "\0id", layout.study_column: "\0study"}
    rename.update(layout.numeric)
    if layout.format == "parquet":
        yield from _parquet_frames(layout.path, wanted, rename, chunk_rows)
        return
    reader = pd.read_csv(
        layout.path, chunksize=chunk_rows, usecols=wanted, skipinitialspace=True,
        dtype={c: str for c in wanted[: 2 if layout.study_column else 1]},
        keep_default_na=False, na_values={c: _CSV_NA for c in layout.numeric},
    )
    with reader:
        for frame in reader:
            yield {rename[c]: (frame[c].to_numpy() if pd.api.types.is_numeric_dtype(frame[c])
                               else frame[c].to_numpy(dtype=object))
                   for c in wanted}


def _parquet_frames(path: Path, wanted: list[str], rename: dict[str | None, str],
                    chunk_rows: int) -> Iterator[dict[str, NDArray[Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows, columns=wanted):
        out: dict[str, NDArray[Any]] = {}
        for name in wanted:
            col = batch.column(name)
            numeric = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
            if numeric and rename[name] not in ("\0id", "\0study"):
                out[rename[name]] = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
            elif numeric and col.null_count == 0:
                out[rename[name]] = col.to_numpy(zero_copy_only=False)
            elif numeric:  # integer ids with nulls: keep the integers, None for null
                out[rename[name]] = np.asarray(col.to_pylist(), dtype=object)
            else:
                out[rename[name]] = np.asarray(col.to_numpy(zero_copy_only=False),
                                               dtype=object)
        yield out


def _missing_ids(ids: NDArray[Any]) -> NDArray[np.bool_]:
    """Missing ids (None, NaN, blank text); text ids are trimmed in place."""
    missing = np.asarray(pd.isna(ids), dtype=bool)
    series = pd.Series(ids, dtype=object)
    if ids.dtype == object and pd.api.types.infer_dtype(series, skipna=True) == "string":
        stripped = series.str.strip()
        ids[:] = stripped.to_numpy(dtype=object)
        ids[missing] = None
        missing |= (stripped == "").to_numpy(dtype=bool)
    return missing


def _run_starts(ids: NDArray[Any]) -> NDArray[np.intp]:
    change = np.ones(ids.shape[0], dtype=bool)
    change[1:] = ids[1:] != ids[:-1]
    return np.flatnonzero(change)


class _IdRegister:
    """Hashes of the ids already passed on, to detect a meta-analysis split by others."""

    def __init__(self, id_column: str):
        self.seen = np.zeros(0, dtype=np.uint64)
        self.id_column = id_column

    def check(self, ids: NDArray[Any], rows: NDArray[np.int64], starts: NDArray[np.intp]) -> None:
        hashes = pd.util.hash_array(np.asarray(ids[starts]))
        order = np.argsort(hashes, kind="stable")
        repeat = np.flatnonzero(hashes[order][1:] == hashes[order][:-1])
        later = [int(order[i + 1]) for i in repeat]
        pos = np.minimum(np.searchsorted(self.seen, hashes), max(self.seen.size - 1, 0))
        if self.seen.size:
            later += np.flatnonzero(self.seen[pos] == hashes).tolist()
        if later:
            first = starts[min(later)]
            raise DataValidationError([Problem(
                int(rows[first]), None, self.id_column, ids[first],
                "must be contiguous: the rows of this meta-analysis appear again after rows "
                "of other ids (sort or group the table by id)")])

    def add(self, ids: NDArray[Any]) -> None:
        hashes = np.sort(pd.util.hash_array(np.asarray(ids)))
        self.seen = np.insert(self.seen, np.searchsorted(self.seen, hashes), hashes)


def read_chunks(layout: TableLayout, chunk_rows: int = 100_000) -> Iterator[RawChunk]:
    """Yield the table in chunks of whole meta-analyses, in file order.

    Each read of ``chunk_rows`` rows is passed on without its last meta-analysis, which
    may continue in the next read and is carried over (the file's last one makes the last
    chunk): a chunk holds at most ``chunk_rows`` rows plus one meta-analysis.

    Raises
    ------
    DataValidationError
        An id reappears after rows of other ids (the rows must be contiguous).
    """
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ParameterError(f"The 'chunk_rows' parameter must be an integer >= 1. "
                             f"Got {chunk_rows!r}.")
    register = _IdRegister(layout.id_column)
    carry: dict[str, NDArray[Any]] | None = None
    next_row, index = 1, 0
    for frame in _frames(layout, chunk_rows):
        n = frame["\0id"].shape[0]
        frame["\0row"] = np.arange(next_row, next_row + n, dtype=np.int64)
        next_row += n
        frame, problems = _drop_missing_ids(frame, layout.id_column)
        if carry is not None:
            frame = {name: np.concatenate([carry[name], frame[name]]) for name in frame}
        starts = _run_starts(frame["\0id"])
        register.check(frame["\0id"], frame["\0row"], starts)
        # The last meta-analysis may continue in the next read: carry it over.
        cut = int(starts[-1]) if starts.size else 0
        carry = {name: values[cut:] for name, values in frame.items()} if starts.size else None
        frame = {name: values[:cut] for name, values in frame.items()}
        if cut or problems:
            register.add(frame["\0id"][starts[:-1]])
            yield _chunk(index, frame, problems, layout)
            index += 1
    if carry is not None:
        yield _chunk(index, carry, (), layout)


def _drop_missing_ids(frame: dict[str, NDArray[Any]],
                      id_column: str) -> tuple[dict[str, NDArray[Any]], list[Problem]]:
    missing = _missing_ids(frame["\0id"])
    if not missing.any():
        return frame, []
    problems = [Problem(int(r), None, id_column, None, "must be given (the meta-analysis id)")
                for r in frame["\0row"][missing].tolist()]
    return {name: values[~missing] for name, values in frame.items()}, problems


def _chunk(index: int, frame: dict[str, NDArray[Any]], problems: Sequence[Problem],
           layout: TableLayout) -> RawChunk:
    study = frame.get("\0study")
    columns = {name: values for name, values in frame.items() if not name.startswith("\0")}
    return RawChunk(index, frame["\0row"], frame["\0id"], study, columns, tuple(problems))


def parse_numeric(values: NDArray[Any], field: str, rows: NDArray[np.int64],
                  study: NDArray[Any] | None = None) -> tuple[NDArray[np.float64],
                                                              list[Problem]]:
    """Cells of one numeric column as floats (NaN when missing), and the bad cells.

    A cell that is not a number, or not finite, is a :class:`~livingmeta.errors.Problem`
    naming its row, column and value (the cell becomes NaN).
    """
    problems: list[Problem] = []

    def label(i: int) -> str | None:
        return None if study is None or study[i] is None else str(study[i])

    if values.dtype.kind in "fiub":
        out = values.astype(np.float64)
    else:
        out = np.full(values.shape[0], np.nan)
        for i, raw in enumerate(values.tolist()):
            text = "" if raw is None else str(raw).strip()
            if text.lower() in MISSING_TOKENS or (isinstance(raw, float) and np.isnan(raw)):
                continue
            try:
                out[i] = float(text)
            except ValueError:
                problems.append(Problem(int(rows[i]), label(i), field, text, "must be a number"))
    for i in np.flatnonzero(np.isinf(out)).tolist():
        problems.append(Problem(int(rows[i]), label(i), field, str(values[i]).strip(),
                                "must be a finite number"))
        out[i] = np.nan
    return out, problems

