"""Versions of a living review: ``versions.toml``, parsed and checked.

A living review publishes versions. ``versions.toml`` in the review folder lists them in
order, each with the studies it had (by status) and the record files of
``records/sources.toml`` its searches had found; FORMAT.md in this package documents the
keys. :func:`parse_versions` checks the text, reporting every problem at once
(:class:`~livingmeta.review.ReviewValidationError`); :mod:`.versioned` reads the file of
a folder and gives the review and the records as a version had them.

Lists rather than dates decide what a version had: a version's date is reported and
checked for order, never used to select studies or records.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livingmeta.errors import check_choice
from livingmeta.review.problems import ReviewProblem, ReviewValidationError

if TYPE_CHECKING:  # pragma: no cover
    # livingmeta.records imports livingmeta.review (its problems): imported when used
    from livingmeta.records import RecordsState

__all__ = ["STATUS_KEYS", "VERSIONS_FILE", "ReviewVersion", "ReviewVersions", "parse_versions"]

#: The file, relative to the review folder.
VERSIONS_FILE = "versions.toml"
#: ``[[versions]]`` keys listing studies, and the ``studies.csv`` status each gives.
STATUS_KEYS: dict[str, str] = {"included": "included", "sensitivity_only": "sensitivity-only",
                               "awaiting_data": "awaiting-data", "excluded": "excluded"}
_KEYS = ("id", "label", "date", *STATUS_KEYS, "records", "unseen_records", "note")
_RECORD_ID = re.compile(r"^(?P<file>.+)#(?P<n>[1-9][0-9]*)$")


@dataclass(frozen=True, slots=True)
class ReviewVersion:
    """One ``[[versions]]`` entry: what a published version of the review had.

    Attributes
    ----------
    id, label : str
        The identifier (``--from``/``--to`` name it) and a label for people.
    date : str
        ISO date of the version (reported; versions are in date order).
    statuses : tuple of (study, status)
        Every study the version had identified, with its status then (``studies.csv``
        statuses). A study not listed had not been identified.
    records : tuple of str
        Files of ``records/sources.toml`` the version's searches had.
    unseen_records : tuple of str
        Record ids (``<file>#<n>``) of those files that the version had not seen: reports
        that appeared after it, in a file exported later.
    note : str
    """

    id: str
    label: str
    date: str
    statuses: tuple[tuple[str, str], ...]
    records: tuple[str, ...]
    unseen_records: tuple[str, ...] = ()
    note: str = ""

    @property
    def included(self) -> tuple[str, ...]:
        """Studies of the primary analysis (status ``included``)."""
        return tuple(s for s, status in self.statuses if status == "included")

    def status(self, study: str) -> str | None:
        """The study's status in this version (None: not yet identified)."""
        return dict(self.statuses).get(study)

    def has_record(self, record_id: str) -> bool:
        """Whether this version had the record (its file listed, the id not unseen)."""
        file = record_id.rpartition("#")[0]
        return file in self.records and record_id not in self.unseen_records

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"id": self.id, "label": self.label, "date": self.date,
                "statuses": dict(self.statuses), "records": list(self.records),
                "unseen_records": list(self.unseen_records), "note": self.note}


@dataclass(frozen=True, slots=True)
class ReviewVersions:
    """The versions of a review, oldest first (``versions.toml``)."""

    versions: tuple[ReviewVersion, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """Version ids, oldest first."""
        return tuple(v.id for v in self.versions)

    def version(self, version_id: str, *, name: str = "version") -> ReviewVersion:
        """The version called ``version_id``.

        Raises
        ------
        ParameterError
            No such version; the message lists the known ids (``name`` names the
            argument, e.g. ``"to_id"``).
        """
        check_choice(name, version_id, self.ids)
        return self.versions[self.ids.index(version_id)]

    def before(self, version_id: str) -> ReviewVersion | None:
        """The version published just before ``version_id`` (None for the first)."""
        i = self.ids.index(self.version(version_id).id)
        return self.versions[i - 1] if i else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"versions": [v.to_dict() for v in self.versions]}


