"""Frozen results of :func:`~livingmeta.review.diff_versions`, each with ``to_dict()``.

:class:`ReviewDiff` holds a :class:`VersionSnapshot` per version (an
:class:`OutcomeSnapshot` per outcome) and the changes between them; its sentences and
summary tables are built in :mod:`._diff_text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from livingmeta.results import Provenance, jsonable
from livingmeta.review.results import RATIO_MEASURES
from livingmeta.review.versions import ReviewVersion

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.records import PrismaFlow
    from livingmeta.summary import Summary

__all__ = ["OutcomeChange", "OutcomeSnapshot", "RecordChange", "ReviewDiff", "StudyChange",
           "VersionSnapshot"]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


@dataclass(frozen=True, slots=True)
class OutcomeSnapshot:
    """One outcome of one version: its primary analysis on the main measure and GRADE.

    Attributes
    ----------
    outcome, label, measure : str
    pooled : bool
        False when the outcome is not pooled in that version (``note`` says why).
    note : str
    k : int
        Studies in the primary analysis (with data, status ``included``).
    studies : tuple of str
    estimate, ci_low, ci_high, pi_low, pi_high : float
        Analysis scale (log for RR/OR); NaN when not pooled, or no PI under the profile.
    level : float
        Confidence level (fraction).
    certainty : str or None
        GRADE certainty (None when the outcome was not graded).
    """

    outcome: str
    label: str
    measure: str
    pooled: bool
    note: str
    k: int
    studies: tuple[str, ...]
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    level: float
    certainty: str | None

    @property
    def ratio(self) -> bool:
        """Whether the measure is shown exponentiated (RR, OR)."""
        return self.measure in RATIO_MEASURES

    def shown(self, name: str) -> float:
        """``estimate``, ``ci_low``, ... on the reporting scale (``exp`` for RR/OR)."""
        value = float(getattr(self, name))
        return math.exp(value) if self.ratio and math.isfinite(value) else value

    @property
    def ci_excludes_null(self) -> bool | None:
        """The CI lies wholly on one side of no effect, 0 on the analysis scale (a
        difference, or a log ratio); None when not pooled."""
        if not self.pooled:
            return None
        return bool(self.ci_low > 0.0 or self.ci_high < 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (``back_transformed``: exp of the numbers for RR/OR)."""
        out: dict[str, Any] = {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}
        out["level"] = 100 * self.level
        out["ci_excludes_null"] = self.ci_excludes_null
        names = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")
        out["back_transformed"] = ({n: _finite(self.shown(n)) for n in names}
                                   if self.ratio and self.pooled else None)
        return out


