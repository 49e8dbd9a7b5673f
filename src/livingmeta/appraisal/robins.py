"""ROBINS-I: risk of bias in non-randomized studies of interventions, entered directly.

The reviewer enters a judgment for each of the seven domains and overall (``robins.csv``,
one row per study x outcome x domain, with the support and the record rows); the
signalling questions are not encoded. The suggested overall judgment follows Sterne et
al. 2016 (table "Interpretation of domain-level and overall risk of bias judgements"):
Critical if any domain is Critical; Serious if any is Serious; otherwise No information
if any domain lacks information; Moderate if any is Moderate; Low if all are Low. The
entered overall judgment may be more severe than that (several Serious domains), never
less severe than the worst domain.

References
----------
Sterne JAC, Hernán MA, Reeves BC, et al. ROBINS-I: a tool for assessing risk of bias in
non-randomised studies of interventions. BMJ 2016;355:i4919.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingmeta.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from ._rob2_load import RowContext

__all__ = [
    "ROBINS_DOMAINS",
    "ROBINS_JUDGMENTS",
    "RobinsAssessment",
    "RobinsDomain",
    "load_robins",
    "robins_overall",
]

#: ROBINS-I domains: id -> name (Sterne et al. 2016, table 1).
ROBINS_DOMAINS: dict[str, str] = {
    "D1": "Bias due to confounding",
    "D2": "Bias in selection of participants into the study",
    "D3": "Bias in classification of interventions",
    "D4": "Bias due to deviations from intended interventions",
    "D5": "Bias due to missing data",
    "D6": "Bias in measurement of outcomes",
    "D7": "Bias in selection of the reported result",
}
#: ROBINS-I judgments, from least to most serious, then No information.
ROBINS_JUDGMENTS = ("Low", "Moderate", "Serious", "Critical", "NI")
_SEVERITY = {"Low": 0, "Moderate": 1, "Serious": 2, "Critical": 3}
ROBINS_COLUMNS = ("study", "outcome", "domain", "judgment", "support", "source_rows")


@dataclass(frozen=True, slots=True)
class RobinsDomain:
    """One ROBINS-I domain judgment with its support and record rows."""

    domain: str
    name: str
    judgment: str
    support: str = ""
    source_rows: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RobinsAssessment:
    """ROBINS-I judgments of one non-randomized study's result on one outcome.

    Attributes
    ----------
    study, outcome : str
        The result assessed.
    domains : tuple of RobinsDomain
        The seven domains, in order.
    judgment : str
        The overall judgment entered by the reviewer.
    support : str
        Why (the overall row's support).
    source_rows : tuple of int
        Record rows of the overall row.
    algorithm : str
        The overall judgment suggested by the domain judgments (:func:`robins_overall`).
    """

    study: str
    outcome: str
    domains: tuple[RobinsDomain, ...]
    judgment: str
    support: str = ""
    source_rows: tuple[int, ...] = ()
    algorithm: str = ""
    tool: str = field(default="ROBINS-I", init=False)

    def domain(self, domain: str) -> RobinsDomain | None:
        """One domain's judgment."""
        return next((d for d in self.domains if d.domain == domain), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe."""
        return {"study": self.study, "outcome": self.outcome, "tool": self.tool,
                "judgment": self.judgment, "algorithm": self.algorithm,
                "support": self.support, "source_rows": list(self.source_rows),
                "domains": [{"domain": d.domain, "name": d.name, "judgment": d.judgment,
                             "support": d.support, "source_rows": list(d.source_rows)}
                            for d in self.domains]}


def robins_overall(judgments: Iterable[str]) -> str:
    """Suggested overall ROBINS-I judgment from the domain judgments.

    >>> robins_overall(["Serious", "Low", "Moderate", "NI", "Low", "Low", "Moderate"])
    'Serious'
    >>> robins_overall(["Low", "Moderate", "NI", "Low", "Low", "Low", "Low"])
    'NI'
    """
    values = list(judgments)
    bad = [j for j in values if j not in ROBINS_JUDGMENTS]
    if bad or not values:
        raise ParameterError(f"The 'judgments' parameter must be a non-empty sequence of "
                             f"{ROBINS_JUDGMENTS}. Got {values!r}.")
    known = [j for j in values if j != "NI"]
    worst = max(known, key=_SEVERITY.__getitem__) if known else "NI"
    if worst in ("Serious", "Critical"):
        return worst
    return "NI" if "NI" in values else worst


def read_robins(folder: Path, ctx: RowContext) -> tuple[RobinsAssessment, ...]:
    """The assessments of ``robins.csv`` (none when the file does not exist)."""
    rows = ctx.read(folder, ROBINS_COLUMNS)
    if not rows:
        return ()
    groups: dict[tuple[str, str], dict[str, tuple[int, RobinsDomain]]] = {}
    for i, cells in enumerate(rows, start=1):
        study = ctx.study(i, cells, randomized=False)
        outcome = ctx.outcome(i, study, cells)
        domain, judgment = cells["domain"], cells["judgment"]
        if domain not in (*ROBINS_DOMAINS, "overall"):
            ctx.bad(i, study, "domain", domain or None,
                    f"must be one of {[*ROBINS_DOMAINS, 'overall']}")
        if judgment not in ROBINS_JUDGMENTS:
            ctx.bad(i, study, "judgment", judgment or None,
                    f"must be one of {set(ROBINS_JUDGMENTS)}")
        if not cells["support"]:
            ctx.bad(i, study, "support", None, "must say what the judgment rests on")
        rows_cited = ctx.source_rows(i, study, cells["source_rows"])
        if study is None:
            continue
        group = groups.setdefault((study, outcome), {})
        if domain in group:
            ctx.bad(i, study, "domain", domain, f"must appear once per study and outcome "
                    f"({outcome!r}); also on row {group[domain][0]}")
        group[domain] = (i, RobinsDomain(domain, ROBINS_DOMAINS.get(domain, "Overall"),
                                         judgment, cells["support"], rows_cited))
    out = []
    for (study, outcome), group in groups.items():
        missing = [d for d in (*ROBINS_DOMAINS, "overall") if d not in group]
        for d in missing:
            ctx.bad(None, study, "domain", d, f"must have a row for outcome {outcome!r}")
        if missing or any(d.judgment not in ROBINS_JUDGMENTS for _, d in group.values()):
            continue
        domains = tuple(group[d][1] for d in ROBINS_DOMAINS)
        suggested = robins_overall(d.judgment for d in domains)
        row, overall = group["overall"]
        worst = max((_SEVERITY.get(d.judgment, -1) for d in domains), default=-1)
        if _SEVERITY.get(overall.judgment, 4 if suggested == "NI" else -1) < worst:
            ctx.bad(row, study, "judgment", overall.judgment,
                    f"must be at least as severe as the worst domain ({suggested!r})")
            continue
        out.append(RobinsAssessment(study, outcome, domains, overall.judgment,
                                    overall.support, overall.source_rows, suggested))
    return tuple(out)


def load_robins(review_folder: str | Path, studies: Iterable[Any], *,
                outcomes: Iterable[str] | None = None,
                record: Iterable[Mapping[str, str]] = (),
                record_study_column: str = "study_id") -> tuple[RobinsAssessment, ...]:
    """Read and check ``robins.csv`` alone (``load_rob2`` reads it with ``rob2.csv``).

    Parameters are those of :func:`livingmeta.appraisal.load_rob2`; raises
    ``ReviewValidationError`` with every problem of the file.
    """
    from livingmeta.review.problems import ReviewProblem, ReviewValidationError

    from ._rob2_load import RowContext

    problems: list[ReviewProblem] = []
    ctx = RowContext("robins.csv", {s.study: s for s in studies},
                     None if outcomes is None else tuple(outcomes), tuple(record),
                     record_study_column, problems)
    found = read_robins(Path(review_folder), ctx)
    if problems:
        raise ReviewValidationError(problems, str(review_folder))
    return found
