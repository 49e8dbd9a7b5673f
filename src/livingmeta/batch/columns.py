"""Batch pooling from study-level columns: one ``escalc`` call for all rows, then the engine.

The columns are those ``livingmeta pool`` reads (metafor's names: ``ai n1i m1i sd1i yi vi
sei ...``). Effect sizes are computed for every row at once with
:func:`~livingmeta.effects.escalc` (its computations are row by row, with per-study
zero-cell corrections), so the batch equals ``pool`` on each meta-analysis. A
meta-analysis with an invalid row (a negative SD, events above the group size, a cell that
is not a number) is skipped whole and reported with the row, column, value and rule, as
``pool`` would refuse it; the others go on.
"""

from __future__ import annotations

import dataclasses
import inspect
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta.batch.engine import BatchTable, SkippedAnalysis, pool_groups
from livingmeta.effects import EffectSizes, escalc
from livingmeta.effects.escalc import MEASURES
from livingmeta.errors import DataValidationError, ParameterError, Problem, check_choice

__all__ = ["pool_columns", "resolve_measure"]

_ESCALC_COLUMNS = frozenset(inspect.signature(escalc).parameters) - {"measure", "study"}


def resolve_measure(measure: str | None, columns: Sequence[str]) -> str:
    """The measure to compute: as given, or ``"GEN"`` when there is a ``yi`` column."""
    if measure is None:
        if "yi" in columns:
            return "GEN"
        raise ParameterError("The 'measure' parameter is required unless the table has a 'yi' "
                             f"column; choose one of {{{', '.join(MEASURES)}}}.")
    return check_choice("measure", measure, MEASURES)


def _effects(measure: str, columns: Mapping[str, NDArray[np.float64]],
             codes: NDArray[np.intp], rows: NDArray[np.int64], study: NDArray[Any] | None,
             found: list[tuple[int, Problem]]) -> tuple[EffectSizes | None, NDArray[np.bool_]]:
    """escalc on the rows of the meta-analyses without a problem so far.

    A meta-analysis with a row escalc rejects joins ``found`` and escalc runs again
    without it (the problems are per row, so the second pass succeeds). Returns the
    effect sizes and which rows they are.
    """
    if measure == "GEN" and set(columns) == {"yi", "vi"}:
        _check_generic_vi(columns["vi"], rows, study, found)
    while True:
        alive = ~np.isin(codes, codes[[i for i, _ in found]])
        if not alive.any():
            return None, alive
        idx = np.flatnonzero(alive)
        if measure == "GEN" and set(columns) == {"yi", "vi"}:
            # escalc's GEN with yi and vi only returns them as given (once vi > 0 is
            # checked); its per-row notes would cost more than the pooling.
            return EffectSizes("GEN", columns["yi"][idx], columns["vi"][idx],
                               study=(), notes=(), zero_cell_corrected=np.zeros(idx.size, bool)
                               ), alive
        labels = None if study is None else [
            f"row {r}" if s is None else str(s) for s, r in zip(study[idx], rows[idx],
                                                              strict=True)]
        try:
            with warnings.catch_warnings():
                # Zero-cell corrections are recorded per row (es.zero_cell_corrected).
                warnings.simplefilter("ignore")
                selected: dict[str, Any] = {n: v[idx] for n, v in columns.items()}
                return escalc(measure, study=labels, **selected), alive
        except DataValidationError as exc:
            if any(p.row is None for p in exc.problems):
                raise  # a whole-table problem (a required column is absent): fatal
            for p in exc.problems:
                local = int(idx[int(p.row) - 1])  # type: ignore[arg-type]
                found.append((local, dataclasses.replace(
                    p, row=int(rows[local]), study=None if study is None else p.study)))


def _check_generic_vi(vi: NDArray[np.float64], rows: NDArray[np.int64],
                      study: NDArray[Any] | None, found: list[tuple[int, Problem]]) -> None:
    """escalc's rule for given variances (measure GEN): vi must be > 0 where present."""
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(vi <= 0.0)
    for i in bad.tolist():
        label = None if study is None or study[i] is None else str(study[i])
        value = float(vi[i])
        found.append((i, Problem(int(rows[i]), label, "vi",
                                 int(value) if value.is_integer() else value, "must be > 0")))


