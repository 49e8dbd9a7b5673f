"""The scenario file of a simulation study (``SCENARIOS.toml``), checked all at once.

A simulation study compares estimators of tau2 and tests of the pooled effect on
meta-analyses drawn from a known data-generating mechanism (Morris, White & Crowther
2019, Stat Med 38:2074-2102, section 3: "ADEMP"). The file declares the study once::

    [simulation]
    title = "Small trials like LDN"
    seed = 20240601                  # required: a non-negative integer
    replications = 2000              # meta-analyses per scenario (>= 2)
    level = 0.95                     # CI/PI level; tests reject at alpha = 1 - level
    methods = ["DL", "REML", "PM"]   # metafor codes (EE FE DL HE HS SJ ML REML EB PM)
    tests = ["z", "knha"]            # "z", "knha", "adhoc"
    tau2_ci = true                   # also the coverage of the Q-profile CI of tau2

    [[scenarios]]
    name = "smd"                     # unique
    measure = "SMD"                  # GEN MD SMD OR RR
    k = [4, 5, 6]                    # a number or a list: the grid is every combination
    tau2 = [0.0, 0.05, 0.1]          # between-study variance on the analysis scale
    effect = [0.0, -0.3]             # the mean true effect mu (log scale for OR and RR)
    sizes = { distribution = "uniform", low = 20, high = 100 }   # participants per arm

Study sizes (participants per arm, equal arms) are ``{distribution = "fixed", values =
[...]}`` (cycled over the k studies), ``"uniform"`` (integers ``low..high`` inclusive,
drawn per study) or ``"lognormal"`` (``round(exp(N(meanlog, sdlog^2)))``, at least
``minimum``, default 2). ``measure = "GEN"`` draws ``yi ~ N(theta_i, vi)`` with known
``vi`` from ``vi = {distribution = ..., ...}`` (the same three kinds, continuous);
``MD`` takes the outcome SD ``sd`` (default 1); ``OR`` and ``RR`` take the control-arm
risk ``control_risk``. Every problem is reported at once, naming the table, the key,
the value and the rule, as the ``review.toml`` checker does.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingmeta.errors import DataValidationError
from livingmeta.models.random import METHODS, TESTS
from livingmeta.simulation._checker import ScenarioProblem, _Checker

__all__ = [
    "DISTRIBUTIONS",
    "SIMULATED_MEASURES",
    "Distribution",
    "Scenario",
    "ScenarioProblem",
    "SimulationSpec",
    "load_scenarios",
    "parse_scenarios",
]

#: Measures whose studies can be simulated.
SIMULATED_MEASURES = ("GEN", "MD", "SMD", "OR", "RR")
#: Distributions of study sizes (and of ``vi`` for GEN).
DISTRIBUTIONS = ("fixed", "uniform", "lognormal")
_SIM_KEYS = {"title", "seed", "replications", "level", "methods", "tests", "tau2_ci"}
_SCENARIO_KEYS = {"name", "measure", "k", "tau2", "effect", "sizes", "vi", "control_risk",
                  "sd"}


@dataclass(frozen=True, slots=True)
class Distribution:
    """A distribution of study sizes (integers per arm) or of GEN variances.

    Attributes
    ----------
    kind : str
        ``"fixed"``, ``"uniform"`` or ``"lognormal"``.
    values : tuple of float
        Fixed values, cycled over the studies (``"fixed"``).
    low, high : float
        Bounds, inclusive (``"uniform"``).
    meanlog, sdlog : float
        Mean and SD of the log (``"lognormal"``).
    minimum : float
        Smallest size after rounding (``"lognormal"`` sizes).
    """

    kind: str
    values: tuple[float, ...] = ()
    low: float = 0.0
    high: float = 0.0
    meanlog: float = 0.0
    sdlog: float = 0.0
    minimum: float = 2.0

    def describe(self) -> str:
        """A short text: ``uniform(20, 100)``, ``fixed(10, 100)``, ``lognormal(4, 0.5)``."""
        if self.kind == "fixed":
            return "fixed(" + ", ".join(f"{v:g}" for v in self.values) + ")"
        if self.kind == "uniform":
            return f"uniform({self.low:g}, {self.high:g})"
        return f"lognormal({self.meanlog:g}, {self.sdlog:g})"


@dataclass(frozen=True, slots=True)
class Scenario:
    """One cell of the grid: a data-generating mechanism.

    Attributes
    ----------
    name : str
        The ``[[scenarios]]`` entry it comes from.
    measure : str
        GEN, MD, SMD, OR or RR.
    k : int
        Studies per meta-analysis (>= 2).
    tau2 : float
        True between-study variance (analysis scale).
    effect : float
        True mean effect mu (analysis scale).
    sizes : Distribution or None
        Participants per arm (None for GEN).
    vi : Distribution or None
        Within-study variances (GEN only).
    control_risk : float or None
        Control-arm risk (OR, RR).
    sd : float
        Outcome SD in both arms (MD; 1 for SMD).
    """

    name: str
    measure: str
    k: int
    tau2: float
    effect: float
    sizes: Distribution | None = None
    vi: Distribution | None = None
    control_risk: float | None = None
    sd: float = 1.0

    @property
    def label(self) -> str:
        """``name k=5 tau2=0.05 effect=0``: the scenario's identity (and random stream)."""
        return f"{self.name} k={self.k} tau2={self.tau2:g} effect={self.effect:g}"

    @property
    def design(self) -> str:
        """The distribution of sizes or variances, as text."""
        if self.vi is not None:
            return "vi " + self.vi.describe()
        return "n/arm " + (self.sizes.describe() if self.sizes else "")


