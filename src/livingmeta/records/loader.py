"""``load_records``: the ``records/`` part of a review folder, checked all at once.

``records/sources.toml`` lists the search files (``[[sources]]``: ``file``, ``format``,
``database``, ``kind``, ``method``, ``searched``, ``query``, ``previous``); the parsers
read each file, duplicates are found and the reviewer's ``duplicates.csv`` applied, the
``screening.csv`` decisions are combined, and the PRISMA 2020 flow is computed. See
``FORMAT.md`` in this package.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from livingmeta.records.csv_records import parse_csv_records
from livingmeta.records.ctgov import parse_ctgov_json
from livingmeta.records.duplicate_decisions import (
    DuplicateDecision,
    DuplicateStatus,
    parse_duplicate_decisions,
    resolve_duplicates,
)
from livingmeta.records.duplicates import DuplicateGroup, find_duplicates
from livingmeta.records.flow import PrismaFlow, compute_flow
from livingmeta.records.medline import parse_medline
from livingmeta.records.model import SOURCE_DATABASES, SOURCE_KINDS, Record
from livingmeta.records.pubmed_xml import parse_pubmed_xml
from livingmeta.records.ris import parse_ris
from livingmeta.records.screening import (
    Conflict,
    FinalDecision,
    ScreeningDecision,
    StageAgreement,
    parse_screening,
    screening_outcome,
)
from livingmeta.review.problems import ReviewProblem, ReviewValidationError

__all__ = ["PARSERS", "RecordsState", "SearchSource", "load_records", "parse_records"]

Parser = Callable[..., tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]]
#: Parser of each ``format`` of ``sources.toml``.
PARSERS: dict[str, Parser] = {
    "ris": parse_ris, "medline": parse_medline, "pubmed-xml": parse_pubmed_xml,
    "csv": parse_csv_records, "ctgov-json": parse_ctgov_json,
}
_BY_SUFFIX = {".ris": "ris", ".nbib": "medline", ".txt": "medline", ".xml": "pubmed-xml",
              ".csv": "csv", ".json": "ctgov-json"}
_IMPLIED_DATABASE = {"medline": "PubMed", "pubmed-xml": "PubMed",
                     "ctgov-json": "ClinicalTrials.gov"}
_KEYS = ("file", "format", "database", "kind", "method", "searched", "query", "previous")


@dataclass(frozen=True, slots=True)
class SearchSource:
    """One ``[[sources]]`` entry of ``sources.toml``: a search file and how it was found."""

    file: str
    format: str
    database: str
    kind: str
    method: str
    searched: str
    query: str
    previous: bool


@dataclass(frozen=True, slots=True)
class RecordsState:
    """Everything ``records/`` holds, checked, with what is computed from it.

    Attributes
    ----------
    sources : tuple of SearchSource
    records : tuple of Record
        Every record of every search file (duplicates included).
    duplicate_groups : tuple of DuplicateStatus
        Candidate groups, with the reviewer's status (pending ones need a decision).
    duplicate_decisions : tuple of DuplicateDecision
    removed : tuple of (removed id, kept id)
        Confirmed duplicates removed.
    screening : tuple of ScreeningDecision
    final_decisions : tuple of FinalDecision
    conflicts : tuple of Conflict
        Disagreements between reviewers (resolved ones carry their consensus).
    agreement : tuple of StageAgreement
        Cohen's kappa per stage and reviewer pair.
    flow : PrismaFlow
    """

    sources: tuple[SearchSource, ...]
    records: tuple[Record, ...]
    duplicate_groups: tuple[DuplicateStatus, ...]
    duplicate_decisions: tuple[DuplicateDecision, ...]
    removed: tuple[tuple[str, str], ...]
    screening: tuple[ScreeningDecision, ...]
    final_decisions: tuple[FinalDecision, ...]
    conflicts: tuple[Conflict, ...]
    agreement: tuple[StageAgreement, ...]
    flow: PrismaFlow

    def record(self, record_id: str) -> Record:
        """The record with that id (KeyError when there is none)."""
        for r in self.records:
            if r.record_id == record_id:
                return r
        raise KeyError(record_id)

    @property
    def open_conflicts(self) -> tuple[Conflict, ...]:
        """Conflicts no consensus row resolves yet."""
        return tuple(c for c in self.conflicts if c.resolution is None)

    @property
    def pending_duplicates(self) -> tuple[DuplicateGroup, ...]:
        """Candidate groups a reviewer has still to decide."""
        return tuple(s.group for s in self.duplicate_groups if s.status == "pending")


def parse_records(text: str, file: str, format: str, *, database: str | None = None
                  ) -> tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]:
    """Parse a search file's text with the parser of ``format`` (a key of PARSERS)."""
    parser = PARSERS[format]
    if database is None:
        return parser(text, file)
    return parser(text, file, database=database)


