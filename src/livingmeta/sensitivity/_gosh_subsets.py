"""Subsets of studies as integer bitmasks: exhaustive enumeration and distinct sampling.

A subset of k studies is a ``uint64`` bitmask, bit i set when the i-th study (input
order) is in it, so k <= 63. The subsets of one size m are enumerated in colexicographic
order, which is the increasing order of their bitmasks: the combination
``c_1 < ... < c_m`` has colex rank ``sum_i C(c_i, i)`` (the combinatorial number system;
Knuth 2011, TAOCP 4A, section 7.2.1.3, eq. (3)), so any range of ranks is unranked at
once, with one ``searchsorted`` per position and no Python loop per subset.

References
----------
Knuth DE (2011). The Art of Computer Programming, Vol. 4A: Combinatorial Algorithms,
Part 1. Addison-Wesley. Section 7.2.1.3.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_STUDIES",
    "combination_table",
    "masks_to_indices",
    "membership",
    "popcount",
    "sample_masks",
    "unrank_combinations",
]

UIntArray = NDArray[np.uint64]
IntArray = NDArray[np.int64]

#: Subsets are uint64 bitmasks; 2^63 is the largest bound numpy's integers() draws below.
MAX_STUDIES = 63


def combination_table(k: int, m: int) -> IntArray:
    """``T[i, c] = C(c, i + 1)`` for positions ``i < m`` and ``c < k`` (exact int64)."""
    return np.array([[math.comb(c, i + 1) for c in range(k)] for i in range(m)],
                    dtype=np.int64)


def unrank_combinations(k: int, m: int, start: int, stop: int) -> tuple[IntArray, UIntArray]:
    """The size-``m`` subsets of ``k`` studies with colex ranks ``start <= r < stop``.

    Returns the study indices, shape ``(n, m)`` (increasing along each row), and the
    bitmasks, shape ``(n,)`` (increasing).

    Examples
    --------
    >>> idx, masks = unrank_combinations(4, 2, 0, 6)
    >>> masks.tolist()
    [3, 5, 6, 9, 10, 12]
    >>> idx[-1].tolist()
    [2, 3]
    """
    table = combination_table(k, m)
    rank = np.arange(start, stop, dtype=np.int64)
    idx = np.empty((rank.size, m), dtype=np.int64)
    for i in range(m - 1, -1, -1):
        # Largest c with C(c, i + 1) <= rank (Knuth 7.2.1.3, eq. (3), read greedily).
        c = np.searchsorted(table[i], rank, side="right") - 1
        idx[:, i] = c
        rank = rank - table[i][c]
    masks = np.bitwise_or.reduce(np.left_shift(np.uint64(1), idx.astype(np.uint64)), axis=1,
                                 dtype=np.uint64) if m else np.zeros(0, dtype=np.uint64)
    return idx, masks


def popcount(masks: UIntArray) -> IntArray:
    """Number of studies in each subset (bits set)."""
    return np.bitwise_count(np.asarray(masks, dtype=np.uint64)).astype(np.int64)


def masks_to_indices(masks: UIntArray, k: int, m: int) -> IntArray:
    """Study indices ``(n, m)`` of subsets that all have exactly ``m`` studies."""
    bits = (masks[:, None] >> np.arange(k, dtype=np.uint64)) & np.uint64(1)
    _, cols = np.nonzero(bits)
    return cols.reshape(masks.size, m).astype(np.int64)


def membership(masks: UIntArray, k: int) -> NDArray[np.bool_]:
    """Boolean ``(n, k)`` matrix: study j in subset i (metafor's ``incl``)."""
    return ((masks[:, None] >> np.arange(k, dtype=np.uint64)) & np.uint64(1)).astype(bool)


def sample_masks(k: int, n: int, rng: np.random.Generator) -> UIntArray:
    """``n`` distinct non-empty subsets of ``k`` studies, uniformly without replacement.

    Draws uniform bitmasks in ``[1, 2^k - 1]`` and keeps the first occurrence of each
    until ``n`` distinct ones are found: sequential draws that reject repeats are simple
    random sampling without replacement (returned in the order drawn). When ``n`` is more
    than half of the ``2^k - 1`` subsets, the subsets left out are drawn that way instead
    and the rest returned in increasing order (the complement of a uniform sample is
    uniform), so the draws never approach the coupon collector's tail.
    """
    total = (1 << k) - 1
    if not 0 < n <= total:
        raise ValueError(f"cannot draw {n} distinct subsets out of {total}")
    if 2 * n > total:
        left_out = np.sort(_draw_distinct(total, total - n, rng))
        every = np.arange(1, total + 1, dtype=np.uint64)
        return every[~np.isin(every, left_out, assume_unique=True)]
    return _draw_distinct(total, n, rng)


def _draw_distinct(total: int, n: int, rng: np.random.Generator) -> UIntArray:
    kept = np.zeros(0, dtype=np.uint64)
    while kept.size < n:
        need = n - kept.size
        # Oversample by the expected share of repeats so one or two rounds suffice.
        draw = rng.integers(1, total, size=int(need * total / (total - kept.size)) + 16,
                            dtype=np.uint64, endpoint=True)
        merged = np.concatenate([kept, draw])
        _, first = np.unique(merged, return_index=True)
        kept = merged[np.sort(first)]
    return kept[:n]
