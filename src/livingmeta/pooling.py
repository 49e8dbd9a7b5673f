"""Pooling a study table: effect sizes, the model, subgroups or moderators, in one call.

This is the analysis behind ``livingmeta pool``: it takes a checked
:class:`~livingmeta.data.StudyTable`, computes effect sizes (:func:`~livingmeta.effects.escalc`),
drops studies that cannot contribute (with a warning that names them), fits the requested
model and returns one frozen :class:`PooledAnalysis`, whose :meth:`PooledAnalysis.to_dict`
is the stable JSON contract documented in the README.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import numpy as np

from livingmeta._format import safe_exp
from livingmeta.data import StudyTable
from livingmeta.effects import EffectSizes, escalc
from livingmeta.errors import (
    DataValidationError,
    DroppedStudiesWarning,
    MethodNotApplicableError,
    ParameterError,
    Problem,
    check_choice,
)
from livingmeta.models import rma
from livingmeta.models.mantel_haenszel import MantelHaenszelResult, rma_mh
from livingmeta.models.peto import PetoResult, rma_peto
from livingmeta.models.subgroups import SubgroupResult, subgroup_analysis
from livingmeta.results import MetaAnalysisResult, MetaRegressionResult, Tau2Interval
from livingmeta.sensitivity.leave_one_out import LeaveOneOutResult, leave_one_out

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = [
    "BINARY_MEASURES",
    "MEASURES",
    "METHODS",
    "BackTransformed",
    "PooledAnalysis",
    "PreparedEffects",
    "effect_sizes_for_table",
    "pool_table",
    "prepare_effects",
]

#: Model codes as metafor spells them; FE is accepted as an alias of EE.
METHODS = ("EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM", "MH", "PETO")
#: Effect-size measures.
MEASURES = (
    "MD", "SMD", "SMDH", "ROM", "MC", "SMCC", "SMCR", "OR", "RR", "RD", "PETO",
    "IRR", "IRD", "COR", "ZCOR", "GEN",
)
BINARY_MEASURES = ("OR", "RR", "RD", "PETO")
#: Measures analysed on a log scale, reported back-transformed with exp().
_LOG_MEASURES = ("OR", "RR", "PETO", "IRR", "ROM")
#: Measures analysed on Fisher's z scale, reported back-transformed with tanh().
_Z_MEASURES = ("ZCOR",)
_MH_MEASURES = ("OR", "RR", "RD")
_PETO_MEASURES = ("OR", "PETO")

FitResult: TypeAlias = MetaAnalysisResult | MantelHaenszelResult | PetoResult


@dataclass(frozen=True, slots=True)
class BackTransformed:
    """Estimate and intervals on the natural scale of a ratio or correlation measure."""

    transform: str
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None
    pi_high: float | None


@dataclass(frozen=True, slots=True)
class PooledAnalysis:
    """Everything ``livingmeta pool`` computes for one table.

    Attributes
    ----------
    measure, method, test : str
        Effect-size measure, model code (``FE`` is reported as ``EE``) and test.
    level : float
        Confidence level as a fraction.
    effects : EffectSizes
        Effect sizes of the studies analysed (after dropping those without one).
    fit : result
        The pooled fit: :class:`~livingmeta.results.MetaAnalysisResult`, or a
        Mantel-Haenszel or Peto result.
    tau2_interval : Tau2Interval or None
        Q-profile confidence intervals for tau2, I2 and H2 (random-effects models, k >= 2).
    subgroups : SubgroupResult or None
        With ``by``: one fit per level and the test for subgroup differences.
    regression : MetaRegressionResult or None
        With ``mods``: the mixed-effects meta-regression.
    leave_one_out : LeaveOneOutResult or None
        With ``leave1out=True``: the model refitted without each study in turn.
    dropped : tuple of str
        Studies left out because they had no computable effect size or moderator.
    warnings : tuple of str
        Every warning issued on the way, in order.
    """

    measure: str
    method: str
    test: str
    level: float
    effects: EffectSizes
    fit: FitResult
    tau2_interval: Tau2Interval | None
    subgroups: SubgroupResult | None
    regression: MetaRegressionResult | None
    leave_one_out: LeaveOneOutResult | None
    dropped: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def back_transformed(self) -> BackTransformed | None:
        """The estimate on the natural scale, for log-ratio and Fisher-z measures."""
        if self.regression is not None:
            return None
        func: Callable[[float], float]
        if self.measure in _LOG_MEASURES or self.method == "PETO":
            name, func = "exp", safe_exp
        elif self.measure in _Z_MEASURES:
            name, func = "tanh", math.tanh
        else:
            return None
        fit = self.fit
        pi_low = getattr(fit, "pi_low", None)
        pi_high = getattr(fit, "pi_high", None)
        return BackTransformed(
            transform=name,
            estimate=float(func(fit.estimate)),
            ci_low=float(func(fit.ci_low)),
            ci_high=float(func(fit.ci_high)),
            pi_low=None if pi_low is None else float(func(pi_low)),
            pi_high=None if pi_high is None else float(func(pi_high)),
        )

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` (render with as_text/as_markdown/as_html)."""
        from livingmeta.summary import summarize

        return summarize(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``livingmeta pool --json`` (see the README)."""
        from livingmeta._json import pooled_analysis_to_dict

        return pooled_analysis_to_dict(self)


def _resolve_measure(table: StudyTable, measure: str | None) -> str:
    if measure is None:
        if table.has("yi"):
            return "GEN"
        raise ParameterError(
            "The 'measure' parameter is required unless the table has a 'yi' column; "
            f"choose one of {{{', '.join(MEASURES)}}}."
        )
    return check_choice("measure", measure, MEASURES)


def _check_arguments(
    table: StudyTable, measure: str | None, method: str, test: str, level: float,
    by: str | None, mods: Sequence[str],
) -> str:
    check_choice("method", method, METHODS)
    check_choice("test", test, ("z", "knha", "adhoc"))
    if not (isinstance(level, float | int) and 0.0 < float(level) < 1.0):
        raise ParameterError(f"The 'level' parameter must be a fraction in (0, 1). Got {level!r}.")
    measure = _resolve_measure(table, measure)
    problems = [
        Problem(None, None, name, None,
                f"is not a column of {table.source}; its columns are "
                f"{', '.join(table.column_names()) or '(none)'}")
        for name in ([by] if by else []) + list(mods)
        if name not in table.column_names()
    ]
    if problems:
        raise DataValidationError(problems)
    if method == "MH" and measure not in _MH_MEASURES:
        raise MethodNotApplicableError(
            f"method 'MH' (Mantel-Haenszel) pools 2x2 tables for measure OR, RR or RD; "
            f"got measure {measure!r}"
        )
    if method == "PETO" and measure not in _PETO_MEASURES:
        raise MethodNotApplicableError(
            f"method 'PETO' pools 2x2 tables as a Peto odds ratio (measure OR or PETO); "
            f"got measure {measure!r}"
        )
    if method in ("MH", "PETO") and mods:
        raise MethodNotApplicableError(
            f"method {method!r} has no meta-regression; use an inverse-variance method "
            "(EE or a tau2 estimator such as REML) with --mods"
        )
    return measure


def effect_sizes_for_table(table: StudyTable, *, measure: str | None = None) -> EffectSizes:
    """Effect sizes of every row of a study table (``livingmeta effects``).

    ``measure`` defaults to ``"GEN"`` when the table has ``yi``. Rows without a
    computable effect size get NaN yi/vi (and their notes say why).
    """
    measure = _resolve_measure(table, measure)
    accepted = set(inspect.signature(escalc).parameters)
    columns: dict[str, Any] = {
        name: values for name, values in table.columns.items() if name in accepted}
    return escalc(measure, study=list(table.study), **columns)


def _complete_rows(
    table: StudyTable, es: EffectSizes, by: str | None, mods: Sequence[str]
) -> np.ndarray:
    keep = np.isfinite(es.yi) & np.isfinite(es.vi)
    for name in ([by] if by else []) + list(mods):
        values = table.covariate(name)
        keep &= np.array([v is not None and not (isinstance(v, float) and np.isnan(v))
                          for v in values])
    return keep


def _design(
    table: StudyTable, keep: np.ndarray, mods: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """Moderator matrix without intercept: numeric columns as they are, others dummy-coded
    against their first level (in order of appearance)."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    for name in mods:
        values = table.covariate(name)[keep]
        numeric = _as_float(values)
        if numeric is not None:
            blocks.append(numeric[:, None])
            names.append(name)
            continue
        levels = list(dict.fromkeys(str(v) for v in values))
        for level in levels[1:]:
            blocks.append(np.array([str(v) == level for v in values], dtype=float)[:, None])
            names.append(f"{name}[{level}]")
    return np.hstack(blocks), names


@dataclass(frozen=True, slots=True)
class PreparedEffects:
    """The data :func:`pool_table` would analyse (see :func:`prepare_effects`).

    Attributes
    ----------
    effects : EffectSizes
        The complete studies' effect sizes.
    design : ndarray or None
        The moderator matrix (None without moderators).
    names : list of str or None
        Its column names.
    dropped : tuple of str
        Studies left out for missing values (named in a ``DroppedStudiesWarning``).
    """

    effects: EffectSizes
    design: np.ndarray | None
    names: list[str] | None
    dropped: tuple[str, ...]


def prepare_effects(table: StudyTable, *, measure: str | None = None, method: str = "REML",
                    test: str = "z", mods: Sequence[str] = ()) -> PreparedEffects:
    """Effect sizes of the complete studies and the moderator matrix, as :func:`pool_table`
    builds them (incomplete studies dropped with a ``DroppedStudiesWarning``; none left
    raises ``DataValidationError``).

    For analyses that take the data ``pool`` would use (Bayesian analysis, GOSH,
    permutation tests, bootstrap).
    """
    measure = _check_arguments(table, measure, method, test, 0.95, None, mods)
    es = effect_sizes_for_table(table, measure=measure)
    keep = _complete_rows(table, es, None, mods)
    dropped = _drop_report(table, es, keep, measure, bool(mods))
    design, names = _design(table, keep, mods) if mods else (None, None)
    return PreparedEffects(es.subset(keep), design, names, dropped)


def _as_float(values: np.ndarray) -> np.ndarray | None:
    try:
        return np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        return None


def _binary_cells(table: StudyTable, keep: np.ndarray) -> tuple[np.ndarray, ...]:
    cols = table.columns
    ai, ci = cols["ai"][keep], cols["ci"][keep]
    bi = cols["bi"][keep] if "bi" in cols else cols["n1i"][keep] - ai
    di = cols["di"][keep] if "di" in cols else cols["n2i"][keep] - ci
    return ai, bi, ci, di


def pool_table(
    table: StudyTable,
    *,
    measure: str | None = None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    by: str | None = None,
    mods: Sequence[str] = (),
    leave1out: bool = False,
    subgroup_tau2: str = "separate",
) -> PooledAnalysis:
    """Compute effect sizes and pool them.

    Parameters
    ----------
    table : StudyTable
        Checked input (see :func:`livingmeta.data.read_study_table`).
    measure : str, optional
        Effect-size measure (metafor's codes); defaults to ``"GEN"`` when the table has
        ``yi``.
    method : str
        ``EE`` (alias ``FE``), a tau2 estimator (``DL HE HS SJ ML REML EB PM``), ``MH``
        (Mantel-Haenszel) or ``PETO``.
    test : {"z", "knha", "adhoc"}
        Normal-theory tests, the Knapp-Hartung adjustment, or Knapp-Hartung with its
        scale factor truncated at 1 (never narrower than z).
    level : float
        Confidence level, a fraction.
    by : str, optional
        Column defining subgroups. Under ``MH`` and ``PETO`` the subgroups are pooled
        by inverse variance with a common effect (EE), as RevMan does for its subtotals'
        test for differences.
    mods : sequence of str
        Moderator columns for a meta-regression.
    subgroup_tau2 : {"separate", "common"}
        With ``by``: a tau2 per subgroup (test for differences on the subgroup estimates,
        as RevMan), or one tau2 for all (mixed-effects model with a factor; its QM test).
    leave1out : bool
        Also refit the model leaving out each study in turn (inverse-variance methods,
        k >= 2), as metafor's ``leave1out()``.

    Returns
    -------
    PooledAnalysis

    Warns
    -----
    DroppedStudiesWarning
        When studies lack an effect size or a moderator value; plus every warning of
        the underlying fits (all also listed in ``PooledAnalysis.warnings``).
    """
    measure = _check_arguments(table, measure, method, test, level, by, mods)
    if leave1out and method in ("MH", "PETO"):
        raise MethodNotApplicableError(
            f"leave-one-out refits an inverse-variance model; method {method!r} has none "
            "(use EE or a tau2 estimator)")
    method = "EE" if method == "FE" else method
    level = float(level)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        es = effect_sizes_for_table(table, measure=measure)
        keep = _complete_rows(table, es, by, mods)
        dropped = _drop_report(table, es, keep, measure, bool(by or mods))
        es = es.subset(keep)
        fit, tau2_interval = _fit_overall(table, keep, es, measure, method, test, level)
        subgroups = None
        if by:
            subgroups = subgroup_analysis(
                es.yi, es.vi, [str(g) for g in table.covariate(by)[keep]],
                method="EE" if method in ("MH", "PETO") else method, test=test,
                level=level, study=list(es.study), measure=measure, tau2=subgroup_tau2)
        regression = None
        if mods:
            regression = _fit_regression(table, keep, es, mods, method, test, level)
            tau2_interval = None
            if method != "EE" and regression.k > regression.p:
                tau2_interval = regression.tau2_confidence_interval()
        loo = None
        if leave1out:
            if es.yi.size < 2:
                raise MethodNotApplicableError(
                    "leave-one-out needs at least 2 studies; this analysis has 1")
            loo = leave_one_out(es.yi, es.vi, method=method, test=test, level=level,
                                study=list(es.study), measure=measure)
    messages: list[str] = []
    for w in caught:
        messages.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return PooledAnalysis(
        measure=measure, method=method, test=test, level=level, effects=es, fit=fit,
        tau2_interval=tau2_interval, subgroups=subgroups, regression=regression,
        leave_one_out=loo, dropped=dropped, warnings=tuple(dict.fromkeys(messages)),
    )


def _drop_report(
    table: StudyTable, es: EffectSizes, keep: np.ndarray, measure: str, covariates: bool
) -> tuple[str, ...]:
    dropped = tuple(s for s, kept in zip(es.study, keep, strict=True) if not kept)
    if not keep.any():
        raise DataValidationError([Problem(
            None, None, None, None,
            f"no study in {table.source} has a computable {measure} effect size"
            + (" and complete subgroup/moderator values" if covariates else "")
            + "; k = 0 after dropping incomplete rows")])
    if dropped:
        n = len(dropped)
        warnings.warn(
            f"{n} stud{'y' if n == 1 else 'ies'} left out for missing values: "
            f"{', '.join(dropped)}", DroppedStudiesWarning, stacklevel=3)
    return dropped


def _fit_overall(
    table: StudyTable, keep: np.ndarray, es: EffectSizes, measure: str, method: str,
    test: str, level: float,
) -> tuple[FitResult, Tau2Interval | None]:
    study = list(es.study)
    if method == "MH":
        return rma_mh(*_binary_cells(table, keep), measure=measure, level=level,
                      study=study), None
    if method == "PETO":
        return rma_peto(*_binary_cells(table, keep), level=level, study=study), None
    # Without mods rma always returns the intercept-only MetaAnalysisResult.
    fit = cast(MetaAnalysisResult, rma(es.yi, es.vi, method=method, test=test, level=level,
                                       study=study, measure=measure))
    interval = fit.tau2_confidence_interval() if method != "EE" and fit.k >= 2 else None
    return fit, interval


def _fit_regression(
    table: StudyTable, keep: np.ndarray, es: EffectSizes, mods: Sequence[str], method: str,
    test: str, level: float,
) -> MetaRegressionResult:
    if method in ("MH", "PETO"):  # checked in _check_arguments; kept for the type checker
        raise MethodNotApplicableError(f"method {method!r} has no meta-regression")
    design, names = _design(table, keep, mods)
    # With mods rma always returns a MetaRegressionResult.
    return cast(MetaRegressionResult, rma(
        es.yi, es.vi, mods=design, moderator_names=names, method=method, test=test,
        level=level, study=list(es.study), measure=es.measure))
