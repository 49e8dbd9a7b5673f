"""Records typed or exported as CSV, one row per record (``records/FORMAT.md``).

Columns (header names as written; only ``title`` is required, unknown columns are
ignored so that a database's own export can be used after renaming its columns):

``title``, ``authors`` (``;``-separated), ``year``, ``journal``, ``doi``, ``pmid``,
``registry_ids`` (``;``-separated ``NCT`` ids), ``abstract``, ``url``, ``type``.

>>> text = "title,authors,year,doi\\nA trial,Bruun KD; Amris K,2024,doi:10.1/X\\n"
>>> records, problems = parse_csv_records(text, "web.csv")
>>> records[0].authors, records[0].doi, problems
(('Bruun KD', 'Amris K'), '10.1/x', ())
"""

from __future__ import annotations

import re

from livingmeta.records.model import (
    Record,
    check_fields,
    file_problem,
    make_record,
    record_problem,
    registry_ids_in,
    year_of,
)
from livingmeta.review._tables import read_csv
from livingmeta.review.problems import ReviewProblem

__all__ = ["CSV_COLUMNS", "parse_csv_records"]

CSV_COLUMNS = ("title", "authors", "year", "journal", "doi", "pmid", "registry_ids",
               "abstract", "url", "type")
_NCT_ONLY = re.compile(r"^NCT\d{8}$", re.IGNORECASE)


def parse_csv_records(text: str, file: str, *, database: str = "other"
                      ) -> tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]:
    """Records of a CSV file (one per row) and a problem per unreadable row.

    Parameters
    ----------
    text : str
        The file's content.
    file : str
        Its name, used in record ids and problems.
    database : str
        The database (or ``other``) the rows come from.

    Returns
    -------
    records, problems
        Record ``n`` is data row ``n`` (1-based, below the header).
    """
    header, rows = read_csv(text)
    if "title" not in header:
        return (), (file_problem(file, "has no 'title' column (header: "
                                       f"{', '.join(header) or 'empty'})"),)
    records: list[Record] = []
    problems: list[ReviewProblem] = []
    for number, cells in enumerate(rows, start=1):
        title, pmid, doi = cells.get("title", ""), cells.get("pmid", ""), cells.get("doi", "")
        year_text = cells.get("year", "")
        found = check_fields(file, number, title=title, ident=f"PMID {pmid}" if pmid else "",
                             doi=doi, pmid=pmid, year_text=year_text)
        ids = [part.strip() for part in cells.get("registry_ids", "").split(";")
               if part.strip()]
        for part in ids:
            if not _NCT_ONLY.match(part):
                found.append(record_problem(
                    file, number, f"registry_ids must be NCT ids separated by ';', got "
                                  f"{part!r}", title=title))
        if year_text.strip() and year_text.strip()[:4].isdigit() and len(
                year_text.strip()) != 4:
            found.append(record_problem(file, number, f"year must be four digits, got "
                                                      f"{year_text!r}", title=title))
        if found:
            problems.extend(found)
            continue
        records.append(make_record(
            file, number, database, title=title,
            authors=tuple(a.strip() for a in cells.get("authors", "").split(";")
                          if a.strip()),
            year=year_of(year_text), journal=cells.get("journal", ""), doi=doi, pmid=pmid,
            registry_ids=registry_ids_in(*ids), abstract=cells.get("abstract", ""),
            url=cells.get("url", ""), type=cells.get("type", "")))
    return tuple(records), tuple(problems)
