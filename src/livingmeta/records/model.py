"""The bibliographic :class:`Record` every parser returns, and the helpers they share.

A record is one entry of a search result (a PubMed citation, a RIS entry, a registry
study, a row of a CSV of web pages). Its ``record_id`` is ``<source file>#<n>``, the
file name and the 1-based position of the record in that file, so that screening and
duplicate decisions keep pointing at it while new searches are added as new files.

Problems are :class:`~livingmeta.review.problems.ReviewProblem` objects that name the
file and the record (``where="record 3 (PMID 12345, 'Low-dose naltrexone ...')"``); a
record with a problem is left out and every other record is still returned.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

from livingmeta.review.problems import ReviewProblem

__all__ = [
    "SOURCE_DATABASES",
    "SOURCE_KINDS",
    "Record",
    "normalize_doi",
    "normalize_title",
    "record_problem",
    "registry_ids_in",
    "surname",
]

#: Databases a record can come from (``other``: any other database or a web source).
SOURCE_DATABASES = ("PubMed", "Embase", "CENTRAL", "ClinicalTrials.gov", "other")
#: How a source file was found, as PRISMA 2020 separates them (Page et al. 2021, Fig 1).
SOURCE_KINDS = ("database", "register", "other")

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_NCT = re.compile(r"\bNCT\d{8}\b", re.IGNORECASE)
_YEAR = re.compile(r"^\s*(\d{4})")


@dataclass(frozen=True, slots=True)
class Record:
    """One bibliographic record of a search result.

    Attributes
    ----------
    record_id : str
        ``<source file>#<n>`` (n is the 1-based position of the record in its file).
    source_database : str
        One of :data:`SOURCE_DATABASES`: declared for the file, or implied by its format.
    title, journal, abstract, url, type : str
        As exported ('' when absent); ``type`` is the publication or study type.
    authors : tuple of str
        Authors as exported ("Younger J" or "Younger, Jarred").
    first_author : str
        Surname of the first author ('' when there is none).
    year : int or None
        Publication year (first posted, for a registry record).
    doi : str
        Lower case, without ``https://doi.org/`` or ``doi:``.
    pmid : str
        PubMed id (digits).
    registry_ids : tuple of str
        Trial registry ids (``NCT01234567``), upper case.
    source_file : str
        The file, relative to the review folder's ``records/``.
    source_kind : str
        ``database``, ``register`` or ``other`` (PRISMA 2020's columns).
    other_method : str
        For ``other`` sources: ``citation searching``, ``websites``, ``organisations``.
    previous : bool
        The record belongs to a previous version of the review (an updated review).
    """

    record_id: str
    source_database: str
    title: str
    authors: tuple[str, ...] = ()
    first_author: str = ""
    year: int | None = None
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    registry_ids: tuple[str, ...] = ()
    abstract: str = ""
    url: str = ""
    type: str = ""
    source_file: str = ""
    source_kind: str = "database"
    other_method: str = ""
    previous: bool = False

    def label(self) -> str:
        """A short label: ``Younger 2013, 'Low-dose naltrexone for ...'``."""
        who = self.first_author or "[no author]"
        when = str(self.year) if self.year is not None else "n.d."
        title = self.title if len(self.title) <= 60 else self.title[:57] + "..."
        return f"{who} {when}, {title!r}"

    def to_dict(self) -> dict[str, object]:
        """JSON-safe fields."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def normalize_doi(raw: str) -> str:
    """A DOI in lower case without resolver or ``doi:`` prefix ('' when absent).

    >>> normalize_doi("https://doi.org/10.3344/KJP.24202.")
    '10.3344/kjp.24202'
    """
    text = _DOI_PREFIX.sub("", raw.strip()).strip().rstrip(".").strip()
    return text.lower()


def registry_ids_in(*texts: str) -> tuple[str, ...]:
    """ClinicalTrials.gov ids (``NCT`` + 8 digits) in ``texts``, upper case, in order.

    >>> registry_ids_in("ClinicalTrials.gov/NCT04270877", "nct00568555; NCT04270877")
    ('NCT04270877', 'NCT00568555')
    """
    seen: dict[str, None] = {}
    for text in texts:
        for match in _NCT.findall(text):
            seen.setdefault(match.upper(), None)
    return tuple(seen)


def year_of(raw: str) -> int | None:
    """The four-digit year a date string starts with (None when it does not)."""
    match = _YEAR.match(raw)
    return int(match.group(1)) if match else None


def surname(author: str) -> str:
    """The surname of an author as exported: ``Younger, Jarred`` / ``Younger J`` ->
    ``Younger``; ``de Paula`` is kept whole when no initials follow.

    >>> surname("Rodriguez-Freire, A"), surname("Bruun KD"), surname("de Paula")
    ('Rodriguez-Freire', 'Bruun', 'de Paula')
    """
    text = author.strip()
    if "," in text:
        return text.split(",", 1)[0].strip()
    parts = text.split()
    if len(parts) > 1 and parts[-1].isupper() and len(parts[-1]) <= 3:
        return " ".join(parts[:-1])
    return text


def normalize_title(title: str) -> str:
    """Lower case, accents and punctuation removed, single spaces (for fuzzy matching).

    >>> normalize_title("Low-Dose Naltrexone (LDN) in Fibromyalgia: a Meta-analysis.")
    'low dose naltrexone ldn in fibromyalgia a meta analysis'
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def record_problem(file: str, number: int, rule: str, *, ident: str = "",
                   title: str = "") -> ReviewProblem:
    """A problem naming the file and the record (number, id and title start)."""
    shown = [x for x in (ident, repr(title[:40] + ("..." if len(title) > 40 else ""))
                         if title else "") if x]
    where = f"record {number}" + (f" ({', '.join(shown)})" if shown else "")
    return ReviewProblem(None, None, None, None, rule, file=file, where=where)


def file_problem(file: str, rule: str) -> ReviewProblem:
    """A problem with a whole file (unreadable, not well-formed, refused)."""
    return ReviewProblem(None, None, None, None, rule, file=file)


def make_record(file: str, number: int, database: str, *, title: str,
                authors: tuple[str, ...] = (), year: int | None = None, journal: str = "",
                doi: str = "", pmid: str = "", registry_ids: tuple[str, ...] = (),
                abstract: str = "", url: str = "", type: str = "") -> Record:
    """A :class:`Record` with its id, first author and normalized DOI filled in."""
    return Record(
        record_id=f"{file}#{number}", source_database=database, title=title.strip(),
        authors=authors, first_author=surname(authors[0]) if authors else "", year=year,
        journal=journal.strip(), doi=normalize_doi(doi), pmid=pmid.strip(),
        registry_ids=registry_ids, abstract=abstract.strip(), url=url.strip(),
        type=type.strip(), source_file=file)


def check_fields(file: str, number: int, *, title: str, ident: str, doi: str, pmid: str,
                 year_text: str) -> list[ReviewProblem]:
    """Problems every format shares: no title, a PMID that is not digits, a DOI that
    does not start ``10.``, a date without a year."""
    out: list[ReviewProblem] = []

    def bad(rule: str) -> None:
        out.append(record_problem(file, number, rule, ident=ident, title=title))

    if not title.strip():
        bad("has no title: a record must have one to be screened")
    if pmid and not pmid.strip().isdigit():
        bad(f"PMID must be digits, got {pmid!r}")
    if doi and not normalize_doi(doi).startswith("10."):
        bad(f"DOI must start with '10.', got {doi!r}")
    if year_text.strip() and year_of(year_text) is None:
        bad(f"date must start with a four-digit year, got {year_text!r}")
    return out
