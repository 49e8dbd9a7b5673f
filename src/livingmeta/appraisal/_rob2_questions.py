"""The RoB 2 signalling questions as data: domains, question ids and texts, conditions.

Texts are those of the RoB 2 tool for individually randomized parallel-group trials
(Sterne et al. 2019, BMJ 366:l4898; full guidance: Higgins JPT, Savović J, Page MJ,
Sterne JAC (eds), "Revised Cochrane risk-of-bias tool for randomized trials (RoB 2)",
22 August 2019) and of its variant for crossover trials (Higgins JPT, Li T, Sterne JAC
(eds), "Revised Cochrane risk of bias tool for randomized trials (RoB 2): additional
considerations for crossover trials", 2021), which adds domain S (period and carryover
effects) and question 5.4. Domain 2 is the version for the effect of *assignment* to
intervention (the intention-to-treat effect); the version for the effect of adhering
is not implemented.

A conditional question ("If Y/PY/NI to 2.1 or 2.2: ...") carries a :class:`Condition`;
it is answered when the condition holds and is ``NA`` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from livingmeta.errors import check_choice

__all__ = [
    "ANSWERS",
    "ROB2_DESIGNS",
    "ROB2_DOMAINS",
    "Condition",
    "Rob2Domain",
    "SignallingQuestion",
    "rob2_domains",
]

#: Answers to a signalling question: yes, probably yes, probably no, no, no information,
#: not applicable.
ANSWERS = ("Y", "PY", "PN", "N", "NI", "NA")
#: Trial designs with their own RoB 2 variant.
ROB2_DESIGNS = ("parallel", "crossover")

_YES_NI = ("Y", "PY", "NI")
_NO_NI = ("N", "PN", "NI")


@dataclass(frozen=True, slots=True)
class Condition:
    """When a conditional question applies: ``answers`` to ``questions`` (any or all)."""

    questions: tuple[str, ...]
    answers: tuple[str, ...]
    mode: str = "any"

    def holds(self, answers: Mapping[str, str]) -> bool:
        """Whether the earlier answers make the question applicable."""
        hits = [answers.get(q, "NA") in self.answers for q in self.questions]
        return all(hits) if self.mode == "all" else any(hits)

    @property
    def text(self) -> str:
        """``"If Y/PY/NI to 2.1 or 2.2"``, as the tool prints it."""
        joiner = " and " if self.mode == "all" else " or "
        return f"If {'/'.join(self.answers)} to {joiner.join(self.questions)}"


@dataclass(frozen=True, slots=True)
class SignallingQuestion:
    """One signalling question.

    Attributes
    ----------
    id : str
        ``"1.1"`` ... ``"5.4"``, ``"S.1"`` ...
    domain : str
        The domain id (``"D1"``, ``"DS"``, ...).
    text : str
        The question, without its condition.
    condition : Condition or None
        When the question applies; None for questions always answered.
    options : tuple of str
        The answers the tool offers (3.2 has no "NI": no evidence is answered "N").
    """

    id: str
    domain: str
    text: str
    condition: Condition | None = None
    options: tuple[str, ...] = ("Y", "PY", "PN", "N", "NI")

    def applies(self, answers: Mapping[str, str]) -> bool:
        """Whether the question must be answered, given the other answers."""
        return self.condition is None or self.condition.holds(answers)

    @property
    def full_text(self) -> str:
        """The question as printed in the tool, condition first."""
        if self.condition is None:
            return self.text
        return f"{self.condition.text}: {self.text}"


@dataclass(frozen=True, slots=True)
class Rob2Domain:
    """One RoB 2 domain: id, name, short label and its signalling questions."""

    id: str
    name: str
    short: str
    questions: tuple[SignallingQuestion, ...]

    @property
    def question_ids(self) -> tuple[str, ...]:
        """The ids of the domain's questions, in order."""
        return tuple(q.id for q in self.questions)


def _q(qid: str, domain: str, text: str, condition: Condition | None = None,
       options: tuple[str, ...] = ("Y", "PY", "PN", "N", "NI")) -> SignallingQuestion:
    return SignallingQuestion(qid, domain, text, condition, options)


