"""Living searches (``update_searches``) on hand-built recordings of PubMed E-utilities and
ClinicalTrials.gov API v2 responses (``data/http/README.md`` says which record is which
and what each should become); everything runs offline through ``httpx.MockTransport``."""

from __future__ import annotations

import datetime
import json
import shutil
import tomllib
from pathlib import Path

import httpx
import pytest

from livingmeta.errors import ParameterError
from livingmeta.records import (
    SavedSearch,
    SearchError,
    SearchNetworkError,
    SearchServiceError,
    load_records,
    load_saved_searches,
    parse_saved_searches,
    update_searches,
)
from livingmeta.records.search import (
    CTGOV_INTERVAL,
    EUTILS_INTERVAL,
    EUTILS_KEY_INTERVAL,
    writing,
)
from livingmeta.records.search.http import Fetcher, RateLimiter
from livingmeta.review import ReviewValidationError, embedded_review_path

HTTP = Path(__file__).parent / "data" / "http"
DAY = datetime.date(2026, 12, 1)
EUTILS_HOST = "eutils.ncbi.nlm.nih.gov"


class Recorded:
    """A MockTransport handler answering from routes.json; anything else gets 404."""

    def __init__(self) -> None:
        self.routes = json.loads((HTTP / "routes.json").read_text())["routes"]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        params = request.url.params
        for route in self.routes:
            if (request.url.host == route["host"] and request.url.path == route["path"]
                    and all(params.get(k) == v for k, v in route["match"].items())
                    and not any(k in params for k in route.get("absent", []))):
                return httpx.Response(200, content=(HTTP / route["file"]).read_bytes(),
                                      headers={"Content-Type": route["type"]})
        return httpx.Response(404, text=f"no recording for {request.url}")

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    def of(self, path_end: str) -> list[httpx.QueryParams]:
        return [r.url.params for r in self.requests if r.url.path.endswith(path_end)]


class FakeTime:
    """A clock that moves only when slept on, and the sleeps it was asked for."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "ldn"
    shutil.copytree(embedded_review_path(), folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(folder: Path, handler: Recorded | None = None, **options: object):
    handler = handler or Recorded()
    time = FakeTime()
    options = {"today": DAY, "sleep": time.sleep, "clock": time.clock, "page_size": 3,
               **options}
    with handler.client() as client:
        return update_searches(folder, client=client, **options), handler, time  # type: ignore[arg-type]


# --- declarations -------------------------------------------------------------------

def test_the_ldn_review_declares_a_pubmed_and_a_registry_search():
    saved = load_saved_searches(embedded_review_path())
    assert saved.ids() == ("pubmed-ldn", "ctgov-ldn")
    pubmed, ctgov = saved.searches
    assert pubmed.database == "PubMed" and "fibromyalgia[tiab]" in pubmed.query
    assert "randomized controlled trial[pt]" in pubmed.query
    assert (ctgov.condition, ctgov.intervention) == ("fibromyalgia", "naltrexone")
    assert ctgov.describe() == "query.cond=fibromyalgia; query.intr=naltrexone"


BAD_SEARCHES = """
email = "not an address"
colour = "blue"

[[searches]]
id = "pm"
database = "PubMed"
datetype = "xdat"
mindate = "2024-13"

[[searches]]
id = "pm"
database = "Embase"
query = "x"

[[searches]]
id = "bad id!"
database = "ClinicalTrials.gov"
datetype = "pdat"

