"""Frozen results of :func:`~livingmeta.review.run_review`, each with ``to_dict()``.

Engine results (``MetaAnalysisResult``, ``SubgroupResult``, ...) are kept whole in ``fit``
fields for plots and reports; ``to_dict()`` gives their own JSON-safe dictionaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from livingmeta.results import jsonable
from livingmeta.review.effects import StudyEffect
from livingmeta.review.spec import Outcome

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = [
    "AnalysisStep",
    "MeasureResult",
    "OutcomeResult",
    "PooledEstimate",
    "PublishedSynthesis",
    "ReviewProvenance",
    "ReviewResult",
    "SensitivityResult",
    "SubgroupComparison",
]

RATIO_MEASURES = ("RR", "OR")


def _names(obj: Any) -> list[str]:
    return [f.name for f in fields(obj)]


def _engine_dict(obj: Any) -> Any:
    if obj is None:
        return None
    to_dict = getattr(obj, "to_dict", None)
    return to_dict() if callable(to_dict) else jsonable(obj)


@dataclass(frozen=True, slots=True)
class PooledEstimate:
    """A pooled estimate under one profile (analysis scale; ``exp`` for RR/OR in ``ratio``).

    Attributes
    ----------
    profile : str
        Profile name (``"cochrane-2025"``) or a sensitivity label's profile.
    settings : dict
        The profile's settings plus the model actually fitted (``model``: ``"RE"``,
        ``"EE"`` or ``"MH"``).
    measure : str
    k : int
    studies : tuple of str
    estimate, se, ci_low, ci_high, pval : float
    pi_low, pi_high : float
        Prediction interval (NaN when the profile shows none or the model is common-effect).
    tau2, tau2_ci_low, tau2_ci_high, I2, Q, Q_df, Q_pval : float
        Heterogeneity (NaN where not applicable).
    df : int or None
        t degrees of freedom (Knapp-Hartung), else None.
    level : float
    weights : tuple of float
        Study weights in percent, in ``studies`` order.
    warnings : tuple of str
    fit : object
        The engine result (``MetaAnalysisResult`` or ``MantelHaenszelResult``).
    """

    profile: str
    settings: dict[str, Any]
    measure: str
    k: int
    studies: tuple[str, ...]
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pval: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    I2: float
    Q: float
    Q_df: int
    Q_pval: float
    df: int | None
    level: float
    weights: tuple[float, ...]
    warnings: tuple[str, ...]
    fit: Any

    def ratio(self) -> dict[str, float] | None:
        """``exp`` of estimate, CI and PI for RR and OR; None otherwise."""
        if self.measure not in RATIO_MEASURES:
            return None
        return {k: math.exp(getattr(self, k)) for k in
                ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (the engine result under ``fit``)."""
        out: dict[str, Any] = {f: jsonable(getattr(self, f)) for f in _names(self)
                               if f != "fit"}
        out["back_transformed"] = jsonable(self.ratio())
        out["fit"] = _engine_dict(self.fit)
        return out


@dataclass(frozen=True, slots=True)
class SensitivityResult:
    """One sensitivity analysis: what was changed and the estimate it gives.

    ``estimate`` is None when fewer than two studies remain (``note`` says why).
    """

    id: str
    kind: str
    label: str
    setting: str
    studies: tuple[str, ...]
    estimate: PooledEstimate | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"id": self.id, "kind": self.kind, "label": self.label,
                "setting": self.setting, "studies": list(self.studies),
                "estimate": None if self.estimate is None else self.estimate.to_dict(),
                "note": self.note}


