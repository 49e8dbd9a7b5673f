"""Peto's one-step odds ratio for 2x2 tables (metafor's ``rma.peto``).

``log OR = sum(O - E) / sum(V)`` with ``Var = 1 / sum(V)``, where for each table
``O = ai``, ``E = n1i m1i / ni`` and ``V = n1i n2i m1i m2i / (ni^2 (ni - 1))``, the
hypergeometric mean and variance of ``ai`` given the margins (Yusuf et al. 1985, p. 337).
The pooled estimate and Peto's heterogeneity statistic
``Q = sum((O - E)^2 / V) - (sum(O - E))^2 / sum(V)`` use the raw counts, as metafor does;
the per-table Peto ``yi``/``vi`` (escalc measure ``"PETO"``, with ``add``/``to``/``drop00``
applied) are reported and set the degrees of freedom of Q (their number minus one).

References
----------
Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985). Beta blockade during and after
myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis
27:335-371.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. JSS 36(3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from livingmeta.errors import MethodNotApplicableError, SingleStudyWarning
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

__all__ = ["PetoResult", "rma_peto"]


@dataclass(frozen=True, slots=True)
class PetoResult(ResultMethods):
    """A Peto one-step odds-ratio meta-analysis of 2x2 tables.

    Attributes
    ----------
    k : int
        Number of tables pooled.
    measure, method : str
        Both ``"PETO"``.
    estimate, se : float
        Pooled log odds ratio and its standard error ``1 / sqrt(sum V)``.
    statistic, pval : float
        Wald z statistic and two-sided p-value.
    ci_low, ci_high : float
        Wald confidence interval at ``level`` (log scale).
    Q, Q_df, Q_pval : float, int, float
        Peto's heterogeneity statistic on the raw tables; ``Q_df`` is the number of
        tables with a defined ``yi`` minus one (as metafor).
    I2, H2 : float
        ``I2 = max(0, (Q - Q_df) / Q)`` in percent and ``H2 = Q / Q_df``.
    weights : ndarray
        ``V`` of each table in percent.
    level : float
        Confidence level, a fraction.
    warnings : tuple of str
        Messages of every warning issued while fitting.
    study : tuple of str
        Study labels.
    yi, vi : ndarray
        Per-table Peto log odds ratios and variances used for Q (NaN where undefined).
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
    weights: np.ndarray
    level: float
    warnings: tuple[str, ...]
    study: tuple[str, ...]
    yi: np.ndarray
    vi: np.ndarray
    provenance: Provenance


def _peto_sums(t: BinaryTables) -> tuple[np.ndarray, np.ndarray]:
    """Per-table ``O - E`` and hypergeometric ``V`` (zero for tables with n <= 1)."""
    a, b, c, d = t.ai, t.bi, t.ci, t.di
    n1, n2, m1, m2, n = a + b, c + d, a + c, b + d, a + b + c + d
    safe_n = np.where(n > 1, n, 2.0)
    o_minus_e = np.where(n > 0, a - n1 * m1 / safe_n, 0.0)  # Yusuf et al. 1985, p. 337
    v = np.where(n > 1, n1 * n2 * m1 * m2 / (safe_n**2 * (safe_n - 1)), 0.0)
    return o_minus_e, v


def rma_peto(
    ai: Sequence[float] | np.ndarray,
    bi: Sequence[float] | np.ndarray,
    ci: Sequence[float] | np.ndarray,
    di: Sequence[float] | np.ndarray,
    *,
    level: float = 0.95,
    study: Sequence[object] | None = None,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = True,
) -> PetoResult:
    """Peto's one-step odds ratio (Yusuf et al. 1985), as metafor's ``rma.peto``.

    Parameters
    ----------
    ai, bi, ci, di : array_like of shape (k,)
        Events and non-events in the treatment (``ai``, ``bi``) and control (``ci``,
        ``di``) groups; non-negative integers. Tables with a missing count are dropped
        with a :class:`~livingmeta.errors.DroppedStudiesWarning`.
    level : float
        Confidence level, a fraction in (0, 1).
    study : sequence, optional
        Study labels (default ``"1"``, ``"2"``, ...).
    add, to, drop00 : float, str, bool
        Zero-cell handling of the per-table ``yi``/``vi`` (escalc semantics; metafor's
        first elements); the tables with a defined ``yi`` set ``Q_df``. The pooled
        estimate and Q use the raw counts.

    Returns
    -------
    PetoResult

    Raises
    ------
    DataValidationError
        Negative, non-integer or infinite counts (every bad cell reported at once).
    MethodNotApplicableError
        ``sum(V) = 0``: one of the two outcomes never occurred in any table.

    Warns
    -----
    ZeroCellWarning
        Double-zero tables left out of Q, or zero cells corrected for ``yi``/``vi``.
    SingleStudyWarning
        Only one table.

    References
    ----------
    See the module docstring.

    Examples
    --------
    >>> res = rma_peto([4, 6], [119, 300], [11, 29], [128, 274])
    >>> round(float(np.exp(res.estimate)), 4)
    0.2894
    """
    messages: list[str] = []
    tables = prepare_tables(ai, bi, ci, di, study, level, add, to, messages)
    o_minus_e, v = _peto_sums(tables)
    sum_v = float(v.sum())
    if not sum_v > 0:
        raise MethodNotApplicableError(
            f"Peto's odds ratio is undefined for studies "
            f"{', '.join(repr(s) for s in tables.study)}: one of the two outcomes never "
            "occurred in any table (sum of hypergeometric variances is 0).")
    estimate = float(o_minus_e.sum()) / sum_v
    se = 1.0 / np.sqrt(sum_v)
    z = float(stats.norm.ppf(0.5 + level / 2))
    yi, vi = table_effects("PETO", tables, add=add, to=to, drop00=drop00, messages=messages)
    # Peto's heterogeneity statistic on the raw tables (Yusuf et al. 1985, p. 337), as
    # metafor computes it; only its df comes from the tables with a defined yi/vi.
    informative = v > 0
    raw_q = float((o_minus_e[informative] ** 2 / v[informative]).sum()
                  - o_minus_e.sum() ** 2 / sum_v)
    q, q_df, q_pval, i2, h2 = heterogeneity(yi, vi, estimate, q=max(raw_q, 0.0))
    if tables.k == 1:
        warn_and_record(messages, SingleStudyWarning,
                        "only one table (k = 1): the pooled estimate is that table's")
    statistic = estimate / se
    options = {"level": level, "add": add, "to": to, "drop00": drop00}
    return PetoResult(
        k=tables.k, measure="PETO", method="PETO",
        estimate=estimate, se=float(se), statistic=float(statistic),
        pval=float(2 * stats.norm.sf(abs(statistic))),
        ci_low=estimate - z * se, ci_high=estimate + z * se,
        Q=q, Q_df=q_df, Q_pval=q_pval, I2=i2, H2=h2,
        weights=100 * v / sum_v, level=level, warnings=tuple(messages),
        study=tables.study, yi=yi, vi=vi,
        provenance=provenance("rma_peto", "PETO", options, tables),
    )
