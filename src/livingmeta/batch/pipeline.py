"""``livingmeta batch``: pool every meta-analysis of a CSV or Parquet table into a file.

The table is read in chunks of whole meta-analyses (:func:`~livingmeta.batch.io.read_chunks`);
each chunk is one task, :func:`pool_chunk`, run through
:func:`~livingmeta.batch.run_chunks` in this process or on a Dask cluster, and its rows
are streamed into the output as the results come back, in file order
(:class:`~livingmeta.batch.io.TableWriter`). Chunk results depend only on the chunk, so a
cluster run writes the same file as a local run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingmeta.batch.columns import pool_columns, resolve_measure
from livingmeta.batch.engine import BatchTable, SkippedAnalysis
from livingmeta.batch.executor import run_chunks
from livingmeta.batch.io import RawChunk, inspect_table, parse_numeric, read_chunks, table_format
from livingmeta.batch.output import TableWriter
from livingmeta.errors import DataValidationError, ParameterError, Problem, check_choice
from livingmeta.models.random import METHODS, TESTS
from livingmeta.results import check_level, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["BatchChunk", "BatchOptions", "BatchRun", "NothingPooledError", "pool_chunk",
           "pool_file"]


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """The model options of a batch run (as :func:`~livingmeta.batch.engine.pool_groups`)."""

    measure: str
    method: str
    test: str
    level: float
    tau2_ci: bool


@dataclass(frozen=True, slots=True)
class BatchChunk:
    """One task: a chunk of whole meta-analyses and the options (picklable)."""

    raw: RawChunk
    options: BatchOptions


def pool_chunk(chunk: BatchChunk) -> BatchTable:
    """Parse the cells of one chunk, compute effect sizes and pool each meta-analysis.

    A module-level pure function (a Dask task): the result depends only on ``chunk``.
    """
    raw, opt = chunk.raw, chunk.options
    problems: list[Problem] = []
    columns = {}
    for name, values in raw.columns.items():
        columns[name], found = parse_numeric(values, name, raw.rows, raw.study)
        problems += found
    table = pool_columns(raw.ids, columns, measure=opt.measure, method=opt.method,
                         test=opt.test, level=opt.level, tau2_ci=opt.tau2_ci, rows=raw.rows,
                         study=raw.study, problems=problems)
    if raw.problems:
        table = dataclasses.replace(
            table, skipped=(SkippedAnalysis(None, "no id", raw.problems), *table.skipped))
    return table


@dataclass(frozen=True, slots=True)
class BatchRun:
    """What a batch run did.

    Attributes
    ----------
    source, out : str
        The input table and the output file written.
    measure, method, test : str
        The options used (``FE`` reported as ``EE``).
    level : float
        Confidence level (fraction).
    rows_read : int
        Data rows read.
    written : int
        Meta-analyses pooled and written.
    chunks : int
        Chunks (tasks) run.
    skipped : tuple of SkippedAnalysis
        Meta-analyses left out, with the reason and located problems.
    """

    source: str
    out: str
    measure: str
    method: str
    test: str
    level: float
    rows_read: int
    written: int
    chunks: int
    skipped: tuple[SkippedAnalysis, ...]

    def skipped_counts(self) -> dict[str, int]:
        """Number of skipped meta-analyses by reason (``bad rows``, ``k = 0``, ``no id``)."""
        counts: dict[str, int] = {}
        for s in self.skipped:
            counts[s.reason] = counts.get(s.reason, 0) + (len(s.problems)
                                                          if s.id is None else 1)
        return counts

    def summary_line(self) -> str:
        """One line: meta-analyses written and skipped, with reasons."""
        reasons = ", ".join(f"{n} {reason}" for reason, n in self.skipped_counts().items())
        skipped = f"{len(self.skipped)} skipped ({reasons})" if self.skipped else "0 skipped"
        return (f"{self.written} meta-analyses written to {self.out} from {self.rows_read} "
                f"rows; {skipped}")

    def summary(self) -> Summary:
        """The summary line and one line per skipped meta-analysis."""
        from livingmeta.summary import Summary

        title = (f"Batch pooling of {self.source}: measure {self.measure}, method "
                 f"{self.method}, test {self.test}")
        return Summary(title, (self.summary_line(), *(str(s) for s in self.skipped)), ())

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field (level in percent, as the CLI)."""
        out: dict[str, Any] = jsonable(self)
        out["level"] = 100.0 * self.level
        out["skipped"] = [s.to_dict() for s in self.skipped]
        return out