@dataclass(frozen=True, slots=True)
class SimulationSpec:
    """A checked scenario file.

    Attributes
    ----------
    title : str
    seed : int
        Seed of every random stream (with the scenario and block, see
        :func:`~livingmeta.simulation.run_simulation`).
    replications : int
        Meta-analyses per scenario.
    level : float
        Level of the CIs and PIs; tests reject at ``1 - level``.
    methods, tests : tuple of str
        Every method is crossed with every test.
    tau2_ci : bool
        Also evaluate the Q-profile CI of tau2.
    scenarios : tuple of Scenario
        The expanded grid, in file order (k, then tau2, then effect varying fastest last).
    """

    title: str
    seed: int
    replications: int
    level: float
    methods: tuple[str, ...]
    tests: tuple[str, ...]
    tau2_ci: bool
    scenarios: tuple[Scenario, ...]


def _distribution(c: _Checker, raw: object, where: str, key: str,
                  sizes: bool) -> Distribution | None:
    if not isinstance(raw, dict):
        c.bad(where, key, raw, "must be a table such as {distribution = \"uniform\", "
                               "low = 20, high = 100}")
        return None
    place = f"{where}.{key}"
    kind = c.get(raw, place, "distribution", str)
    if kind not in DISTRIBUTIONS:
        if kind is not None:
            c.bad(place, "distribution", kind, f"must be one of {set(DISTRIBUTIONS)}")
        return None
    floor, what = (2.0, "sizes per arm must be integers >= 2") if sizes else (
        0.0, "variances must be > 0")

    def valid(v: object) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        return (isinstance(v, int) and v >= floor) if sizes else v > floor

    if kind == "fixed":
        c.unknown(raw, place, {"distribution", "values"})
        values = c.get(raw, place, "values", list)
        if values is not None and (not values or not all(valid(v) for v in values)):
            c.bad(place, "values", values, f"must be a non-empty list ({what})")
            return None
        return Distribution("fixed", values=tuple(float(v) for v in values or ()))
    if kind == "uniform":
        c.unknown(raw, place, {"distribution", "low", "high"})
        low, high = (c.get(raw, place, b, int if sizes else (int, float)) for b in ("low", "high"))
        for name, v in (("low", low), ("high", high)):
            if v is not None and not valid(v):
                c.bad(place, name, v, f"must be valid ({what})")
        if low is not None and high is not None and low > high:
            c.bad(place, "high", high, f"must be >= low ({low})")
        return Distribution("uniform", low=float(low or 0), high=float(high or 0))
    c.unknown(raw, place, {"distribution", "meanlog", "sdlog", "minimum"})
    meanlog = c.get(raw, place, "meanlog", (int, float))
    sdlog = c.get(raw, place, "sdlog", (int, float))
    if sdlog is not None and sdlog < 0:
        c.bad(place, "sdlog", sdlog, "must be >= 0")
    minimum = c.get(raw, place, "minimum", int, 2) if sizes else 0.0
    if sizes and minimum is not None and minimum < 2:
        c.bad(place, "minimum", minimum, "must be an integer >= 2")
    return Distribution("lognormal", meanlog=float(meanlog or 0), sdlog=float(sdlog or 0),
                        minimum=float(minimum or 2))


