"""Read ``rob2.csv`` and ``robins.csv`` of a review folder, reporting every problem at once.

``rob2.csv`` has one row per study x outcome x signalling question::

    study,outcome,design,domain,question,answer,support,source_rows,judgment,reason
    FINAL 2024,pain,parallel,D1,1.1,NI,method of randomization not reported (row 31),31,,

and override rows, which leave ``question`` and ``answer`` empty and give ``judgment``
and ``reason`` for a domain or for ``overall``. Questions that do not apply (their
condition is false) may be left out or answered ``NA``. Every problem is a
:class:`~livingmeta.review.problems.ReviewProblem` naming the file, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from livingmeta.review._tables import read_csv
from livingmeta.review.problems import ReviewProblem, ReviewValidationError

from ._rob2_questions import ANSWERS, ROB2_DESIGNS, ROB2_DOMAINS
from .rob2 import (
    ROB2_JUDGMENTS,
    Override,
    RobAssessment,
    RobAssessments,
    SignallingAnswer,
    assess_rob2,
)

__all__ = ["ROB2_COLUMNS", "RowContext", "read_assessments"]

#: The columns of ``rob2.csv``.
ROB2_COLUMNS = ("study", "outcome", "design", "domain", "question", "answer", "support",
                "source_rows", "judgment", "reason")


class RowContext:
    """What every row of an appraisal file is checked against; collects the problems."""

    def __init__(self, file: str, studies: Mapping[str, Any], outcomes: tuple[str, ...] | None,
                 record: tuple[Mapping[str, str], ...], record_column: str,
                 problems: list[ReviewProblem]):
        self.file, self.studies, self.outcomes = file, studies, outcomes
        self.record, self.record_column, self.problems = record, record_column, problems

    def bad(self, row: int | None, study: str | None, column: str | None, value: object,
            rule: str) -> None:
        self.problems.append(ReviewProblem(row, study, column, value, rule, file=self.file))

    def read(self, folder: Path, columns: tuple[str, ...]) -> list[dict[str, str]] | None:
        """The rows of the file (None when it does not exist); missing columns reported."""
        path = folder / self.file
        if not path.is_file():
            return None
        try:
            header, rows = read_csv(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            self.bad(None, None, None, None, f"must be UTF-8 text ({exc.reason})")
            return []
        missing = [c for c in columns if c not in header]
        for c in missing:
            self.bad(None, None, c, None, "must be a column of the file")
        return [] if missing else rows

    def study(self, row: int, cells: Mapping[str, str], randomized: bool) -> str | None:
        """The row's study, checked against ``studies.csv`` and the tool's design."""
        name = cells.get("study", "")
        if not name:
            self.bad(row, None, "study", None, "must name a study of studies.csv")
            return None
        study = self.studies.get(name)
        if study is None:
            self.bad(row, name, "study", name, "must name a study of studies.csv")
            return None
        if bool(study.randomized) != randomized:
            tool = ("ROBINS-I in robins.csv" if randomized else "RoB 2 in rob2.csv")
            kind = "not randomized" if randomized else "randomized"
            self.bad(row, name, "study", name,
                     f"must be assessed with {tool}: studies.csv says it is {kind}")
        return name

    def outcome(self, row: int, study: str | None, cells: Mapping[str, str]) -> str:
        value = cells.get("outcome", "")
        if not value or (self.outcomes is not None and value not in self.outcomes):
            allowed = "" if self.outcomes is None else f" {set(self.outcomes)}"
            self.bad(row, study, "outcome", value or None,
                     f"must be an outcome id of review.toml{allowed}")
        return value

    def source_rows(self, row: int, study: str | None, text: str) -> tuple[int, ...]:
        """``;``-separated record rows, each inside the record and about the study."""
        if not text:
            self.bad(row, study, "source_rows", None,
                     "must list the record rows the answer rests on (';'-separated)")
            return ()
        out: list[int] = []
        for part in (p.strip() for p in text.split(";")):
            if not part.isdigit() or int(part) < 1:
                self.bad(row, study, "source_rows", part, "must be record row numbers (>= 1)")
                continue
            out.append(int(part))
        if not self.record:
            return tuple(out)
        ids = ""
        if study is not None and study in self.studies:
            ids = self.studies[study].extra.get("record_id", "")
        allowed = {s.strip() for s in ids.split(";")} if ids else None
        for r in out:
            if r > len(self.record):
                self.bad(row, study, "source_rows", r,
                         f"must be a row of the record (it has {len(self.record)} rows)")
            elif allowed is not None and self.record[r - 1].get(self.record_column,
                                                                "") not in allowed:
                found = self.record[r - 1].get(self.record_column, "")
                self.bad(row, study, "source_rows", r,
                         f"must point at rows about this study (record row {r} is about "
                         f"{found!r}, the study's record_id is {ids!r})")
        return tuple(out)


def _answer_row(ctx: RowContext, row: int, study: str | None, cells: Mapping[str, str],
                design: str, domain: str) -> SignallingAnswer | None:
    question, answer = cells["question"], cells["answer"]
    domains = {d.id: d for d in ROB2_DOMAINS.get(design, ())}
    ok = True
    if domain in domains and question not in domains[domain].question_ids:
        ctx.bad(row, study, "question", question,
                f"must be a question of {design} RoB 2 domain {domain} "
                f"{list(domains[domain].question_ids)}")
        ok = False
    if answer not in ANSWERS:
        ctx.bad(row, study, "answer", answer or None, f"must be one of {set(ANSWERS)}")
        ok = False
    elif ok and domain in domains and answer != "NA":
        options = next(q.options for q in domains[domain].questions if q.id == question)
        if answer not in options:
            ctx.bad(row, study, "answer", answer, f"must be one of {list(options)} for "
                    f"question {question}")
            ok = False
    for column in ("judgment", "reason"):
        if cells[column]:
            ctx.bad(row, study, column, cells[column],
                    "must be empty on an answer row (overrides go on their own row, with "
                    "the question empty)")
    support = cells["support"]
    rows: tuple[int, ...] = ()
    if answer != "NA":
        if not support:
            ctx.bad(row, study, "support", None, "must quote or locate what the answer "
                    "rests on (or say what the sources are silent about, for NI)")
        rows = ctx.source_rows(row, study, cells["source_rows"])
    return SignallingAnswer(question, answer, support, rows, row) if ok else None


def _override_row(ctx: RowContext, row: int, study: str | None, cells: Mapping[str, str]
                  ) -> Override | None:
    judgment, reason = cells["judgment"], cells["reason"]
    ok = True
    if judgment not in ROB2_JUDGMENTS:
        ctx.bad(row, study, "judgment", judgment or None,
                f"must be one of {set(ROB2_JUDGMENTS)} on an override row (question empty)")
        ok = False
    if not reason:
        ctx.bad(row, study, "reason", None, "must state why the override departs from the "
                "algorithm's judgment")
        ok = False
    if cells["answer"]:
        ctx.bad(row, study, "answer", cells["answer"], "must be empty on an override row")
    return Override(judgment, reason, row) if ok else None


_Group = dict[str, Any]


def _check_group(ctx: RowContext, key: tuple[str, str], group: _Group) -> RobAssessment | None:
    study, outcome = key
    design: str = group["design"]
    codes = {q: a.answer for q, a in group["answers"].items()}
    complete = True
    for d in ROB2_DOMAINS[design]:
        for q in d.questions:
            given = group["answers"].get(q.id)
            if q.applies(codes) and (given is None or given.answer == "NA"):
                why = q.condition.text if q.condition else "always answered"
                ctx.bad(given.row if given else None, study, "question", q.id,
                        f"must be answered for outcome {outcome!r} ({why})")
                complete = False
            elif not q.applies(codes) and given is not None and given.answer != "NA":
                assert q.condition is not None
                ctx.bad(given.row, study, "answer", given.answer,
                        f"must be NA for question {q.id}: it applies only "
                        f"'{q.condition.text}'")
                complete = False
    if not complete or group["invalid"]:
        return None
    return assess_rob2(study, outcome, design, group["answers"],
                       overrides=group["overrides"])


def _read_rob2(folder: Path, ctx: RowContext) -> tuple[RobAssessment, ...]:
    rows = ctx.read(folder, ROB2_COLUMNS)
    if not rows:
        return ()
    groups: dict[tuple[str, str], _Group] = {}
    for i, cells in enumerate(rows, start=1):
        study = ctx.study(i, cells, randomized=True)
        outcome = ctx.outcome(i, study, cells)
        design = cells["design"]
        if design not in ROB2_DESIGNS:
            ctx.bad(i, study, "design", design or None, f"must be one of {set(ROB2_DESIGNS)}")
            continue
        if study is None:
            continue
        expected = "crossover" if ctx.studies[study].design == "crossover" else "parallel"
        if design != expected:
            ctx.bad(i, study, "design", design, f"must be {expected!r} (studies.csv design "
                    f"is {ctx.studies[study].design!r})")
        group = groups.setdefault((study, outcome), {
            "design": design, "answers": {}, "overrides": {}, "invalid": False, "row": i})
        if design != group["design"]:
            ctx.bad(i, study, "design", design, f"must be the same on every row of the "
                    f"study's outcome {outcome!r} (row {group['row']} says "
                    f"{group['design']!r})")
            group["invalid"] = True
            continue
        domain = cells["domain"]
        domain_ids = [d.id for d in ROB2_DOMAINS[design]]
        if domain not in (*domain_ids, "overall"):
            ctx.bad(i, study, "domain", domain or None,
                    f"must be one of {[*domain_ids, 'overall']} for a {design} trial")
            group["invalid"] = True
            continue
        found: SignallingAnswer | Override | None
        if cells["question"]:
            found = _answer_row(ctx, i, study, cells, design, domain)
            target, name = group["answers"], cells["question"]
        else:
            found = _override_row(ctx, i, study, cells)
            target, name = group["overrides"], domain
        if found is None:
            group["invalid"] = True
        elif name in target:
            ctx.bad(i, study, "question" if cells["question"] else "domain", name,
                    f"must appear once per study and outcome ({outcome!r}); also on row "
                    f"{target[name].row}")
            group["invalid"] = True
        else:
            target[name] = found
    out = [_check_group(ctx, key, g) for key, g in groups.items()]
    return tuple(a for a in out if a is not None)


def read_assessments(folder: Path, studies: tuple[Any, ...], outcomes: tuple[str, ...] | None,
                     record: tuple[Mapping[str, str], ...], record_column: str
                     ) -> RobAssessments:
    """``load_rob2``: both files of the folder, every problem raised at once."""
    from .robins import read_robins

    problems: list[ReviewProblem] = []
    by_name = {s.study: s for s in studies}
    rob2 = _read_rob2(folder, RowContext("rob2.csv", by_name, outcomes, record,
                                         record_column, problems))
    robins = read_robins(folder, RowContext("robins.csv", by_name, outcomes, record,
                                            record_column, problems))
    if problems:
        raise ReviewValidationError(problems, str(folder))
    return RobAssessments(rob2, robins)
