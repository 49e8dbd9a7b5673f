"""Shared machinery of the 2x2-table poolers (Mantel-Haenszel and Peto).

Checking the counts once at the boundary, the per-table effect sizes that enter Q
(escalc-style zero-cell handling), Q/I2/H2, provenance and the JSON-safe result methods.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from livingmeta.errors import (
    DataValidationError,
    DroppedStudiesWarning,
    LivingMetaWarning,
    ParameterError,
    Problem,
    ZeroCellWarning,
    check_choice,
)
from livingmeta.results import Provenance, check_level, critical_value, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

_CELLS = ("ai", "bi", "ci", "di")
_RATIO_MEASURES = ("OR", "RR", "PETO")


@dataclass(frozen=True, slots=True)
class BinaryTables:
    """Checked counts of k 2x2 tables (float arrays) and their study labels."""

    ai: np.ndarray
    bi: np.ndarray
    ci: np.ndarray
    di: np.ndarray
    study: tuple[str, ...]

    @property
    def k(self) -> int:
        return int(self.ai.shape[-1])


def warn_and_record(
    messages: list[str], category: type[LivingMetaWarning], message: str
) -> None:
    """Issue a warning and keep its message for the result's ``warnings``."""
    messages.append(message)
    warnings.warn(message, category, stacklevel=3)


def _cell_value(raw: object) -> tuple[float, str | None]:
    """A count as float (NaN when missing) and the rule it breaks, if any."""
    if raw is None:
        return math.nan, None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan, "must be a number"
    if math.isnan(value):
        return value, None
    if math.isinf(value):
        return value, "must be finite"
    if value < 0:
        return value, "must be >= 0"
    if value != round(value):
        return value, "must be a whole number (a count)"
    return value, None


def check_options(level: float, add: float, to: str) -> None:
    """Raise ParameterError for a bad ``level``, ``add`` or ``to``."""
    check_level(level)
    check_choice("to", to, ("only0", "all", "if0all", "none"))
    if isinstance(add, bool) or not (isinstance(add, float | int) and math.isfinite(add)
                                     and add >= 0):
        raise ParameterError(f"The 'add' parameter must be a number >= 0. Got {add!r}.")


def prepare_tables(
    ai: Any, bi: Any, ci: Any, di: Any, study: Sequence[object] | None, level: float,
    add: float, to: str, messages: list[str],
) -> BinaryTables:
    """Check the options, shapes and counts; drop tables with a missing count (warning).

    Every bad cell of every row is collected and raised as one DataValidationError.
    """
    check_options(level, add, to)
    columns = {name: np.asarray(x, dtype=object).reshape(-1) for name, x in
               zip(_CELLS, (ai, bi, ci, di), strict=True)}
    sizes = {name: col.size for name, col in columns.items()}
    if len(set(sizes.values())) != 1:
        raise ParameterError(f"ai, bi, ci and di must have the same length. Got {sizes}.")
    k = sizes["ai"]
    labels = tuple(str(i + 1) for i in range(k)) if study is None else tuple(map(str, study))
    if len(labels) != k:
        raise ParameterError(f"The 'study' parameter must have {k} labels. Got {len(labels)}.")
    values = {name: np.empty(k) for name in _CELLS}
    problems: list[Problem] = []
    for row in range(k):
        for name in _CELLS:
            raw = columns[name][row]
            value, rule = _cell_value(raw)
            values[name][row] = value
            if rule is not None:
                problems.append(Problem(row + 1, labels[row], name, raw, rule))
    if problems:
        raise DataValidationError(problems)
    complete = ~np.any(np.isnan(np.stack(list(values.values()))), axis=0)
    if not complete.any():
        raise DataValidationError([Problem(None, None, None, None,
                                           "no table has all four counts (k = 0)")])
    if not complete.all():
        left_out = [s for s, ok in zip(labels, complete, strict=True) if not ok]
        warn_and_record(messages, DroppedStudiesWarning,
                        f"{len(left_out)} table(s) with a missing count left out: "
                        + ", ".join(left_out))
    kept = tuple(s for s, ok in zip(labels, complete, strict=True) if ok)
    return BinaryTables(values["ai"][complete], values["bi"][complete],
                        values["ci"][complete], values["di"][complete], kept)


