"""Input handling and validation shared by the measure families.

Every family validates its own columns with a :class:`ProblemCollector`, which gathers
*all* problems (row, study, field, value, rule) and raises one
:class:`~livingmeta.errors.DataValidationError` at the end (STYLE.md, convention 7).
Missing values (NaN) are never a problem here: such a study simply gets ``yi = vi = NaN``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from livingmeta.errors import DataValidationError, ParameterError, Problem

__all__ = ["Columns", "FloatArray", "ProblemCollector", "as_columns", "join_notes"]

FloatArray = npt.NDArray[np.float64]
Columns = Mapping[str, FloatArray | None]


def _as_float(name: str, value: object) -> FloatArray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"The {name!r} argument must be numeric (NaN for missing).") from exc
    if arr.ndim > 1:
        raise ParameterError(
            f"The {name!r} argument must be a scalar or a 1-d array, got shape {arr.shape}."
        )
    return arr


def as_columns(raw: Mapping[str, object], study: Sequence[object] | None) -> tuple[
    dict[str, FloatArray | None], tuple[str, ...], set[str]
]:
    """Convert the given columns to float arrays of one common length k.

    Scalars are broadcast to k (e.g. one assumed ``ri`` for every study). Returns the
    columns, the study labels ("Study 1", ... when ``study`` is None) and the names of
    the columns given as scalars.
    """
    arrays = {name: _as_float(name, v) for name, v in raw.items() if v is not None}
    lengths = {name: a.shape[0] for name, a in arrays.items() if a.ndim == 1}
    if study is not None:
        lengths["study"] = len(study)
    sizes = set(lengths.values())
    if len(sizes) > 1:
        shown = ", ".join(f"{n}={m}" for n, m in sorted(lengths.items()))
        raise ParameterError(f"All columns must have the same length; got {shown}.")
    k = sizes.pop() if sizes else 1
    scalars = {name for name, a in arrays.items() if a.ndim == 0}
    cols: dict[str, FloatArray | None] = dict.fromkeys(raw)
    for name, a in arrays.items():
        cols[name] = np.array(np.broadcast_to(a, (k,)), dtype=np.float64)
    labels = (
        tuple(f"Study {i + 1}" for i in range(k))
        if study is None
        else tuple(str(s) for s in study)
    )
    return cols, labels, scalars


def join_notes(notes: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """One string per study: its notes joined by '; ' ('' when none)."""
    return tuple("; ".join(n) for n in notes)


def _shown(value: float) -> object:
    return int(value) if float(value).is_integer() else float(value)


class ProblemCollector:
    """Collect located problems for one measure, then raise them all at once."""

    def __init__(self, measure: str, labels: Sequence[str]):
        self.measure = measure
        self.labels = tuple(labels)
        self.problems: list[Problem] = []

    # -- whole-table problems -------------------------------------------------------
    def require(self, cols: Columns, *names: str) -> bool:
        """Record a Problem for each required column that was not given."""
        ok = True
        for name in names:
            if cols.get(name) is None:
                self.problems.append(
                    Problem(None, None, name, None, f"must be given for measure {self.measure!r}")
                )
                ok = False
        return ok

    def require_one_of(self, cols: Columns, first: str, second: str) -> bool:
        """Record a Problem when neither of two alternative columns was given."""
        if cols.get(first) is None and cols.get(second) is None:
            self.problems.append(
                Problem(None, None, f"{first} or {second}", None,
                        f"must be given for measure {self.measure!r}")
            )
            return False
        return True

    # -- row problems ---------------------------------------------------------------
    def flag(self, field: str, values: FloatArray, bad: npt.NDArray[np.bool_], rule: str) -> None:
        """Record a Problem for every row where ``bad`` is True (NaN rows are skipped)."""
        bad = np.asarray(bad) & ~np.isnan(values)
        for i in np.flatnonzero(bad):
            self.problems.append(
                Problem(int(i) + 1, self.labels[i], field, _shown(values[i]), rule)
            )

    def positive(self, cols: Columns, *names: str, strict: bool = True) -> None:
        for name in names:
            v = cols.get(name)
            if v is not None:
                with np.errstate(invalid="ignore"):
                    bad = v <= 0 if strict else v < 0
                self.flag(name, v, bad, "must be > 0" if strict else "must be >= 0")

    def sample_size(self, cols: Columns, *names: str, minimum: int = 1) -> None:
        for name in names:
            v = cols.get(name)
            if v is None:
                continue
            with np.errstate(invalid="ignore"):
                small = v < minimum
                nonint = ~small & (v != np.round(v))
            rule = f"must be an integer >= {minimum}"
            if minimum > 1:
                rule += f" for measure {self.measure!r}"
            self.flag(name, v, small | nonint, rule)

    def count(self, cols: Columns, *names: str) -> None:
        for name in names:
            v = cols.get(name)
            if v is not None:
                with np.errstate(invalid="ignore"):
                    bad = (v < 0) | (v != np.round(v))
                self.flag(name, v, bad, "must be a non-negative integer")

    def at_most(self, cols: Columns, name: str, bound: str) -> None:
        """Rows where cols[name] > cols[bound] (e.g. events above the group size)."""
        v, b = cols.get(name), cols.get(bound)
        if v is None or b is None:
            return
        with np.errstate(invalid="ignore"):
            bad = v > b
        for i in np.flatnonzero(bad & ~np.isnan(v) & ~np.isnan(b)):
            self.problems.append(
                Problem(int(i) + 1, self.labels[i], name, _shown(v[i]),
                        f"must be <= {bound} ({_shown(b[i])})")
            )

    def ordered(self, cols: Columns, names: Sequence[str]) -> None:
        """Each present column must be >= the nearest present column before it."""
        present: list[tuple[str, FloatArray]] = [
            (n, a) for n in names if (a := cols.get(n)) is not None
        ]
        for (lo_name, lo), (name, v) in itertools.pairwise(present):
            with np.errstate(invalid="ignore"):
                bad = v < lo
            for i in np.flatnonzero(bad):
                self.problems.append(
                    Problem(int(i) + 1, self.labels[i], name, _shown(v[i]),
                            f"must be >= {lo_name} ({_shown(lo[i])})")
                )

    def within(self, cols: Columns, name: str, lo: float, hi: float, rule: str,
               lo_open: bool = False) -> None:
        v = cols.get(name)
        if v is None:
            return
        with np.errstate(invalid="ignore"):
            bad = ((v <= lo) if lo_open else (v < lo)) | (v > hi)
        self.flag(name, v, bad, rule)

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataValidationError(self.problems)
