"""Candidate duplicate records, linked pair by pair with a reason, grouped by union-find.

Two records are linked when (checked in this order, first reason kept):

1. their DOIs are equal (normalized: lower case, no resolver prefix);
2. their PMIDs are equal;
3. they share a trial registry id (``NCT...``);
4. their normalized titles score ``rapidfuzz.fuzz.token_sort_ratio >= title_threshold``
   (default :data:`TITLE_THRESHOLD` = 90, on 0-100), their years differ by at most one
   (an e-pub ahead of print and the issue), and their first authors' surnames are equal
   (case and accents ignored). Records lacking a year or a first author are never
   linked on the title alone.

Linked records form groups (connected components). Groups are candidates: a reviewer
confirms or rejects them in ``records/duplicates.csv`` (:mod:`livingmeta.records.screening`
reads it), because a registry record and the article reporting its trial share an id
but are two reports of one study, not duplicate records.

>>> from livingmeta.records.model import Record
>>> a = Record("a.ris#1", "other", "Low-dose naltrexone for fibromyalgia", ("Younger J",),
...            "Younger", 2013)
>>> b = Record("b.csv#4", "other", "Low dose naltrexone for fibromyalgia.", ("Younger, J",),
...            "Younger", 2012)
>>> [(g.group_id, g.record_ids, g.links[0].reason) for g in find_duplicates([a, b])]
[('D1', ('a.ris#1', 'b.csv#4'), 'title')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from livingmeta.errors import ParameterError
from livingmeta.records.model import Record, normalize_title

__all__ = ["TITLE_THRESHOLD", "DuplicateGroup", "DuplicateLink", "find_duplicates"]

#: Minimum rapidfuzz ``token_sort_ratio`` (0-100) of two normalized titles.
TITLE_THRESHOLD = 90.0


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """Why two records were linked.

    Attributes
    ----------
    record_a, record_b : str
        Record ids (``record_a`` comes first in the input order).
    reason : str
        ``doi``, ``pmid``, ``registry id`` or ``title``.
    detail : str
        The shared value, or the title score with years and surname.
    """

    record_a: str
    record_b: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """A connected group of linked records (a candidate for a reviewer to confirm).

    Attributes
    ----------
    group_id : str
        ``D1``, ``D2``, ... in the order of each group's first record.
    record_ids : tuple of str
        Members in input order.
    links : tuple of DuplicateLink
        Every link found inside the group.
    """

    group_id: str
    record_ids: tuple[str, ...]
    links: tuple[DuplicateLink, ...]


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _exact_links(records: Sequence[Record]) -> dict[tuple[int, int], tuple[str, str]]:
    found: dict[tuple[int, int], tuple[str, str]] = {}
    keyed: list[tuple[str, dict[str, list[int]]]] = [
        ("doi", defaultdict(list)), ("pmid", defaultdict(list)),
        ("registry id", defaultdict(list))]
    for i, r in enumerate(records):
        if r.doi:
            keyed[0][1][r.doi].append(i)
        if r.pmid:
            keyed[1][1][r.pmid].append(i)
        for rid in r.registry_ids:
            keyed[2][1][rid].append(i)
    for reason, index in keyed:
        for value, members in index.items():
            for x, i in enumerate(members):
                for j in members[x + 1:]:
                    if i != j:
                        found.setdefault((min(i, j), max(i, j)), (reason, value))
    return found


def _title_links(records: Sequence[Record], threshold: float
                 ) -> dict[tuple[int, int], tuple[str, str]]:
    found: dict[tuple[int, int], tuple[str, str]] = {}
    by_year: dict[int, list[int]] = defaultdict(list)
    titles = [normalize_title(r.title) for r in records]
    surnames = [normalize_title(r.first_author) for r in records]
    for i, r in enumerate(records):
        if r.year is not None and surnames[i] and titles[i]:
            by_year[r.year].append(i)
    for year, members in by_year.items():
        candidates = [*members, *by_year.get(year + 1, ())]
        for i in members:
            for j in candidates:
                if j == i or (records[j].year == year and j < i):
                    continue
                if surnames[i] != surnames[j]:
                    continue
                score = fuzz.token_sort_ratio(titles[i], titles[j], score_cutoff=threshold)
                if score >= threshold:
                    detail = (f"title score {score:.0f}, years {records[i].year}/"
                              f"{records[j].year}, first author {records[i].first_author}")
                    found[(min(i, j), max(i, j))] = ("title", detail)
    return found


def find_duplicates(records: Sequence[Record], *, title_threshold: float = TITLE_THRESHOLD
                    ) -> tuple[DuplicateGroup, ...]:
    """Candidate duplicate groups among ``records``.

    Parameters
    ----------
    records : sequence of Record
        Every record of the review (all search files together).
    title_threshold : float
        Minimum ``token_sort_ratio`` (0-100) for the fuzzy title rule (default 90).

    Returns
    -------
    tuple of DuplicateGroup
        Groups of two or more records, each with the links that joined them.
    """
    if not 0.0 < title_threshold <= 100.0:
        raise ParameterError("The 'title_threshold' parameter must be in (0, 100]. "
                             f"Got {title_threshold!r}.")
    links = _title_links(records, title_threshold)
    links.update(_exact_links(records))
    uf = _UnionFind(len(records))
    for i, j in links:
        uf.union(i, j)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        members[uf.find(i)].append(i)
    groups: list[DuplicateGroup] = []
    for root in sorted(r for r, m in members.items() if len(m) > 1):
        inside = sorted((p, v) for p, v in links.items() if uf.find(p[0]) == root)
        groups.append(DuplicateGroup(
            group_id=f"D{len(groups) + 1}",
            record_ids=tuple(records[i].record_id for i in members[root]),
            links=tuple(DuplicateLink(records[i].record_id, records[j].record_id, reason,
                                      detail) for (i, j), (reason, detail) in inside)))
    return tuple(groups)
