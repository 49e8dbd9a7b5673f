"""What changed between two versions of a living review (``livingmeta diff``).

:func:`diff_versions` runs two versions of a review (``versions.toml``,
:mod:`~livingmeta.review.versions`) through :func:`~livingmeta.review.run_review` and
:func:`~livingmeta.appraisal.appraise_review` under the same method profile and compares
them: studies new, removed or with a changed status; records new since the earlier
version; per outcome the pooled estimate with its CI, PI and k before and after, and
the GRADE certainty before and after; and the PRISMA 2020 counts of the later version as
an update of the earlier one (Page et al. 2021, BMJ 372:n71, Fig 1: studies and reports
of the previous version, new studies and their reports, totals). The Cochrane Handbook
(ch. 22, living systematic reviews) asks each update to say what changed since the
last version; :meth:`ReviewDiff.summary` says it one sentence per change.

The results are frozen dataclasses (:mod:`.diff_results`); the JSON contract
(:meth:`ReviewDiff.to_dict`, ``livingmeta diff --json``) is documented on
:class:`ReviewDiff`; its sentences are built in :mod:`._diff_text`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from livingmeta import __version__
from livingmeta.errors import ParameterError
from livingmeta.results import Provenance, input_digest
from livingmeta.review.diff_results import (
    OutcomeChange,
    OutcomeSnapshot,
    RecordChange,
    ReviewDiff,
    StudyChange,
    VersionSnapshot,
)
from livingmeta.review.results import ReviewResult
from livingmeta.review.runner import run_review
from livingmeta.review.spec import Review
from livingmeta.review.versioned import load_versions, version_records, version_review
from livingmeta.review.versions import ReviewVersion, ReviewVersions

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.records import RecordsState

__all__ = ["diff_versions", "living_numbers"]


def living_numbers(review: Review, result: ReviewResult) -> dict[str, Any]:
    """The living-review numbers of one version: ``tsa_status`` and ``p_benefit_mcid``.

    ``tsa_status`` is the verdict of the review's ``[analysis.tsa]``; ``p_benefit_mcid``
    the posterior probability of an effect beyond the threshold (default: the MID on the
    benefit side) under the first tau prior of ``[analysis.bayes]``. A review that declares
    neither gets an empty dict (both stay None).
    """
    from livingmeta.review.living import review_bayes, review_mid, review_tsa

    plan = review.analysis.living
    out: dict[str, Any] = {}
    tsa = review_tsa(result, plan.tsa)[0]
    if tsa is not None:
        out["tsa_status"] = tsa.verdict
    if plan.bayes is not None:
        first = replace(plan.bayes, tau_priors=plan.bayes.tau_priors[:1])
        bayes = review_bayes(result, first, review_mid(review, plan.bayes.outcome))
        if bayes and bayes[0].p_beyond_threshold is not None:
            out["p_benefit_mcid"] = bayes[0].p_beyond_threshold
    return out


def _outcomes(result: ReviewResult, certainty: dict[tuple[str, str], str], level: float
              ) -> tuple[OutcomeSnapshot, ...]:
    out = []
    nan = math.nan
    for o in result.outcomes:
        m = o.main
        p = m.primary
        out.append(OutcomeSnapshot(
            outcome=o.outcome.id, label=o.outcome.label, measure=m.measure,
            pooled=m.pooled and p is not None, note=m.note,
            k=p.k if p is not None else len(m.analysed),
            studies=p.studies if p is not None else m.analysed,
            estimate=p.estimate if p else nan, ci_low=p.ci_low if p else nan,
            ci_high=p.ci_high if p else nan, pi_low=p.pi_low if p else nan,
            pi_high=p.pi_high if p else nan,
            level=p.level if p else level,
            certainty=certainty.get((o.outcome.id, m.measure))))
    return tuple(out)


def _snapshot(review: Review, versions: ReviewVersions, version_id: str, profile: str | None,
              records: RecordsState | None, previous_id: str | None
              ) -> tuple[VersionSnapshot, RecordsState | None]:
    from livingmeta.appraisal import appraise_review

    version = versions.version(version_id)
    as_of = version_review(review, version_id, versions=versions)
    result = run_review(as_of, profile=profile)
    appraisal = appraise_review(as_of, result)
    certainty = {(a.outcome, a.measure): a.certainty for a in appraisal.grade}
    state = None if records is None else version_records(records, versions, version_id,
                                                         previous_id=previous_id)
    snap = VersionSnapshot(
        version=version, profile=result.profile,
        outcomes=_outcomes(result, certainty, as_of.analysis.level),
        records=() if state is None else tuple(r.record_id for r in state.records),
        flow=None if state is None else state.flow,
        warnings=tuple(f"{version.id}: {w}" for w in result.warnings))
    return replace(snap, **living_numbers(as_of, result)), state


def _study_changes(review: Review, before: ReviewVersion, after: ReviewVersion
                   ) -> tuple[StudyChange, ...]:
    out = []
    for s in review.studies:
        b, a = before.status(s.study), after.status(s.study)
        if b == a:
            continue
        change = "new" if b is None else "removed" if a is None else "status changed"
        out.append(StudyChange(s.study, change, b, a))
    return tuple(out)


def _record_changes(state: RecordsState, before: ReviewVersion
                    ) -> tuple[RecordChange, ...]:
    finals = {(f.record_id, f.stage): f for f in state.final_decisions}
    removed = dict(state.removed)
    out = []
    for r in state.records:
        if before.has_record(r.record_id):
            continue
        final = finals.get((r.record_id, "full_text")) or finals.get(
            (r.record_id, "title_abstract"))
        decision = ("duplicate" if r.record_id in removed else
                    final.decision if final is not None else "pending")
        source = r.other_method if r.source_kind == "other" else r.source_database
        out.append(RecordChange(r.record_id, source or "other", r.title, decision,
                                final.study if final is not None else ""))
    return tuple(out)


def diff_versions(review: Review, from_id: str, to_id: str, *, profile: str | None = None,
                  versions: ReviewVersions | None = None) -> ReviewDiff:
    """Compare two versions of a review.

    Parameters
    ----------
    review : Review
        From :func:`~livingmeta.review.load_review` (its folder holds ``versions.toml``).
    from_id, to_id : str
        Ids of ``versions.toml``; ``from_id`` must be the earlier version.
    profile : str, optional
        Method profile of both analyses (default: the review's primary profile).
    versions : ReviewVersions, optional
        Default: :func:`~livingmeta.review.load_versions` of the review.

    Returns
    -------
    ReviewDiff

    Raises
    ------
    ParameterError
        An id that is not a version (the message lists the ids), the same version twice,
        or ``from_id`` later than ``to_id``; an unknown profile.
    ReviewValidationError
        Problems in ``versions.toml`` or the appraisal files.

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path, load_review
    >>> diff = diff_versions(load_review(embedded_review_path()), "v1", "v2")
    >>> [(s.study, s.change) for s in diff.studies]
    [('INNOVA 2026', 'new')]
    >>> pain = diff.outcome("pain")
    >>> (pain.before.k, pain.after.k), (pain.before.certainty, pain.after.certainty)
    ((3, 4), ('Low', 'Low'))
    """
    from livingmeta.records import load_records
    from livingmeta.review.profiles import get_profile

    versions = load_versions(review) if versions is None else versions
    before, after = versions.version(from_id, name="from_id"), versions.version(
        to_id, name="to_id")
    if versions.ids.index(from_id) >= versions.ids.index(to_id):
        raise ParameterError(f"The 'from_id' parameter must name a version earlier than "
                             f"'to_id' ({to_id!r}); versions oldest first: "
                             f"{', '.join(versions.ids)}. Got {from_id!r}.")
    records = (load_records(review.path)
               if (review.path / "records" / "sources.toml").is_file() else None)
    old, _ = _snapshot(review, versions, from_id, profile, records, None)
    new, state = _snapshot(review, versions, to_id, profile, records, from_id)
    primary = next((o for o in new.outcomes if o.outcome == review.primary_outcome.id), None)
    options: dict[str, object] = {"profile": new.profile, "from": from_id, "to": to_id,
                                  "level": review.analysis.level,
                                  "review_digest": review.digest}
    prov = Provenance(package_version=__version__, function="diff_versions",
                      method=get_profile(new.profile).method, options=options,
                      k=primary.k if primary is not None else 0,
                      input_digest=input_digest(labels=(review.digest, from_id, to_id,
                                                        new.profile)))
    return ReviewDiff(
        title=review.info.title, profile=new.profile, before=old, after=new,
        studies=_study_changes(review, before, after),
        new_records=() if state is None else _record_changes(state, before),
        removed_records=tuple(r for r in old.records if r not in set(new.records)),
        outcomes=tuple(OutcomeChange(b, a) for b, a in zip(old.outcomes, new.outcomes,
                                                           strict=True)),
        prisma=None if state is None else state.flow, provenance=prov,
        warnings=(*old.warnings, *new.warnings))
