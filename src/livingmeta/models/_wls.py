"""Weighted least squares kernels over a leading batch axis.

Every function takes ``yi``/``wi`` of shape ``(..., k)`` and a design matrix ``X`` of
shape ``(..., k, p)`` (or ``(k, p)`` shared by the whole batch), or ``X=None`` for the
intercept-only model, which takes a faster path built from plain sums. Only ``(p, p)``
matrices are formed: the projection matrix of the weighted model,

    P = W - W X (X'WX)^-1 X'W,                 (Viechtbauer 2005, eq. 6)

is never built; its traces are written with ``(p, p)`` products instead, e.g.
``tr(P) = sum(w) - tr[(X'WX)^-1 X'W^2 X]``. Memory is O(k p).

Without moderators every quantity is a closed form in the power sums ``S_j = sum(w^j)``
and the weighted residuals ``r = y - sum(w y) / S_1``:
``tr(P) = S_1 - S_2/S_1``, ``tr(PP) = S_2 - 2 S_3/S_1 + (S_2/S_1)^2``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "LikelihoodTerms",
    "SmallIntercept",
    "WLSFit",
    "as_column",
    "dot",
    "likelihood_terms",
    "q_and_trace",
    "q_terms",
    "q_terms_at",
    "small_intercept",
    "tr_P",
    "tr_PDPD",
    "tr_PP",
    "wls",
    "xdx",
]

FloatArray = NDArray[np.float64]


#: Above this many studies a 1-D dot product goes through einsum: BLAS ddot would start
#: threads, which cost more than they save on a busy machine.
_BLAS_MAX = 8192


def dot(a: FloatArray, b: FloatArray) -> Any:
    """``sum(a * b)`` over the study axis, in one pass (a float for 1-D input)."""
    if a.ndim == 1 and a.shape[0] <= _BLAS_MAX:
        return np.dot(a, b)
    return np.einsum("...i,...i->...", a, b)


def _total(a: FloatArray) -> Any:
    return np.add.reduce(a, axis=-1)


def as_column(a: Any, like: FloatArray) -> Any:
    """``a[..., None]`` for a batch; ``a`` itself for a single meta-analysis (1-D)."""
    return a if like.ndim == 1 else a[..., None]


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
        return np.asarray(_total(c), dtype=np.float64)[..., None, None]
    return np.matmul(np.swapaxes(X * c[..., :, None], -1, -2), X)


def _tr_prod(A: FloatArray, B: FloatArray) -> FloatArray:
    """``tr(A B)`` over the last two axes."""
    return np.einsum("...ij,...ji->...", A, B)


def wls(yi: FloatArray, wi: FloatArray, X: FloatArray | None) -> WLSFit:
    """Weighted least squares with ``(p, p)`` normal equations only."""
    if X is None:
        sw = _total(wi)
        mu = dot(wi, yi) / sw
        resid = yi - as_column(mu, yi)
        Q = dot(wi * resid, resid)
        b0 = np.asarray(mu, dtype=np.float64)[..., None]
        c0 = np.asarray(1.0 / sw, dtype=np.float64)[..., None, None]
        return WLSFit(b0, c0, resid, np.asarray(Q, dtype=np.float64))
    M = xdx(X, wi)
    Xwy = np.matmul(np.swapaxes(X, -1, -2), (wi * yi)[..., :, None])
    beta: FloatArray = np.asarray(np.linalg.solve(M, Xwy)[..., 0], dtype=np.float64)
    cov: FloatArray = np.asarray(np.linalg.inv(M), dtype=np.float64)
    resid = yi - np.matmul(X, beta[..., :, None])[..., 0]
    Q = (wi * resid * resid).sum(axis=-1)
    return WLSFit(beta, cov, resid, Q)


def tr_P(wi: FloatArray, X: FloatArray | None, cov: FloatArray) -> FloatArray:
    """``tr(P) = sum(w) - tr[(X'WX)^-1 X'W^2 X]``."""
    sw = _total(wi)
    if X is None:
        return np.asarray(sw - dot(wi, wi) * cov[..., 0, 0], dtype=np.float64)
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
    w2 = wi * wi
    a1 = w2 if d1 is None else w2 * d1
    a2 = w2 if d2 is None else w2 * d2
    a12 = a1 if d2 is None else a1 * d2
    first = _total(a12)
    if X is None:
        a = cov[..., 0, 0]
        second = dot(a12, wi) * a
        third = _total(a1) * (first if d1 is None else _total(a2)) * a * a
        return np.asarray(first - 2.0 * second + third, dtype=np.float64)
    second = _tr_prod(cov, xdx(X, a12 * wi))
    m1 = np.matmul(cov, xdx(X, a1))
    m2 = m1 if d1 is d2 else np.matmul(cov, xdx(X, a2))
    return first - 2.0 * second + _tr_prod(m1, m2)


def q_and_trace(yi: FloatArray, wi: FloatArray, X: FloatArray | None) -> tuple[Any, Any]:
    """The weighted residual sum of squares ``y'Py`` and ``tr(P)``."""
    if X is None:
        sw = _total(wi)
        resid = yi - as_column(dot(wi, yi) / sw, yi)
        return dot(wi * resid, resid), sw - dot(wi, wi) / sw
    fit = wls(yi, wi, X)
    return fit.Q, tr_P(wi, X, fit.cov)


@dataclass(frozen=True, slots=True)
class LikelihoodTerms:
    """What the (RE)ML score, its derivative and the information need at one tau2.

    All have shape ``(...)``: ``yPPy = y'PPy = sum((w r)^2)``, ``yPPPy = y'PPPy``,
    ``trP = tr(P)``, ``trPP = tr(PP)``, ``sw = sum(w)`` and ``sw2 = sum(w^2)``.
    """

    yPPy: Any
    yPPPy: Any
    trP: Any
    trPP: Any
    sw: Any
    sw2: Any


def _intercept_traces(wi: FloatArray) -> tuple[Any, Any, Any, Any]:
    """``sum(w)``, ``sum(w^2)``, ``tr(P)`` and ``tr(PP)`` without moderators."""
    sw = _total(wi)
    w2 = wi * wi
    sw2 = _total(w2)
    a = sw2 / sw
    return sw, sw2, sw - a, sw2 - 2.0 * dot(w2, wi) / sw + a * a


def tr_PP(wi: FloatArray, X: FloatArray | None) -> FloatArray:
    """``tr(PP)`` for weights ``wi``: twice the REML expected information for tau2."""
    if X is None:
        return np.asarray(_intercept_traces(wi)[3], dtype=np.float64)
    return tr_PDPD(wi, X, np.asarray(np.linalg.inv(xdx(X, wi)), dtype=np.float64))


def likelihood_terms(yi: FloatArray, wi: FloatArray, X: FloatArray | None) -> LikelihoodTerms:
    """:class:`LikelihoodTerms` for weights ``wi`` (``y'PPPy = u'Pu`` with ``u = Py = W r``)."""
    if X is None:
        sw, sw2, trP, trPP = _intercept_traces(wi)
        resid = yi - as_column(dot(wi, yi) / sw, yi)
        u = wi * resid
        wu = wi * u
        yPPPy = dot(wu, u) - dot(u, wi) ** 2 / sw
        return LikelihoodTerms(dot(u, u), yPPPy, trP, trPP, sw, sw2)
    fit = wls(yi, wi, X)
    u = wi * fit.resid
    wu = wi * u
    g = np.matmul(np.swapaxes(X, -1, -2), wu[..., :, None])[..., 0]
    gAg = np.einsum("...i,...ij,...j->...", g, fit.cov, g)
    return LikelihoodTerms(
        dot(u, u),
        dot(wu, u) - gAg,
        tr_P(wi, X, fit.cov),
        tr_PDPD(wi, X, fit.cov),
        _total(wi),
        dot(wi, wi),
    )


class SmallIntercept:
    """Intercept-only kernels for one meta-analysis with few studies, on Python floats.

    The same quantities as :func:`q_terms` and :func:`likelihood_terms` for 1-D data and
    ``X=None``, with the sums gathered into two matrix-vector products per call: at
    k = 10 numpy's per-call overhead, not arithmetic, sets the cost of an iteration.
    Use :func:`small_intercept` to get one only where it applies.
    """

    __slots__ = ("ones_y", "vi", "yi")

    def __init__(self, yi: FloatArray, vi: FloatArray) -> None:
        self.yi = yi
        self.vi = vi
        self.ones_y = np.array([np.ones_like(yi), yi])

    def q_terms(self, tau2: float) -> tuple[float, float]:
        """``(y'Py, y'PPy)`` at ``tau2``, as :func:`q_terms`."""
        w = 1.0 / (self.vi + tau2)
        sw, swy = np.dot(self.ones_y, w).tolist()
        resid = self.yi - swy / sw
        u = w * resid
        q, yPPy = np.dot(np.array([resid, u]), u).tolist()
        return q, yPPy

    def likelihood_terms(self, tau2: float) -> LikelihoodTerms:
        """:class:`LikelihoodTerms` at ``tau2``, as :func:`likelihood_terms`."""
        w = 1.0 / (self.vi + tau2)
        w2 = w * w
        ones, y = self.ones_y
        sw, swy, sw2, sw3 = np.dot(np.array([ones, y, w, w2]), w).tolist()
        resid = y - swy / sw
        u = w * resid
        yPPy, uwu, uw = np.dot(np.array([u, w * u, w]), u).tolist()
        a = sw2 / sw
        return LikelihoodTerms(
            yPPy, uwu - uw * uw / sw, sw - a, sw2 - 2.0 * sw3 / sw + a * a, sw, sw2
        )


def small_intercept(
    yi: FloatArray, vi: FloatArray, X: FloatArray | None
) -> SmallIntercept | None:
    """A :class:`SmallIntercept` for one intercept-only meta-analysis of at most a few
    thousand studies (beyond, the matrix products would start BLAS threads), else None."""
    if X is None and yi.ndim == 1 and yi.shape[0] <= _BLAS_MAX:
        return SmallIntercept(yi, vi)
    return None


def q_terms_at(
    yi: FloatArray, vi: FloatArray, X: FloatArray | None
) -> Callable[[float], tuple[Any, Any]]:
    """For one meta-analysis (1-D), the function ``tau2 -> q_terms(yi, 1/(vi + tau2), X)``."""
    small = small_intercept(yi, vi, X)
    if small is not None:
        return small.q_terms
    return lambda tau2: q_terms(yi, 1.0 / (vi + tau2), X)


def q_terms(yi: FloatArray, wi: FloatArray, X: FloatArray | None) -> tuple[Any, Any]:
    """The generalized Q statistic ``y'Py`` and minus its tau2 derivative, ``y'PPy``."""
    if X is None:
        resid = yi - as_column(dot(wi, yi) / _total(wi), yi)
    else:
        resid = wls(yi, wi, X).resid
    u = wi * resid
    return dot(u, resid), dot(u, u)
