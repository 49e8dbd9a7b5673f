"""The reviewer's decisions on duplicates (``records/duplicates.csv``) applied to the
candidate groups of :func:`~livingmeta.records.find_duplicates`.

Each row names two or more records (``record_ids``, ``;``-separated) and a ``decision``:

- ``confirmed``: the records are one report found more than once; the **first** id
  listed is kept and the others are removed as duplicates (PRISMA 2020 "duplicate
  records removed"). Rows may name records no rule linked (a duplicate the rules missed).
- ``rejected``: the records are distinct (e.g. a registry record and the article of the
  same trial: two reports of one study, linked later through the screening ``study``).

A candidate group is ``confirmed`` when every link inside it joins records confirmed
together, ``rejected`` when every link is rejected, ``partly confirmed`` when each link is
one or the other, and ``pending`` while any link is neither: pending groups remove
nothing until a reviewer decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from livingmeta.records.duplicates import DuplicateGroup
from livingmeta.review._tables import read_csv
from livingmeta.review.problems import ReviewProblem

__all__ = ["DUPLICATE_DECISIONS", "DuplicateDecision", "DuplicateStatus",
           "parse_duplicate_decisions", "resolve_duplicates"]

DUPLICATE_DECISIONS = ("confirmed", "rejected")
_REQUIRED = ("record_ids", "decision", "reviewer")


@dataclass(frozen=True, slots=True)
class DuplicateDecision:
    """One row of ``duplicates.csv`` (``row`` is the 1-based data row)."""

    row: int
    record_ids: tuple[str, ...]
    decision: str
    reviewer: str
    note: str


@dataclass(frozen=True, slots=True)
class DuplicateStatus:
    """A candidate group and where the reviewer's decisions leave it.

    Attributes
    ----------
    group : DuplicateGroup
    status : str
        ``confirmed``, ``rejected``, ``partly confirmed`` or ``pending``.
    """

    group: DuplicateGroup
    status: str


def parse_duplicate_decisions(text: str, file: str, known: Mapping[str, object],
                              problems: list[ReviewProblem]) -> tuple[DuplicateDecision, ...]:
    """Rows of ``duplicates.csv``; ``known`` maps every record id; problems appended."""
    header, rows = read_csv(text)
    missing = [c for c in _REQUIRED if c not in header]
    for c in missing:
        problems.append(ReviewProblem(None, None, c, None, "is a required column; add it",
                                      file=file, where="header"))
    if missing:
        return ()
    out: list[DuplicateDecision] = []
    for i, cells in enumerate(rows, start=1):
        def bad(column: str, value: object, rule: str, i: int = i) -> None:
            problems.append(ReviewProblem(i, None, column, value, rule, file=file))
        ids = tuple(x.strip() for x in cells["record_ids"].split(";") if x.strip())
        ok = True
        if len(ids) < 2 or len(set(ids)) != len(ids):
            bad("record_ids", cells["record_ids"] or None,
                "must name two or more different record ids separated by ';'")
            ok = False
        for rid in ids:
            if rid not in known:
                bad("record_ids", rid, "must be record ids of the search files "
                                       "('<file>#<n>', see records/FORMAT.md)")
                ok = False
        if cells["decision"] not in DUPLICATE_DECISIONS:
            bad("decision", cells["decision"] or None, "must be one of {'confirmed', "
                                                       "'rejected'}")
            ok = False
        if not cells["reviewer"]:
            bad("reviewer", None, "must be given")
        if ok:
            out.append(DuplicateDecision(i, ids, cells["decision"], cells["reviewer"],
                                         cells.get("note", "")))
    return tuple(out)


def resolve_duplicates(groups: Sequence[DuplicateGroup],
                       decisions: Sequence[DuplicateDecision], file: str,
                       problems: list[ReviewProblem]
                       ) -> tuple[tuple[DuplicateStatus, ...], dict[str, str]]:
    """Status of each candidate group, and removed record id -> kept record id."""
    kept_of: dict[str, str] = {}
    for d in decisions:
        if d.decision != "confirmed":
            continue
        roots = {kept_of.get(rid, rid) for rid in d.record_ids}
        keep = kept_of.get(d.record_ids[0], d.record_ids[0])
        for rid, kept in list(kept_of.items()):
            if kept in roots:
                kept_of[rid] = keep
        for rid in [*d.record_ids, *roots]:
            if rid != keep:
                kept_of[rid] = keep

    def root(rid: str) -> str:
        return kept_of.get(rid, rid)

    rejected: list[tuple[int, set[str]]] = []
    for d in decisions:
        if d.decision == "rejected":
            roots = {root(rid) for rid in d.record_ids}
            if len(roots) < len(d.record_ids):
                problems.append(ReviewProblem(
                    d.row, None, "record_ids", ";".join(d.record_ids),
                    "are rejected as duplicates but confirmed on another row", file=file))
            rejected.append((d.row, roots))
    statuses = []
    for group in groups:
        kinds = set()
        for link in group.links:
            a, b = root(link.record_a), root(link.record_b)
            if a == b:
                kinds.add("confirmed")
            elif any(a in roots and b in roots for _, roots in rejected):
                kinds.add("rejected")
            else:
                kinds.add("pending")
        status = ("pending" if "pending" in kinds else
                  "partly confirmed" if len(kinds) == 2 else kinds.pop())
        statuses.append(DuplicateStatus(group, status))
    return tuple(statuses), kept_of
