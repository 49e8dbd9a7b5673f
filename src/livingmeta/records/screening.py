"""Screening decisions per reviewer (``records/screening.csv``), conflicts, agreement and
the final decision per record and stage.

One row per record x stage x reviewer. Stages and decisions:

- ``title_abstract``: ``include``, ``exclude``, ``maybe`` (``maybe`` goes on to full
  text, as ``include`` does);
- ``full_text``: ``include``, ``exclude`` (``reason`` required: it is counted in the
  PRISMA "reports excluded" box), ``awaiting`` (awaiting classification: PRISMA 2020
  item 16a allows listing studies that could not be classified), ``not-retrieved``.

The reviewer ``consensus`` resolves a conflict. The final decision of a record at a
stage is the consensus row when there is one, else the decision the reviewers agree on
(for a full-text exclusion: decision and reason), else none: the record is listed in
the conflicts and counted as pending. Agreement is Cohen's kappa per stage for each pair
of reviewers over the records both screened (:func:`~livingmeta.records.cohen_kappa`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from livingmeta.records.kappa import Kappa, cohen_kappa
from livingmeta.review._tables import read_csv
from livingmeta.review.problems import ReviewProblem

__all__ = ["CONSENSUS", "SCREENING_DECISIONS", "SCREENING_STAGES", "Conflict",
           "FinalDecision", "ScreeningDecision", "StageAgreement", "parse_screening",
           "screening_outcome"]

SCREENING_STAGES = ("title_abstract", "full_text")
SCREENING_DECISIONS: dict[str, tuple[str, ...]] = {
    "title_abstract": ("include", "exclude", "maybe"),
    "full_text": ("include", "exclude", "awaiting", "not-retrieved"),
}
CONSENSUS = "consensus"
_REQUIRED = ("record_id", "stage", "reviewer", "decision")


@dataclass(frozen=True, slots=True)
class ScreeningDecision:
    """One row of ``screening.csv`` (``row`` is the 1-based data row).

    ``study`` names the study a full-text report belongs to (the review's
    ``studies.csv`` label), so that PRISMA counts studies and reports apart.
    """

    row: int
    record_id: str
    stage: str
    reviewer: str
    decision: str
    reason: str = ""
    note: str = ""
    study: str = ""


@dataclass(frozen=True, slots=True)
class FinalDecision:
    """The decision that counts for a record at a stage.

    Attributes
    ----------
    basis : str
        ``consensus``, ``agreement`` (every reviewer gave it) or ``single reviewer``.
    """

    record_id: str
    stage: str
    decision: str
    reason: str
    study: str
    basis: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """Reviewers who disagree on a record at a stage.

    Attributes
    ----------
    decisions : tuple of (reviewer, decision, reason)
    resolution : FinalDecision or None
        The consensus decision, or None while the conflict is open.
    """

    record_id: str
    stage: str
    decisions: tuple[tuple[str, str, str], ...]
    resolution: FinalDecision | None


@dataclass(frozen=True, slots=True)
class StageAgreement:
    """Cohen's kappa of two reviewers at one stage."""

    stage: str
    reviewer_a: str
    reviewer_b: str
    kappa: Kappa


