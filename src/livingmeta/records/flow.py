"""The PRISMA 2020 flow, computed from the records, the confirmed duplicates and the
final screening decisions (never typed in).

Boxes follow Page et al. 2021 (BMJ 372:n71), Fig 1: a column for databases and
registers (identification -> duplicates removed -> records screened -> reports sought
-> reports assessed -> included) and a column for other methods (websites,
organisations, citation searching: straight to reports sought). For an updated review
(any record from a ``previous = true`` source), the "new and updated reviews" variant
adds the studies and reports of the previous version and the totals.

Counting rules:

- records identified: every record of a source file, per database / register / method;
- duplicates removed: records removed by a confirmed ``duplicates.csv`` row, counted in
  the column of the record removed (``other_duplicates_removed`` for other methods);
- records screened: database and register records not removed; ``exclude`` at
  title/abstract is "records excluded"; ``include`` and ``maybe`` are reports sought;
- a report's full-text decision: ``not-retrieved`` (reports not retrieved), ``include``,
  ``exclude`` (per reason), ``awaiting`` (awaiting classification); assessed = include +
  exclude + awaiting; a record without a final decision is pending;
- studies: the distinct ``study`` of included reports (a report without one is its own
  study); reports of included studies: the included records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from livingmeta.records.model import Record
from livingmeta.records.screening import FinalDecision

__all__ = ["PrismaFlow", "compute_flow"]

Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class PrismaFlow:
    """Counts of the PRISMA 2020 flow diagram (Page et al. 2021, Fig 1).

    Attributes
    ----------
    databases, registers, other_sources : tuple of (name, n)
        Records identified per database, per register, per other method.
    duplicates_removed : int
        Database/register records removed as duplicates before screening.
    removed_by_automation, removed_other_reasons : int
        Always 0 here (no automation tool marks records); kept for the diagram's box.
    records_screened, records_excluded, records_pending : int
        Title/abstract screening of database/register records.
    reports_sought, reports_not_retrieved, reports_assessed, reports_awaiting, \
reports_pending : int
        Full texts of database/register records.
    reports_excluded : tuple of (reason, n)
        Full-text exclusions per reason (most frequent first).
    other_duplicates_removed, other_reports_sought, other_reports_not_retrieved, \
