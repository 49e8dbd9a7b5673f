"""Living searches: run a review's saved searches again and add only the new records.

``records/searches.toml`` declares the searches (:mod:`.saved`); :func:`update_searches`
runs them against the NCBI E-utilities (PubMed) and the ClinicalTrials.gov API v2
(:mod:`.services`, through the paced and retried client of :mod:`.http`), compares every
record found with the records of the folder, and writes the new ones, the raw responses
and their ``sources.toml`` entries all at once (:mod:`.writing`). ``livingmeta search``
is the command. See ``records/FORMAT.md``, "Saved searches".
"""

from livingmeta.records.search.http import (
    CTGOV_INTERVAL,
    EUTILS_INTERVAL,
    EUTILS_KEY_INTERVAL,
    MAX_RETRIES,
    Fetcher,
    RateLimiter,
    SearchError,
    SearchNetworkError,
    SearchServiceError,
)
from livingmeta.records.search.results import SearchRun, SearchUpdate, SeenRecord
from livingmeta.records.search.saved import (
    SEARCH_DATABASES,
    SavedSearch,
    SavedSearches,
    load_saved_searches,
    parse_saved_searches,
)
from livingmeta.records.search.services import CTGOV_STUDIES_URL, EUTILS_URL
from livingmeta.records.search.update import update_searches

__all__ = [
    "CTGOV_INTERVAL",
    "CTGOV_STUDIES_URL",
    "EUTILS_INTERVAL",
    "EUTILS_KEY_INTERVAL",
    "EUTILS_URL",
    "MAX_RETRIES",
    "SEARCH_DATABASES",
    "Fetcher",
    "RateLimiter",
    "SavedSearch",
    "SavedSearches",
    "SearchError",
    "SearchNetworkError",
    "SearchRun",
    "SearchServiceError",
    "SearchUpdate",
    "SeenRecord",
    "load_saved_searches",
    "parse_saved_searches",
    "update_searches",
]
