"""``load_review``: read a review folder and check all of it, reporting every problem."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from livingmeta.review._tables import parse_data, parse_studies, read_csv
from livingmeta.review._toml import parse_review_toml
from livingmeta.review.problems import ReviewProblem, ReviewValidationError
from livingmeta.review.spec import DataRow, Outcome, Review, Study

__all__ = ["folder_digest", "load_review"]


def folder_digest(path: Path) -> tuple[tuple[tuple[str, str], ...], str]:
    """SHA-256 of every file under ``path`` (hidden files skipped) and of them all.

    The folder digest hashes each file's relative POSIX path and content digest in
    sorted order, so it changes when any file is added, removed, renamed or edited.
    """
    files: list[tuple[str, str]] = []
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                   for part in rel.parts):
            files.append((rel.as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()))
    total = hashlib.sha256()
    for rel_path, digest in files:
        total.update(f"{rel_path}\0{digest}\n".encode())
    return tuple(files), total.hexdigest()


def _read(path: Path, rel: str, problems: list[ReviewProblem]) -> str | None:
    p = path / rel
    if not p.is_file():
        problems.append(ReviewProblem(None, None, None, None,
                                      "file not found (declared in or required by the "
                                      "review format)", file=rel))
        return None
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(ReviewProblem(None, None, None, None,
                                      f"must be UTF-8 text ({exc.reason} at byte {exc.start})",
                                      file=rel))
        return None


def _check_duplicates(data: tuple[DataRow, ...], outcomes: Mapping[str, Outcome],
                      problems: list[ReviewProblem]) -> None:
    seen: dict[tuple[str, str, str], DataRow] = {}
    for row in data:
        if row.outcome not in outcomes:
            continue
        for m in row.used_for or outcomes[row.outcome].measures:
            key = (row.study, row.outcome, m)
            if key in seen:
                first = seen[key]
                problems.append(ReviewProblem(
                    row.row, row.study, "used_for", row.used_for and " ".join(row.used_for),
                    f"must separate this row from {first.file} row {first.row}: both feed "
                    f"outcome {row.outcome!r} measure {m}", file=row.file))
            else:
                seen[key] = row


def _check_record(data: tuple[DataRow, ...], studies: Mapping[str, Study],
                  record: tuple[Mapping[str, str], ...], record_file: str, column: str,
                  problems: list[ReviewProblem]) -> None:
    """Each row's source rows must be about that study (studies.csv ``record_id``)."""
    if not record or column not in record[0]:
        return
    for row in data:
        study = studies.get(row.study)
        ids = study.extra.get("record_id", "") if study else ""
        if not ids:
            continue
        allowed = {s.strip() for s in ids.split(";")}
        for r in row.source_rows:
            found = record[r - 1].get(column, "")
            if found not in allowed:
                problems.append(ReviewProblem(
                    row.row, row.study, "source_rows", r,
                    f"must point at rows about this study ({record_file} row {r} is about "
                    f"{found!r}, the study's record_id is {ids!r})", file=row.file))


def load_review(path: str | Path) -> Review:
    """Load and validate a review folder.

    Parameters
    ----------
    path : str or path-like
        The folder holding ``review.toml``, ``studies.csv`` and the data tables (see
        ``FORMAT.md`` in this package).

    Returns
    -------
    Review

    Raises
    ------
    ReviewValidationError
        Every problem of every file at once, each naming the file, the row (1-based data
        row, or TOML line/table) and the column.

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path, load_review
    >>> review = load_review(embedded_review_path())
    >>> review.primary_outcome.id, review.analysis.primary_profile
    ('pain', 'cochrane-2025')
    """
    folder = Path(path)
    problems: list[ReviewProblem] = []
    if not folder.is_dir():
        raise ReviewValidationError([ReviewProblem(
            None, None, None, None, "is not a folder (a review folder holds review.toml, "
            "studies.csv and data.csv)", file=str(folder))])
    text = _read(folder, "review.toml", problems)
    toml = parse_review_toml(text if text is not None else "")
    if text is not None:
        problems.extend(toml.problems)
    outcomes = {o.id: o for o in toml.outcomes}
    studies_text = _read(folder, "studies.csv", problems)
    studies = parse_studies(studies_text, "studies.csv", problems) if studies_text else ()
    by_name = {s.study: s for s in studies}
    record: tuple[Mapping[str, str], ...] = ()
    if toml.record:
        record_text = _read(folder, toml.record, problems)
        if record_text is not None:
            record = tuple(read_csv(record_text)[1])
    data: list[DataRow] = []
    for table in toml.tables:
        table_text = _read(folder, table, problems)
        if table_text is not None:
            data.extend(parse_data(table_text, table, outcomes, by_name,
                                   len(record) if toml.record else None, problems))
    _check_duplicates(tuple(data), outcomes, problems)
    if toml.record:
        _check_record(tuple(data), by_name, record, toml.record, toml.record_study_column,
                      problems)
    if toml.analysis is not None and studies:
        known = {"design", "dose_mg", "randomized", "year", *studies[0].extra}
        for name in toml.analysis.subgroups:
            if name not in known:
                problems.append(ReviewProblem(
                    None, None, "subgroups", name,
                    "must name columns of studies.csv", file="review.toml",
                    where="[analysis]"))
    published: tuple[Mapping[str, str], ...] = ()
    if toml.published:
        pub_text = _read(folder, toml.published, problems)
        if pub_text is not None:
            published = tuple(read_csv(pub_text)[1])
    if problems or toml.info is None or toml.analysis is None:
        raise ReviewValidationError(problems, str(folder))
    files, digest = folder_digest(folder)
    return Review(path=folder, info=toml.info, outcomes=toml.outcomes,
                  analysis=toml.analysis, studies=studies, data=tuple(data), record=record,
                  published=published, files=files, digest=digest)
