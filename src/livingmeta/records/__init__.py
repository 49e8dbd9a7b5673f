"""Search records, duplicates, screening and the PRISMA 2020 flow of a review.

The ``records/`` folder of a review (``FORMAT.md`` in this package) holds the search
files as exported (RIS, PubMed MEDLINE .nbib, PubMed XML, CSV, ClinicalTrials.gov v2
JSON) listed in ``sources.toml``, the reviewer's duplicate decisions and the screening
decisions per reviewer. :func:`load_records` reads and checks all of it (every problem
at once, as :class:`~livingmeta.review.ReviewValidationError`) and returns a
:class:`RecordsState` with the duplicate groups, conflicts, Cohen's kappa and the
:class:`PrismaFlow`; :class:`livingmeta.plots.PrismaDiagram` draws the flow.

:func:`update_searches` runs the saved searches of ``records/searches.toml`` again
(PubMed E-utilities, ClinicalTrials.gov API v2) and adds only the records not already in
the folder (``livingmeta search``).

Each parser is a function ``parse_x(text, file, *, database) -> (records, problems)``
that keeps every readable record and reports each unreadable one by file and number.
"""

from livingmeta.records.csv_records import CSV_COLUMNS, parse_csv_records
from livingmeta.records.ctgov import parse_ctgov_json
from livingmeta.records.duplicate_decisions import (
    DUPLICATE_DECISIONS,
    DuplicateDecision,
    DuplicateStatus,
    parse_duplicate_decisions,
    resolve_duplicates,
)
from livingmeta.records.duplicates import (
    TITLE_THRESHOLD,
    DuplicateGroup,
    DuplicateLink,
    find_duplicates,
)
from livingmeta.records.flow import PrismaFlow, compute_flow
from livingmeta.records.kappa import Kappa, cohen_kappa
from livingmeta.records.loader import (
    PARSERS,
    RecordsState,
    SearchSource,
    load_records,
    parse_records,
)
from livingmeta.records.medline import parse_medline
from livingmeta.records.model import (
    SOURCE_DATABASES,
    SOURCE_KINDS,
    Record,
    normalize_doi,
    normalize_title,
)
from livingmeta.records.pubmed_xml import parse_pubmed_xml
from livingmeta.records.ris import parse_ris
from livingmeta.records.screening import (
    CONSENSUS,
    SCREENING_DECISIONS,
    SCREENING_STAGES,
    Conflict,
    FinalDecision,
    ScreeningDecision,
    StageAgreement,
    parse_screening,
    screening_outcome,
)
from livingmeta.records.search import (
    SEARCH_DATABASES,
    SavedSearch,
    SavedSearches,
    SearchError,
    SearchNetworkError,
    SearchRun,
    SearchServiceError,
    SearchUpdate,
    SeenRecord,
    load_saved_searches,
    parse_saved_searches,
    update_searches,
)

__all__ = [
    "CONSENSUS",
    "CSV_COLUMNS",
    "DUPLICATE_DECISIONS",
    "PARSERS",
    "SCREENING_DECISIONS",
    "SCREENING_STAGES",
    "SEARCH_DATABASES",
    "SOURCE_DATABASES",
    "SOURCE_KINDS",
    "TITLE_THRESHOLD",
    "Conflict",
    "DuplicateDecision",
    "DuplicateGroup",
    "DuplicateLink",
    "DuplicateStatus",
    "FinalDecision",
    "Kappa",
    "PrismaFlow",
    "Record",
    "RecordsState",
    "SavedSearch",
    "SavedSearches",
    "ScreeningDecision",
    "SearchError",
    "SearchNetworkError",
    "SearchRun",
    "SearchServiceError",
    "SearchSource",
    "SearchUpdate",
    "SeenRecord",
    "StageAgreement",
    "cohen_kappa",
    "compute_flow",
    "find_duplicates",
    "load_records",
    "load_saved_searches",
    "normalize_doi",
    "normalize_title",
    "parse_csv_records",
    "parse_ctgov_json",
    "parse_duplicate_decisions",
    "parse_medline",
    "parse_pubmed_xml",
    "parse_records",
    "parse_ris",
    "parse_saved_searches",
    "parse_screening",
    "resolve_duplicates",
    "screening_outcome",
    "update_searches",
]