def _sources(folder: Path, problems: list[ReviewProblem]) -> list[SearchSource]:
    name = "records/sources.toml"
    path = folder / name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(ReviewProblem(None, None, None, None, "is missing: it lists the "
                                      "search files (see records/FORMAT.md)", file=name))
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(ReviewProblem(None, None, None, None, f"cannot be read: {error}",
                                      file=name))
        return []
    entries: Any = data.get("sources")
    if not isinstance(entries, list) or not entries:
        problems.append(ReviewProblem(None, None, "[[sources]]", None,
                                      "must list at least one search file", file=name))
        return []
    out: list[SearchSource] = []
    for n, entry in enumerate(entries, start=1):
        where = f"[[sources]] {n}"
        before = len(problems)

        def bad(key: str, value: object, rule: str, where: str = where) -> None:
            problems.append(ReviewProblem(None, None, key, value, rule, file=name,
                                          where=where))
        for key in entry:
            if key not in _KEYS:
                bad(key, None, f"is not a known key ({', '.join(_KEYS)})")
        file = str(entry.get("file", ""))
        fmt = str(entry.get("format", _BY_SUFFIX.get(Path(file).suffix.lower(), "")))
        kind = str(entry.get("kind", "register" if fmt == "ctgov-json" else "database"))
        database = str(entry.get("database", _IMPLIED_DATABASE.get(fmt, "other")))
        if not file:
            bad("file", None, "must name a file in records/")
        if fmt not in PARSERS:
            bad("format", fmt or None, f"must be one of {{{', '.join(map(repr, PARSERS))}}}")
        if kind not in SOURCE_KINDS:
            bad("kind", kind, "must be one of {'database', 'register', 'other'}")
        if database not in SOURCE_DATABASES:
            bad("database", database, f"must be one of {set(SOURCE_DATABASES)}")
        if kind == "other" and not entry.get("method"):
            bad("method", None, "must say how other-source records were found (citation "
                                "searching, websites, organisations)")
        previous = entry.get("previous", False)
        if not isinstance(previous, bool):
            bad("previous", previous, "must be true or false")
        if len(problems) == before:
            out.append(SearchSource(file, fmt, database, kind, str(entry.get("method", "")),
                                    str(entry.get("searched", "")),
                                    str(entry.get("query", "")), bool(previous)))
    return out


def _read_records(folder: Path, source: SearchSource, problems: list[ReviewProblem]
                  ) -> list[Record]:
    name = f"records/{source.file}"
    try:
        text = (folder / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(ReviewProblem(None, None, None, None,
                                      f"cannot be read: {error.__class__.__name__}",
                                      file=name))
        return []
    records, found = parse_records(text, source.file, source.format,
                                   database=source.database)
    problems.extend(replace(p, file=name) for p in found)
    return [replace(r, source_kind=source.kind, other_method=source.method,
                    previous=source.previous) for r in records]


def _optional(folder: Path, name: str, problems: list[ReviewProblem]) -> str:
    path = folder / name
    if not path.exists():
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(ReviewProblem(None, None, None, None, f"cannot be read: {error}",
                                      file=name))
        return ""


def load_records(review_folder: str | Path) -> RecordsState:
    """Read and check ``records/`` of a review folder.

    Parameters
    ----------
    review_folder : str or path-like
        The review folder (holding ``records/sources.toml``).

    Returns
    -------
    RecordsState

    Raises
    ------
    ReviewValidationError
        Every problem at once: unreadable files, unreadable records (file and record
        number), bad rows of ``duplicates.csv`` and ``screening.csv`` (file, row, column).

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path
    >>> state = load_records(embedded_review_path())
    >>> state.flow.studies_included, state.flow.reports_included
    (4, 14)
    """
    folder = Path(review_folder)
    problems: list[ReviewProblem] = []
    sources = _sources(folder, problems)
    records: list[Record] = []
    for source in sources:
        records.extend(_read_records(folder, source, problems))
    known = {r.record_id: r for r in records}
    if len(known) != len(records):
        problems.append(ReviewProblem(None, None, "file", None, "lists a search file "
                                      "twice", file="records/sources.toml"))
    groups = find_duplicates(records)
    dup_text = _optional(folder, "records/duplicates.csv", problems)
    decisions = parse_duplicate_decisions(dup_text, "records/duplicates.csv", known,
                                          problems) if dup_text else ()
    statuses, removed = resolve_duplicates(groups, decisions, "records/duplicates.csv",
                                           problems)
    screen_text = _optional(folder, "records/screening.csv", problems)
    screening = parse_screening(screen_text, "records/screening.csv", known, removed,
                                problems) if screen_text else ()
    finals, conflicts, agreement = screening_outcome(screening)
    if problems:
        raise ReviewValidationError(problems, str(folder))
    return RecordsState(
        sources=tuple(sources), records=tuple(records), duplicate_groups=statuses,
        duplicate_decisions=decisions, removed=tuple(removed.items()),
        screening=screening, final_decisions=tuple(finals.values()), conflicts=conflicts,
        agreement=agreement, flow=compute_flow(records, removed, finals))
