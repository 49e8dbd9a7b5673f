"""Run one saved search against its service and read what it finds.

PubMed (NCBI E-utilities; Sayers 2010, NBK25499 "The E-utilities In-Depth"):
``esearch.fcgi`` (``retmode=json``) is paged with ``retstart``/``retmax`` until ``count``
ids are read; ``efetch.fcgi`` (``retmode=xml``) then returns the PubMed XML of the ids
not already in the review folder, in batches. esearch returns at most 9,999 ids of a
search (NCBI, 2022), so a larger result is refused with a hint to add date limits.

ClinicalTrials.gov (API v2, ``/api/v2/studies``): ``query.term``, ``query.cond``,
``query.intr`` and, for date limits, ``filter.advanced=AREA[StudyFirstPostDate]RANGE[...]``;
pages of ``pageSize`` studies are followed through ``nextPageToken`` until a page has none.

Each response is read with the review's own parsers (:func:`~livingmeta.records.parse_pubmed_xml`,
:func:`~livingmeta.records.parse_ctgov_json`), so a record found here reads exactly as it
will from the search file written for it.
"""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from livingmeta import __version__
from livingmeta.records.ctgov import parse_ctgov_json
from livingmeta.records.model import Record
from livingmeta.records.pubmed_xml import parse_pubmed_xml
from livingmeta.records.search.http import (
    Exchange,
    Fetcher,
    RateLimiter,
    SearchServiceError,
)
from livingmeta.records.search.saved import SavedSearch, date_bound

__all__ = ["CTGOV_STUDIES_URL", "EUTILS_URL", "Candidate", "Harvest", "harvest_ctgov",
           "harvest_pubmed"]

