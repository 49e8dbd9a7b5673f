"""The results of a living search: one :class:`SearchUpdate` per saved search, gathered
in a :class:`SearchRun` (frozen values with ``summary()`` and ``to_dict()``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingmeta import __version__
from livingmeta.results import Provenance, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["SearchRun", "SearchUpdate", "SeenRecord"]


@dataclass(frozen=True, slots=True)
class SeenRecord:
    """A record found that the folder already holds.

    Attributes
    ----------
    identifier : str
        PMID or NCT id of the record found.
    record_id : str
        The record of the folder it matches (``pubmed.nbib#3``).
    reason : str
        ``pmid``, ``doi``, ``registry id`` or ``title`` (the rule that matched).
    """

    identifier: str
    record_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SearchUpdate:
    """What one saved search found and added.

    Attributes
    ----------
    search_id, database : str
        The saved search and its service.
    query : str
        The search as sent (``SavedSearch.describe()``).
    searched : str
        The date (ISO).
    found : int
        Records the service returned (``already_seen + new + left_out``).
    already_seen : int
        Records the folder already holds (see ``seen``).
    new : int
        Records added to the folder (in a dry run: that would be added).
    left_out : int
        Records found that could not be read or fetched (see ``warnings``).
    new_record_ids, new_titles : tuple of str
        The new records' ids (``<search id>-<date>.xml#n``) and titles.
    seen : tuple of SeenRecord
        Which record of the folder each already-seen record matched, and by what rule.
    requests : int
        HTTP requests answered (retries not counted).
    raw_folder : str
        Where the raw responses are stored, relative to the review folder.
    files_written : tuple of str
        Files written, relative to the review folder (none in a dry run).
    warnings : tuple of str
        What the service said about the query, and each record left out.
    """

    search_id: str
    database: str
    query: str
    searched: str
    found: int
    already_seen: int
    new: int
    left_out: int
    new_record_ids: tuple[str, ...]
    new_titles: tuple[str, ...]
    seen: tuple[SeenRecord, ...]
    requests: int
    raw_folder: str
    files_written: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


@dataclass(frozen=True, slots=True)
class SearchRun:
    """A run of ``livingmeta search`` over a review folder.

    Attributes
    ----------
    folder : str
        The review folder.
    date : str
        The date of the searches (ISO).
    dry_run : bool
        Nothing was written.
    updates : tuple of SearchUpdate
        One per saved search run, in ``searches.toml`` order.
    sources_changed : bool
        ``records/sources.toml`` gained entries (there were new records).
    provenance : Provenance
        Version, options and a digest of the queries and the identifiers found.
    """

    folder: str
    date: str
    dry_run: bool
    updates: tuple[SearchUpdate, ...]
    sources_changed: bool
    provenance: Provenance

    @classmethod
    def build(cls, folder: Path, date: str, dry_run: bool,
              updates: Sequence[SearchUpdate], *, sources_changed: bool) -> SearchRun:
        """The run with its provenance computed from the updates."""
        labels = [part for u in updates for part in (
            u.search_id, u.database, u.query, *(s.identifier for s in u.seen),
            *u.new_record_ids)]
        provenance = Provenance(
            package_version=__version__, function="update_searches", method="",
            options={"date": date, "dry_run": dry_run,
                     "searches": [u.search_id for u in updates]},
            k=sum(u.found for u in updates), input_digest=input_digest(labels=labels))
        return cls(str(folder), date, dry_run, tuple(updates), sources_changed, provenance)

    @property
    def new(self) -> int:
        """New records over all searches."""
        return sum(u.new for u in self.updates)

    def summary(self) -> Summary:
        """Counts per search, then the new records (id and title)."""
        from livingmeta.summary import Summary, SummaryTable

        lines: list[str] = []
        if self.dry_run:
            lines.append("dry run: nothing was written")
        if self.new == 0:
            lines.append("no new records: every record found is already in the folder")
        lines += [f"warning ({u.search_id}): {w}" for u in self.updates for w in u.warnings]
        counts = SummaryTable(
            "Searches", ("search", "database", "found", "already seen", "new", "left out"),
            tuple((u.search_id, u.database, str(u.found), str(u.already_seen), str(u.new),
                   str(u.left_out)) for u in self.updates))
        tables = [counts]
        if self.new:
            tables.append(SummaryTable(
                "New records (to screen)" if not self.dry_run else "New records (not written)",
                ("record", "title"),
                tuple((rid, title if len(title) <= 90 else title[:87] + "...")
                      for u in self.updates
                      for rid, title in zip(u.new_record_ids, u.new_titles, strict=True))))
        return Summary(f"Living search of {self.folder} on {self.date}", tuple(lines),
                       tuple(tables))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field, with the total of new records."""
        out: dict[str, Any] = jsonable(self)
        out["new"] = self.new
        return out
