"""ClinicalTrials.gov API v2 study JSON (``/api/v2/studies/{nctId}`` or ``/api/v2/studies``).

The file holds one study object or ``{"studies": [...]}`` (the search endpoint's page).
Each study becomes one register record (``source_database`` ``ClinicalTrials.gov``):

================================================================  ======================
``protocolSection.identificationModule.nctId``                    registry id (required)
``...identificationModule.briefTitle`` (else ``officialTitle``)   title
``...contactsLocationsModule.overallOfficials[].name``            authors
``...sponsorCollaboratorsModule.leadSponsor.name``                journal column: sponsor
``...statusModule.studyFirstPostDateStruct.date``                 year (first posted)
``...descriptionModule.briefSummary``                             abstract
``...designModule.studyType`` and ``hasResults``                  type
================================================================  ======================

>>> text = ('{"protocolSection": {"identificationModule": {"nctId": "NCT04270877", '
...         '"briefTitle": "FINAL"}}, "hasResults": false}')
>>> records, problems = parse_ctgov_json(text, "ctgov.json")
>>> records[0].registry_ids, records[0].url
(('NCT04270877',), 'https://clinicaltrials.gov/study/NCT04270877')
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from livingmeta.records.model import (
    Record,
    check_fields,
    file_problem,
    make_record,
    record_problem,
    year_of,
)
from livingmeta.review.problems import ReviewProblem

__all__ = ["parse_ctgov_json"]

_NCT = re.compile(r"^NCT\d{8}$")


def _get(node: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _str(node: Any, *path: str) -> str:
    value = _get(node, *path)
    return value.strip() if isinstance(value, str) else ""


def parse_ctgov_json(text: str, file: str, *, database: str = "ClinicalTrials.gov"
                     ) -> tuple[tuple[Record, ...], tuple[ReviewProblem, ...]]:
    """Register records of a ClinicalTrials.gov v2 JSON file, a problem per bad study.

    Parameters
    ----------
    text : str
        The file's content.
    file : str
        Its name, used in record ids and problems.
    database : str
        Default ``ClinicalTrials.gov``.

    Returns
    -------
    records, problems
        Record ``n`` is the n-th study of the file.
    """
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        return (), (file_problem(file, f"is not valid JSON: {error}"),)
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        studies: list[Any] = data["studies"]
    elif isinstance(data, dict) and "protocolSection" in data:
        studies = [data]
    else:
        return (), (file_problem(file, "must hold a ClinicalTrials.gov v2 study object or "
                                       "{\"studies\": [...]}"),)
    records: list[Record] = []
    problems: list[ReviewProblem] = []
    for number, study in enumerate(studies, start=1):
        ident = _str(study, "protocolSection", "identificationModule", "nctId")
        title = (_str(study, "protocolSection", "identificationModule", "briefTitle")
                 or _str(study, "protocolSection", "identificationModule", "officialTitle"))
        if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
            problems.append(record_problem(file, number, "has no 'protocolSection' object"))
            continue
        first_posted = _str(study, "protocolSection", "statusModule",
                            "studyFirstPostDateStruct", "date")
        found = check_fields(file, number, title=title, ident=ident, doi="", pmid="",
                             year_text=first_posted)
        if not _NCT.match(ident):
            found.insert(0, record_problem(
                file, number, f"identificationModule.nctId must be 'NCT' and 8 digits, "
                              f"got {ident or 'nothing'!r}", ident=ident, title=title))
        if found:
            problems.extend(found)
            continue
        officials = _get(study, "protocolSection", "contactsLocationsModule",
                         "overallOfficials")
        authors = tuple(_str(o, "name") for o in officials if _str(o, "name")) if isinstance(
            officials, list) else ()
        kind = _str(study, "protocolSection", "designModule", "studyType") or "study"
        results = " with results" if study.get("hasResults") is True else ""
        record = make_record(
            file, number, database, title=title, authors=authors, year=year_of(first_posted),
            journal=_str(study, "protocolSection", "sponsorCollaboratorsModule",
                         "leadSponsor", "name"),
            registry_ids=(ident,),
            abstract=_str(study, "protocolSection", "descriptionModule", "briefSummary"),
            url=f"https://clinicaltrials.gov/study/{ident}",
            type=f"registry record ({kind.lower()}{results})")
        if authors:
            # Registry names are "Forename Surname[, degree]"
            name = authors[0].split(",")[0].split()
            record = replace(record, first_author=name[-1] if name else "")
        records.append(record)
    return tuple(records), tuple(problems)
