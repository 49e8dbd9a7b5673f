"""Frozen results of the living-evidence analyses of a review (:mod:`.living`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livingmeta.results import jsonable
from livingmeta.review._living_plan import BayesPlan, TsaPlan

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.models.bayes import BayesResult
    from livingmeta.review.diff_results import ReviewDiff
    from livingmeta.sequential import TSAResult
    from livingmeta.sequential.whatif import WhatIfResult
    from livingmeta.summary import Summary

__all__ = ["LivingEvidence", "WhatIfComparison"]


def _dict(obj: Any) -> Any:
    return None if obj is None else obj.to_dict()


@dataclass(frozen=True, slots=True)
class WhatIfComparison:
    """A what-if simulated from an earlier version, beside what the next version found.

    Attributes
    ----------
    before, before_label, after, after_label : str
        The two versions (``versions.toml`` ids and labels).
    result : WhatIfResult
        The simulation from version ``before``.
    added : tuple of str
        Studies the next version added to the primary analysis.
    actual_estimate, actual_ci_low, actual_ci_high : float
        The pooled estimate the next version found (analysis scale).
    actual_percentile : float
        Share of simulated updates whose estimate is at most the actual one.
    actual_readings : dict of str to str
        The next version's analysis read by each criterion of the simulation.
    """

    before: str
    before_label: str
    after: str
    after_label: str
    result: WhatIfResult
    added: tuple[str, ...]
    actual_estimate: float
    actual_ci_low: float
    actual_ci_high: float
    actual_percentile: float
    actual_readings: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (the simulation summarised by quantiles)."""
        out: dict[str, Any] = jsonable({
            "before": self.before, "before_label": self.before_label, "after": self.after,
            "after_label": self.after_label, "added": self.added,
            "actual": {"estimate": self.actual_estimate, "ci_low": self.actual_ci_low,
                       "ci_high": self.actual_ci_high, "percentile": self.actual_percentile,
                       "readings": self.actual_readings}})
        out["whatif"] = self.result.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class LivingEvidence:
    """Trial sequential analysis, Bayesian analyses, what-if and the update diff.

    Attributes
    ----------
    outcome, label, measure : str
        The outcome the living analyses follow and its main measure.
    mid : float or None
        Its minimal important difference (``grade.toml``).
    studies : tuple of str
        The studies of its primary analysis, in cumulative (year) order.
    participants : tuple of int
        Their participants (empty when any is unknown).
    tsa_plan, tsa, tsa_note :
        The declared TSA, its result (None when not run) and why not.
    bayes_plan, bayes :
        The declared Bayesian analyses and one result per tau prior.
    whatif, whatif_note :
        The what-if comparison (None when not run) and why not.
    diff : ReviewDiff or None
        The last two versions compared (None without two versions).
    """

    outcome: str
    label: str
    measure: str
    mid: float | None
    studies: tuple[str, ...]
    participants: tuple[int, ...]
    tsa_plan: TsaPlan | None
    tsa: TSAResult | None
    tsa_note: str
    bayes_plan: BayesPlan | None
    bayes: tuple[BayesResult, ...]
    whatif: WhatIfComparison | None
    whatif_note: str
    diff: ReviewDiff | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every part."""
        return {
            "outcome": self.outcome, "label": self.label, "measure": self.measure,
            "mid": self.mid, "studies": list(self.studies),
            "participants": list(self.participants),
            "tsa_plan": jsonable(self.tsa_plan), "tsa": _dict(self.tsa),
            "tsa_note": self.tsa_note, "bayes_plan": jsonable(self.bayes_plan),
            "bayes": [b.to_dict() for b in self.bayes], "whatif": _dict(self.whatif),
            "whatif_note": self.whatif_note, "diff": _dict(self.diff),
        }

    def lines(self) -> tuple[str, ...]:
        """The headline sentences (for the CLI and the report's answer)."""
        from livingmeta.review._living_text import living_lines

        return living_lines(self)

    def summary(self) -> Summary:
        """Summary: the headline sentences and a table per part."""
        from livingmeta.review._living_text import summarize_living

        return summarize_living(self)


def finite(x: float) -> bool:
    """True for a finite float (used by the text builders)."""
    return isinstance(x, float) and math.isfinite(x)
