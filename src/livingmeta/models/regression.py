"""Meta-regression pieces: design matrix, omnibus test of moderators, pseudo-R2.

References
----------
Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of
Statistical Software, 36(3), 1-48 (QM, QE and the pseudo-R2 as metafor reports them).
Raudenbush, S. W. (2009), op. cit. (pseudo-R2, "proportion of variance explained").
Knapp, G., & Hartung, J. (2003). Statistics in Medicine, 22, 2693-2710 (F test of QM).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ..errors import ParameterError

__all__ = ["design_matrix", "omnibus_test", "pseudo_r2"]

FloatArray = NDArray[np.float64]


def design_matrix(
    mods: object, k: int, intercept: bool, moderator_names: object = None
) -> tuple[FloatArray, tuple[str, ...]]:
    """The ``(k, p)`` design matrix and one name per column.

    ``mods`` is an array of shape ``(k,)`` or ``(k, m)`` without an intercept column; a
    column of ones is prepended when ``intercept`` is true (named ``"intrcpt"`` as in
    metafor). Columns are named ``"mod1"``, ``"mod2"``, ... unless ``moderator_names``
    gives m names.
    """
    M = np.asarray(mods, dtype=np.float64)
    if M.ndim == 1:
        M = M[:, None]
    if M.ndim != 2 or M.shape[0] != k:
        raise ParameterError(
            f"The 'mods' parameter must have shape ({k},) or ({k}, m). Got {M.shape}."
        )
    if not np.isfinite(M).all():
        raise ParameterError("The 'mods' parameter must not contain NaN or infinite values.")
    m = M.shape[1]
    if moderator_names is None:
        names = tuple(f"mod{j + 1}" for j in range(m))
    else:
        names = tuple(str(n) for n in moderator_names)  # type: ignore[attr-defined]
        if len(names) != m:
            raise ParameterError(
                f"The 'moderator_names' parameter must give {m} names. Got {len(names)}."
            )
    if intercept:
        M = np.column_stack([np.ones(k), M])
        names = ("intrcpt", *names)
    p = M.shape[1]
    if k <= p:
        raise ParameterError(
            f"A model with {p} coefficients needs more than {p} studies; got k = {k}."
        )
    if np.linalg.matrix_rank(M) < p:
        raise ParameterError("The design matrix is rank deficient: some moderators are "
                             "constant or collinear.")
    return M, names


def omnibus_test(
    beta: FloatArray, vcov: FloatArray, first: int, df: int | None
) -> tuple[FloatArray, int, FloatArray]:
    """Wald test of the coefficients ``first:`` (metafor's QM).

    ``QM = b' V^-1 b``, chi^2 with m df; under Knapp-Hartung (``df`` given) the statistic
    returned is ``QM / m`` with an F(m, df) p-value.
    """
    b = beta[..., first:]
    V = vcov[..., first:, first:]
    m = b.shape[-1]
    qm = (b * np.linalg.solve(V, b[..., None])[..., 0]).sum(axis=-1)
    if df is None:
        return qm, m, special.chdtrc(m, qm)
    f = qm / m
    return f, m, special.fdtrc(m, df, f)


def pseudo_r2(tau2_intercept_only: FloatArray, tau2: FloatArray) -> FloatArray:
    """``max(0, 100 (tau2_RE - tau2) / tau2_RE)``; 0 where ``tau2_RE = 0`` (metafor)."""
    t0 = np.asarray(tau2_intercept_only, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(t0 > 0, 100.0 * (t0 - tau2) / t0, 0.0)
    return np.clip(r2, 0.0, 100.0)
