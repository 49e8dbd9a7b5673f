"""``livingmeta search PATH``: run a review's saved searches and add only the new records.

The command parses its options, calls :func:`livingmeta.records.update_searches` and
renders the :class:`~livingmeta.records.SearchRun`. What it takes from the outside world
(the HTTP client, the sleep and clock of the rate limits, today's date) comes from a
:class:`SearchEnvironment`, which tests pass as click's ``obj``
(``runner.invoke(group, [...], obj=SearchEnvironment(client_factory=...))``); the
command line uses the real one.

Exit status: 0 done (also when nothing is new), 2 a problem with the folder or the
options (one line, or one line per problem of ``searches.toml``), 3 no network (one line
naming the host; nothing was changed).
"""

from __future__ import annotations

import datetime
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click
import httpx

from livingmeta.cli._common import collect_warnings, handle_errors
from livingmeta.cli._render import print_summary

__all__ = ["EXIT_NO_NETWORK", "SearchEnvironment", "default_client", "search"]

#: Exit status when a search service cannot be reached.
EXIT_NO_NETWORK = 3


def default_client() -> httpx.Client:
    """The HTTP client of the command line (30 s timeout, livingmeta's User-Agent)."""
    from livingmeta.records.search.services import user_agent

    return httpx.Client(timeout=30.0, follow_redirects=True,
                        headers={"User-Agent": user_agent()})


@dataclass(frozen=True)
class SearchEnvironment:
    """The outside world of ``livingmeta search``: replaced as a whole in tests.

    Attributes
    ----------
    client_factory : callable
        Makes the ``httpx.Client`` (closed by the command after the run).
    sleep, clock : callables
        For the rate limits and the backoff.
    today : callable
        The date of the search.
    page_size : int, optional
        Records per request (None: 500 for PubMed, 100 for ClinicalTrials.gov); tests
        set it small to page through short recordings.
    """

    client_factory: Callable[[], httpx.Client] = default_client
    sleep: Callable[[float], object] = field(default=time.sleep)
    clock: Callable[[], float] = field(default=time.monotonic)
    today: Callable[[], datetime.date] = field(default=datetime.date.today)
    page_size: int | None = None


@click.command("search")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--api-key", envvar="NCBI_API_KEY", default=None, metavar="KEY",
              help="NCBI API key (default: $NCBI_API_KEY): 10 E-utilities requests per "
                   "second instead of 3. Never stored.")
@click.option("--email", default=None, metavar="ADDR",
              help="Contact address sent to NCBI (default: email in searches.toml).")
@click.option("--only", multiple=True, metavar="ID",
              help="Run only this saved search (repeatable).")
@click.option("--dry-run", is_flag=True,
              help="Search and compare with the folder, but write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@click.pass_context
@handle_errors
def search(ctx: click.Context, path: Path, api_key: str | None, email: str | None,
           only: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Run the saved searches of the review folder PATH (records/searches.toml) against
    PubMed and ClinicalTrials.gov and add only the records not already in the folder."""
    from livingmeta.records.search import SearchNetworkError, update_searches

    env = ctx.obj if isinstance(ctx.obj, SearchEnvironment) else SearchEnvironment()
    client = env.client_factory()
    try:
        with collect_warnings() as caught:
            run = update_searches(path, client=client, only=only, api_key=api_key or None,
                                  email=email, dry_run=dry_run, today=env.today(),
                                  sleep=env.sleep, clock=env.clock,
                                  page_size=env.page_size)
    except SearchNetworkError as error:
        click.echo(f"no network: {error}; nothing was changed", err=True)
        sys.exit(EXIT_NO_NETWORK)
    finally:
        client.close()
    for message in dict.fromkeys(str(w.message) for w in caught):
        click.echo(f"warning: {message}", err=True)
    if as_json:
        click.echo(json.dumps(run.to_dict(), indent=2, allow_nan=False))
        return
    print_summary(run.summary())
    if run.new and not run.dry_run:
        click.echo(f"added {run.new} new record{'s' if run.new != 1 else ''} to screen "
                   f"(records/sources.toml lists the new search files)")