_D1 = Rob2Domain("D1", "Bias arising from the randomization process", "Randomization process", (
    _q("1.1", "D1", "Was the allocation sequence random?"),
    _q("1.2", "D1", "Was the allocation sequence concealed until participants were enrolled "
                    "and assigned to interventions?"),
    _q("1.3", "D1", "Did baseline differences between intervention groups suggest a problem "
                    "with the randomization process?"),
))
_D2 = Rob2Domain(
    "D2", "Bias due to deviations from intended interventions (effect of assignment to "
          "intervention)", "Deviations from intended interventions", (
        _q("2.1", "D2", "Were participants aware of their assigned intervention during the "
                        "trial?"),
        _q("2.2", "D2", "Were carers and people delivering the interventions aware of "
                        "participants' assigned intervention during the trial?"),
        _q("2.3", "D2", "Were there deviations from the intended intervention that arose "
                        "because of the trial context?", Condition(("2.1", "2.2"), _YES_NI)),
        _q("2.4", "D2", "Were these deviations likely to have affected the outcome?",
           Condition(("2.3",), ("Y", "PY"))),
        _q("2.5", "D2", "Were these deviations from intended intervention balanced between "
                        "groups?", Condition(("2.4",), _YES_NI)),
        _q("2.6", "D2", "Was an appropriate analysis used to estimate the effect of assignment "
                        "to intervention?"),
        _q("2.7", "D2", "Was there potential for a substantial impact (on the result) of the "
                        "failure to analyse participants in the group to which they were "
                        "randomized?", Condition(("2.6",), _NO_NI)),
    ))
_DS = Rob2Domain("DS", "Bias arising from period and carryover effects",
                 "Period and carryover effects", (
    _q("S.1", "DS", "Was the number of participants allocated to each of the two sequences "
                    "equal or nearly equal?"),
    _q("S.2", "DS", "Were period effects accounted for in the analysis?",
       Condition(("S.1",), _NO_NI)),
    _q("S.3", "DS", "Was there sufficient time for any carryover effects to have disappeared "
                    "before outcome assessment in the second period?"),
))
_D3 = Rob2Domain("D3", "Bias due to missing outcome data", "Missing outcome data", (
    _q("3.1", "D3", "Were data for this outcome available for all, or nearly all, "
                    "participants randomized?"),
    _q("3.2", "D3", "Is there evidence that the result was not biased by missing outcome data?",
       Condition(("3.1",), _NO_NI), ("Y", "PY", "PN", "N")),
    _q("3.3", "D3", "Could missingness in the outcome depend on its true value?",
       Condition(("3.2",), ("N", "PN"))),
    _q("3.4", "D3", "Is it likely that missingness in the outcome depended on its true value?",
       Condition(("3.3",), _YES_NI)),
))
_D4 = Rob2Domain("D4", "Bias in measurement of the outcome", "Measurement of the outcome", (
    _q("4.1", "D4", "Was the method of measuring the outcome inappropriate?"),
    _q("4.2", "D4", "Could measurement or ascertainment of the outcome have differed between "
                    "intervention groups?"),
    _q("4.3", "D4", "Were outcome assessors aware of the intervention received by study "
                    "participants?", Condition(("4.1", "4.2"), _NO_NI, "all")),
    _q("4.4", "D4", "Could assessment of the outcome have been influenced by knowledge of "
                    "intervention received?", Condition(("4.3",), _YES_NI)),
    _q("4.5", "D4", "Is it likely that assessment of the outcome was influenced by knowledge "
                    "of intervention received?", Condition(("4.4",), _YES_NI)),
))
_D5_QUESTIONS = (
    _q("5.1", "D5", "Were the data that produced this result analysed in accordance with a "
                    "pre-specified analysis plan that was finalized before unblinded outcome "
                    "data were available for analysis?"),
    _q("5.2", "D5", "Is the numerical result being assessed likely to have been selected, on "
                    "the basis of the results, from multiple eligible outcome measurements "
                    "(e.g. scales, definitions, time points) within the outcome domain?"),
    _q("5.3", "D5", "Is the numerical result being assessed likely to have been selected, on "
                    "the basis of the results, from multiple eligible analyses of the data?"),
)
_D5 = Rob2Domain("D5", "Bias in selection of the reported result",
                 "Selection of the reported result", _D5_QUESTIONS)
_D5_CROSSOVER = Rob2Domain("D5", _D5.name, _D5.short, (
    *_D5_QUESTIONS,
    _q("5.4", "D5", "Is a result based on data from both periods sought, but unavailable on "
                    "the basis of carryover having been identified?"),
))

#: The domains of each design, in the tool's order (crossover: domain S after domain 1).
ROB2_DOMAINS: dict[str, tuple[Rob2Domain, ...]] = {
    "parallel": (_D1, _D2, _D3, _D4, _D5),
    "crossover": (_D1, _DS, _D2, _D3, _D4, _D5_CROSSOVER),
}


def rob2_domains(design: str) -> tuple[Rob2Domain, ...]:
    """The RoB 2 domains of a design (``"parallel"`` or ``"crossover"``).

    >>> [d.id for d in rob2_domains("crossover")]
    ['D1', 'DS', 'D2', 'D3', 'D4', 'D5']
    """
    check_choice("design", design, ROB2_DESIGNS)
    return ROB2_DOMAINS[design]
