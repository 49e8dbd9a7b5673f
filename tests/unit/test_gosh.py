"""gosh() and gosh_diagnostics() (src/livingmeta/sensitivity/gosh.py, _gosh_*.py).

Subset enumeration is checked against itertools; each subset's fit against rma() on that
subset; the sample for being distinct, seeded and uniform in size; the diagnostics for
finding a planted outlier, and the KS statistic against scipy.stats.ks_2samp.
"""

from __future__ import annotations

import importlib
import itertools
import math
import warnings

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import ParameterError, SingleStudyWarning, ZeroTau2Warning
from livingmeta.models import rma
from livingmeta.sensitivity._gosh_subsets import (
    masks_to_indices,
    popcount,
    sample_masks,
    unrank_combinations,
)
from livingmeta.sensitivity.gosh import fit_gosh_chunk, gosh, gosh_diagnostics

# the module (the package exports a function of the same name)
gosh_module = importlib.import_module("livingmeta.sensitivity.gosh")

YI = [0.12, -0.35, 0.48, 0.05, 0.9, -0.1, 0.3]
VI = [0.03, 0.05, 0.04, 0.02, 0.06, 0.05, 0.03]


@pytest.mark.parametrize(("k", "m"), [(5, 1), (5, 3), (7, 4), (9, 9), (12, 6)])
def test_unranking_lists_every_combination_in_bitmask_order(k, m):
    idx, masks = unrank_combinations(k, m, 0, math.comb(k, m))
    expected = sorted(sum(1 << i for i in c) for c in itertools.combinations(range(k), m))
    assert masks.tolist() == expected
    assert [tuple(row) for row in idx.tolist()] == [
        tuple(i for i in range(k) if mask >> i & 1) for mask in expected]


def test_unranking_a_range_is_the_slice_of_the_whole():
    _, whole = unrank_combinations(10, 4, 0, 210)
    _, part = unrank_combinations(10, 4, 37, 101)
    assert part.tolist() == whole[37:101].tolist()


def test_masks_to_indices_and_popcount():
    masks = np.array([0b1011, 0b0111, 0b1110], dtype=np.uint64)
    assert popcount(masks).tolist() == [3, 3, 3]
    assert masks_to_indices(masks, 4, 3).tolist() == [[0, 1, 3], [0, 1, 2], [1, 2, 3]]


def test_exhaustive_subsets_are_complete_distinct_and_ordered():
    res = gosh(YI, VI, method="DL")
    k = len(YI)
    assert not res.sampled and res.n_possible == 2**k - 1
    subsets = res.subset.tolist()
    assert sorted(subsets) == list(range(1, 2**k))
    # metafor's order: by size, then by bitmask.
    assert subsets == sorted(subsets, key=lambda s: (bin(s).count("1"), s))
    assert res.k.tolist() == [bin(s).count("1") for s in subsets]


@pytest.mark.parametrize("method", ["EE", "DL", "REML", "PM"])
def test_each_subset_equals_rma_on_that_subset(method):
    res = gosh(YI, VI, method=method)
    y, v = np.array(YI), np.array(VI)
    member = res.membership()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (SingleStudyWarning, ZeroTau2Warning))
        for row in range(res.subset.size):
            fit = rma(y[member[row]], v[member[row]], method=method)
            for name in ("estimate", "tau2", "I2", "Q", "H2"):
                np.testing.assert_allclose(getattr(res, name)[row], getattr(fit, name),
                                           rtol=1e-8, atol=1e-12, err_msg=f"{name} row {row}")


def test_sample_is_distinct_seeded_and_reproducible():
    rng_y = np.random.default_rng(4)
    y, v = rng_y.normal(size=24), rng_y.uniform(0.02, 0.1, size=24)
    first = gosh(y, v, method="EE", max_subsets=3000, seed=11)
    again = gosh(y, v, method="EE", max_subsets=3000, seed=11)
    other = gosh(y, v, method="EE", max_subsets=3000, seed=12)
    assert first.sampled and first.seed == 11 and first.subset.size == 3000
    assert np.unique(first.subset).size == 3000
    assert first.subset.tolist() == again.subset.tolist()
    np.testing.assert_array_equal(first.estimate, again.estimate)
    assert first.subset.tolist() != other.subset.tolist()
    assert int(first.subset.max()) < 2**24 and int(first.subset.min()) >= 1


def test_sample_without_seed_records_its_entropy():
    y, v = np.linspace(-1, 1, 12), np.full(12, 0.05)
    res = gosh(y, v, method="EE", max_subsets=100)
    again = gosh(y, v, method="EE", max_subsets=100, seed=res.seed)
    assert res.subset.tolist() == again.subset.tolist()


def test_sample_sizes_follow_the_binomial_of_uniform_subsets():
    """Uniform over non-empty subsets: sizes ~ Binomial(k, 1/2) (metafor's dbinom)."""
    masks = sample_masks(20, 20_000, np.random.default_rng(3))
    sizes = np.bincount(popcount(masks), minlength=21)
    expected = np.array([math.comb(20, m) for m in range(21)]) / (2**20 - 1) * masks.size
    keep = expected > 20
    chi2 = float(np.sum((sizes[keep] - expected[keep]) ** 2 / expected[keep]))
    assert chi2 < stats.chi2.ppf(0.999, int(keep.sum()) - 1)


def test_dense_sample_takes_the_complement():
    """More than half of all subsets: still distinct and the right count."""
    masks = sample_masks(10, 1000, np.random.default_rng(1))
    assert masks.size == np.unique(masks).size == 1000
    assert masks.min() >= 1 and masks.max() <= 1023