def pool_columns(
    ids: object,
    columns: Mapping[str, object],
    *,
    measure: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tau2_ci: bool = True,
    rows: object = None,
    study: object = None,
    problems: Sequence[Problem] = (),
) -> BatchTable:
    """Compute effect sizes from study columns and pool every meta-analysis.

    Parameters
    ----------
    ids : array_like, shape (n,)
        Meta-analysis of each row (none missing).
    columns : mapping
        Canonical column name (``yi vi sei ai bi ci di n1i m1i sd1i ...``) -> values
        (NaN for missing); names escalc does not take are ignored.
    measure : str, optional
        Effect-size measure (metafor's code); ``"GEN"`` when omitted and ``yi`` is given.
    method, test, level, tau2_ci :
        As in :func:`~livingmeta.batch.engine.pool_groups`.
    rows : array_like of int, optional
        Data row number of each row, increasing (default 1, 2, ...), for messages.
    study : array_like, optional
        Study labels, for messages.
    problems : sequence of Problem
        Problems already found in these rows (e.g. cells that are not numbers), located
        by ``row``: their meta-analyses are skipped.

    Returns
    -------
    BatchTable
        With every meta-analysis that had an invalid row in ``skipped``.

    Examples
    --------
    >>> t = pool_columns(["a", "a", "b", "b"], {"ai": [4, 6, 2, 3], "n1i": [20, 25, 30, 30],
    ...                  "ci": [8, 9, 5, -1], "n2i": [20, 25, 30, 30]}, measure="OR",
    ...                  method="DL")
    >>> t.id.tolist()
    ['a']
    >>> print(t.skipped[0])
    meta-analysis 'b' skipped (bad rows): row 4: ci must be a non-negative integer, got -1
    """
    labels = np.asarray(ids)
    n = labels.shape[0]
    measure = resolve_measure(measure, list(columns))
    row_numbers = (np.arange(1, n + 1, dtype=np.int64) if rows is None
                   else np.asarray(rows, dtype=np.int64))
    labels_study = None if study is None else np.asarray(study, dtype=object)
    cols = {name: np.asarray(values, dtype=np.float64).reshape(-1)
            for name, values in columns.items() if name in _ESCALC_COLUMNS}
    if any(c.shape[0] != n for c in cols.values()) or row_numbers.shape[0] != n:
        raise ParameterError(f"ids, rows and every column must have {n} values.")
    codes, uniques = pd.factorize(labels, sort=False)
    if (codes < 0).any():
        raise ParameterError("ids must not be missing.")
    found = [(int(np.searchsorted(row_numbers, p.row)), p) for p in problems
             if p.row is not None]
    es, alive = _effects(measure, cols, codes, row_numbers, labels_study, found)
    table = pool_groups(
        labels[alive], np.zeros(0) if es is None else es.yi,
        np.zeros(0) if es is None else es.vi, method=method, test=test, level=level,
        tau2_ci=tau2_ci, measure=measure,
        zero_cell_corrected=None if es is None else es.zero_cell_corrected)
    return dataclasses.replace(table, skipped=_skipped(found, codes, uniques, table.skipped))


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _skipped(found: list[tuple[int, Problem]], codes: NDArray[np.intp], uniques: Any,
             empty: tuple[SkippedAnalysis, ...]) -> tuple[SkippedAnalysis, ...]:
    """Bad meta-analyses and those with k = 0, in order of first appearance of the id."""
    by_code: dict[int, list[Problem]] = {}
    for local, problem in sorted(found, key=lambda item: (item[0], str(item[1].field))):
        by_code.setdefault(int(codes[local]), []).append(problem)
    out = [(c, SkippedAnalysis(_python(uniques[c]), "bad rows", tuple(p)))
           for c, p in by_code.items()]
    position = {_python(v): i for i, v in enumerate(uniques)} if empty else {}
    out += [(position[s.id], s) for s in empty]
    return tuple(s for _, s in sorted(out, key=lambda item: item[0]))
