"""The permutation sets of :func:`~livingmeta.sensitivity.permutation.permutation_test`.

Two reference sets, as metafor's ``permutest`` uses them (Viechtbauer et al. 2015,
Psychol Methods 20:360-374, section "Permutation test"; Good 2005, Permutation,
Parametric, and Bootstrap Tests of Hypotheses, ch. 3):

* without moderators, the ``2^k`` patterns of signs of yi (under H0: mu = 0 each yi is
  symmetric about 0). Pattern number ``r`` flips study ``j`` when bit ``j`` of ``r`` is
  set: the order of R's ``expand.grid(c(1, -1), ...)``, identity first;
* with moderators, the distinct assignments of the rows of the design matrix to the
  studies: ``k! / prod(m_i!)`` for distinct rows repeated ``m_i`` times (metafor's
  ``exact.iter``). They are numbered in lexicographic order of the distinct rows and
  unranked in blocks, so that any range of them is made without the ones before it.

Everything works on a block of numbers (ranks or draws) at once; no loop over them.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = ["distinct_assignments", "random_assignments", "random_signs", "sign_patterns",
           "unrank_assignments"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def sign_patterns(start: int, size: int, k: int) -> FloatArray:
    """Sign patterns ``start .. start + size - 1`` of ``2^k`` as a ``(size, k)`` array of
    +-1 (pattern ``r``: study ``j`` gets -1 when bit ``j`` of ``r`` is set)."""
    ranks = np.arange(start, start + size, dtype=np.int64)
    bits = (ranks[:, None] >> np.arange(k, dtype=np.int64)) & 1
    return np.asarray(1.0 - 2.0 * bits, dtype=np.float64)


def random_signs(rng: np.random.Generator, size: int, k: int) -> FloatArray:
    """``size`` patterns of independent fair signs (metafor: ``sample(c(-1, 1), k, TRUE)``)."""
    return np.asarray(1.0 - 2.0 * rng.integers(0, 2, size=(size, k)), dtype=np.float64)


def distinct_assignments(counts: tuple[int, ...]) -> int:
    """Number of distinct arrangements of a multiset: ``k! / prod(m_i!)``."""
    total = math.factorial(sum(counts))
    for m in counts:
        total //= math.factorial(m)
    return total


def unrank_assignments(start: int, size: int, counts: tuple[int, ...]) -> IntArray:
    """Arrangements ``start .. start + size - 1`` (lexicographic) of the multiset with
    ``counts[v]`` copies of value ``v``, as a ``(size, k)`` array of values.

    At each position the arrangements that start with value ``v`` form a block of
    ``M c_v / n`` (``M`` arrangements of the ``n`` remaining values, ``c_v`` copies of
    ``v`` left): the rank selects a block, then the rank within it (the multinomial
    number system; Knuth, TAOCP 4A, 7.2.1.2). All numbers stay below ``k`` times the
    total count, so int64 is exact for every count livingmeta enumerates.
    """
    k = sum(counts)
    rows = np.arange(size)
    rank = np.arange(start, start + size, dtype=np.int64)
    left = np.tile(np.asarray(counts, dtype=np.int64), (size, 1))
    arrangements = np.full(size, distinct_assignments(counts), dtype=np.int64)
    out = np.empty((size, k), dtype=np.int64)
    for position in range(k):
        blocks = arrangements[:, None] * left // (k - position)
        upper = np.cumsum(blocks, axis=1)
        value = (rank[:, None] >= upper).sum(axis=1)
        rank -= upper[rows, value] - blocks[rows, value]
        arrangements = blocks[rows, value]
        left[rows, value] -= 1
        out[:, position] = value
    return out


def random_assignments(rng: np.random.Generator, size: int, observed: IntArray) -> IntArray:
    """``size`` uniformly random permutations of the observed assignment (metafor:
    ``X[sample(k), ]``), as a ``(size, k)`` array of values."""
    return np.asarray(rng.permuted(np.tile(observed, (size, 1)), axis=1), dtype=np.int64)
