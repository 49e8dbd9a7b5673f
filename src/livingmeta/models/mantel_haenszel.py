"""Mantel-Haenszel pooling of 2x2 tables (odds ratio, risk ratio, risk difference).

The pooled estimate, its variance, the Cochran-Mantel-Haenszel test and Tarone's test
use the raw counts of every table (no continuity correction), as metafor's ``rma.mh``
does by default. The heterogeneity statistics (Q, I2, H2) use the per-table effect sizes
``yi``/``vi`` (escalc-style, with ``add``/``to``/``drop00`` applied), weighted by ``1/vi``
around the Mantel-Haenszel estimate (metafor documentation, ``rma.mh``, "Details").

Kernels sum over the last axis, so leading axes may hold a batch of meta-analyses.

References
----------
Mantel N, Haenszel W (1959). J Natl Cancer Inst 22:719-748.
Robins J, Breslow N, Greenland S (1986). Biometrics 42:311-323.
Greenland S, Robins JM (1985). Biometrics 41:55-68.
Sato T, Greenland S, Robins JM (1989). Biometrics 45:1323-1324.
Tarone RE (1985). Biometrika 72:91-95.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. JSS 36(3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from livingmeta.errors import MethodNotApplicableError, SingleStudyWarning, check_choice
from livingmeta.models._binary_tables import (
    BinaryTables,
    ResultMethods,
    heterogeneity,
    prepare_tables,
    provenance,
    table_effects,
    warn_and_record,
)
from livingmeta.results import Provenance

__all__ = ["MantelHaenszelResult", "rma_mh"]


@dataclass(frozen=True, slots=True)
class MantelHaenszelResult(ResultMethods):
    """A Mantel-Haenszel common-effect meta-analysis of 2x2 tables.

    Attributes
    ----------
    k : int
        Number of tables pooled (double-zero tables included: they carry no weight for
        OR and RR, but do for RD).
    measure : str
        ``"OR"``, ``"RR"`` or ``"RD"``.
    method : str
        Always ``"MH"``.
    estimate, se : float
        Pooled estimate (log scale for OR and RR) and its standard error.
    statistic, pval : float
        Wald z statistic and two-sided p-value.
    ci_low, ci_high : float
        Wald confidence interval at ``level``.
    Q, Q_df, Q_pval : float, int, float
        Cochran's Q around the MH estimate with inverse-variance weights of the tables
        with a defined ``yi``/``vi``; ``Q_df`` is their number minus one.
    I2, H2 : float
        ``I2 = max(0, (Q - Q_df) / Q)`` in percent and ``H2 = Q / Q_df``.
    cmh_statistic, cmh_pval : float or None
        Cochran-Mantel-Haenszel test of OR = 1 (1 df); ``None`` for RR and RD.
    tarone_statistic, tarone_pval : float or None
        Tarone's test for heterogeneity of the odds ratios; ``None`` for RR and RD.
    weights : ndarray
        Mantel-Haenszel weights in percent (``bi ci / ni`` for OR, ``ci n1i / ni`` for RR,
        ``n1i n2i / ni`` for RD).
    level : float
        Confidence level of ``ci_low``/``ci_high``, a fraction.
    warnings : tuple of str
        Messages of every warning issued while fitting.
    study : tuple of str
        Study labels.
    yi, vi : ndarray
        Per-table effect sizes and sampling variances used for Q (NaN where undefined).
    provenance : Provenance
        Package version, function, method, options, k and a SHA-256 digest of the
        counts and study labels.
    """

    k: int
    measure: str
    method: str
    estimate: float
    se: float
    statistic: float
    pval: float
    ci_low: float
    ci_high: float
    Q: float
    Q_df: int
    Q_pval: float
    I2: float
    H2: float
    cmh_statistic: float | None
    cmh_pval: float | None
    tarone_statistic: float | None
    tarone_pval: float | None
    weights: np.ndarray
    level: float
    warnings: tuple[str, ...]
    study: tuple[str, ...]
    yi: np.ndarray
    vi: np.ndarray
    provenance: Provenance


def _mh_pool(t: BinaryTables, measure: str) -> tuple[np.ndarray, ...]:
    """MH estimate, its variance and the unnormalised weights, summed over axis -1."""
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    n1, n2, n = a + b, c + d, a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_n = np.where(n > 0, 1.0 / np.where(n > 0, n, 1.0), 0.0)
        if measure == "OR":
            r, s = a * d * inv_n, b * c * inv_n  # Mantel & Haenszel 1959
            p, q = (a + d) * inv_n, (b + c) * inv_n
            sr, ss = r.sum(-1), s.sum(-1)
            estimate = np.log(sr / ss)
            # Robins, Breslow & Greenland 1986, eq. 12
            var = ((p * r).sum(-1) / (2 * sr**2)
                   + (p * s + q * r).sum(-1) / (2 * sr * ss)
                   + (q * s).sum(-1) / (2 * ss**2))
            return estimate, var, s, sr, ss
        if measure == "RR":
            r, s = a * n2 * inv_n, c * n1 * inv_n
            sr, ss = r.sum(-1), s.sum(-1)
            estimate = np.log(sr / ss)
            # Greenland & Robins 1985, eq. 13
            var = ((n1 * n2 * (a + c) - a * c * n) * inv_n**2).sum(-1) / (sr * ss)
            return estimate, var, s, sr, ss
        w = n1 * n2 * inv_n
        sw = w.sum(-1)
        estimate = ((a * n2 - c * n1) * inv_n).sum(-1) / sw
        # Sato, Greenland & Robins 1989, p. 1323 (consistent in sparse and large strata)
        p_term = (n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) * inv_n**2
        q_term = (a * (n2 - c) + c * (n1 - a)) * inv_n / 2
        var = (estimate * p_term.sum(-1) + q_term.sum(-1)) / sw**2
        return estimate, var, w, sw, sw


def _cmh_test(t: BinaryTables, correct: bool) -> tuple[float, float]:
    """Cochran-Mantel-Haenszel test of a common OR of 1 (Mantel & Haenszel 1959)."""
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    n1, n2, m1, m2, n = a + b, c + d, a + c, b + d, a + b + c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(n > 0, n1 * m1 / np.where(n > 0, n, 1.0), 0.0)
        denom = n**2 * (n - 1)
        variance = np.where(denom > 0, n1 * n2 * m1 * m2 / np.where(denom > 0, denom, 1.0), 0.0)
    delta = abs(float((a - expected).sum()))
    # metafor subtracts the 1/2 correction without truncating at zero.
    statistic = (delta - 0.5 * correct) ** 2 / float(variance.sum())
    return statistic, float(stats.chi2.sf(statistic, 1))


def _tarone_test(t: BinaryTables, log_or: float) -> tuple[float, float]:
    """Breslow-Day test with Tarone's (1985) correction, around the MH odds ratio.

    Tables with a zero margin carry no information and are left out; df = their
    number minus one.
    """
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    n1, n2, m1 = a + b, c + d, a + c
    informative = (n1 > 0) & (n2 > 0) & (m1 > 0) & (b + d > 0)
    a, n1, n2, m1 = a[informative], n1[informative], n2[informative], m1[informative]
    psi = float(np.exp(log_or))
    # Fitted a under the common OR psi: root of (1 - psi) A^2 + B A + C = 0 lying in
    # [max(0, m1 - n2), min(n1, m1)] (Breslow & Day 1980, eq. 4.32); stable form.
    quad_b = n2 - m1 + psi * (n1 + m1)
    quad_c = -psi * n1 * m1
    disc = np.sqrt(quad_b**2 - 4 * (1 - psi) * quad_c)
    fitted = -2 * quad_c / (quad_b + disc)
    variance = 1.0 / (1 / fitted + 1 / (n1 - fitted) + 1 / (m1 - fitted)
                      + 1 / (n2 - m1 + fitted))
    breslow_day = float(((a - fitted) ** 2 / variance).sum())
    statistic = breslow_day - float((a - fitted).sum()) ** 2 / float(variance.sum())
    df = int(informative.sum()) - 1
    pval = float(stats.chi2.sf(statistic, df)) if df > 0 else float("nan")
    return statistic, pval


def rma_mh(
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
    *,
    measure: str = "OR",
    level: float = 0.95,
    study: Sequence[object] | None = None,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = True,
    correct: bool = True,
) -> MantelHaenszelResult:
    """Mantel-Haenszel common-effect meta-analysis of 2x2 tables (metafor's ``rma.mh``).

    Parameters
    ----------
    ai, bi, ci, di : array_like of shape (k,)
        Events and non-events in the treatment group (``ai``, ``bi``) and in the control
        group (``ci``, ``di``). Non-negative integers; tables with a missing count are
        dropped with a :class:`~livingmeta.errors.DroppedStudiesWarning`.
    measure : {"OR", "RR", "RD"}
        Odds ratio, risk ratio (both pooled on the log scale) or risk difference.
    level : float
        Confidence level, a fraction in (0, 1).
    study : sequence, optional
        Study labels (default ``"1"``, ``"2"``, ...).
    add, to, drop00 : float, str, bool
        Zero-cell handling of the per-table ``yi``/``vi`` that enter Q, I2 and H2 (as
        escalc: add ``add`` to the cells of tables with a zero cell when ``to="only0"``,
        of every table for ``"all"``, of every table if any has a zero for ``"if0all"``,
        none for ``"none"``; ``drop00`` leaves double-zero tables out of Q). These are
        metafor's first elements of ``add``/``to``/``drop00``; the MH estimate itself uses
        the raw counts (metafor's defaults ``add[2] = 0``, ``drop00[2] = FALSE``).
    correct : bool
        Continuity correction of the Cochran-Mantel-Haenszel test.

    Returns
    -------
    MantelHaenszelResult

    Raises
    ------
    DataValidationError
        Negative, non-integer or infinite counts (every bad cell reported at once).
    MethodNotApplicableError
        The MH estimator is undefined (e.g. no events in one arm of every table).

    Warns
    -----
    ZeroCellWarning
        Double-zero tables left out of Q, or zero cells corrected for ``yi``/``vi``.
    SingleStudyWarning
        Only one table.

    Notes
    -----
    The CMH statistic is ``(|sum(ai - E[ai])| - 1/2)^2 / sum Var(ai)`` with the 1/2 applied
    when ``correct`` (not truncated at zero, as in metafor). The variance of the MH risk
    difference is Sato, Greenland & Robins' (1989), as in metafor.

    References
    ----------
    See the module docstring.

    Examples
    --------
    >>> res = rma_mh([4, 6], [119, 300], [11, 29], [128, 274])
    >>> round(float(np.exp(res.estimate)), 4)
    0.2414
    """
    check_choice("measure", measure, ("OR", "RR", "RD"))
    messages: list[str] = []
    tables = prepare_tables(ai, bi, ci, di, study, level, add, to, messages)
    estimate, var, raw_weights, sum_r, _ = _mh_pool(tables, measure)
    if not (np.isfinite(estimate) and np.isfinite(var)):
        if measure == "RD":
            why = "every table has an empty arm (n1i = 0 or n2i = 0)"
        elif not sum_r > 0:
            why = ("no table has events in the treatment group"
                   + (" and non-events in the control group (ai * di = 0)"
                      if measure == "OR" else " (ai = 0)"))
        else:
            why = ("no table has events in the control group"
                   + (" and non-events in the treatment group (bi * ci = 0)"
                      if measure == "OR" else " (ci = 0)"))
        raise MethodNotApplicableError(
            f"The Mantel-Haenszel {measure} is undefined for studies "
            f"{', '.join(repr(s) for s in tables.study)}: {why}.")
    se = float(np.sqrt(var))
    z = float(stats.norm.ppf(0.5 + level / 2))
    yi, vi = table_effects(measure, tables, add=add, to=to, drop00=drop00, messages=messages)
    q, q_df, q_pval, i2, h2 = heterogeneity(yi, vi, float(estimate))
    cmh: tuple[float | None, float | None] = (None, None)
    tarone = cmh
    if measure == "OR":
        cmh = _cmh_test(tables, correct)
        tarone = _tarone_test(tables, float(estimate))
    if tables.k == 1:
        warn_and_record(messages, SingleStudyWarning,
                        "only one table (k = 1): the pooled estimate is that table's")
    statistic = float(estimate) / se
    options = {"measure": measure, "level": level, "add": add, "to": to, "drop00": drop00,
               "correct": correct}
    return MantelHaenszelResult(
        k=tables.k, measure=measure, method="MH",
        estimate=float(estimate), se=se, statistic=statistic,
        pval=float(2 * stats.norm.sf(abs(statistic))),
        ci_low=float(estimate) - z * se, ci_high=float(estimate) + z * se,
        Q=q, Q_df=q_df, Q_pval=q_pval, I2=i2, H2=h2,
        cmh_statistic=cmh[0], cmh_pval=cmh[1],
        tarone_statistic=tarone[0], tarone_pval=tarone[1],
        weights=100 * raw_weights / raw_weights.sum(),
        level=level, warnings=tuple(messages), study=tables.study, yi=yi, vi=vi,
        provenance=provenance("rma_mh", "MH", options, tables),
    )
