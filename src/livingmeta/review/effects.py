"""Effect sizes of a review: each data row turned into ``yi``/``vi`` with its provenance.

Which conversion a row gets depends on its ``data_type``, its ``reported_measure`` and the
measure analysed (:func:`conversion_for`). Rows of one kind are converted together by the
vectorized functions of :mod:`livingmeta.effects.contrasts` or by
:func:`livingmeta.effects.escalc`.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from livingmeta.effects import contrasts as cv
from livingmeta.effects import escalc
from livingmeta.results import jsonable
from livingmeta.review.spec import DataRow, Outcome, Review

__all__ = ["StudyEffect", "compute_effects", "conversion_for"]

_MD_LIKE = ("MD", "adjusted MD")
_D_LIKE = ("SMD", "Cohen's d", "Hedges' g")


@dataclass(frozen=True, slots=True)
class StudyEffect:
    """One study's effect size for one outcome and measure, with where it came from.

    Attributes
    ----------
    study, outcome, measure : str
    yi, vi : float
        Effect (log scale for RR and OR) and sampling variance; treatment minus control.
    conversion : str
        How yi/vi were obtained (``"escalc"``, ``"smd_from_md"``, ``"smd_from_paired_t"``,
        ...; the function of :mod:`livingmeta.effects.contrasts`).
    notes : str
        Every step and assumption, joined by "; ".
    derived : bool
        The data row is flagged as resting on numbers worked out by the reviewer.
    ri : float or None
        The within-person correlation assumed (cross-over conversions), else None.
    status, design : str
        From ``studies.csv``.
    year : int
    inputs : dict
        The numeric cells of the data row (for forest-plot columns).
    data_type, reported_measure : str
    source_file : str
    source_row : int
        The data row (1-based) the effect comes from.
    source_rows : tuple of int
        Rows of the review's copy of the public record.
    source_url, source_quote : str
    """

    study: str
    outcome: str
    measure: str
    yi: float
    vi: float
    conversion: str
    notes: str
    derived: bool
    ri: float | None
    status: str
    design: str
    year: int
    inputs: dict[str, float]
    data_type: str
    reported_measure: str
    source_file: str
    source_row: int
    source_rows: tuple[int, ...]
    source_url: str
    source_quote: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (one provenance-table row)."""
        out: dict[str, Any] = jsonable(self)
        return out


def conversion_for(row: DataRow, measure: str) -> str | None:
    """The conversion that gives ``measure`` from ``row``, or None when it cannot.

    >>> from livingmeta.review.spec import DataRow
    >>> row = DataRow("data.csv", 1, "A", "pain", "paired-contrast", "p-value", "", (),
    ...               {"pval": 0.01, "ni": 20}, -1, "u", "q", False, (1,))
    >>> conversion_for(row, "SMD"), conversion_for(row, "MD")
    ('smd_from_paired_t', None)
    """
    kind, rep = row.data_type, row.reported_measure
    if kind == "arm":
        if rep == "means" and measure in ("MD", "SMD"):
            return "escalc"
        if rep == "events" and measure in ("RR", "OR", "RD"):
            return "escalc"
        return None
    if kind == "contrast":
        if rep in _MD_LIKE:
            return {"MD": "md_from_estimate", "SMD": "smd_from_md"}.get(measure)
        if rep in _D_LIKE and measure == "SMD":
            return "smd_from_d"
        if rep == "p-value" and measure == "SMD":
            return "smd_from_parallel_p"
        return None
    if kind == "paired-contrast":
        if measure == "SMD":
            return "smd_from_paired_t"
        if measure == "MD" and rep == "MD":
            return "md_from_estimate"
    return None


def _v(rows: Sequence[DataRow], name: str) -> np.ndarray:
    return np.array([r.values.get(name, np.nan) for r in rows], dtype=np.float64)


def _df(rows: Sequence[DataRow]) -> np.ndarray:
    """Degrees of freedom of a row's t-based CI or p-value (Cochrane Handbook 6.5.2)."""
    given = _v(rows, "df")
    paired = np.array([r.data_type == "paired-contrast" for r in rows])
    implied = np.where(paired, _v(rows, "ni") - 1.0, _v(rows, "n1i") + _v(rows, "n2i") - 2.0)
    return np.where(np.isnan(given), implied, given)


def _se(rows: Sequence[DataRow]) -> cv.StandardError:
    """SE of each row's reported estimate: given, from its CI, or from its p-value."""
    df = _df(rows)
    sei, lb, ub = _v(rows, "sei"), _v(rows, "ci_lb"), _v(rows, "ci_ub")
    yi, pval = _v(rows, "yi"), _v(rows, "pval")
    from_ci = cv.se_from_ci(lb, ub, df)
    from_p = cv.se_from_pvalue(yi, pval, df)
    out = np.where(~np.isnan(sei), sei, np.where(~np.isnan(from_ci.sei), from_ci.sei,
                                                 from_p.sei))
    notes = tuple(
        "SE as reported" if not np.isnan(s) else (c if not np.isnan(sc) else p)
        for s, sc, c, p in zip(sei, from_ci.sei, from_ci.notes, from_p.notes, strict=True))
    return cv.StandardError(out, notes)


