"""``update_searches``: run a review's saved searches and add only the new records.

For each saved search, in file order: the service is searched (every page), the records
found are read with the review's parsers, and each is compared with every record the
folder already holds (all search files of ``sources.toml``) and with the new records of
the searches run before it. A record found is *already seen* when

1. its PMID equals one in the folder (such PubMed records are not even fetched);
2. its DOI equals one in the folder;
3. it is a registry record whose NCT id is that of a registry record in the folder
   (an article that names a trial's NCT id is another report of the trial, not a copy
   of its registry record: PRISMA 2020 counts reports, Page et al. 2021, BMJ 372:n71);
4. its title matches by the fuzzy rule of :mod:`livingmeta.records.duplicates`
   (``token_sort_ratio >= 90``, years within one, same first-author surname).

The others are written to a new search file with a new ``[[sources]]`` entry, where
``load_records`` reads them for screening. Nothing is written until every search has
run; then all files are written at once (:mod:`livingmeta.records.search.writing`).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from livingmeta.errors import ParameterError, check_choice
from livingmeta.records.duplicates import find_duplicates
from livingmeta.records.loader import load_records, parse_records
from livingmeta.records.model import Record
from livingmeta.records.search.http import (
    CTGOV_INTERVAL,
    EUTILS_INTERVAL,
    EUTILS_KEY_INTERVAL,
    Fetcher,
    RateLimiter,
    SearchServiceError,
)
from livingmeta.records.search.results import SearchRun, SearchUpdate, SeenRecord
from livingmeta.records.search.saved import SavedSearch, load_saved_searches
from livingmeta.records.search.services import (
    Candidate,
    Harvest,
    harvest_ctgov,
    harvest_pubmed,
    user_agent,
)
from livingmeta.records.search.writing import (
    commit,
    ctgov_file,
    pubmed_file,
    raw_files,
    sources_entry,
)

__all__ = ["update_searches"]

_SOURCES_HEAD = ("# Search files of this review (format: livingmeta/records/FORMAT.md),\n"
                 "# written by `livingmeta search`.\n")


def _is_registry(record: Record) -> bool:
    return record.source_database == "ClinicalTrials.gov" or record.source_kind == "register"


def _masked(record: Record, record_id: str) -> Record:
    # NCT ids link two records only when both are registry records (rule 3 above).
    ids = record.registry_ids if _is_registry(record) else ()
    return replace(record, record_id=record_id, registry_ids=ids)


def _dedupe(candidates: Sequence[Candidate], seen: Sequence[Record]
            ) -> tuple[list[Candidate], list[SeenRecord]]:
    """Split candidates into new ones and matches of a record already seen."""
    pool = [_masked(r, f"s{i}") for i, r in enumerate(seen)]
    pool += [_masked(c.record, f"c{i}") for i, c in enumerate(candidates)]
    matched: dict[int, SeenRecord] = {}
    for group in find_duplicates(pool):
        for link in group.links:
            ends = sorted((link.record_a, link.record_b))  # 'c...' sorts before 's...'
            if not (ends[0].startswith("c") and ends[1].startswith("s")):
                continue
            index = int(ends[0][1:])
            if index not in matched:
                matched[index] = SeenRecord(candidates[index].identifier,
                                            seen[int(ends[1][1:])].record_id, link.reason)
    fresh = [c for i, c in enumerate(candidates) if i not in matched]
    return fresh, [matched[i] for i in sorted(matched)]


def _free(stem: str, suffix: str, taken: set[str]) -> str:
    name, n = f"{stem}{suffix}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    taken.add(name)
    return name


@dataclass(frozen=True, slots=True)
class _Plan:
    update: SearchUpdate
    files: dict[str, str]
    units: tuple[str, ...]
    entry: str
    new_records: tuple[Record, ...]


def _plan(search: SavedSearch, harvest: Harvest, seen: Sequence[Record], taken: set[str],
          date: str) -> _Plan:
    by_pmid: dict[str, str] = {}
    for r in seen:
        if r.pmid:
            by_pmid.setdefault(r.pmid, r.record_id)
    matches = [SeenRecord(p, by_pmid[p], "pmid") for p in harvest.not_fetched]
    fresh, more = _dedupe(harvest.candidates, seen)
    raw_dir = _free(f"raw/{search.search_id}/{date}", "", taken)
    files = {f"{raw_dir}/{name}": text for name, text in
             raw_files(harvest.exchanges, search.search_id, date).items()}
    units, entry = [raw_dir], ""
    new_records: tuple[Record, ...] = ()
    pubmed = search.database == "PubMed"
    if fresh:
        file = _free(f"{search.search_id}-{date}", ".xml" if pubmed else ".json", taken)
        fmt, kind = ("pubmed-xml", "database") if pubmed else ("ctgov-json", "register")
        files[file] = (pubmed_file([c.payload for c in fresh], search.search_id, date)
                       if pubmed else ctgov_file([c.payload for c in fresh]))
        parsed, problems = parse_records(files[file], file, fmt, database=search.database)
        if problems or len(parsed) != len(fresh):
            raise SearchServiceError(f"the new search file {file} does not read back "
                                     f"({len(parsed)} of {len(fresh)} records)")
        new_records = tuple(replace(r, source_kind=kind) for r in parsed)
        units.append(file)
        entry = sources_entry(
            file=file, format=fmt, database=search.database, kind=kind, date=date,
            query=search.describe(),
            comment=(f"livingmeta search {date}: saved search {search.search_id}; "
                     f"{len(harvest.found)} found, {len(matches) + len(more)} already in the "
                     f"folder, {len(fresh)} new; raw responses in {raw_dir}/"))
    update = SearchUpdate(
        search_id=search.search_id, database=search.database, query=search.describe(),
        searched=date, found=len(harvest.found), already_seen=len(matches) + len(more),
        new=len(new_records), left_out=len(harvest.left_out),
        new_record_ids=tuple(r.record_id for r in new_records),
        new_titles=tuple(r.title for r in new_records), seen=tuple(matches + more),
        requests=len(harvest.exchanges), raw_folder=f"records/{raw_dir}",
        files_written=tuple(f"records/{name}" for name in files),
        warnings=harvest.warnings + harvest.left_out)
    return _Plan(update, files, tuple(units), entry, new_records)


def _existing(folder: Path) -> tuple[list[Record], str | None]:
    if not (folder / "records" / "sources.toml").exists():
        return [], None
    text = (folder / "records" / "sources.toml").read_text(encoding="utf-8")
    return list(load_records(folder).records), text


def _select(searches: Sequence[SavedSearch], only: Iterable[str]) -> list[SavedSearch]:
    wanted = list(dict.fromkeys(only))
    ids = [s.search_id for s in searches]
    for search_id in wanted:
        check_choice("only", search_id, ids)
    return [s for s in searches if not wanted or s.search_id in wanted]


def update_searches(review_folder: str | Path, *, client: httpx.Client | None = None,
                    only: Iterable[str] = (), api_key: str | None = None,
                    email: str | None = None, dry_run: bool = False,
                    today: datetime.date | None = None,
                    sleep: Callable[[float], object] = time.sleep,
                    clock: Callable[[], float] = time.monotonic,
                    page_size: int | None = None) -> SearchRun:
    """Run the saved searches of a review folder and add the new records.

    Parameters
    ----------
    review_folder : str or path-like
        Holds ``records/searches.toml`` (and ``records/sources.toml`` once it has records).
    client : httpx.Client, optional
        The HTTP client (tests pass one on ``httpx.MockTransport``); by default one is
        made and closed again.
    only : iterable of str
        Run only these search ids (default: all).
    api_key : str, optional
        NCBI API key: 10 E-utilities requests per second instead of 3. Never logged.
    email : str, optional
        Contact address for NCBI (default: ``email`` of ``searches.toml``).
    dry_run : bool
        Search and compare, but write nothing.
    today : datetime.date, optional
        The date of the search (default: today).
    sleep, clock : callables
        ``time.sleep`` and ``time.monotonic`` unless injected (rate limits, backoff).
    page_size : int, optional
        Records per request (default: 500 for esearch/efetch, 100 for ClinicalTrials.gov).

    Returns
    -------
    SearchRun
        One :class:`SearchUpdate` per search run.

    Raises
    ------
    SearchError
        No ``records/searches.toml``.
    SearchNetworkError, SearchServiceError
        A service cannot be reached or kept failing; nothing was written.
    ReviewValidationError
        ``searches.toml`` or the existing records have problems (all listed).
    ParameterError
        ``only`` names an unknown search, or ``page_size`` < 1.
    """
    folder = Path(review_folder)
    saved = load_saved_searches(folder)
    selected = _select(saved.searches, only)
    if page_size is not None and (not isinstance(page_size, int) or isinstance(page_size, bool)
                                  or page_size < 1):
        raise ParameterError(f"The 'page_size' parameter must be an int >= 1. Got {page_size!r}.")
    seen, sources_text = _existing(folder)
    day = (today or datetime.date.today()).isoformat()
    taken = {s.name for s in (folder / "records").iterdir()} | {
        p.relative_to(folder / "records").as_posix()
        for p in (folder / "records" / "raw").glob("*/*")}
    own = client is None
    http = client or httpx.Client(timeout=30.0, follow_redirects=True,
                                  headers={"User-Agent": user_agent()})
    fetcher = Fetcher(http, sleep=sleep)
    eutils = RateLimiter(EUTILS_KEY_INTERVAL if api_key else EUTILS_INTERVAL, sleep=sleep,
                         clock=clock)
    ctgov = RateLimiter(CTGOV_INTERVAL, sleep=sleep, clock=clock)
    plans: list[_Plan] = []
    try:
        for search in selected:
            if search.database == "PubMed":
                harvest = harvest_pubmed(
                    search, fetcher, eutils, known_pmids={r.pmid for r in seen if r.pmid},
                    api_key=api_key, email=email or saved.email,
                    today=datetime.date.fromisoformat(day), page_size=page_size or 500)
            else:
                harvest = harvest_ctgov(search, fetcher, ctgov, page_size=page_size or 100)
            plans.append(_plan(search, harvest, seen, taken, day))
            seen.extend(plans[-1].new_records)
    finally:
        if own:
            http.close()
    entries = "".join(p.entry for p in plans)
    if not dry_run:
        new_sources = ((sources_text if sources_text is not None else _SOURCES_HEAD)
                       .rstrip("\n") + "\n" + entries) if entries else None
        commit(folder / "records", {k: v for p in plans for k, v in p.files.items()},
               [u for p in plans for u in p.units], new_sources)
    updates = tuple(p.update if not dry_run else replace(p.update, files_written=())
                    for p in plans)
    return SearchRun.build(folder, day, dry_run, updates,
                           sources_changed=bool(entries) and not dry_run)