other_reports_assessed, other_reports_awaiting, other_reports_pending : int
        The same for records from other methods.
    other_reports_excluded : tuple of (reason, n)
    studies_included, reports_included : int
        New studies and reports of new included studies (this version's searches).
    studies_awaiting : int
        Studies of reports awaiting classification.
    previous_studies, previous_reports : int
        Included in the previous version (0 for a first version).
    total_studies, total_reports : int
        Previous and new together.
    updated : bool
        Records from a previous version exist: the "updated review" diagram applies.
    """

    databases: Counts
    registers: Counts
    other_sources: Counts
    duplicates_removed: int
    removed_by_automation: int
    removed_other_reasons: int
    records_screened: int
    records_excluded: int
    records_pending: int
    reports_sought: int
    reports_not_retrieved: int
    reports_assessed: int
    reports_excluded: Counts
    reports_awaiting: int
    reports_pending: int
    other_duplicates_removed: int
    other_reports_sought: int
    other_reports_not_retrieved: int
    other_reports_assessed: int
    other_reports_excluded: Counts
    other_reports_awaiting: int
    other_reports_pending: int
    studies_included: int
    reports_included: int
    studies_awaiting: int
    previous_studies: int
    previous_reports: int
    total_studies: int
    total_reports: int
    updated: bool

    @property
    def records_identified(self) -> int:
        """Records from databases and registers."""
        return sum(n for _, n in (*self.databases, *self.registers))

    @property
    def other_records_identified(self) -> int:
        """Records from other methods."""
        return sum(n for _, n in self.other_sources)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe counts (``(name, n)`` pairs become ``{name: n}``)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = dict(value) if isinstance(value, tuple) else value
        out["records_identified"] = self.records_identified
        out["other_records_identified"] = self.other_records_identified
        return out


def _count(names: Iterable[str]) -> Counts:
    return tuple(Counter(names).items())


@dataclass
class _Column:
    sought: int = 0
    not_retrieved: int = 0
    awaiting: int = 0
    pending: int = 0
    excluded: Counter[str] | None = None
    included: list[tuple[str, str]] | None = None

    def add(self, record: Record, final: FinalDecision | None) -> None:
        self.sought += 1
        self.excluded = self.excluded if self.excluded is not None else Counter()
        self.included = self.included if self.included is not None else []
        if final is None:
            self.pending += 1
        elif final.decision == "not-retrieved":
            self.not_retrieved += 1
        elif final.decision == "awaiting":
            self.awaiting += 1
        elif final.decision == "exclude":
            self.excluded[final.reason] += 1
        else:
            self.included.append((record.record_id, final.study or record.record_id))

    @property
    def assessed(self) -> int:
        return (self.awaiting + sum((self.excluded or Counter()).values())
                + len(self.included or ()))

    def reasons(self) -> Counts:
        return tuple((self.excluded or Counter()).most_common())


def compute_flow(records: Sequence[Record], removed: Mapping[str, str],
                 finals: Mapping[tuple[str, str], FinalDecision]) -> PrismaFlow:
    """The PRISMA 2020 counts.

    Parameters
    ----------
    records : sequence of Record
        Every record, with ``source_kind``, ``other_method`` and ``previous`` set.
    removed : mapping
        Removed duplicate record id -> kept record id (confirmed duplicates).
    finals : mapping
        Final decision per (record id, stage) (:func:`screening_outcome`).
    """
    new = [r for r in records if not r.previous]
    main = [r for r in new if r.source_kind in ("database", "register")]
    other = [r for r in new if r.source_kind == "other"]
    screened = [r for r in main if r.record_id not in removed]
    excluded = pending = 0
    db, oth, prev = _Column(), _Column(), _Column()
    awaiting_studies: set[str] = set()
    for r in screened:
        first = finals.get((r.record_id, "title_abstract"))
        if first is None:
            pending += 1
        elif first.decision == "exclude":
            excluded += 1
        else:
            db.add(r, finals.get((r.record_id, "full_text")))
    for r in other:
        if r.record_id not in removed:
            oth.add(r, finals.get((r.record_id, "full_text")))
    for r in records:
        final = finals.get((r.record_id, "full_text"))
        if r.previous and r.record_id not in removed and final is not None:
            if final.decision == "include":
                prev.add(r, final)
        if not r.previous and final is not None and final.decision == "awaiting":
            awaiting_studies.add(final.study or r.record_id)
    previous_studies = {s for _, s in prev.included or ()}
    new_reports = [*(db.included or ()), *(oth.included or ())]
    new_studies = {s for _, s in new_reports} - previous_studies
    return PrismaFlow(
        databases=_count(r.source_database for r in main if r.source_kind == "database"),
        registers=_count(r.source_database for r in main if r.source_kind == "register"),
        other_sources=_count(r.other_method or "other" for r in other),
        duplicates_removed=sum(r.record_id in removed for r in main),
        removed_by_automation=0, removed_other_reasons=0,
        records_screened=len(screened), records_excluded=excluded, records_pending=pending,
        reports_sought=db.sought, reports_not_retrieved=db.not_retrieved,
        reports_assessed=db.assessed, reports_excluded=db.reasons(),
        reports_awaiting=db.awaiting, reports_pending=db.pending,
        other_duplicates_removed=sum(r.record_id in removed for r in other),
        other_reports_sought=oth.sought, other_reports_not_retrieved=oth.not_retrieved,
        other_reports_assessed=oth.assessed, other_reports_excluded=oth.reasons(),
        other_reports_awaiting=oth.awaiting, other_reports_pending=oth.pending,
        studies_included=len(new_studies), reports_included=len(new_reports),
        studies_awaiting=len(awaiting_studies),
        previous_studies=len(previous_studies), previous_reports=len(prev.included or ()),
        total_studies=len(previous_studies | new_studies),
        total_reports=len(prev.included or ()) + len(new_reports),
        updated=any(r.previous for r in records))