def _signed_t(rows: Sequence[DataRow]) -> np.ndarray:
    """t statistic of each paired row: from yi/SE, else from the p-value and the sign."""
    df = _df(rows)
    yi, sei = _v(rows, "yi"), _se(rows).sei
    sign = np.array([np.sign(r.values["yi"]) if "yi" in r.values and r.values["yi"] != 0
                     else (r.sign or 1) for r in rows], dtype=np.float64)
    from_p = sign * cv.t_from_pvalue(_v(rows, "pval"), df)
    has_est = ~np.isnan(yi) & ~np.isnan(sei) & np.isnan(_v(rows, "pval"))
    return np.where(has_est & (sei > 0), yi / np.where(sei > 0, sei, 1.0), from_p)


def _convert(kind: str, rows: Sequence[DataRow], measure: str, ri: float,
             variance: str) -> cv.EffectEstimate:
    if kind == "escalc":
        cols = ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i") if measure in ("MD", "SMD") \
            else ("ai", "bi", "ci", "di", "n1i", "n2i")
        args: dict[str, Any] = {c: _v(rows, c) for c in cols}
        if measure not in ("MD", "SMD"):
            for ev, non, n in (("ai", "bi", "n1i"), ("ci", "di", "n2i")):
                args[non] = np.where(np.isnan(args[non]), args[n] - args[ev], args[non])
            args.pop("n1i")
            args.pop("n2i")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            es = escalc(measure, study=[r.study for r in rows], **args)
        extra = "; ".join(str(w.message) for w in caught)
        what = "arm-level means and SDs" if measure in ("MD", "SMD") else "arm-level counts"
        notes = tuple("; ".join(x for x in (f"escalc {measure} from {what}", n, extra) if x)
                      for n in es.notes)
        return cv.EffectEstimate(es.yi, es.vi, notes)
    if kind == "md_from_estimate":
        return cv.md_from_estimate(_v(rows, "yi"), _se(rows))
    if kind == "smd_from_md":
        return cv.smd_from_md(_v(rows, "yi"), _se(rows), _v(rows, "n1i"), _v(rows, "n2i"))
    if kind == "smd_from_d":
        return cv.smd_from_d(_v(rows, "yi"), _v(rows, "n1i"), _v(rows, "n2i"))
    if kind == "smd_from_parallel_p":
        sign = [r.sign or 1 for r in rows]
        return cv.smd_from_parallel_p(_v(rows, "pval"), sign, _v(rows, "n1i"), _v(rows, "n2i"))
    r_used = np.where(np.isnan(_v(rows, "ri")), ri, _v(rows, "ri"))
    return cv.smd_from_paired_t(_signed_t(rows), _v(rows, "ni"), r_used, variance=variance)


def _rows_for(review: Review, outcome: Outcome, measure: str, statuses: Sequence[str],
              ) -> list[tuple[DataRow, str]]:
    status = {s.study: s.status for s in review.studies}
    out = []
    for row in review.data:
        if row.outcome != outcome.id or status.get(row.study) not in statuses:
            continue
        if row.used_for and measure not in row.used_for:
            continue
        kind = conversion_for(row, measure)
        if kind is not None:
            out.append((row, kind))
    return out


def compute_effects(review: Review, outcome: Outcome, measure: str, *, ri: float | None = None,
                    statuses: Sequence[str] = ("included", "sensitivity-only"),
                    variance: str = "cochrane") -> tuple[StudyEffect, ...]:
    """Every study's effect for ``outcome`` on ``measure``, in order of year then study.

    Parameters
    ----------
    review : Review
    outcome : Outcome
    measure : str
        One of the outcome's measures.
    ri : float, optional
        Within-person correlation assumed for cross-over rows that give none (default:
        the review's ``[analysis] ri``).
    statuses : sequence of str
        Study statuses to include.
    variance : {"cochrane", "becker"}
        Variance formula of cross-over SMDs
        (:func:`~livingmeta.effects.contrasts.smd_from_paired_t`).
    """
    r_default = review.analysis.ri if ri is None else ri
    grouped: dict[str, list[DataRow]] = defaultdict(list)
    for row, kind in _rows_for(review, outcome, measure, statuses):
        grouped[kind].append(row)
    studies = {s.study: s for s in review.studies}
    effects: list[StudyEffect] = []
    for kind, rows in grouped.items():
        est = _convert(kind, rows, measure, r_default, variance)
        for row, y, v, note in zip(rows, est.yi, est.vi, est.notes, strict=True):
            s = studies[row.study]
            row_r = row.values.get("ri", r_default) if kind == "smd_from_paired_t" else None
            notes = "; ".join(x for x in (note, row.notes) if x)
            effects.append(StudyEffect(
                study=row.study, outcome=outcome.id, measure=measure, yi=float(y),
                vi=float(v), conversion=kind, notes=notes, derived=row.derived, ri=row_r,
                status=s.status, design=s.design, year=s.year, inputs=dict(row.values),
                data_type=row.data_type, reported_measure=row.reported_measure,
                source_file=row.file, source_row=row.row, source_rows=row.source_rows,
                source_url=row.source_url, source_quote=row.source_quote))
    key: Callable[[StudyEffect], tuple[int, str]] = lambda e: (e.year, e.study)  # noqa: E731
    return tuple(sorted(effects, key=key))
