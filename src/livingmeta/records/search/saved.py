"""``records/searches.toml``: the saved searches of a review, checked all at once.

Each ``[[searches]]`` table declares one search that ``livingmeta search`` runs again at
every update (a *living* search; Elliott et al. 2017, J Clin Epidemiol 91:23-30):

=================  ===========================================================  =========
key                meaning                                                      databases
=================  ===========================================================  =========
``id``             letters, digits, ``-``, ``_``; names the raw folder and files  both
``database``       ``PubMed`` or ``ClinicalTrials.gov``                           both
``query``          PubMed: the search string (``term``); CT.gov: ``query.term``   both
``condition``      CT.gov ``query.cond``                                          CT.gov
``intervention``   CT.gov ``query.intr``                                          CT.gov
``mindate``        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a TOML date too)      both
``maxdate``        as ``mindate``; PubMed: today when only ``mindate`` is given   both
``datetype``       PubMed: ``pdat`` (publication, default), ``edat``, ``mdat``    PubMed
``note``           text, shown with the search                                    both
=================  ===========================================================  =========

A top-level ``email`` is sent to NCBI with every E-utilities request (its ``tool`` and
``email`` parameters). Every problem is collected and raised once as
:class:`~livingmeta.review.ReviewValidationError`, naming the file, the entry, the key,
the value and the rule.
"""

from __future__ import annotations

import calendar
import datetime
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingmeta.records.search.http import SearchError
from livingmeta.review.problems import ReviewProblem, ReviewValidationError

__all__ = ["DATE_TYPES", "SEARCH_DATABASES", "SavedSearch", "SavedSearches",
           "load_saved_searches", "parse_saved_searches"]