[[searches]]
id = "ok"
database = "PubMed"
query = "naltrexone"
mindate = "2025"
maxdate = 2024-06-30
"""


def test_every_problem_of_searches_toml_is_reported_at_once():
    with pytest.raises(ReviewValidationError) as caught:
        parse_saved_searches(BAD_SEARCHES)
    shown = [str(p) for p in caught.value.problems]
    expected = [
        "records/searches.toml: colour is not a top-level key",
        "records/searches.toml: email must be an e-mail address",
        "[[searches]] 1 (id 'pm'): query must give the PubMed search string, got missing",
        "[[searches]] 1 (id 'pm'): datetype must be one of",
        "[[searches]] 1 (id 'pm'): mindate must be a date: YYYY, YYYY-MM or YYYY-MM-DD, "
        "got '2024-13'",
        "[[searches]] 2 (id 'pm'): id must be unique",
        "[[searches]] 2 (id 'pm'): database must be one of {'PubMed', 'ClinicalTrials.gov'}, "
        "got 'Embase'",
        "[[searches]] 3 (id 'bad id!'): id must be 1-64 letters",
        "[[searches]] 3 (id 'bad id!'): datetype is not a key of a ClinicalTrials.gov search",
        "[[searches]] 3 (id 'bad id!'): query must be given, or condition or intervention",
        "[[searches]] 4 (id 'ok'): maxdate must not be before mindate 2025, got '2024-06-30'",
    ]
    for text in expected:
        assert any(text in line for line in shown), (text, shown)
    assert len(shown) == len(expected)


def test_a_folder_without_saved_searches_is_one_line(tmp_path):
    (tmp_path / "records").mkdir()
    with pytest.raises(SearchError) as caught:
        update_searches(tmp_path, client=httpx.Client(transport=httpx.MockTransport(
            lambda r: httpx.Response(500))))
    message = str(caught.value)
    assert "\n" not in message and "records/searches.toml does not exist" in message


# --- the recorded update ------------------------------------------------------------

def test_only_records_not_in_the_folder_are_added(review):
    result, _, _ = run(review)
    pubmed, ctgov = result.updates
    # data/http/README.md: 10 PMIDs found; 5 in pubmed.nbib, 1 by DOI, 1 by title, 1 not
    # returned by efetch, 2 new. 7 NCT ids found; 4 in ctgov.json, 3 new.
    assert (pubmed.found, pubmed.already_seen, pubmed.new, pubmed.left_out) == (10, 7, 2, 1)
    assert (ctgov.found, ctgov.already_seen, ctgov.new, ctgov.left_out) == (7, 4, 3, 0)
    reasons = {s.identifier: (s.record_id, s.reason) for s in pubmed.seen}
    assert reasons["42385209"] == ("pubmed.nbib#3", "pmid")
    assert reasons["38226027"] == ("pubmed.nbib#2", "pmid")
    assert reasons["49999902"] == ("citation.ris#3", "doi")
    assert reasons["49999901"] == ("citation.ris#2", "title")
    assert {s.identifier: s.reason for s in ctgov.seen} == {
        "NCT00568555": "registry id", "NCT04270877": "registry id",
        "NCT04502251": "registry id", "NCT04739995": "registry id"}
    assert pubmed.new_record_ids == ("pubmed-ldn-2026-12-01.xml#1",
                                     "pubmed-ldn-2026-12-01.xml#2")
    assert pubmed.new_titles[1].startswith("Low-dose naltrexone versus placebo for fatigue")
    assert ctgov.new_record_ids == tuple(f"ctgov-ldn-2026-12-01.json#{n}" for n in (1, 2, 3))
    assert any("49999905" in w and "not returned by efetch" in w for w in pubmed.warnings)
    assert result.new == 5 and result.sources_changed and not result.dry_run


def test_an_article_naming_a_known_trial_is_a_new_report(review):
    # PMID 49999904 names NCT04739995 like pubmed.nbib#3 and ctgov.json#4: a shared
    # registry id links registry records only, so the article is added for screening.
    state = load_records(run(review)[0].folder)
    record = state.record("pubmed-ldn-2026-12-01.xml#1")
    assert record.pmid == "49999904" and record.registry_ids == ("NCT04739995",)
    group = next(g for g in state.pending_duplicates if record.record_id in g.record_ids)
    assert "ctgov.json#4" in group.record_ids  # the reviewer decides in duplicates.csv


def test_requests_page_through_esearch_efetch_and_page_tokens(review):
    _, handler, _ = run(review, email="reviewer@example.org")
    esearch = handler.of("esearch.fcgi")
    assert [p["retstart"] for p in esearch] == ["0", "3", "6", "9"]
    assert all(p["retmax"] == "3" and p["email"] == "reviewer@example.org" for p in esearch)
    assert "fibromyalgia[tiab]" in esearch[0]["term"]
    # PMIDs already in the folder are not fetched again; the others in batches of 3.
    assert [p["id"] for p in handler.of("efetch.fcgi")] == [
        "49999904,49999903,49999905", "49999902,49999901"]
    pages = handler.of("/api/v2/studies")
    assert [p.get("pageToken") for p in pages] == [None, "NF0g5JGBlPMr", "NF0g5JGBlPMrZwE"]
    assert pages[0]["countTotal"] == "true" and "countTotal" not in pages[1]
    assert all("api_key" not in r.url.params for r in handler.requests)


def test_written_files_load_and_count_in_the_prisma_flow(review):
    before = load_records(review)
    run(review)
    after = load_records(review)
    assert dict(before.flow.databases) == {"PubMed": 7}
    assert dict(after.flow.databases) == {"PubMed": 9}
    assert dict(before.flow.registers) == {"ClinicalTrials.gov": 4}
    assert dict(after.flow.registers) == {"ClinicalTrials.gov": 7}
    assert after.flow.records_pending == before.flow.records_pending + 5
    assert len(after.records) == len(before.records) + 5
    new = {s.file: s for s in after.sources[len(before.sources):]}
    assert set(new) == {"pubmed-ldn-2026-12-01.xml", "ctgov-ldn-2026-12-01.json"}
    assert new["pubmed-ldn-2026-12-01.xml"].format == "pubmed-xml"
    assert (new["ctgov-ldn-2026-12-01.json"].kind, new["ctgov-ldn-2026-12-01.json"].searched
            ) == ("register", "2026-12-01")
    written = (review / "records" / "pubmed-ldn-2026-12-01.xml").read_text()
    assert written.count("<PubmedArticle>") == 2 and "49999901" not in written
    studies = json.loads((review / "records" / "ctgov-ldn-2026-12-01.json").read_text())
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in
            studies["studies"]] == ["NCT09999901", "NCT09999902", "NCT09999903"]


def test_raw_responses_are_stored_as_received_with_a_request_log(review):
    result, _, _ = run(review, api_key="SECRET-KEY-123")
    raw = review / "records" / "raw" / "pubmed-ldn" / "2026-12-01"
    assert result.updates[0].raw_folder == "records/raw/pubmed-ldn/2026-12-01"
    assert (raw / "001-esearch.json").read_bytes() == (HTTP / "pubmed/esearch-1.json"
                                                       ).read_bytes()
    assert (raw / "006-efetch.xml").read_bytes() == (HTTP / "pubmed/efetch-2.xml").read_bytes()
    log = json.loads((raw / "request.json").read_text())
    assert [r["file"] for r in log["requests"]] == [
        "001-esearch.json", "002-esearch.json", "003-esearch.json", "004-esearch.json",
        "005-efetch.xml", "006-efetch.xml"]
    first = log["requests"][0]
    assert first["url"] == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi"
    assert (first["status"], first["date"], first["params"]["retstart"]) == (
        200, "2026-12-01", "0")
    assert "api_key" not in first["params"]
    ctgov_raw = review / "records" / "raw" / "ctgov-ldn" / "2026-12-01"
    assert sorted(p.name for p in ctgov_raw.iterdir()) == [
        "001-studies.json", "002-studies.json", "003-studies.json", "request.json"]
    assert not any(b"SECRET-KEY-123" in data for data in snapshot(review).values())


def test_a_second_run_on_the_same_day_adds_nothing(review):
    run(review)
    records_before = {k: v for k, v in snapshot(review).items() if "/raw/" not in k}
    second, handler, _ = run(review)
    assert second.new == 0 and not second.sources_changed
    assert [(u.found, u.already_seen, u.new) for u in second.updates] == [(10, 9, 0),
                                                                          (7, 7, 0)]
    assert "no new records" in second.summary().as_text()
    # Records added by the first run are known by PMID now: only three are fetched.
    assert [p["id"] for p in handler.of("efetch.fcgi")] == ["49999905,49999902,49999901"]
    assert {k: v for k, v in snapshot(review).items() if "/raw/" not in k} == records_before
    assert (review / "records/raw/pubmed-ldn/2026-12-01-2/request.json").exists()


def test_a_dry_run_reports_the_same_counts_and_writes_nothing(review):
    before = snapshot(review)
    result, _, _ = run(review, dry_run=True)
    assert result.dry_run and result.new == 5 and not result.sources_changed
    assert all(u.files_written == () for u in result.updates)
    assert snapshot(review) == before
    assert "dry run: nothing was written" in result.summary().as_text()


def test_records_added_by_an_earlier_search_of_the_run_are_already_seen(review):
    searches = review / "records" / "searches.toml"
    searches.write_text('[[searches]]\nid = "a"\ndatabase = "PubMed"\nquery = "x"\n'
                        '[[searches]]\nid = "b"\ndatabase = "PubMed"\nquery = "y"\n')
    result, handler, _ = run(review)
    first, second = result.updates
    assert (first.new, second.new, second.already_seen) == (2, 0, 9)
    assert {s.identifier: s.record_id for s in second.seen}["49999903"] == "a-2026-12-01.xml#2"
    assert [p["id"] for p in handler.of("efetch.fcgi")][-1] == "49999905,49999902,49999901"


def test_only_runs_the_named_search_and_rejects_unknown_ids(review):
    result, handler, _ = run(review, only=["ctgov-ldn"])
    assert [u.search_id for u in result.updates] == ["ctgov-ldn"]
    assert not handler.of("esearch.fcgi")
    with pytest.raises(ParameterError, match="'only' parameter must be one of"):
        run(review, only=["embase"])
    with pytest.raises(ParameterError, match="page_size"):
        run(review, page_size=0)


def test_a_review_without_sources_toml_gets_one(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "searches.toml").write_text(
        '[[searches]]\nid = "ctgov-ldn"\ndatabase = "ClinicalTrials.gov"\n'
        'condition = "fibromyalgia"\nintervention = "naltrexone"\n')
    result, _, _ = run(tmp_path)
    assert result.updates[0].new == 7
    state = load_records(tmp_path)
    assert dict(state.flow.registers) == {"ClinicalTrials.gov": 7}
    sources = tomllib.loads((tmp_path / "records" / "sources.toml").read_text())
    assert [s["file"] for s in sources["sources"]] == ["ctgov-ldn-2026-12-01.json"]


# --- failures leave the folder as it was ----------------------------------------------

def test_a_service_failing_midway_leaves_the_folder_unchanged(review):
    recorded = Recorded()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "clinicaltrials.gov" and "pageToken" in request.url.params:
            return httpx.Response(503, text="Service Unavailable")
        return recorded(request)

    before = snapshot(review)
    time = FakeTime()
    with httpx.Client(transport=httpx.MockTransport(handler)) as client, \
            pytest.raises(SearchServiceError, match="503 to the studies request"):
        update_searches(review, client=client, today=DAY, sleep=time.sleep, clock=time.clock,
                        page_size=3)
    assert snapshot(review) == before
    # Rate-limit pauses (5 E-utilities, then 1.2 s before CT.gov page 2), then the backoff
    # before each of the 4 retries (1, 2, 4, 8 s); after the 1 s backoff 0.2 s of the
    # 1.2 s interval is left, after the longer ones nothing.
    assert time.slept == pytest.approx([EUTILS_INTERVAL] * 5 + [
        CTGOV_INTERVAL, 1.0, 0.2, 2.0, 4.0, 8.0])


def test_an_error_while_moving_files_into_place_is_rolled_back(review, monkeypatch):
    def fail(path: Path, text: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writing, "write_atomically", fail)
    before = snapshot(review)
    with pytest.raises(OSError, match="disk full"):
        run(review)
    assert snapshot(review) == before
    assert not list((review / "records").glob(f"{writing.STAGING_PREFIX}*"))


def test_no_network_names_the_host_and_changes_nothing(review):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution",
                                 request=request)

    before = snapshot(review)
    with httpx.Client(transport=httpx.MockTransport(offline)) as client, \
            pytest.raises(SearchNetworkError) as caught:
        update_searches(review, client=client, today=DAY, sleep=lambda s: None)
    assert caught.value.host == EUTILS_HOST and "ConnectError" in str(caught.value)
    assert snapshot(review) == before


# --- the HTTP layer -------------------------------------------------------------------

def test_rate_limits_sleep_between_requests_to_each_service(review):
    # The fake clock moves only when slept on, so every request after the first to a
    # service waits the whole interval: 3 E-utilities requests/s without a key, 10 with.
    _, _, time = run(review)
    assert time.slept == pytest.approx([EUTILS_INTERVAL] * 5 + [CTGOV_INTERVAL] * 2)
    assert (EUTILS_INTERVAL, EUTILS_KEY_INTERVAL, CTGOV_INTERVAL) == pytest.approx(
        (1 / 3, 1 / 10, 60 / 50))
    # A second run: the two PMIDs added are known, so 4 esearch + 1 efetch requests.
    _, _, keyed = run(review, api_key="k", only=["pubmed-ldn"])
    assert keyed.slept == pytest.approx([EUTILS_KEY_INTERVAL] * 4)


def test_the_limiter_waits_only_for_what_is_left_of_the_interval():
    now, slept = [0.0], []
    limiter = RateLimiter(0.5, sleep=slept.append, clock=lambda: now[0])
    for t in (0.0, 0.1, 0.9, 2.0):
        now[0] = t
        limiter.wait()
    # 0.1 s after the first: 0.4 s left; the next starts at 0.5, so 0.9 waits 0.1 s; 2.0 none.
    assert slept == pytest.approx([0.4, 0.1])


def test_429_is_retried_after_retry_after_and_5xx_after_backoff():
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}),
                    httpx.Response(502), httpx.Response(200, text="{}")])
    slept: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(lambda r: next(answers))) as client:
        exchange = Fetcher(client, sleep=slept.append).get(
            "https://clinicaltrials.gov/api/v2/studies", {"format": "json"},
            limiter=RateLimiter(0.0), kind="studies", suffix=".json", label="test")
    assert (exchange.status, exchange.attempts, exchange.text) == (200, 3, "{}")
    assert slept == [7.0, 2.0]


def test_a_refused_query_and_a_too_large_result_are_one_clear_error(review):
    def answer(body: dict) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(
            lambda r: httpx.Response(200, json={"esearchresult": body})))

    for body, expected in (({"ERROR": "Invalid query"}, "PubMed refused saved search "
                            "'pubmed-ldn': Invalid query"),
                           ({"count": "25000", "idlist": []}, "finds 25000 PubMed records")):
        with answer(body) as client, pytest.raises(SearchServiceError, match=expected):
            update_searches(review, client=client, only=["pubmed-ldn"], today=DAY,
                            sleep=lambda s: None)


def test_date_limits_are_sent_in_each_service_syntax(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "searches.toml").write_text(
        '[[searches]]\nid = "pm"\ndatabase = "PubMed"\nquery = "ldn"\nmindate = "2024"\n'
        'datetype = "edat"\n[[searches]]\nid = "ct"\ndatabase = "ClinicalTrials.gov"\n'
        'query = "ldn"\nmindate = "2024-06"\nmaxdate = "2025-02"\n')
    seen: list[httpx.QueryParams] = []

    def empty(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        if request.url.host == EUTILS_HOST:
            return httpx.Response(200, json={"esearchresult": {"count": "0", "idlist": []}})
        return httpx.Response(200, json={"studies": []})

    with httpx.Client(transport=httpx.MockTransport(empty)) as client:
        result = update_searches(tmp_path, client=client, today=DAY, sleep=lambda s: None)
    assert (seen[0]["datetype"], seen[0]["mindate"], seen[0]["maxdate"]) == (
        "edat", "2024", "2026/12/01")
    assert seen[1]["filter.advanced"] == "AREA[StudyFirstPostDate]RANGE[2024-06-01,2025-02-28]"
    assert result.new == 0 and not (tmp_path / "records" / "sources.toml").exists()


def test_describe_shows_the_date_limits():
    assert SavedSearch("p", "PubMed", "ldn", mindate="2020").describe() == (
        "ldn; pdat 2020 to today")


def test_run_to_dict_round_trips_through_json(review):
    result, _, _ = run(review)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["new"] == 5 and data["date"] == "2026-12-01"
    assert [u["search_id"] for u in data["updates"]] == ["pubmed-ldn", "ctgov-ldn"]
    assert data["updates"][0]["seen"][0] == {"identifier": "42385209",
                                             "record_id": "pubmed.nbib#3", "reason": "pmid"}
    assert data["provenance"]["function"] == "update_searches"
    assert len(data["provenance"]["input_digest"]) == 64


def test_read_timeouts_are_retried_then_reported_as_no_network():
    calls: list[int] = []

    def slow(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("timed out", request=request)

    slept: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(slow)) as client, \
            pytest.raises(SearchNetworkError, match="cannot reach clinicaltrials.gov "
                                                    r"\(read timed out\)"):
        Fetcher(client, sleep=slept.append).get(
            "https://clinicaltrials.gov/api/v2/studies", {}, limiter=RateLimiter(0.0),
            kind="studies", suffix=".json", label="test")
    # The first attempt and MAX_RETRIES = 4 retries, with 1, 2, 4, 8 s between them.
    assert (len(calls), slept) == (5, [1.0, 2.0, 4.0, 8.0])
