"""PubMed MEDLINE text (``.nbib``, "PubMed format" export): ``PMID- `` ... records.

Each line is a tag of up to four characters, padded with spaces to four, then ``- `` and
the value (``TI  - Low-dose naltrexone ...``); a line starting with six spaces continues
the field above; records are separated by blank lines and open with ``PMID-`` (NLM,
"MEDLINE/PubMed Data Element (Field) Descriptions"). Fields read:

========================  ===================================================
``PMID``                  PubMed id
``TI``                    title
``AU`` (else ``FAU``)     authors
``DP``                    year (first four digits)
``JT`` (else ``TA``)      journal
``LID`` / ``AID``         DOI: the value ending ``[doi]``
``SI``                    ClinicalTrials.gov ids (``ClinicalTrials.gov/NCT...``)
``AB``                    abstract
``PT``                    publication types, joined with ``; ``
========================  ===================================================

>>> text = "PMID- 19453963\\nTI  - Fibromyalgia symptoms\\n      and LDN.\\nDP  - 2009\\n"
>>> records, problems = parse_medline(text, "pubmed.nbib")
>>> records[0].title, records[0].pmid, records[0].source_database
('Fibromyalgia symptoms and LDN.', '19453963', 'PubMed')
"""

from __future__ import annotations

import re

from livingmeta.records.model import (
    Record,
    check_fields,
    make_record,
    record_problem,
    registry_ids_in,
    year_of,
)
from livingmeta.review.problems import ReviewProblem

__all__ = ["parse_medline"]

_TAG = re.compile(r"^([A-Z][A-Z0-9 ]{3})- (.*)$")
_CONTINUATION = re.compile(r"^ {6}(\S.*)$")


def parse_medline(text: str, file: str, *, database: str = "PubMed"
                  ) -> tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]:
    """Records of a PubMed MEDLINE (.nbib) file and a problem per unreadable record.

    Parameters
    ----------
    text : str
        The file's content.
    file : str
        Its name, used in record ids and problems.
    database : str
        The database it was exported from (default ``PubMed``).

    Returns
    -------
    records, problems
    """
    records: list[Record] = []
    problems: list[ReviewProblem] = []
    blocks: list[list[tuple[int, str]]] = [[]]
    for line_no, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.rstrip("\r")
        if line.strip():
            blocks[-1].append((line_no, line))
        elif blocks[-1]:
            blocks.append([])
    number = 0
    for block in (b for b in blocks if b):
        number += 1
        fields: list[tuple[str, str]] = []
        errors: list[str] = []
        for line_no, line in block:
            tag = _TAG.match(line)
            more = _CONTINUATION.match(line)
            if tag:
                fields.append((tag.group(1).strip(), tag.group(2).strip()))
            elif more and fields:
                name, value = fields[-1]
                fields[-1] = (name, f"{value} {more.group(1).strip()}")
            else:
                errors.append(f"line {line_no} is neither a tag line ('TAG - value') nor "
                              f"a continuation (six spaces), got {line[:30]!r}")
        _close(file, number, database, block[0][0], fields, errors, records, problems)
    return tuple(records), tuple(problems)


def _first(fields: list[tuple[str, str]], *tags: str) -> str:
    for tag in tags:
        for name, value in fields:
            if name == tag and value:
                return value
    return ""


def _close(file: str, number: int, database: str, first_line: int,
           fields: list[tuple[str, str]], errors: list[str], records: list[Record],
           problems: list[ReviewProblem]) -> None:
    title = _first(fields, "TI")
    pmid = _first(fields, "PMID")
    if not fields or fields[0][0] != "PMID":
        errors.insert(0, f"does not start with 'PMID- ' (line {first_line}; records are "
                         "separated by one blank line)")
    doi = ""
    for name, value in fields:
        if name in ("LID", "AID") and value.endswith("[doi]"):
            doi = value[: -len("[doi]")].strip()
            break
    ident = f"PMID {pmid}" if pmid else ""
    found = [record_problem(file, number, e, ident=ident, title=title) for e in errors]
    year_text = _first(fields, "DP")
    found += check_fields(file, number, title=title, ident=ident, doi=doi, pmid=pmid,
                          year_text=year_text)
    if found:
        problems.extend(found)
        return
    authors = tuple(v for n, v in fields if n == "AU") or tuple(
        v for n, v in fields if n == "FAU")
    records.append(make_record(
        file, number, database, title=title, authors=authors, year=year_of(year_text),
        journal=_first(fields, "JT", "TA"), doi=doi, pmid=pmid,
        registry_ids=registry_ids_in(*(v for n, v in fields if n == "SI")),
        abstract=_first(fields, "AB"),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        type="; ".join(v for n, v in fields if n == "PT")))