@dataclass(frozen=True, slots=True)
class SubgroupComparison:
    """Subgroups by one ``studies.csv`` column, with the test for subgroup differences."""

    column: str
    groups: tuple[str, ...]
    k: tuple[int, ...]
    estimate: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    Q_between: float
    Q_between_df: int
    Q_between_pval: float
    fit: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (the engine ``SubgroupResult`` under ``fit``)."""
        out: dict[str, Any] = {f: jsonable(getattr(self, f)) for f in _names(self)
                               if f != "fit"}
        out["fit"] = _engine_dict(self.fit)
        return out


@dataclass(frozen=True, slots=True)
class AnalysisStep:
    """A diagnostic run from another module (leave-one-out, influence, cumulative, ...).

    ``result`` is the engine result, or None with ``note`` saying why it was not run.
    """

    name: str
    function: str
    result: Any
    note: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"name": self.name, "function": self.function,
                "result": _engine_dict(self.result), "note": self.note}


@dataclass(frozen=True, slots=True)
class MeasureResult:
    """Everything computed for one outcome on one measure.

    Attributes
    ----------
    outcome, measure : str
    effects : tuple of StudyEffect
        Every study with data (included and sensitivity-only), with provenance.
    analysed : tuple of str
        The studies of the primary analysis (status ``included``).
    pooled : bool
        False for outcomes declared ``pool = false`` or with fewer than two studies.
    note : str
        Why the outcome is not pooled, when it is not.
    primary : PooledEstimate or None
        Under the review's primary profile.
    profiles : tuple of PooledEstimate
        Under every profile the review shows.
    sensitivity : tuple of SensitivityResult
    subgroups : tuple of SubgroupComparison
    diagnostics : tuple of AnalysisStep
        Leave-one-out, influence, Baujat, cumulative and small-study analyses.
    """

    outcome: str
    measure: str
    effects: tuple[StudyEffect, ...]
    analysed: tuple[str, ...]
    pooled: bool
    note: str
    primary: PooledEstimate | None
    profiles: tuple[PooledEstimate, ...]
    sensitivity: tuple[SensitivityResult, ...]
    subgroups: tuple[SubgroupComparison, ...]
    diagnostics: tuple[AnalysisStep, ...]

    def diagnostic(self, name: str) -> AnalysisStep | None:
        """The diagnostic step called ``name`` (``"leave_one_out"``, ...), if run."""
        return next((d for d in self.diagnostics if d.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {
            "outcome": self.outcome, "measure": self.measure,
            "effects": [e.to_dict() for e in self.effects],
            "analysed": list(self.analysed), "pooled": self.pooled, "note": self.note,
            "primary": None if self.primary is None else self.primary.to_dict(),
            "profiles": [p.to_dict() for p in self.profiles],
            "sensitivity": [s.to_dict() for s in self.sensitivity],
            "subgroups": [s.to_dict() for s in self.subgroups],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """One outcome: its declaration and a :class:`MeasureResult` per measure."""

    outcome: Outcome
    measures: tuple[MeasureResult, ...]

    @property
    def main(self) -> MeasureResult:
        """The result on the outcome's main measure."""
        return self.measures[0]

    def measure(self, code: str) -> MeasureResult:
        """The result on measure ``code`` (KeyError if not analysed)."""
        for m in self.measures:
            if m.measure == code:
                return m
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"outcome": jsonable(self.outcome),
                "measures": [m.to_dict() for m in self.measures]}


@dataclass(frozen=True, slots=True)
class PublishedSynthesis:
    """One pooled estimate printed by a published meta-analysis (for charting).

    ``outcome_id`` is the review outcome it estimates (from the outcome's
    ``published_labels``), or None.
    """

    review: str
    citation: str
    year: int | None
    search_date: str
    studies: str
    outcome: str
    outcome_id: str | None
    analysis: str
    measure: str
    model: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    source_url: str
    verification: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        out: dict[str, Any] = jsonable(self)
        return out


@dataclass(frozen=True, slots=True)
class ReviewProvenance:
    """Where a review result came from: software, inputs and their date."""

    package_version: str
    review_path: str
    review_digest: str
    files: tuple[tuple[str, str], ...]
    data_date: str
    review_version: str
    profile: dict[str, Any]
    python_version: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        out: dict[str, Any] = jsonable(self)
        return out


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """The whole analysis of a review folder.

    Attributes
    ----------
    title : str
    question : dict
        PICO.
    profile : str
        The primary profile used.
    outcomes : tuple of OutcomeResult
    studies : tuple of dict
        ``studies.csv`` (status and reason of every study, awaiting-data included).
    published : tuple of PublishedSynthesis
    provenance : ReviewProvenance
    warnings : tuple of str
        Every warning raised by the engine while running, prefixed by where.
    """

    title: str
    question: dict[str, str]
    profile: str
    outcomes: tuple[OutcomeResult, ...]
    studies: tuple[dict[str, Any], ...]
    published: tuple[PublishedSynthesis, ...]
    provenance: ReviewProvenance
    warnings: tuple[str, ...]

    def outcome(self, outcome_id: str) -> OutcomeResult:
        """The result of outcome ``outcome_id`` (KeyError if none)."""
        for o in self.outcomes:
            if o.outcome.id == outcome_id:
                return o
        raise KeyError(outcome_id)

    @property
    def primary_outcome(self) -> OutcomeResult:
        """The result of the primary outcome."""
        return next(o for o in self.outcomes if o.outcome.primary)

    def provenance_rows(self) -> tuple[StudyEffect, ...]:
        """Every effect size of every outcome and measure (the provenance table)."""
        return tuple(e for o in self.outcomes for m in o.measures for e in m.effects)

    def summary(self) -> Summary:
        """The short answer for the primary outcome and the profile table."""
        from livingmeta.review.summary import summarize_review

        return summarize_review(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of everything."""
        return {
            "title": self.title, "question": dict(self.question), "profile": self.profile,
            "outcomes": [o.to_dict() for o in self.outcomes],
            "studies": jsonable(list(self.studies)),
            "published": [p.to_dict() for p in self.published],
            "provenance": self.provenance.to_dict(), "warnings": list(self.warnings),
        }