def test_chunks_give_the_same_numbers_as_one_pass(monkeypatch):
    whole = gosh(YI, VI, method="REML")
    monkeypatch.setattr(gosh_module, "CHUNK_SIZE", 7)
    chunked = gosh(YI, VI, method="REML")
    assert chunked.subset.tolist() == whole.subset.tolist()
    np.testing.assert_array_equal(chunked.tau2, whole.tau2)


def test_chunk_of_single_studies_is_metafor_k1_fit():
    y, v = np.array(YI), np.array(VI)
    fit = fit_gosh_chunk(gosh_module.GoshChunk(y, v, "REML", 1, 0, len(YI)))
    np.testing.assert_array_equal(fit.estimate, y)
    assert fit.tau2.tolist() == fit.Q.tolist() == fit.I2.tolist() == [0.0] * len(YI)
    assert fit.H2.tolist() == [1.0] * len(YI)


def test_result_frame_dict_summary_and_contains():
    res = gosh(YI, VI, method="DL", study=list("ABCDEFG"))
    frame = res.to_frame()
    assert list(frame.columns) == ["subset", "k", "estimate", "tau2", "I2", "Q", "H2"]
    assert len(frame) == 127
    assert res.contains("C").tolist() == [(s >> 2) & 1 == 1 for s in res.subset.tolist()]
    assert res.contains(2).tolist() == res.contains("C").tolist()
    d = res.to_dict()
    assert d["provenance"]["function"] == "gosh" and len(d["subset"]) == 127
    text = res.summary().as_text()
    assert "all 127 subsets" in text and "Subsets by size" in text
    with pytest.raises(ParameterError):
        res.contains("Z")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "XX"}, "method"), ({"max_subsets": 0}, "max_subsets"),
    ({"max_subsets": 10, "seed": -1}, "seed"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        gosh(YI, VI, **kwargs)


def test_single_study_is_refused():
    with pytest.raises(ParameterError, match="between 2"):
        gosh([0.1], [0.01])


def _planted():
    rng = np.random.default_rng(8)
    y = rng.normal(0.1, 0.03, size=8)
    v = rng.uniform(0.008, 0.012, size=8)
    y[5] = 0.9  # the planted outlier, study "6"
    return y, v


def test_diagnostics_find_a_planted_outlier():
    y, v = _planted()
    res = gosh(y, v, method="DL")
    diag = gosh_diagnostics(res, seed=3)
    assert diag.outlying == ("6",)
    assert {c.algorithm for c in diag.clustering} == {"kmeans", "dbscan", "gmm"}
    assert all(c.flagged == ("6",) for c in diag.clustering if c.algorithm != "dbscan")
    assert int(np.argmax(diag.estimate_difference)) == 5
    assert int(np.argmax(diag.I2_difference)) == 5
    assert diag.estimate_ks[5] == pytest.approx(1.0)


def test_diagnostics_contrasts_match_direct_computation():
    y, v = _planted()
    res = gosh(y, v, method="REML")
    diag = gosh_diagnostics(res, seed=1)
    for j in range(len(y)):
        inside = res.contains(j)
        assert diag.n_with[j] == inside.sum() == 2 ** (len(y) - 1)
        for name, values in (("estimate", res.estimate), ("I2", res.I2)):
            with_, without = values[inside], values[~inside]
            assert getattr(diag, f"{name}_difference")[j] == pytest.approx(
                with_.mean() - without.mean(), rel=1e-12)
            assert getattr(diag, f"{name}_ks")[j] == pytest.approx(
                stats.ks_2samp(with_, without).statistic, abs=1e-12)


def test_diagnostics_subsample_is_seeded_and_bounded():
    y, v = _planted()
    res = gosh(y, v, method="EE")
    a = gosh_diagnostics(res, seed=5, max_points=100, min_samples=5)
    b = gosh_diagnostics(res, seed=5, max_points=100, min_samples=5)
    c = gosh_diagnostics(res, seed=6, max_points=100, min_samples=5)
    assert a.points.size == 100 and np.unique(a.points).size == 100
    assert a.points.tolist() == b.points.tolist() != c.points.tolist()
    for ca, cb in zip(a.clustering, b.clustering, strict=True):
        assert ca.labels.tolist() == cb.labels.tolist()


def test_diagnostics_cooks_distance_rule():
    """Cook's distance of an intercept-only model of each cluster's imbalances."""
    y, v = _planted()
    diag = gosh_diagnostics(gosh(y, v, method="DL"), seed=2)
    k = len(y)
    for c in diag.clustering:
        for row in range(c.clusters.size):
            e = c.share[row] - c.share[row].mean()
            np.testing.assert_allclose(c.imbalance[row], e, atol=1e-15)
            # Cook (1977): D_j = e_j^2 / (p s^2) * h / (1 - h)^2, h = 1/k, p = 1.
            s2 = np.sum(e**2) / (k - 1)
            h = 1.0 / k
            np.testing.assert_allclose(c.cooks_distance[row], e**2 / s2 * h / (1 - h) ** 2,
                                       rtol=1e-12)
        assert c.threshold == pytest.approx(3 * c.cooks_distance.mean())
        flagged = {diag.study[j] for j in np.flatnonzero((c.cooks_distance > c.threshold)
                                                         .any(axis=0))}
        assert set(c.flagged) == flagged


def test_diagnostics_frame_summary_and_dict():
    y, v = _planted()
    diag = gosh_diagnostics(gosh(y, v, method="DL"), seed=3)
    frame = diag.to_frame()
    assert frame.loc["6", "flagged_by"].startswith("kmeans")
    text = diag.summary().as_text()
    assert "Potentially outlying studies: 6" in text
    assert diag.to_dict()["outlying"] == ["6"]
    with pytest.raises(ParameterError, match="max_points"):
        gosh_diagnostics(gosh(y, v, method="DL"), max_points=1)