def _measure_options(c: _Checker, s: Mapping[str, Any], where: str, measure: str,
                     effects: list[float]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    needs = {"GEN": "vi", "MD": "sizes", "SMD": "sizes", "OR": "sizes", "RR": "sizes"}[measure]
    for key in ("sizes", "vi"):
        if key == needs and key in s:
            out[key] = _distribution(c, s[key], where, key, key == "sizes")
        elif key == needs:
            c.bad(where, key, None, f"must be given for measure {measure}")
        elif key in s:
            c.bad(where, key, s[key], f"is not used by measure {measure}")
    if measure in ("OR", "RR"):
        risk = c.get(s, where, "control_risk", (int, float))
        if risk is not None and not 0.0 < risk < 1.0:
            c.bad(where, "control_risk", risk, "must be a risk in (0, 1)")
        elif risk is not None and measure == "RR":
            for mu in effects:
                if risk * math.exp(mu) >= 1.0:
                    c.bad(where, "effect", mu, "must give a treatment risk below 1 "
                                               "(control_risk x exp(effect) < 1 for RR)")
        out["control_risk"] = None if risk is None else float(risk)
    elif "control_risk" in s:
        c.bad(where, "control_risk", s["control_risk"], f"is not used by measure {measure}")
    if measure == "MD":
        sd = c.get(s, where, "sd", (int, float), 1.0)
        if sd is not None and not sd > 0:
            c.bad(where, "sd", sd, "must be > 0")
        out["sd"] = float(sd or 1.0)
    elif "sd" in s:
        c.bad(where, "sd", s["sd"], f"is not used by measure {measure}")
    return out


def _scenarios(c: _Checker, doc: Mapping[str, Any]) -> tuple[Scenario, ...]:
    raw = c.get(doc, "[[scenarios]]", "scenarios", list)
    if raw is not None and not raw:
        c.bad("[[scenarios]]", None, None, "at least one [[scenarios]] table is needed")
    out: list[Scenario] = []
    names: list[str] = []
    for i, s in enumerate(raw or [], start=1):
        where = f"[[scenarios]] {i}"
        if not isinstance(s, dict):
            c.bad(where, None, s, "each [[scenarios]] entry must be a table")
            continue
        name = c.get(s, where, "name", str)
        where += f" (name {name!r})" if name else ""
        names.append(name or "")
        c.unknown(s, where, _SCENARIO_KEYS)
        measure = c.get(s, where, "measure", str)
        if measure is not None and measure not in SIMULATED_MEASURES:
            c.bad(where, "measure", measure, f"must be one of {set(SIMULATED_MEASURES)}")
            measure = None
        ks = c.grid(s, where, "k", None, integer=True)
        if any(k < 2 for k in ks):
            c.bad(where, "k", s.get("k"), "must be integers >= 2 (studies per meta-analysis)")
        tau2s = c.grid(s, where, "tau2", 0.0)
        if any(t < 0 for t in tau2s):
            c.bad(where, "tau2", s.get("tau2"), "must be >= 0 (a variance)")
        effects = c.grid(s, where, "effect", 0.0)
        if measure is None or not name:
            continue
        options = _measure_options(c, s, where, measure, effects)
        out += [Scenario(name, measure, int(k), t, e, **options)
                for k, t, e in itertools.product(ks, tau2s, effects)]
    for dup in sorted({n for n in names if n and names.count(n) > 1}):
        c.bad("[[scenarios]]", "name", dup, "must be unique")
    return tuple(out)


def _settings(c: _Checker, doc: Mapping[str, Any], title: str) -> dict[str, Any]:
    sim = c.get(doc, "[simulation]", "simulation", dict)
    if sim is None:
        return {}
    where = "[simulation]"
    c.unknown(sim, where, _SIM_KEYS)
    seed = c.get(sim, where, "seed", int)
    if seed is not None and seed < 0:
        c.bad(where, "seed", seed, "must be a non-negative integer")
    reps = c.get(sim, where, "replications", int, 1000)
    if reps is not None and reps < 2:
        c.bad(where, "replications", reps, "must be an integer >= 2 (for Monte Carlo SEs)")
    level = c.get(sim, where, "level", float, 0.95)
    if level is not None and not 0.0 < level < 1.0:
        c.bad(where, "level", level, "must be a fraction in (0, 1)")
    lists = {}
    for key, choices, default in (("methods", METHODS, ["DL", "REML"]),
                                  ("tests", TESTS, ["z", "knha"])):
        values = c.get(sim, where, key, list, default) or []
        bad = [v for v in values if v not in choices]
        if bad or not values:
            c.bad(where, key, values, f"must be a non-empty list of {sorted(set(choices))}")
        lists[key] = tuple(dict.fromkeys(values))
    return {"title": c.get(sim, where, "title", str, title) or title, "seed": seed,
            "replications": reps, "level": level, "tau2_ci": c.get(sim, where, "tau2_ci",
                                                                    bool, True), **lists}


def parse_scenarios(text: str, *, file: str = "scenarios.toml") -> SimulationSpec:
    """Parse and check the text of a scenario file.

    Raises
    ------
    DataValidationError
        Every problem at once, each a :class:`ScenarioProblem` naming the file, the
        table, the key, the value and the rule.

    Examples
    --------
    >>> spec = parse_scenarios('''
    ... [simulation]
    ... seed = 1
    ... [[scenarios]]
    ... name = "gen"
    ... measure = "GEN"
    ... k = [3, 5]
    ... tau2 = [0, 0.1]
    ... vi = {distribution = "fixed", values = [0.05]}
    ... ''')
    >>> [s.label for s in spec.scenarios][:2], spec.methods
    (['gen k=3 tau2=0 effect=0', 'gen k=3 tau2=0.1 effect=0'], ('DL', 'REML'))
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError([ScenarioProblem(None, None, None, None,
                                                   f"invalid TOML: {exc}", file=file)]) from None
    c = _Checker(file)
    c.unknown(doc, "top level", {"simulation", "scenarios"})
    settings = _settings(c, doc, Path(file).stem)
    scenarios = _scenarios(c, doc)
    if c.problems:
        raise DataValidationError(c.problems)
    return SimulationSpec(scenarios=scenarios, **settings)


def load_scenarios(path: str | Path) -> SimulationSpec:
    """Read and check a scenario file (see :func:`parse_scenarios`)."""
    path = Path(path)
    return parse_scenarios(path.read_text(encoding="utf-8"), file=path.name)