@dataclass(frozen=True, slots=True)
class VersionSnapshot:
    """One version as analysed.

    Attributes
    ----------
    version : ReviewVersion
    profile : str
    outcomes : tuple of OutcomeSnapshot
        Every outcome of the review, in ``review.toml`` order.
    records : tuple of str
        Ids of the records the version had (none when the folder has no ``records/``).
    flow : PrismaFlow or None
        The version's PRISMA 2020 flow (None without ``records/``).
    warnings : tuple of str
        Warnings of the engine while running the version.
    tsa_status : str or None
        Trial sequential analysis status of the primary outcome (:func:`living_numbers`).
    p_benefit_mcid : float or None
        Bayesian posterior probability of a benefit beyond the minimal clinically
        important difference on the primary outcome (:func:`living_numbers`).
    """

    version: ReviewVersion
    profile: str
    outcomes: tuple[OutcomeSnapshot, ...]
    records: tuple[str, ...]
    flow: PrismaFlow | None
    warnings: tuple[str, ...]
    tsa_status: str | None = None
    p_benefit_mcid: float | None = None

    def outcome(self, outcome_id: str) -> OutcomeSnapshot:
        """The snapshot of ``outcome_id`` (KeyError if none)."""
        for o in self.outcomes:
            if o.outcome == outcome_id:
                return o
        raise KeyError(outcome_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {**self.version.to_dict(), "included": list(self.version.included),
                "profile": self.profile, "outcomes": [o.to_dict() for o in self.outcomes],
                "n_records": len(self.records),
                "prisma": None if self.flow is None else self.flow.to_dict(),
                "tsa_status": self.tsa_status, "p_benefit_mcid": self.p_benefit_mcid,
                "warnings": list(self.warnings)}


@dataclass(frozen=True, slots=True)
class StudyChange:
    """A study whose status differs between the versions.

    ``change`` is ``new`` (not identified before), ``removed`` (listed before, not in the
    later version) or ``status changed``; ``before``/``after`` are the statuses (None:
    not listed).
    """

    study: str
    change: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"study": self.study, "change": self.change, "before": self.before,
                "after": self.after}


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A record the later version has and the earlier one had not.

    ``source`` is the database, register or other method; ``decision`` the record's
    last final decision (``duplicate`` when removed as one, ``pending`` when none);
    ``study`` the study its full-text decision names.
    """

    record_id: str
    source: str
    title: str
    decision: str
    study: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"record_id": self.record_id, "source": self.source, "title": self.title,
                "decision": self.decision, "study": self.study}


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """One outcome before and after (same outcome, same measure, same profile)."""

    before: OutcomeSnapshot
    after: OutcomeSnapshot

    @property
    def outcome(self) -> str:
        """The outcome id."""
        return self.after.outcome

    @property
    def sentence(self) -> str:
        """One sentence for a guideline panel (:func:`._diff_text.outcome_sentence`)."""
        from livingmeta.review._diff_text import outcome_sentence

        return outcome_sentence(self.before, self.after)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        b, a = self.before, self.after
        delta = a.estimate - b.estimate if a.pooled and b.pooled else math.nan
        return {"outcome": a.outcome, "label": a.label, "measure": a.measure,
                "before": b.to_dict(), "after": a.to_dict(), "estimate_change": _finite(delta),
                "k_change": a.k - b.k, "certainty_before": b.certainty,
                "certainty_after": a.certainty,
                "certainty_changed": b.certainty != a.certainty,
                "significance_changed": (b.ci_excludes_null != a.ci_excludes_null
                                         if a.pooled and b.pooled else None),
                "sentence": self.sentence}


@dataclass(frozen=True, slots=True)
class ReviewDiff:
    """What changed from one version of a review to a later one.

    Attributes
    ----------
    title : str
        The review's title.
    profile : str
        Method profile of both analyses.
    before, after : VersionSnapshot
        The earlier (``--from``) and later (``--to``) version.
    studies : tuple of StudyChange
        Studies new, removed or with a changed status (``studies.csv`` order).
    new_records : tuple of RecordChange
        Records the later version has and the earlier one had not.
    removed_records : tuple of str
        Records the earlier version had and the later one has not.
    outcomes : tuple of OutcomeChange
        Every outcome, on its main measure.
    prisma : PrismaFlow or None
        The later version's flow as an update of the earlier one: ``previous_*`` count the
        earlier version's studies and reports, ``studies_included``/``reports_included``
        the new ones, ``total_*`` both (None without ``records/``).
    provenance : Provenance
        ``function="diff_versions"``, the profile's tau2 method, options (profile, the
        two version ids, level, the folder digest), k of the later version's primary
        outcome, and a digest of the folder digest, ids and profile.
    warnings : tuple of str
        Engine warnings of both runs, prefixed by the version id.

    Notes
    -----
    ``to_dict()`` is a stable JSON contract (keys may be added, none renamed or removed):
    ``title``, ``profile``, ``level`` (percent), ``from`` and ``to`` (version snapshots:
    ``id label date note statuses records unseen_records included profile outcomes
    n_records prisma tsa_status p_benefit_mcid warnings``), ``studies`` (``study change
    before after``), ``records`` (``new``: ``record_id source title decision study``;
    ``removed``: ids), ``outcomes`` (``outcome label measure before after estimate_change
    k_change certainty_before certainty_after certainty_changed significance_changed
    sentence``; ``before``/``after``: ``outcome label measure pooled note k studies
    estimate ci_low ci_high pi_low pi_high level certainty ci_excludes_null
    back_transformed``), ``prisma`` (``previous_studies previous_reports new_studies
    new_reports total_studies total_reports`` or null), ``lines`` (the summary's
    sentences), ``provenance``, ``warnings``. Numbers are on the analysis scale (log for
    RR/OR; ``back_transformed`` holds exp); null where not applicable.
    """

    title: str
    profile: str
    before: VersionSnapshot
    after: VersionSnapshot
    studies: tuple[StudyChange, ...]
    new_records: tuple[RecordChange, ...]
    removed_records: tuple[str, ...]
    outcomes: tuple[OutcomeChange, ...]
    prisma: PrismaFlow | None
    provenance: Provenance
    warnings: tuple[str, ...]

    def outcome(self, outcome_id: str) -> OutcomeChange:
        """The change of ``outcome_id`` (KeyError if none)."""
        for o in self.outcomes:
            if o.outcome == outcome_id:
                return o
        raise KeyError(outcome_id)

    def lines(self) -> tuple[str, ...]:
        """One sentence per change (the summary's lines)."""
        from livingmeta.review._diff_text import diff_lines

        return diff_lines(self)

    def summary(self) -> Summary:
        """Sentences for a guideline panel and tables of outcomes, studies, records."""
        from livingmeta.review._diff_text import summarize_diff

        return summarize_diff(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (the contract in the class Notes)."""
        p = self.prisma
        prisma = None if p is None else {
            "previous_studies": p.previous_studies, "previous_reports": p.previous_reports,
            "new_studies": p.studies_included, "new_reports": p.reports_included,
            "total_studies": p.total_studies, "total_reports": p.total_reports}
        level = self.after.outcomes[0].level if self.after.outcomes else math.nan
        return {"title": self.title, "profile": self.profile, "level": _finite(100 * level),
                "from": self.before.to_dict(), "to": self.after.to_dict(),
                "studies": [s.to_dict() for s in self.studies],
                "records": {"new": [r.to_dict() for r in self.new_records],
                            "removed": list(self.removed_records)},
                "outcomes": [o.to_dict() for o in self.outcomes], "prisma": prisma,
                "lines": list(self.lines()), "provenance": jsonable(self.provenance),
                "warnings": list(self.warnings)}