def table_effects(
    measure: str, t: BinaryTables, *, add: float, to: str, drop00: bool, messages: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-table ``yi``, ``vi`` (NaN where undefined) with escalc's zero-cell handling.

    Double-zero tables (no events, or only events, in both arms) are set to NaN first when
    ``drop00``; then ``add`` goes to every cell of the tables chosen by ``to``
    (metafor documentation, ``escalc``, arguments ``add``, ``to``, ``drop00``).
    """
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    double_zero = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    dropped = double_zero if drop00 else np.zeros_like(double_zero)
    has_zero = ((a == 0) | (b == 0) | (c == 0) | (d == 0)) & ~dropped
    if to == "only0":
        corrected = has_zero
    elif to == "all":
        corrected = ~dropped
    elif to == "if0all":
        corrected = ~dropped & bool(has_zero.any())
    else:
        corrected = np.zeros_like(has_zero)
    if add == 0:
        corrected = np.zeros_like(corrected)
    a, b, c, d = (x + add * corrected for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "OR":
            yi = np.log(a * d / (b * c))  # escalc "OR"
            vi = 1 / a + 1 / b + 1 / c + 1 / d
        elif measure == "RR":
            yi = np.log((a / n1) / (c / n2))  # escalc "RR"
            vi = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure == "RD":
            yi = a / n1 - c / n2  # escalc "RD", large-sample variance
            vi = a * b / n1**3 + c * d / n2**3
        else:
            n, m1 = n1 + n2, a + c
            v = n1 * n2 * m1 * (b + d) / (n**2 * (n - 1))  # Yusuf et al. 1985
            yi = (a - n1 * m1 / n) / v
            vi = 1 / v
    undefined = dropped | ~np.isfinite(yi) | ~np.isfinite(vi) | ~(vi > 0)
    yi, vi = np.where(undefined, np.nan, yi), np.where(undefined, np.nan, vi)
    if dropped.any():
        warn_and_record(messages, ZeroCellWarning, _names(
            "double-zero table(s) left out of the heterogeneity statistics", t, dropped))
    if corrected.any():
        warn_and_record(messages, ZeroCellWarning, _names(
            f"{add:g} added to every cell of the table(s) with zero cells for yi/vi",
            t, corrected))
    if (undefined & ~dropped).any():
        warn_and_record(messages, ZeroCellWarning, _names(
            "yi/vi undefined, table(s) left out of the heterogeneity statistics",
            t, undefined & ~dropped))
    return yi, vi


def _names(what: str, t: BinaryTables, mask: np.ndarray) -> str:
    return f"{what}: " + ", ".join(s for s, m in zip(t.study, mask, strict=True) if m)


def heterogeneity(
    yi: np.ndarray, vi: np.ndarray, estimate: float, q: float | None = None
) -> tuple[float, int, float, float, float]:
    """Q, its df and p-value, I2 (percent) and H2 around a fixed ``estimate``.

    Cochran's Q with weights ``1/vi`` over the finite ``yi`` (unless ``q`` is given);
    df is the number of finite ``yi`` minus one; ``I2 = max(0, (Q - df)/Q)`` and
    ``H2 = Q/df`` (Higgins & Thompson 2002, eqs. 9-10); with df = 0, Q = 0, p = 1,
    I2 = 0 and H2 = 1 (metafor's convention).
    """
    ok = np.isfinite(yi) & np.isfinite(vi)
    df = int(ok.sum()) - 1
    if df <= 0:
        return 0.0, max(df, 0), 1.0, 0.0, 1.0
    if q is None:
        q = float((((yi[ok] - estimate) ** 2) / vi[ok]).sum())
    i2 = 100 * max(0.0, (q - df) / q) if q > 0 else 0.0
    return q, df, float(stats.chi2.sf(q, df)), i2, q / df


def provenance(
    function: str, method: str, options: dict[str, Any], t: BinaryTables
) -> Provenance:
    """Package version, function, method, options, k and a SHA-256 digest of the inputs."""
    from livingmeta import __version__

    digest = input_digest(t.ai, t.bi, t.ci, t.di, labels=t.study)
    return Provenance(__version__, function, method, dict(options), t.k, digest)


class ResultMethods:
    """Level-dependent and export methods shared by the 2x2-table results."""

    __slots__ = ()
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    measure: str

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Wald interval ``estimate -/+ z_{(1+level)/2} se`` on the analysis scale."""
        z = critical_value(check_level(level), None)
        return self.estimate - z * self.se, self.estimate + z * self.se

    @property
    def back_transformed(self) -> dict[str, float] | None:
        """``exp`` of estimate and CI for OR, RR and PETO; ``None`` for RD."""
        if self.measure not in _RATIO_MEASURES:
            return None
        return {"estimate": math.exp(self.estimate), "ci_low": math.exp(self.ci_low),
                "ci_high": math.exp(self.ci_high)}

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` (render with as_text/as_markdown/as_html)."""
        from livingmeta.summary import summarize

        return summarize(self)

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-safe (lists, floats, ``None`` for NaN), plus
        ``back_transformed`` and ``tau2``/``pi_low``/``pi_high`` (``None``: common effect)."""
        out: dict[str, Any] = jsonable(self)
        out.update(tau2=None, pi_low=None, pi_high=None,
                   back_transformed=jsonable(self.back_transformed))
        return out