#: Base address of the NCBI E-utilities.
EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
#: The ClinicalTrials.gov API v2 search endpoint.
CTGOV_STUDIES_URL = "https://clinicaltrials.gov/api/v2/studies"
#: The ``tool`` parameter NCBI asks every E-utilities client to send.
TOOL = "livingmeta"
#: Most ids esearch returns for one search (retstart + retmax <= 9,999).
ESEARCH_LIMIT = 9999
_MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record found and read, with what a search file needs to hold it again.

    Attributes
    ----------
    identifier : str
        PMID or NCT id.
    record : Record
    payload : str or dict
        PubMed: the ``PubmedArticle`` element as XML text; ClinicalTrials.gov: the study.
    """

    identifier: str
    record: Record
    payload: Any


@dataclass(frozen=True, slots=True)
class Harvest:
    """What one saved search found.

    Attributes
    ----------
    found : tuple of str
        Identifiers of every record found (PMIDs, NCT ids), in the service's order.
    not_fetched : tuple of str
        PMIDs found that the folder already holds, so not fetched again.
    candidates : tuple of Candidate
        Records fetched and readable.
    left_out : tuple of str
        One message per record found that could not be read or fetched.
    exchanges : tuple of Exchange
        Every request with its response, in order.
    warnings : tuple of str
        What the service said about the query (phrases not found, ...).
    """

    found: tuple[str, ...]
    not_fetched: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    left_out: tuple[str, ...]
    exchanges: tuple[Exchange, ...]
    warnings: tuple[str, ...]


def _json(exchange: Exchange, label: str) -> dict[str, Any]:
    try:
        data = json.loads(exchange.text)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise SearchServiceError(f"the {exchange.kind} response of {label} is not a JSON "
                                 f"object: {' '.join(exchange.text.split())[:120]!r}")
    return data


def _pubmed_dates(search: SavedSearch, today: datetime.date) -> dict[str, str]:
    if not (search.mindate or search.maxdate):
        return {}
    # E-utilities needs both limits, written YYYY/MM/DD (or YYYY/MM, YYYY).
    low = search.mindate.replace("-", "/") if search.mindate else "1800"
    high = search.maxdate.replace("-", "/") if search.maxdate else today.strftime("%Y/%m/%d")
    return {"datetype": search.datetype, "mindate": low, "maxdate": high}


def _esearch_warnings(result: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for group in ("errorlist", "warninglist"):
        listed = result.get(group)
        if not isinstance(listed, dict):
            continue
        for name, items in listed.items():
            if isinstance(items, list) and items:
                out.append(f"PubMed {group[:-4]} {name}: {', '.join(map(str, items))}")
    return out


def _esearch(search: SavedSearch, fetcher: Fetcher, limiter: RateLimiter,
             base: dict[str, str], page: int, today: datetime.date
             ) -> tuple[list[str], list[Exchange], list[str]]:
    label = f"saved search {search.search_id!r}"
    ids: dict[str, None] = {}
    exchanges: list[Exchange] = []
    warnings: list[str] = []
    start = 0
    while True:
        params = {**base, "term": search.query, **_pubmed_dates(search, today),
                  "retmode": "json", "retstart": str(start), "retmax": str(page)}
        exchange = fetcher.get(EUTILS_URL + "esearch.fcgi", params, limiter=limiter,
                               kind="esearch", suffix=".json", label=label)
        exchanges.append(exchange)
        result = _json(exchange, label).get("esearchresult")
        if not isinstance(result, dict):
            raise SearchServiceError(f"the esearch response of {label} has no esearchresult")
        if "ERROR" in result:
            raise SearchServiceError(f"PubMed refused {label}: {result['ERROR']}")
        try:
            count = int(result["count"])
            page_ids = [str(int(x)) for x in result.get("idlist", [])]
        except (KeyError, TypeError, ValueError):
            raise SearchServiceError(f"the esearch response of {label} has no readable "
                                     "count and idlist") from None
        if count > ESEARCH_LIMIT:
            raise SearchServiceError(
                f"{label} finds {count} PubMed records; esearch returns at most "
                f"{ESEARCH_LIMIT}: narrow it (e.g. mindate/maxdate in searches.toml)")
        if start == 0:
            warnings.extend(_esearch_warnings(result))
        ids.update(dict.fromkeys(page_ids))
        start += page
        if not page_ids or start >= count:
            return list(ids), exchanges, warnings


def _efetch_batch(batch: list[str], exchange: Exchange, number: int
                  ) -> tuple[list[Candidate], list[str]]:
    name = f"efetch response {number}"
    records, problems = parse_pubmed_xml(exchange.text, name)
    if any(p.where is None for p in problems):
        raise SearchServiceError(f"the {name} is not PubMed XML: "
                                 f"{'; '.join(p.rule for p in problems if p.where is None)}")
    root = ET.fromstring(exchange.text.lstrip("\ufeff"))  # checked by parse_pubmed_xml
    elements: dict[str, ET.Element] = {}
    for element in root.findall("PubmedArticle"):
        element.tail = "\n"
        elements.setdefault((element.findtext("MedlineCitation/PMID") or "").strip(), element)
    wanted = set(batch)
    out = [Candidate(r.pmid, r, ET.tostring(elements[r.pmid], encoding="unicode"))
           for r in records if r.pmid in wanted and r.pmid in elements]
    left_out = [f"{p}: left out" for p in problems]
    returned = set(elements)
    left_out += [f"PMID {pmid}: not returned by efetch (deleted or merged?)"
                 for pmid in batch if pmid not in returned]
    return out, left_out


def harvest_pubmed(search: SavedSearch, fetcher: Fetcher, limiter: RateLimiter, *,
                   known_pmids: Collection[str], api_key: str | None, email: str,
                   today: datetime.date, page_size: int = 500) -> Harvest:
    """esearch (paged), then efetch of the PMIDs the folder does not hold yet."""
    base = {"db": "pubmed", "tool": TOOL}
    if email:
        base["email"] = email
    if api_key:
        base["api_key"] = api_key
    ids, exchanges, warnings = _esearch(search, fetcher, limiter, base, page_size, today)
    to_fetch = [pmid for pmid in ids if pmid not in known_pmids]
    candidates: list[Candidate] = []
    left_out: list[str] = []
    for n, start in enumerate(range(0, len(to_fetch), page_size), start=1):
        batch = to_fetch[start:start + page_size]
        params = {**base, "id": ",".join(batch), "retmode": "xml"}
        exchange = fetcher.get(EUTILS_URL + "efetch.fcgi", params, limiter=limiter,
                               kind="efetch", suffix=".xml",
                               label=f"saved search {search.search_id!r}")
        exchanges.append(exchange)
        got, lost = _efetch_batch(batch, exchange, n)
        candidates += got
        left_out += lost
    return Harvest(tuple(ids), tuple(p for p in ids if p in known_pmids), tuple(candidates),
                   tuple(left_out), tuple(exchanges), tuple(warnings))


def _ctgov_params(search: SavedSearch, page_size: int) -> dict[str, str]:
    params = {"format": "json", "pageSize": str(page_size), "countTotal": "true"}
    for name, value in (("query.term", search.query), ("query.cond", search.condition),
                        ("query.intr", search.intervention)):
        if value:
            params[name] = value
    if search.mindate or search.maxdate:
        low = date_bound(search.mindate, upper=False).isoformat() if search.mindate else "MIN"
        high = date_bound(search.maxdate, upper=True).isoformat() if search.maxdate else "MAX"
        params["filter.advanced"] = f"AREA[StudyFirstPostDate]RANGE[{low},{high}]"
    return params


def _nct_id(study: object) -> str:
    node: object = study
    for key in ("protocolSection", "identificationModule", "nctId"):
        node = node.get(key) if isinstance(node, dict) else None
    return node.strip() if isinstance(node, str) else ""


def harvest_ctgov(search: SavedSearch, fetcher: Fetcher, limiter: RateLimiter, *,
                  page_size: int = 100) -> Harvest:
    """Every page of a ClinicalTrials.gov v2 search, read as register records."""
    label = f"saved search {search.search_id!r}"
    params = _ctgov_params(search, page_size)
    found: list[str] = []
    candidates: list[Candidate] = []
    left_out: list[str] = []
    exchanges: list[Exchange] = []
    tokens: set[str] = set()
    shown_ids: set[str] = set()
    for number in range(1, _MAX_PAGES + 1):
        exchange = fetcher.get(CTGOV_STUDIES_URL, params, limiter=limiter, kind="studies",
                               suffix=".json", label=label)
        exchanges.append(exchange)
        data = _json(exchange, label)
        studies = data.get("studies", [])
        if not isinstance(studies, list):
            raise SearchServiceError(f"page {number} of {label} has no 'studies' list")
        name = f"studies page {number}"
        records, problems = parse_ctgov_json(json.dumps({"studies": studies}), name)
        by_id = {r.registry_ids[0]: r for r in records}
        for i, study in enumerate(studies, start=1):
            nct = _nct_id(study)
            shown = nct or f"study {i} of page {number}"
            if shown in shown_ids:  # a study moved across pages while paging
                continue
            shown_ids.add(shown)
            found.append(shown)
            if nct in by_id:
                candidates.append(Candidate(nct, by_id.pop(nct), study))
        left_out += [f"{p}: left out" for p in problems]
        token = data.get("nextPageToken")
        if not token:
            break
        if not isinstance(token, str) or token in tokens:
            raise SearchServiceError(f"page {number} of {label} repeats a nextPageToken")
        tokens.add(token)
        params = {k: v for k, v in params.items() if k != "countTotal"}
        params["pageToken"] = token
    return Harvest(tuple(found), (), tuple(candidates), tuple(left_out), tuple(exchanges), ())


def user_agent() -> str:
    """The User-Agent the default client sends."""
    return f"livingmeta/{__version__} (living systematic reviews; python-httpx)"