def parse_screening(text: str, file: str, known: Mapping[str, object],
                    removed: Mapping[str, str], problems: list[ReviewProblem]
                    ) -> tuple[ScreeningDecision, ...]:
    """Rows of ``screening.csv``; ``known`` maps every record id, ``removed`` maps a
    duplicate removed to the record kept. Problems are appended to ``problems``."""
    header, rows = read_csv(text)
    missing = [c for c in _REQUIRED if c not in header]
    for c in missing:
        problems.append(ReviewProblem(None, None, c, None, "is a required column; add it",
                                      file=file, where="header"))
    if missing:
        return ()
    out: list[ScreeningDecision] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, cells in enumerate(rows, start=1):
        def bad(column: str, value: object, rule: str, i: int = i) -> None:
            problems.append(ReviewProblem(i, None, column, value, rule, file=file))
        rid, stage = cells["record_id"], cells["stage"]
        reviewer, decision = cells["reviewer"], cells["decision"]
        reason = cells.get("reason", "")
        n_before = len(problems)
        if rid not in known:
            bad("record_id", rid or None, "must be a record id of the search files "
                                          "('<file>#<n>', see records/FORMAT.md)")
        elif rid in removed:
            bad("record_id", rid, f"is a duplicate removed in favour of {removed[rid]!r} "
                                  "(duplicates.csv): screen that record instead")
        if stage not in SCREENING_STAGES:
            bad("stage", stage or None, "must be one of {'title_abstract', 'full_text'}")
        elif decision not in SCREENING_DECISIONS[stage]:
            shown = ", ".join(repr(d) for d in SCREENING_DECISIONS[stage])
            bad("decision", decision or None, f"must be one of {{{shown}}} at {stage}")
        elif stage == "full_text" and decision == "exclude" and not reason:
            bad("reason", None, "must be given for a full-text exclusion (PRISMA 2020 "
                                "counts reports excluded per reason)")
        if not reviewer:
            bad("reviewer", None, "must be given")
        key = (rid, stage, reviewer)
        if key in seen:
            bad("reviewer", reviewer, f"has already decided {rid!r} at {stage} on row "
                                      f"{seen[key]}")
        seen.setdefault(key, i)
        if len(problems) == n_before:
            out.append(ScreeningDecision(i, rid, stage, reviewer, decision, reason,
                                         cells.get("note", ""), cells.get("study", "")))
    return tuple(out)


def _verdict(row: ScreeningDecision) -> tuple[str, str]:
    return row.decision, row.reason if row.decision == "exclude" else ""


def screening_outcome(decisions: Sequence[ScreeningDecision]
                      ) -> tuple[dict[tuple[str, str], FinalDecision], tuple[Conflict, ...],
                                 tuple[StageAgreement, ...]]:
    """Final decisions keyed by (record id, stage), conflicts, and kappa per stage and
    reviewer pair."""
    by_key: dict[tuple[str, str], list[ScreeningDecision]] = defaultdict(list)
    for d in decisions:
        by_key[(d.record_id, d.stage)].append(d)
    finals: dict[tuple[str, str], FinalDecision] = {}
    conflicts: list[Conflict] = []
    for (rid, stage), rows in by_key.items():
        consensus = [r for r in rows if r.reviewer == CONSENSUS]
        reviewers = [r for r in rows if r.reviewer != CONSENSUS]
        study = next((r.study for r in (*consensus, *reviewers) if r.study), "")
        final: FinalDecision | None = None
        if consensus:
            c = consensus[0]
            final = FinalDecision(rid, stage, c.decision, _verdict(c)[1], study, CONSENSUS)
        verdicts = {_verdict(r) for r in reviewers}
        if len(verdicts) > 1:
            conflicts.append(Conflict(rid, stage, tuple(
                (r.reviewer, r.decision, r.reason) for r in reviewers), final))
        elif final is None and verdicts:
            decision, reason = verdicts.pop()
            basis = "agreement" if len(reviewers) > 1 else "single reviewer"
            final = FinalDecision(rid, stage, decision, reason, study, basis)
        if final is not None:
            finals[(rid, stage)] = final
    agreements: list[StageAgreement] = []
    for stage in SCREENING_STAGES:
        rated: dict[str, dict[str, str]] = defaultdict(dict)
        for d in decisions:
            if d.stage == stage and d.reviewer != CONSENSUS:
                rated[d.reviewer][d.record_id] = d.decision
        for a, b in combinations(sorted(rated), 2):
            common = [rid for rid in rated[a] if rid in rated[b]]
            if common:
                agreements.append(StageAgreement(stage, a, b, cohen_kappa(
                    [rated[a][r] for r in common], [rated[b][r] for r in common])))
    return finals, tuple(conflicts), tuple(agreements)
