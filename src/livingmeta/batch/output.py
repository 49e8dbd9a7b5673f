"""Streaming, atomic output of the batch engine: CSV or Parquet, by extension.

:class:`TableWriter` streams chunks into a temporary file in the output's folder
(``pyarrow.parquet.ParquetWriter``, or CSV appended) and renames it over the output only
when the whole run succeeded: a failed run leaves nothing half-written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from livingmeta._io import write_atomically
from livingmeta.batch.engine import SkippedAnalysis
from livingmeta.batch.io import table_format
from livingmeta.errors import ParameterError, Problem

__all__ = ["TableWriter", "write_skipped"]


class TableWriter:
    """Write data frames one after another into one CSV or Parquet file, atomically.

    Use as a context manager: the frames go to a temporary file in the output's folder,
    renamed over ``path`` when the block ends without an exception and deleted otherwise.
    Every frame must have the columns of the first (Parquet: the same types).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> with TableWriter(out) as writer:
    ...     writer.write(pd.DataFrame({"id": ["a"], "k": [3]}))
    ...     writer.write(pd.DataFrame({"id": ["b"], "k": [1]}))
    >>> out.read_text().splitlines()
    ['id,k', 'a,3', 'b,1']
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.format = table_format(self.path)
        self._tmp: Path | None = None
        self._parquet: Any = None
        self._csv: Any = None
        self._schema: Any = None

    def __enter__(self) -> TableWriter:
        folder = self.path.resolve().parent
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=folder)
        os.close(fd)
        self._tmp = Path(tmp)
        if self.format == "csv":
            self._csv = open(self._tmp, "w", encoding="utf-8", newline="")
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame``."""
        if self._tmp is None:
            raise ParameterError("TableWriter.write must be called inside its 'with' block.")
        if self._csv is not None:
            frame.to_csv(self._csv, header=self._csv.tell() == 0, index=False,
                         lineterminator="\n")
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        if self._parquet is None:
            self._schema = table.schema
            self._parquet = pq.ParquetWriter(self._tmp, self._schema)
        self._parquet.write_table(table)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        tmp, self._tmp = self._tmp, None
        if tmp is None:
            return
        try:
            if self._csv is not None:
                self._csv.close()
            if self._parquet is not None:
                self._parquet.close()
            if exc_type is None:
                if self.format == "parquet" and self._parquet is None:
                    pd.DataFrame().to_parquet(tmp)  # no rows: still a valid (empty) file
                os.chmod(tmp, 0o644)  # mkstemp makes it private; an output is not
                os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)


def write_skipped(path: str | Path, skipped: Sequence[SkippedAnalysis]) -> None:
    """Write the skipped meta-analyses, atomically: CSV (``.csv``) or one line each.

    The CSV has one row per problem: ``id, row, column, value, rule, message``.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        write_atomically(path, "".join(f"{s}\n" for s in skipped))
        return
    records = [{"id": s.id, "row": p.row, "column": p.field,
                "value": None if p.value is None else str(p.value), "rule": p.rule,
                "message": str(s)}
               for s in skipped for p in (s.problems or (Problem(None, None, None, None,
                                                                 s.reason),))]
    frame = pd.DataFrame(records, columns=["id", "row", "column", "value", "rule", "message"])
    frame["row"] = frame["row"].astype("Int64")
    write_atomically(path, frame.to_csv(index=False, lineterminator="\n"))
