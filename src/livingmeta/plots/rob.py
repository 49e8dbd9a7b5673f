"""Risk-of-bias plots as Display objects: traffic lights, weighted summary, forest columns.

The layout follows robvis (McGuinness & Higgins 2021, Res Synth Methods 12:55-61): a
traffic-light plot of studies x domains with one circle per judgment carrying a symbol
(Low ``+``, Some concerns / Moderate ``-``, High / Serious ``x``, Critical ``!``, No
information ``?``), and a summary plot of stacked horizontal bars, one per domain, of the
share of studies, or of meta-analysis weight, at each judgment. Colours are Okabe-Ito
(``_style.PALETTE``); the symbols carry the judgment without colour.

>>> from livingmeta.appraisal import assess_rob2
>>> low = {"1.1": "Y", "1.2": "Y", "1.3": "N", "2.1": "N", "2.2": "N", "2.6": "Y",
...        "3.1": "Y", "4.1": "N", "4.2": "N", "4.3": "N", "5.1": "Y", "5.2": "N", "5.3": "N"}
>>> a = assess_rob2("A", "pain", "parallel", low)
>>> TrafficLightPlot.from_assessments([a], "pain").symbols
(('+', '+', '+', '+', '+', '+'),)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingmeta.errors import ParameterError

from ._style import FONT_SIZE, PALETTE, SMALL_FONT_SIZE, DrawnPlot, resolve_axes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["JUDGMENT_STYLES", "RobSummaryPlot", "TrafficLightPlot", "rob_columns"]

#: Judgment -> (symbol, colour); RoB 2 and ROBINS-I levels share symbols by severity.
JUDGMENT_STYLES: dict[str, tuple[str, str]] = {
    "Low": ("+", PALETTE["green"]),
    "Some concerns": ("-", PALETTE["yellow"]),
    "Moderate": ("-", PALETTE["yellow"]),
    "High": ("x", PALETTE["vermillion"]),
    "Serious": ("x", PALETTE["vermillion"]),
    "Critical": ("!", PALETTE["black"]),
    "NI": ("?", PALETTE["sky_blue"]),
    "Not applicable": ("", PALETTE["light_grey"]),
    "Not assessed": ("", "#E6E6E6"),
}
_ROB2_HEADS = {"D1": "D1", "DS": "DS", "D2": "D2", "D3": "D3", "D4": "D4", "D5": "D5"}
_ROB2_ORDER = ("D1", "DS", "D2", "D3", "D4", "D5")
_ROB2_NAMES = {
    "D1": "Randomization process", "DS": "Period and carryover effects (crossover)",
    "D2": "Deviations from intended interventions", "D3": "Missing outcome data",
    "D4": "Measurement of the outcome", "D5": "Selection of the reported result",
}


def _rob2_rows(assessments: Any, outcome: str, studies: Sequence[str] | None
               ) -> list[Any]:
    pool = list(getattr(assessments, "rob2", assessments))
    found = [a for a in pool if getattr(a, "tool", "") == "RoB 2" and a.outcome == outcome]
    if studies is None:
        return found
    by_study = {a.study: a for a in found}
    missing = [s for s in studies if s not in by_study]
    if missing:
        raise ParameterError(f"The 'studies' parameter must name studies with a RoB 2 "
                             f"assessment of outcome {outcome!r}. Got {missing}.")
    return [by_study[s] for s in studies]


@dataclass(frozen=True, slots=True)
class TrafficLightPlot:
    """Studies x domains, one circle per judgment (robvis' traffic-light plot).

    Attributes
    ----------
    studies : tuple of str
        Row labels, top to bottom.
    domains : tuple of str
        Column ids (``D1 DS D2 ... Overall``); DS only when a crossover trial is shown.
    domain_names : tuple of str
        What each column id means (the caption).
    judgments : tuple of tuple of str or None
        Per study, per column: the judgment that holds (None: the design has no such
        domain).
    symbols : tuple of tuple of str
        The symbol drawn in each circle ('' where there is none).
    overridden : tuple of tuple of bool
        Whether the reviewer overrode the algorithm there (marked with an asterisk).
    tool, outcome, title : str
        ``"RoB 2"``; the outcome id; the title (may be empty).
    width, height : float
        Figure size in inches.
    """

    studies: tuple[str, ...]
    domains: tuple[str, ...]
    domain_names: tuple[str, ...]
    judgments: tuple[tuple[str | None, ...], ...]
    symbols: tuple[tuple[str, ...], ...]
    overridden: tuple[tuple[bool, ...], ...]
    tool: str
    outcome: str
    title: str
    width: float
    height: float

    @classmethod
    def from_assessments(cls, assessments: Any, outcome: str, *,
                         studies: Sequence[str] | None = None,
                         title: str | None = None) -> TrafficLightPlot:
        """Traffic lights of the RoB 2 assessments of one outcome.

        ``assessments`` is a ``RobAssessments`` or a sequence of ``RobAssessment``;
        ``studies`` picks and orders the rows (default: every assessed study, in order).
        """
        rows = _rob2_rows(assessments, outcome, studies)
        if not rows:
            raise ParameterError(f"The 'assessments' parameter must hold RoB 2 assessments "
                                 f"of outcome {outcome!r}. Got none.")
        present = {d.domain for a in rows for d in a.domains}
        domains = tuple(d for d in _ROB2_ORDER if d in present)
        judgments, overridden = [], []
        for a in rows:
            cells = [a.domain(d) for d in domains]
            judgments.append((*(c.judgment if c else None for c in cells), a.judgment))
            overridden.append((*(bool(c and c.override) for c in cells),
                               a.override is not None))
        return cls._build([a.study for a in rows], [*domains, "Overall"],
                          [*(_ROB2_NAMES[d] for d in domains), "Overall risk of bias"],
                          judgments, overridden, "RoB 2", outcome, title)

    @classmethod
    def from_robins(cls, assessments: Any, outcome: str, *,
                    title: str | None = None) -> TrafficLightPlot:
        """Traffic lights of the ROBINS-I assessments of one outcome (domains D1-D7)."""
        from livingmeta.appraisal.robins import ROBINS_DOMAINS

        rows = [a for a in getattr(assessments, "robins", assessments)
                if a.outcome == outcome]
        if not rows:
            raise ParameterError(f"The 'assessments' parameter must hold ROBINS-I "
                                 f"assessments of outcome {outcome!r}. Got none.")
        ids = list(ROBINS_DOMAINS)
        judgments = [(*(a.domain(d).judgment for d in ids), a.judgment) for a in rows]
        flags = [(False,) * (len(ids) + 1) for _ in rows]
        return cls._build([a.study for a in rows], [*ids, "Overall"],
                          [*ROBINS_DOMAINS.values(), "Overall risk of bias"], judgments,
                          flags, "ROBINS-I", outcome, title)

    @classmethod
    def _build(cls, studies: list[str], domains: list[str], names: list[str],
               judgments: list[tuple[str | None, ...]], overridden: list[tuple[bool, ...]],
               tool: str, outcome: str, title: str | None) -> TrafficLightPlot:
        symbols = tuple(tuple(JUDGMENT_STYLES[j][0] if j else "" for j in row)
                        for row in judgments)
        label_width = max(len(s) for s in studies) * 0.075 + 0.3
        width = label_width + 0.45 * len(domains) + 0.4
        height = 1.0 + 0.38 * len(studies) + 0.17 * len(domains) + 0.5
        return cls(tuple(studies), tuple(domains), tuple(names), tuple(judgments), symbols,
                   tuple(overridden), tool, outcome, title or "", width, height)

    def plot(self, ax: Axes | None = None) -> DrawnPlot[TrafficLightPlot]:
        """Draw the circles, their symbols, the domain caption and the legend."""
        figure, axes = resolve_axes(ax, self.width, self.height)
        n_rows, n_cols = len(self.studies), len(self.domains)
        for i, row in enumerate(self.judgments):
            y = n_rows - 1 - i
            for j, judgment in enumerate(row):
                if judgment is None:
                    continue
                symbol, colour = JUDGMENT_STYLES[judgment]
                axes.scatter([j], [y], s=330, color=colour, edgecolors=PALETTE["black"],
                             linewidths=0.6, zorder=2)
                text_colour = "white" if judgment == "Critical" else PALETTE["black"]
                mark = symbol + ("*" if self.overridden[i][j] else "")
                axes.text(j, y, mark, ha="center", va="center", fontsize=FONT_SIZE + 1,
                          fontweight="bold", color=text_colour, zorder=3)
        axes.set_xlim(-0.6, n_cols - 0.4)
        axes.set_ylim(-0.6, n_rows - 0.4)
        axes.set_xticks(range(n_cols), self.domains)
        axes.xaxis.tick_top()
        axes.set_yticks(range(n_rows), list(reversed(self.studies)))
        axes.tick_params(length=0, labelsize=FONT_SIZE)
        for spine in axes.spines.values():
            spine.set_visible(False)
        axes.grid(False)
        caption = [f"{d}: {n}" for d, n in zip(self.domains, self.domain_names, strict=True)]
        shown = {j for row in self.judgments for j in row if j}
        levels = [j for j in JUDGMENT_STYLES if j in shown]
        caption.append("  ".join(f"{JUDGMENT_STYLES[j][0]} {j}" for j in levels))
        if any(f for row in self.overridden for f in row):
            caption.append("* reviewer's judgment overrides the algorithm's")
        axes.set_xlabel("\n".join(caption), fontsize=SMALL_FONT_SIZE, loc="left")
        if self.title:
            axes.set_title(self.title, fontsize=FONT_SIZE + 1, loc="left", pad=18)
        return DrawnPlot(figure, axes, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot().savefig(path, dpi=dpi)


@dataclass(frozen=True, slots=True)
class RobSummaryPlot:
    """Share of weight (or of studies) at each judgment, per domain (robvis' summary).

    Attributes
    ----------
    domains : tuple of str
        Bar labels, top to bottom (domain names, then "Overall risk of bias").
    levels : tuple of str
        The judgments stacked left to right (Low, Some concerns, High, and "Not
        applicable" for domain S where parallel trials are shown).
    shares : tuple of tuple of float
        Per domain, per level: share of the total weight (sums to 1).
    weighted : bool
        Shares of meta-analysis weight (True) or of studies (False).
    outcome, title : str
    width, height : float
    """

    domains: tuple[str, ...]
    levels: tuple[str, ...]
    shares: tuple[tuple[float, ...], ...]
    weighted: bool
    outcome: str
    title: str
    width: float
    height: float

    @classmethod
    def from_assessments(cls, assessments: Any, outcome: str, *,
                         weights: Mapping[str, float] | None = None,
                         title: str | None = None) -> RobSummaryPlot:
        """Summary bars of one outcome's RoB 2 assessments.

        ``weights`` maps study -> weight in the outcome's meta-analysis (e.g. the
        percentages of ``MetaAnalysisResult.weights``); every weighted study needs a RoB 2
        assessment. Without weights each assessed study counts once.
        """
        from livingmeta.appraisal.rob2 import RobAssessments

        rows = _rob2_rows(assessments, outcome, None if weights is None else list(weights))
        if not rows:
            raise ParameterError(f"The 'assessments' parameter must hold RoB 2 assessments "
                                 f"of outcome {outcome!r}. Got none.")
        w = {a.study: 1.0 for a in rows} if weights is None else dict(weights)
        holder = RobAssessments(tuple(rows))
        present = {d.domain for a in rows for d in a.domains}
        domains = [d for d in _ROB2_ORDER if d in present]
        shares = [holder.weight_shares(outcome, w, domain=d) for d in domains]
        shares.append(holder.weight_shares(outcome, w))
        levels = [lv for lv in ("Low", "Some concerns", "High", "Not applicable")
                  if any(s[lv] > 0 for s in shares)]
        return cls(tuple([*(_ROB2_NAMES[d] for d in domains), "Overall risk of bias"]),
                   tuple(levels), tuple(tuple(s[lv] for lv in levels) for s in shares),
                   weights is not None, outcome, title or "", 7.0,
                   1.2 + 0.35 * (len(domains) + 1))

    def plot(self, ax: Axes | None = None) -> DrawnPlot[RobSummaryPlot]:
        """Draw the stacked bars (percent of weight) and the legend."""
        figure, axes = resolve_axes(ax, self.width, self.height)
        n = len(self.domains)
        for i, row in enumerate(self.shares):
            left = 0.0
            for level, share in zip(self.levels, row, strict=True):
                axes.barh(n - 1 - i, 100 * share, left=100 * left, height=0.7,
                          color=JUDGMENT_STYLES[level][1], edgecolor=PALETTE["black"],
                          linewidth=0.4, label=level if i == 0 else None)
                left += share
        axes.set_yticks(range(n), list(reversed(self.domains)))
        axes.set_xlim(0, 100)
        axes.set_xlabel(("Share of meta-analysis weight" if self.weighted
                         else "Share of studies") + " (%)", fontsize=FONT_SIZE)
        axes.tick_params(labelsize=FONT_SIZE)
        axes.spines["top"].set_visible(False)
        axes.spines["right"].set_visible(False)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=len(self.levels),
                    fontsize=SMALL_FONT_SIZE, frameon=False)
        if self.title:
            axes.set_title(self.title, fontsize=FONT_SIZE + 1, loc="left")
        return DrawnPlot(figure, axes, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot().savefig(path, dpi=dpi)


def rob_columns(assessments: Any, outcome: str, studies: Iterable[str], *,
                domains: bool = True) -> dict[str, list[str]]:
    """RoB cells for the forest plot: heading -> one symbol per study, in ``studies`` order.

    Pass the result as ``ForestPlot.from_result(..., arm_columns=...)``. Columns are the
    RoB 2 domains present (D1 DS D2 ... D5, with ``domains=True``) and ``RoB`` (overall);
    a study without a RoB 2 assessment of the outcome gets '' in the domain columns and,
    when it has a ROBINS-I assessment, that overall judgment's symbol in ``RoB``.

    >>> from livingmeta.appraisal import RobAssessments
    >>> rob_columns(RobAssessments(), "pain", ["A"])
    {'RoB': ['']}
    """
    names = list(studies)
    found: dict[str, Any] = {
        s: (assessments.get(s, outcome) if hasattr(assessments, "get") else None)
        for s in names}
    present = {d.domain for a in found.values() if getattr(a, "tool", "") == "RoB 2"
               for d in a.domains}
    out: dict[str, list[str]] = {}
    if domains:
        for d in (d for d in _ROB2_ORDER if d in present):
            cells = []
            for s in names:
                a = found[s]
                dom = a.domain(d) if getattr(a, "tool", "") == "RoB 2" else None
                cells.append(JUDGMENT_STYLES[dom.judgment][0] if dom is not None else "")
            out[_ROB2_HEADS[d]] = cells
    out["RoB"] = [JUDGMENT_STYLES[found[s].judgment][0] if found[s] is not None else ""
                  for s in names]
    return out
