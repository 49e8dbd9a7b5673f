"""Weighted least squares kernels over a leading batch axis.

Every function takes ``yi``/``wi`` of shape ``(..., k)`` and a design matrix ``X`` of
shape ``(..., k, p)`` (or ``(k, p)`` shared by the whole batch), or ``X=None`` for the
intercept-only model, which takes a faster path built from plain sums. Only ``(p, p)``
matrices are formed: the projection matrix of the weighted model,

    P = W - W X (X'WX)^-1 X'W,                 (Viechtbauer 2005, eq. 6)

is never built; its traces are written with ``(p, p)`` products instead, e.g.
``tr(P) = sum(w) - tr[(X'WX)^-1 X'W^2 X]``. Memory is O(k p).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["WLSFit", "tr_P", "tr_PDPD", "wls", "xdx"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class WLSFit:
    """Weighted least squares fit of ``yi`` on ``X`` with weights ``wi``.

    Attributes
    ----------
    beta : ndarray, shape (..., p)
        Coefficients ``(X'WX)^-1 X'W y``.
    cov : ndarray, shape (..., p, p)
        ``(X'WX)^-1``, the unscaled covariance of ``beta``.
    resid : ndarray, shape (..., k)
        Residuals ``y - X beta``.
    Q : ndarray, shape (...)
        Weighted residual sum of squares ``y'Py = sum(w r^2)``.
    """

    beta: FloatArray
    cov: FloatArray
    resid: FloatArray
    Q: FloatArray


def xdx(X: FloatArray | None, c: FloatArray) -> FloatArray:
    """``X' diag(c) X`` with shape ``(..., p, p)`` (``(..., 1, 1)`` when X is None)."""
    if X is None:
        return c.sum(axis=-1)[..., None, None]
    return np.matmul(np.swapaxes(X * c[..., :, None], -1, -2), X)


def _tr_prod(A: FloatArray, B: FloatArray) -> FloatArray:
    """``tr(A B)`` over the last two axes."""
    return np.einsum("...ij,...ji->...", A, B)


def wls(yi: FloatArray, wi: FloatArray, X: FloatArray | None) -> WLSFit:
    """Weighted least squares with ``(p, p)`` normal equations only."""
    if X is None:
        sw = wi.sum(axis=-1)
        mu = (wi * yi).sum(axis=-1) / sw
        resid = yi - mu[..., None]
        Q = (wi * resid * resid).sum(axis=-1)
        b0: FloatArray = np.asarray(mu[..., None], dtype=np.float64)
        c0: FloatArray = np.asarray((1.0 / sw)[..., None, None], dtype=np.float64)
        return WLSFit(b0, c0, resid, Q)
    M = xdx(X, wi)
    Xwy = np.matmul(np.swapaxes(X, -1, -2), (wi * yi)[..., :, None])
    beta: FloatArray = np.asarray(np.linalg.solve(M, Xwy)[..., 0], dtype=np.float64)
    cov: FloatArray = np.asarray(np.linalg.inv(M), dtype=np.float64)
    resid = yi - np.matmul(X, beta[..., :, None])[..., 0]
    Q = (wi * resid * resid).sum(axis=-1)
    return WLSFit(beta, cov, resid, Q)


def tr_P(wi: FloatArray, X: FloatArray | None, cov: FloatArray) -> FloatArray:
    """``tr(P) = sum(w) - tr[(X'WX)^-1 X'W^2 X]``."""
    sw = wi.sum(axis=-1)
    if X is None:
        return sw - (wi * wi).sum(axis=-1) * cov[..., 0, 0]
    return sw - _tr_prod(cov, xdx(X, wi * wi))


def tr_PDPD(
    wi: FloatArray,
    X: FloatArray | None,
    cov: FloatArray,
    d1: FloatArray | None = None,
    d2: FloatArray | None = None,
) -> FloatArray:
    """``tr(P D1 P D2)`` for diagonal ``D1``, ``D2`` (identity when None).

    With ``P = W - W X A X'W`` and ``A = (X'WX)^-1``::

        tr(P D1 P D2) = sum(w^2 d1 d2) - 2 tr[A X' diag(w^3 d1 d2) X]
                        + tr[A X' diag(w^2 d1) X A X' diag(w^2 d2) X]

    Passing ``wi = 1`` gives the ordinary least squares projection ``I - X(X'X)^-1 X'``.
    """
    one = np.ones_like(wi)
    e1 = one if d1 is None else d1
    e2 = one if d2 is None else d2
    w2 = wi * wi
    first = (w2 * e1 * e2).sum(axis=-1)
    if X is None:
        a = cov[..., 0, 0]
        second = (w2 * wi * e1 * e2).sum(axis=-1) * a
        third = (w2 * e1).sum(axis=-1) * (w2 * e2).sum(axis=-1) * a * a
        return first - 2.0 * second + third
    second = _tr_prod(cov, xdx(X, w2 * wi * e1 * e2))
    m1 = np.matmul(cov, xdx(X, w2 * e1))
    m2 = m1 if d1 is d2 else np.matmul(cov, xdx(X, w2 * e2))
    return first - 2.0 * second + _tr_prod(m1, m2)
