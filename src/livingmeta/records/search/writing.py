"""What a living search writes into ``records/``, and how: all of it or nothing.

- ``raw/<search id>/<date>/``: every response as received, one file per request named by
  its order (``001-esearch.json``, ``002-efetch.xml``, ``001-studies.json``), and
  ``request.json``, the log (address, parameters without the API key, status, attempts,
  date). A second run on the same day gets ``<date>-2/``, and so on.
- ``<search id>-<date>.xml`` (PubMed XML) or ``.json`` (ClinicalTrials.gov v2 JSON): the
  new records only, in the formats the loader reads (FORMAT.md: new searches go to new
  files so that record ids stay put).
- one ``[[sources]]`` entry per new file, appended to ``sources.toml``.

Everything is first written to a staging folder inside ``records/``; the new folders and
files are then renamed into place and ``sources.toml`` is replaced last (temporary file,
then rename). When any step fails, what was already moved is removed again, so the
folder is left as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from livingmeta._io import write_atomically
from livingmeta.records.search.http import Exchange

__all__ = ["commit", "ctgov_file", "pubmed_file", "raw_files", "sources_entry",
           "toml_string"]

STAGING_PREFIX = ".livingmeta-search-"


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but for DEL).

    >>> toml_string('say "hi"')
    '"say \\\\"hi\\\\""'
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def pubmed_file(articles: Sequence[str], search_id: str, date: str) -> str:
    """A ``PubmedArticleSet`` holding the given ``PubmedArticle`` elements."""
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            f"<!-- livingmeta search {date}: new records of saved search {search_id} "
            "(efetch XML; records already in the folder left out) -->\n"
            "<PubmedArticleSet>\n" + "".join(articles) + "</PubmedArticleSet>\n")


def ctgov_file(studies: Sequence[object]) -> str:
    """A ClinicalTrials.gov v2 ``{"studies": [...]}`` document."""
    return json.dumps({"studies": list(studies)}, indent=2, ensure_ascii=False) + "\n"


def raw_files(exchanges: Sequence[Exchange], search_id: str, date: str
              ) -> dict[str, str]:
    """File name -> text for one search's raw folder (responses and ``request.json``)."""
    out: dict[str, str] = {}
    log: list[dict[str, object]] = []
    for n, exchange in enumerate(exchanges, start=1):
        name = f"{n:03d}-{exchange.kind}{exchange.suffix}"
        out[name] = exchange.text
        log.append({"n": n, "file": name, "method": exchange.method, "url": exchange.url,
                    "params": dict(exchange.params), "status": exchange.status,
                    "attempts": exchange.attempts, "date": date})
    out["request.json"] = json.dumps({"search": search_id, "date": date, "requests": log},
                                     indent=2, ensure_ascii=False) + "\n"
    return out


def sources_entry(*, file: str, format: str, database: str, kind: str, date: str,
                  query: str, comment: str) -> str:
    """One ``[[sources]]`` table (preceded by a comment line), as appended."""
    lines = [f"# {' '.join(comment.split())}", "[[sources]]",
             f"file = {toml_string(file)}", f"format = {toml_string(format)}",
             f"database = {toml_string(database)}", f"kind = {toml_string(kind)}",
             f"searched = {toml_string(date)}", f"query = {toml_string(query)}"]
    return "\n" + "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def commit(records_dir: Path, files: Mapping[str, str], units: Sequence[str],
           sources_text: str | None) -> None:
    """Write ``files`` (paths relative to ``records_dir``) all at once.

    ``units`` are the new files and folders moved into place (each must not exist yet);
    ``sources_text``, when given, then replaces ``sources.toml``. On any error the units
    already moved and the folders made for them are removed, and the error is raised.
    """
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=records_dir))
    placed: list[Path] = []
    made: list[Path] = []
    try:
        for rel, text in files.items():
            _write(staging / rel, text)
        try:
            for unit in units:
                target = records_dir / unit
                if target.exists():
                    raise FileExistsError(f"{target} appeared while the search ran")
                missing = [p for p in reversed(target.parents) if p != records_dir
                           and records_dir in p.parents and not p.exists()]
                for folder in missing:
                    folder.mkdir()
                    made.append(folder)
                os.rename(staging / unit, target)
                placed.append(target)
            if sources_text is not None:
                write_atomically(records_dir / "sources.toml", sources_text)
        except BaseException:
            for path in reversed(placed):
                _remove(path)
            for folder in reversed(made):
                shutil.rmtree(folder, ignore_errors=True)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
