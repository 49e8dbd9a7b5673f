"""The review and its records as one version had them (``versions.toml``).

:func:`load_versions` reads and checks a folder's ``versions.toml``
(:mod:`.versions`). :func:`version_review` gives the
:class:`~livingmeta.review.Review` restricted to one version (studies it had not yet
identified are ``excluded``, so :func:`~livingmeta.review.run_review` does not pool
them) and :func:`version_records` the ``records/`` state of that version, with the
records of the version before flagged ``previous`` so that the PRISMA 2020 flow of an
updated review (Page et al. 2021, BMJ 372:n71, Fig 1, "new and updated reviews")
counts the studies and reports of the previous version apart from the new ones.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingmeta.errors import ParameterError
from livingmeta.review.problems import ReviewProblem, ReviewValidationError
from livingmeta.review.spec import Review, Study
from livingmeta.review.versions import (
    VERSIONS_FILE,
    ReviewVersion,
    ReviewVersions,
    parse_versions,
)

if TYPE_CHECKING:  # pragma: no cover
    # livingmeta.records imports livingmeta.review (its problems): imported when used
    from livingmeta.records import RecordsState

__all__ = ["load_versions", "version_records", "version_review"]


def load_versions(review: Review) -> ReviewVersions:
    """Read and check ``versions.toml`` of a loaded review folder.

    The folder's ``records/`` (when it has ``records/sources.toml``) is loaded to check
    the record files and ids the versions name; its own problems are reported with
    those of ``versions.toml``.

    Raises
    ------
    ReviewValidationError
        The file is missing or unreadable, or any problem :func:`parse_versions` finds.

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path, load_review
    >>> versions = load_versions(load_review(embedded_review_path()))
    >>> versions.ids
    ('v1', 'v2')
    """
    path = Path(review.path) / VERSIONS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = ("file not found: a review needs versions.toml to compare its versions "
                  "(see FORMAT.md)") if isinstance(exc, FileNotFoundError) else (
                  f"cannot be read ({exc.__class__.__name__})")
        raise ReviewValidationError([ReviewProblem(None, None, None, None, reason,
                                                   file=VERSIONS_FILE)],
                                    str(review.path)) from None
    from livingmeta.records import load_records

    problems: list[Any] = []
    records = None
    if (Path(review.path) / "records" / "sources.toml").is_file():
        try:
            records = load_records(review.path)
        except ReviewValidationError as exc:
            problems.extend(exc.problems)
    try:
        versions = parse_versions(text, [s.study for s in review.studies], records)
    except ReviewValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ReviewValidationError(problems, str(review.path))
    return versions


def _as_of(study: Study, version: ReviewVersion) -> Study:
    status = version.status(study.study)
    if status is None:
        return replace(study, status="excluded",
                       reason=f"not yet identified in version {version.id!r} "
                              f"({version.label}, {version.date})")
    if status == study.status:
        return study
    reason = "" if status == "included" else (
        f"{status} in version {version.id!r} ({version.label}, {version.date})")
    return replace(study, status=status, reason=reason)


def version_review(review: Review, version_id: str, *,
                   versions: ReviewVersions | None = None) -> Review:
    """The review as version ``version_id`` had it.

    Every study takes its status in that version; a study the version does not list
    had not been identified and becomes ``excluded`` (its reason says so), so that
    :func:`~livingmeta.review.run_review` neither pools it nor shows its effects. The
    review's ``version`` becomes the version id and its ``date`` the version's date
    (both recorded in the result's provenance). Everything else is the folder's own;
    the records of the version are :func:`version_records`.

    Parameters
    ----------
    review : Review
        From :func:`~livingmeta.review.load_review`.
    version_id : str
        An id of ``versions.toml``.
    versions : ReviewVersions, optional
        Default: :func:`load_versions` of the review.

    Returns
    -------
    Review
        A new frozen review (the argument is unchanged).

    Raises
    ------
    ParameterError
        ``version_id`` is not in ``versions.toml`` (the message lists the ids).

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path, load_review
    >>> before = version_review(load_review(embedded_review_path()), "v1")
    >>> before.study("INNOVA 2026").status, before.info.version
    ('excluded', 'v1')
    """
    versions = load_versions(review) if versions is None else versions
    version = versions.version(version_id)
    return replace(review, studies=tuple(_as_of(s, version) for s in review.studies),
                   info=replace(review.info, version=version.id, date=version.date))


def version_records(records: RecordsState, versions: ReviewVersions, version_id: str, *,
                    previous_id: str | None = None) -> RecordsState:
    """The ``records/`` state of one version, with its PRISMA 2020 flow.

    The version's records are those of its files less its unseen ones. Records that
    the previous version also had are flagged ``previous``, so that the flow is the
    updated-review diagram: studies and reports of the previous version, new studies and
    reports, and the totals (Page et al. 2021, Fig 1). Screening decisions, duplicate
    groups and decisions are those about the version's records (a duplicate pair, group
    or decision naming a record it had not seen is left out); the final decisions,
    conflicts and Cohen's kappa are recomputed from them.

    Parameters
    ----------
    records : RecordsState
        :func:`~livingmeta.records.load_records` of the whole folder.
    versions : ReviewVersions
    version_id : str
    previous_id : str, optional
        The version whose records count as previous (default: the one just before
        ``version_id``; none for the first version).

    Returns
    -------
    RecordsState

    Examples
    --------
    >>> from livingmeta.records import load_records
    >>> from livingmeta.review import embedded_review_path, load_review
    >>> review = load_review(embedded_review_path())
    >>> flow = version_records(load_records(review.path), load_versions(review), "v2").flow
    >>> (flow.previous_studies, flow.studies_included, flow.total_studies)
    (3, 1, 4)
    """
    from livingmeta.records import RecordsState, compute_flow, screening_outcome

    version = versions.version(version_id)
    if previous_id is not None and previous_id == version_id:
        raise ParameterError(f"The 'previous_id' parameter must name another version than "
                             f"{version_id!r}.")
    previous = (versions.before(version_id) if previous_id is None
                else versions.version(previous_id, name="previous_id"))
    had = [r for r in records.records if version.has_record(r.record_id)]
    ids = {r.record_id for r in had}
    kept = tuple(replace(r, previous=previous is not None and previous.has_record(r.record_id))
                 for r in had)
    removed = {a: b for a, b in records.removed if a in ids and b in ids}
    screening = tuple(d for d in records.screening if d.record_id in ids)
    finals, conflicts, agreement = screening_outcome(screening)
    sources = tuple(replace(s, previous=previous is not None and all(
        previous.has_record(r.record_id) for r in kept if r.source_file == s.file))
        for s in records.sources if s.file in version.records)
    return RecordsState(
        sources=sources, records=kept,
        duplicate_groups=tuple(g for g in records.duplicate_groups
                               if set(g.group.record_ids) <= ids),
        duplicate_decisions=tuple(d for d in records.duplicate_decisions
                                  if set(d.record_ids) <= ids),
        removed=tuple(removed.items()), screening=screening,
        final_decisions=tuple(finals.values()), conflicts=conflicts, agreement=agreement,
        flow=compute_flow(kept, removed, finals))
