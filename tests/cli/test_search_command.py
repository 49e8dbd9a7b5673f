"""``livingmeta search PATH``: the command on a copy of the LDN review, offline.

The HTTP client, sleep, clock and date come in through click's ``obj`` as a
``SearchEnvironment`` (the command's seam for tests); the recordings are those of
``tests/records/data/http`` (hand-built in the services' formats, see its README)."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

from livingmeta.cli.search import EXIT_NO_NETWORK, SearchEnvironment, search
from livingmeta.review import embedded_review_path

HTTP = Path(__file__).resolve().parents[1] / "records" / "data" / "http"


class Recorded:
    """Answers from routes.json (404 for anything not recorded) and keeps the requests."""

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
                return httpx.Response(200, content=(HTTP / route["file"]).read_bytes())
        return httpx.Response(404, text=f"no recording for {request.url}")


def group() -> click.Group:
    commands = click.Group()
    commands.add_command(search)
    return commands


def invoke(folder: Path, *args: str, handler=None, env: dict[str, str] | None = None):
    handler = handler if handler is not None else Recorded()
    environment = SearchEnvironment(
        client_factory=lambda: httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=lambda seconds: None, clock=lambda: 0.0,
        today=lambda: datetime.date(2026, 12, 1), page_size=3)
    result = CliRunner().invoke(group(), ["search", str(folder), *args], obj=environment,
                                env=env)
    assert "Traceback" not in result.output
    return result, handler


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "ldn"
    shutil.copytree(embedded_review_path(), folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_json_reports_found_seen_and_new_per_search(review):
    result, _ = invoke(review, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # tests/records/data/http/README.md: PubMed 10 found, 7 in the folder, 2 new, 1 not
    # returned; ClinicalTrials.gov 7 found, 4 in the folder, 3 new.
    assert [(u["search_id"], u["found"], u["already_seen"], u["new"], u["left_out"])
            for u in data["updates"]] == [("pubmed-ldn", 10, 7, 2, 1),
                                         ("ctgov-ldn", 7, 4, 3, 0)]
    assert data["new"] == 5 and data["dry_run"] is False and data["sources_changed"] is True
    assert (review / "records" / "ctgov-ldn-2026-12-01.json").exists()


def test_text_output_lists_new_records_then_says_nothing_new_on_a_rerun(review):
    first, _ = invoke(review)
    assert first.exit_code == 0, first.output
    assert "pubmed-ldn-2026-12-01.xml#2" in first.stdout
    assert "added 5 new records to screen" in first.stdout
    second, _ = invoke(review)
    assert second.exit_code == 0, second.output
    assert "no new records" in second.stdout and "added" not in second.stdout


def test_no_network_is_one_line_exit_3_and_changes_nothing(review):
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    before = snapshot(review)
    result, _ = invoke(review, handler=offline)
    assert result.exit_code == EXIT_NO_NETWORK == 3
    lines = result.stderr.strip().splitlines()
    assert lines == ["no network: cannot reach eutils.ncbi.nlm.nih.gov (ConnectError); "
                     "nothing was changed"]
    assert snapshot(review) == before


def test_a_folder_without_searches_toml_is_a_one_line_error(tmp_path):
    (tmp_path / "records").mkdir()
    result, handler = invoke(tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "records/searches.toml does not exist" in lines[0]
    assert handler.requests == []


def test_only_and_dry_run_search_one_service_and_write_nothing(review):
    before = snapshot(review)
    result, handler = invoke(review, "--only", "ctgov-ldn", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [u["search_id"] for u in data["updates"]] == ["ctgov-ldn"]
    assert data["dry_run"] is True and data["updates"][0]["new"] == 3
    assert {r.url.host for r in handler.requests} == {"clinicaltrials.gov"}
    assert snapshot(review) == before


def test_an_unknown_search_id_is_one_line(review):
    result, handler = invoke(review, "--only", "embase")
    assert result.exit_code == 2
    assert "'only' parameter must be one of {'ctgov-ldn', 'pubmed-ldn'}" in result.stderr
    assert handler.requests == []


def test_the_api_key_comes_from_the_environment_and_is_never_stored(review):
    result, handler = invoke(review, "--email", "me@example.org",
                             env={"NCBI_API_KEY": "env-key-42"})
    assert result.exit_code == 0, result.output
    eutils = [r.url.params for r in handler.requests
              if r.url.host == "eutils.ncbi.nlm.nih.gov"]
    assert eutils and all(p["api_key"] == "env-key-42" and p["email"] == "me@example.org"
                          for p in eutils)
    assert not any("api_key" in r.url.params for r in handler.requests
                   if r.url.host == "clinicaltrials.gov")
    assert not any(b"env-key-42" in data for data in snapshot(review).values())