#: Databases a saved search can run against.
SEARCH_DATABASES = ("PubMed", "ClinicalTrials.gov")
#: PubMed date types of ``mindate``/``maxdate`` (E-utilities ``datetype``).
DATE_TYPES = ("pdat", "edat", "mdat")
FILE = "records/searches.toml"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{2}))?(?:[-/](\d{2}))?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COMMON = ("id", "database", "query", "mindate", "maxdate", "note")
_ONLY = {"PubMed": ("datetype",), "ClinicalTrials.gov": ("condition", "intervention")}


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """One ``[[searches]]`` entry.

    Attributes
    ----------
    search_id : str
        The ``id``.
    database : str
        ``PubMed`` or ``ClinicalTrials.gov``.
    query : str
        PubMed search string, or CT.gov ``query.term`` ('' when not given).
    condition, intervention : str
        CT.gov ``query.cond`` and ``query.intr`` ('' when not given).
    mindate, maxdate : str
        ``YYYY[-MM[-DD]]`` ('' when not given).
    datetype : str
        PubMed date type of the limits (``pdat``, ``edat`` or ``mdat``).
    note : str
    """

    search_id: str
    database: str
    query: str = ""
    condition: str = ""
    intervention: str = ""
    mindate: str = ""
    maxdate: str = ""
    datetype: str = "pdat"
    note: str = ""

    def describe(self) -> str:
        """The search as sent, in one line (for ``sources.toml`` and summaries).

        >>> SavedSearch("ct", "ClinicalTrials.gov", condition="fibromyalgia",
        ...             intervention="naltrexone").describe()
        'query.cond=fibromyalgia; query.intr=naltrexone'
        """
        if self.database == "PubMed":
            parts = [self.query]
            if self.mindate or self.maxdate:
                parts.append(f"{self.datetype} {self.mindate or '...'} to "
                             f"{self.maxdate or 'today'}")
        else:
            parts = [f"{name}={value}" for name, value in (
                ("query.term", self.query), ("query.cond", self.condition),
                ("query.intr", self.intervention)) if value]
            if self.mindate or self.maxdate:
                parts.append(f"first posted {self.mindate or '...'} to "
                             f"{self.maxdate or 'today'}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class SavedSearches:
    """The content of ``records/searches.toml``.

    Attributes
    ----------
    searches : tuple of SavedSearch
    email : str
        Contact address sent to NCBI ('' when not declared).
    """

    searches: tuple[SavedSearch, ...]
    email: str = ""

    def ids(self) -> tuple[str, ...]:
        """The search ids, in file order."""
        return tuple(s.search_id for s in self.searches)


def _date(value: object) -> str | None:
    """A date limit as ``YYYY[-MM[-DD]]``, or None when it is not one."""
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(x for x in (year, month, day) if x)


def date_bound(text: str, *, upper: bool) -> datetime.date:
    """The first (or, with ``upper``, the last) day a ``YYYY[-MM[-DD]]`` limit covers.

    >>> date_bound("2024-02", upper=True)
    datetime.date(2024, 2, 29)
    """
    parts = [int(x) for x in text.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else (12 if upper else 1)
    if len(parts) > 2:
        return datetime.date(year, month, parts[2])
    return datetime.date(year, month, calendar.monthrange(year, month)[1] if upper else 1)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[ReviewProblem] = []

    def bad(self, where: str | None, key: str | None, value: object, rule: str) -> None:
        self.problems.append(ReviewProblem(None, None, key, value, rule, file=FILE,
                                           where=where))

    def text(self, entry: dict[str, Any], where: str, key: str) -> str:
        value = entry.get(key, "")
        if not isinstance(value, str):
            self.bad(where, key, value, "must be a string")
            return ""
        return value.strip()


def _limits(entry: dict[str, Any], where: str, check: _Checker) -> dict[str, str]:
    limits: dict[str, str] = {}
    for key in ("mindate", "maxdate"):
        if key in entry:
            shown = _date(entry[key])
            if shown is None:
                check.bad(where, key, entry[key], "must be a date: YYYY, YYYY-MM or "
                                                  "YYYY-MM-DD")
            limits[key] = shown or ""
    if limits.get("mindate") and limits.get("maxdate") and (
            date_bound(limits["mindate"], upper=False)
            > date_bound(limits["maxdate"], upper=True)):
        check.bad(where, "maxdate", limits["maxdate"], f"must not be before mindate "
                                                       f"{limits['mindate']}")
    return limits


def _entry(entry: Any, n: int, check: _Checker, seen: set[str]) -> SavedSearch | None:
    where = f"[[searches]] {n}"
    if not isinstance(entry, dict):
        check.bad(where, None, None, "must be a table of keys")
        return None
    before = len(check.problems)
    search_id = check.text(entry, where, "id")
    if search_id:
        where = f"[[searches]] {n} (id {search_id!r})"
    database = check.text(entry, where, "database")
    if not _ID.match(search_id):
        check.bad(where, "id", search_id or None, "must be 1-64 letters, digits, '-' or '_', "
                                                  "starting with a letter or digit")
    elif search_id in seen:
        check.bad(where, "id", search_id, "must be unique: another search has it")
    seen.add(search_id)
    if database not in SEARCH_DATABASES:
        check.bad(where, "database", database or None,
                  f"must be one of {{{', '.join(map(repr, SEARCH_DATABASES))}}}")
    allowed = _COMMON + _ONLY.get(database, ())
    for key in entry:
        if key not in allowed:
            check.bad(where, key, entry[key], f"is not a key of a {database or 'saved'} "
                                              f"search ({', '.join(allowed)})")
    values = {key: check.text(entry, where, key) for key in
              ("query", "condition", "intervention", "note") if key in allowed}
    if database == "PubMed" and not values.get("query"):
        check.bad(where, "query", None, "must give the PubMed search string")
    if database == "ClinicalTrials.gov" and not any(
            values.get(k) for k in ("query", "condition", "intervention")):
        check.bad(where, "query", None, "must be given, or condition or intervention "
                                        "(query.term, query.cond, query.intr)")
    datetype = entry.get("datetype", "pdat")
    if database == "PubMed" and datetype not in DATE_TYPES:
        check.bad(where, "datetype", datetype, f"must be one of {set(DATE_TYPES)}")
    limits = _limits(entry, where, check)
    if len(check.problems) > before:
        return None
    return SavedSearch(search_id, database, values.get("query", ""),
                       values.get("condition", ""), values.get("intervention", ""),
                       limits.get("mindate", ""), limits.get("maxdate", ""), str(datetype),
                       values.get("note", ""))


def parse_saved_searches(text: str) -> SavedSearches:
    """Check the text of ``records/searches.toml``.

    Parameters
    ----------
    text : str
        The file's content.

    Returns
    -------
    SavedSearches

    Raises
    ------
    ReviewValidationError
        Every problem at once (entry, key, value, rule).

    Examples
    --------
    >>> text = '''
    ... [[searches]]
    ... id = "pubmed-ldn"
    ... database = "PubMed"
    ... query = "naltrexone[tiab] AND fibromyalgia[tiab]"
    ... mindate = 2024
    ... '''
    >>> try:
    ...     parse_saved_searches(text)
    ... except ReviewValidationError as error:
    ...     print(error.problems[0])
    records/searches.toml [[searches]] 1 (id 'pubmed-ldn'): mindate must be a date: \
YYYY, YYYY-MM or YYYY-MM-DD, got 2024
    >>> parse_saved_searches('[[searches]]\\nid = "ct"\\ndatabase = "ClinicalTrials.gov"\\n'
    ...                      'condition = "fibromyalgia"').ids()
    ('ct',)
    """
    check = _Checker()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        check.bad(None, None, None, f"invalid TOML: {error}")
        raise ReviewValidationError(check.problems) from None
    for key in data:
        if key not in ("searches", "email"):
            check.bad(None, key, data[key], "is not a top-level key (searches, email)")
    email = data.get("email", "")
    if not isinstance(email, str) or (email and not _EMAIL.match(email)):
        check.bad(None, "email", email, "must be an e-mail address (sent to NCBI)")
    entries = data.get("searches")
    if not isinstance(entries, list) or not entries:
        check.bad("[[searches]]", None, None, "must declare at least one saved search")
        entries = []
    seen: set[str] = set()
    searches = [_entry(entry, n, check, seen) for n, entry in enumerate(entries, start=1)]
    if check.problems:
        raise ReviewValidationError(check.problems)
    return SavedSearches(tuple(s for s in searches if s is not None),
                         email if isinstance(email, str) else "")


def load_saved_searches(review_folder: str | Path) -> SavedSearches:
    """Read and check ``records/searches.toml`` of a review folder.

    Raises
    ------
    SearchError
        The folder or the file does not exist (one line).
    ReviewValidationError
        Every problem of the file at once.
    """
    if not Path(review_folder).is_dir():
        raise SearchError(f"{review_folder} is not a review folder (no such directory)")
    path = Path(review_folder) / FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SearchError(f"no saved searches: {path} does not exist (declare them as "
                          "[[searches]] tables; see records/FORMAT.md, 'Saved searches')"
                          ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SearchError(f"{path} cannot be read: {error}") from None
    try:
        return parse_saved_searches(text)
    except ReviewValidationError as error:
        raise ReviewValidationError(error.problems, str(review_folder)) from None