class _Checker:
    """Collects the problems of ``versions.toml``, each located by entry and key."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[ReviewProblem] = []

    def bad(self, where: str, key: str | None, value: object, rule: str) -> None:
        self.problems.append(ReviewProblem(None, None, key, value, rule, file=self.file,
                                           where=where))

    def strings(self, entry: Mapping[str, Any], where: str, key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(where, key, value, "must be a list of strings")
            return ()
        for dup in sorted({v for v in value if value.count(v) > 1}):
            self.bad(where, key, dup, "must not be listed twice")
        return tuple(dict.fromkeys(value))

    def date(self, entry: Mapping[str, Any], where: str) -> datetime.date | None:
        value = entry.get("date")
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.bad(where, "date", value, "must be a date (2025-12-31, TOML date or "
                                       "'YYYY-MM-DD' string)")
        return None


def _statuses(c: _Checker, entry: Mapping[str, Any], where: str,
              studies: Collection[str]) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for key, status in STATUS_KEYS.items():
        for study in c.strings(entry, where, key):
            if study not in studies:
                c.bad(where, key, study, "must name a study of studies.csv")
            elif study in out:
                c.bad(where, key, study, f"is already listed as {out[study]}")
            else:
                out[study] = status
    return tuple(out.items())


def _records(c: _Checker, entry: Mapping[str, Any], where: str,
             records: RecordsState | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    files = c.strings(entry, where, "records")
    unseen = c.strings(entry, where, "unseen_records")
    known_files = {s.file for s in records.sources} if records is not None else set()
    known_ids = {r.record_id for r in records.records} if records is not None else set()
    for file in files:
        if file not in known_files:
            c.bad(where, "records", file, "must name a file of records/sources.toml"
                  if records is not None else "needs records/sources.toml listing it")
    for rid in unseen:
        m = _RECORD_ID.match(rid)
        if m is None or m.group("file") not in files:
            c.bad(where, "unseen_records", rid, "must be a record id '<file>#<n>' of a "
                                               "file in this version's records")
        elif records is not None and m.group("file") in known_files and rid not in known_ids:
            c.bad(where, "unseen_records", rid, "must name a record of its file")
    return files, unseen


def _entry(c: _Checker, entry: Any, n: int, studies: Collection[str],
           records: RecordsState | None) -> tuple[ReviewVersion, datetime.date | None] | None:
    where = f"[[versions]] {n}"
    if not isinstance(entry, dict):
        c.bad(where, None, entry, "each [[versions]] entry must be a table")
        return None
    vid = entry.get("id")
    if not isinstance(vid, str) or not vid.strip():
        c.bad(where, "id", vid, "must be a non-empty string")
        vid = ""
    where += f" (id {vid!r})" if vid else ""
    for key in entry:
        if key not in _KEYS:
            c.bad(where, key, None, f"is not a known key ({', '.join(_KEYS)})")
    label = entry.get("label", vid)
    note = entry.get("note", "")
    for key, value in (("label", label), ("note", note)):
        if not isinstance(value, str):
            c.bad(where, key, value, "must be a string")
    date = c.date(entry, where)
    files, unseen = _records(c, entry, where, records)
    version = ReviewVersion(id=vid, label=str(label), date="" if date is None else
                            date.isoformat(), statuses=_statuses(c, entry, where, studies),
                            records=files, unseen_records=unseen, note=str(note))
    return version, date


def parse_versions(text: str, studies: Collection[str], records: RecordsState | None = None,
                   *, file: str = VERSIONS_FILE) -> ReviewVersions:
    """Parse and check the text of ``versions.toml``.

    Parameters
    ----------
    text : str
        The file's text.
    studies : collection of str
        The study labels of ``studies.csv``: every listed study must be one.
    records : RecordsState, optional
        The folder's ``records/`` (:func:`~livingmeta.records.load_records`): listed files
        and unseen record ids must be its own. None: the folder has no records, and a
        version listing record files is a problem.
    file : str
        Name used in messages.

    Returns
    -------
    ReviewVersions

    Raises
    ------
    ReviewValidationError
        Every problem at once: invalid TOML (line and column), unknown keys, missing or
        duplicate ids, dates that are not dates or not in increasing order, unknown
        studies, a study listed under two statuses, unknown record files or record ids.

    Examples
    --------
    >>> text = '''
    ... [[versions]]
    ... id = "v1"
    ... date = 2024-01-31
    ... included = ["A 2020"]
    ... [[versions]]
    ... id = "v2"
    ... date = 2025-01-31
    ... included = ["A 2020", "B 2024"]
    ... '''
    >>> versions = parse_versions(text, ["A 2020", "B 2024"])
    >>> versions.ids, versions.version("v2").included
    (('v1', 'v2'), ('A 2020', 'B 2024'))
    """
    c = _Checker(file)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        rule = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        c.bad(f"line {m.group(1)}, column {m.group(2)}" if m else "", None, None,
              f"invalid TOML: {rule}")
        raise ReviewValidationError(c.problems) from None
    for key in doc:
        if key != "versions":
            c.bad("top level", key, None, "is not a known table (known: ['versions'])")
    raw = doc.get("versions")
    if not isinstance(raw, list) or not raw:
        c.bad("top level", "[[versions]]", None, "must list at least one version")
        raw = []
    parsed = [p for n, e in enumerate(raw, start=1) if (p := _entry(c, e, n, studies, records))]
    seen: set[str] = set()
    last: tuple[str, datetime.date] | None = None
    for version, date in parsed:
        if version.id in seen:
            c.bad(f"[[versions]] (id {version.id!r})", "id", version.id, "must be unique")
        seen.add(version.id)
        if date is not None:
            if last is not None and date <= last[1]:
                c.bad(f"[[versions]] (id {version.id!r})", "date", version.date,
                      f"must be later than the date of version {last[0]!r} "
                      f"({last[1].isoformat()}): versions are listed oldest first")
            last = (version.id, date)
    if c.problems:
        raise ReviewValidationError(c.problems)
    return ReviewVersions(tuple(v for v, _ in parsed))