class NothingPooledError(DataValidationError):
    """No meta-analysis of the table could be pooled; ``skipped`` says why for each."""

    def __init__(self, source: str, skipped: Sequence[SkippedAnalysis]):
        self.skipped = tuple(skipped)
        lines = [Problem(None, None, None, None, str(s)) for s in self.skipped] or [
            Problem(None, None, None, None, f"{source} has no data rows")]
        super().__init__(lines)


def _check_options(method: str, test: str, level: float, chunk_rows: int) -> tuple[str, str,
                                                                                    float]:
    method = check_choice("method", method, METHODS)
    test = check_choice("test", test, TESTS)
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ParameterError(f"The 'chunk_rows' parameter must be an integer >= 1. "
                             f"Got {chunk_rows!r}.")
    return "EE" if method == "FE" else method, test, check_level(level)


def pool_file(
    table: str | Path,
    out: str | Path,
    *,
    id_column: str = "id",
    measure: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tau2_ci: bool = True,
    chunk_rows: int = 100_000,
    scheduler: str | None = None,
    window: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchRun:
    """Pool every meta-analysis of a long-format table and write one row per meta-analysis.

    Parameters
    ----------
    table : str or Path
        CSV or Parquet (by extension): one row per study, an id column, and the columns
        ``livingmeta pool`` takes (``yi``/``vi``, or arm-level columns with ``measure``).
        The rows of one meta-analysis must be contiguous.
    out : str or Path
        Output file, CSV or Parquet by extension, with the columns
        :data:`~livingmeta.batch.engine.OUTPUT_COLUMNS`; written atomically.
    id_column : str
        Name of the id column.
    measure, method, test, level, tau2_ci :
        As in :func:`~livingmeta.batch.columns.pool_columns`.
    chunk_rows : int
        Rows read at a time (memory holds about this many plus one meta-analysis per
        chunk in flight).
    scheduler : str, optional
        Address of a Dask distributed scheduler; None runs in this process.
    window : int, optional
        Chunks in flight on the cluster (see :func:`~livingmeta.batch.run_chunks`).
    progress : callable, optional
        Called as ``progress(rows_read, meta_analyses_written)`` as the run advances.

    Returns
    -------
    BatchRun

    Raises
    ------
    NothingPooledError
        No meta-analysis could be pooled (nothing is written).
    DataValidationError
        A bad header, a missing column the measure needs, or an id whose rows are not
        contiguous (nothing is written).
    """
    method, test, level = _check_options(method, test, level, chunk_rows)
    table_format(out)
    layout = inspect_table(table, id_column)
    options = BatchOptions(resolve_measure(measure, list(layout.numeric.values())), method,
                           test, level, bool(tau2_ci))
    state = {"rows": 0, "written": 0, "chunks": 0}

    def report() -> None:
        if progress is not None:
            progress(state["rows"], state["written"])

    def chunks() -> Iterator[BatchChunk]:
        for raw in read_chunks(layout, chunk_rows):
            state["rows"] += raw.n_rows + len(raw.problems)
            report()
            yield BatchChunk(raw, options)

    skipped: list[SkippedAnalysis] = []
    with TableWriter(out) as writer:
        # run_chunks consumes the chunks lazily: the table streams on a cluster too.
        for result in run_chunks(pool_chunk, chunks(), scheduler=scheduler, name="batch",
                                 window=window):
            if result.n:  # an empty frame would give Parquet columns of type null
                writer.write(result.to_frame())
            skipped += result.skipped
            state["written"] += result.n
            state["chunks"] += 1
            report()
        if state["written"] == 0:
            raise NothingPooledError(str(table), skipped)
    return BatchRun(str(table), str(out), options.measure, method, test, level, state["rows"],
                    state["written"], state["chunks"], tuple(skipped))
