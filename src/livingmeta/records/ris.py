"""RIS (Research Information Systems) records: ``TY  - `` ... ``ER  - ``.

Each line is a two-character tag, two spaces, a hyphen and a space, then the value
(``TI  - Low-dose naltrexone ...``); a record opens with ``TY`` and closes with ``ER``.
A non-empty line without a tag continues the field above it (some exporters wrap long
abstracts). Fields read:

===========================  =================================================
``TY``                       type (``JOUR``, ``CONF``, ``ABST``, ``ELEC``, ...)
``TI`` ``T1`` ``CT`` ``BT``  title (first present)
``AU`` ``A1``                authors, one per line
``PY`` ``Y1`` ``DA``         year (first four digits)
``JO`` ``JF`` ``T2`` ``JA``  journal (first present)
``DO``                       DOI
``AB`` ``N2``                abstract
``UR``                       URL (first)
``AN``                       PubMed id when it is all digits (PubMed, Ovid exports)
any tag but ``AB``/``N2``    ClinicalTrials.gov ids (``NCT`` + 8 digits)
===========================  =================================================

>>> text = "TY  - JOUR\\nTI  - A trial\\nAU  - Bruun, KD\\nPY  - 2024\\nER  - \\n"
>>> records, problems = parse_ris(text, "found.ris")
>>> records[0].record_id, records[0].first_author, records[0].year, problems
('found.ris#1', 'Bruun', 2024, ())
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from livingmeta.records.model import (
    Record,
    check_fields,
    make_record,
    record_problem,
    registry_ids_in,
    year_of,
)
from livingmeta.review.problems import ReviewProblem

__all__ = ["parse_ris"]

_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_END = re.compile(r"^ER  -\s*$")
_TAG_LIKE = re.compile(r"^[A-Z][A-Z0-9]\s*-")
_TITLE_TAGS = ("TI", "T1", "CT", "BT")
_YEAR_TAGS = ("PY", "Y1", "DA")
_JOURNAL_TAGS = ("JO", "JF", "T2", "JA")


@dataclass
class _Open:
    number: int
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def first(self, *tags: str) -> str:
        for tag in tags:
            for t, value in self.fields:
                if t == tag and value.strip():
                    return value.strip()
        return ""

    def all(self, *tags: str) -> tuple[str, ...]:
        return tuple(v.strip() for t, v in self.fields if t in tags and v.strip())


def parse_ris(text: str, file: str, *, database: str = "other"
              ) -> tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]:
    """Records of a RIS file and a problem for each record that cannot be read.

    Parameters
    ----------
    text : str
        The file's content.
    file : str
        Its name, used in record ids and problems.
    database : str
        The database the file was exported from (one of ``SOURCE_DATABASES``).

    Returns
    -------
    records, problems
        Every readable record, and one problem per unreadable record naming its number
        in the file (and its title start when known).
    """
    records: list[Record] = []
    problems: list[ReviewProblem] = []
    current: _Open | None = None
    number = 0
    for line_no, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if _END.match(line):
            if current is None:
                problems.append(record_problem(
                    file, number, f"line {line_no}: 'ER' without an open record (no 'TY')"))
            else:
                _close(current, file, database, records, problems)
                current = None
            continue
        match = _TAG.match(line)
        if match and match.group(1) == "TY":
            if current is not None:
                current.errors.append(
                    f"has no 'ER' before the next record starts at line {line_no}")
                _close(current, file, database, records, problems)
            number += 1
            current = _Open(number, line_no, [("TY", match.group(2))])
            continue
        if current is None:
            problems.append(record_problem(
                file, number + 1, f"line {line_no}: text outside a record (a record "
                                  f"starts with 'TY  - '), got {line[:30]!r}"))
            continue
        if match:
            current.fields.append((match.group(1), match.group(2)))
        elif _TAG_LIKE.match(line):
            current.errors.append(f"line {line_no} is not a RIS tag line "
                                  f"('XX  - value'), got {line[:30]!r}")
        elif current.fields:
            tag, value = current.fields[-1]
            current.fields[-1] = (tag, f"{value} {line.strip()}")
    if current is not None:
        current.errors.append("has no 'ER  - ' line (the file ends inside the record)")
        _close(current, file, database, records, problems)
    return tuple(records), tuple(problems)


def _close(rec: _Open, file: str, database: str, records: list[Record],
           problems: list[ReviewProblem]) -> None:
    title = rec.first(*_TITLE_TAGS)
    accession = rec.first("AN")
    pmid = accession if accession.isdigit() else ""
    doi = rec.first("DO")
    year_text = rec.first(*_YEAR_TAGS)
    found = [record_problem(file, rec.number, error, title=title) for error in rec.errors]
    found += check_fields(file, rec.number, title=title, ident=f"PMID {pmid}" if pmid else "",
                          doi=doi, pmid=pmid, year_text=year_text)
    if found:
        problems.extend(found)
        return
    searchable = [v for t, v in rec.fields if t not in ("AB", "N2")]
    records.append(make_record(
        file, rec.number, database, title=title, authors=rec.all("AU", "A1"),
        year=year_of(year_text), journal=rec.first(*_JOURNAL_TAGS), doi=doi, pmid=pmid,
        registry_ids=registry_ids_in(*searchable), abstract=rec.first("AB", "N2"),
        url=rec.first("UR"), type=rec.first("TY")))
