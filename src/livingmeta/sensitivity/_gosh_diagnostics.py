"""Which studies shape a GOSH plot: per-study contrasts and cluster imbalance.

Two views of a :class:`~livingmeta.sensitivity.gosh.GoshResult`:

1. **Per-study contrasts**, over every fitted subset: the pooled estimate and I2 of the
   subsets that contain a study against those that do not (difference of the means and
   the two-sample Kolmogorov-Smirnov statistic, computed exactly from one sort). A study
   that by itself moves the estimate or the heterogeneity separates the two distributions
   (Olkin, Dahabreh & Trikalinos 2012, section 3).
2. **Clustering**, as dmetar's ``gosh.diagnostics`` (Harrer et al. 2021, ch. 5.4.2): a
   seeded subsample of at most ``max_points`` subsets, its (estimate, I2) points
   standardised (z-scores), clustered by k-means, DBSCAN and a Gaussian mixture with
   diagonal covariances (scikit-learn). For cluster c and study j, ``share[c, j]`` is the
   fraction of the subsampled subsets containing j that fall in c; its ``imbalance`` is
   that share minus the mean share over the k studies (dmetar's "delta percentage").
   Cook's distance of study j in an intercept-only linear model of the imbalances of
   cluster c (Cook 1977) is ``D = e_j^2 k / ((k - 1) sum_i e_i^2)`` with ``e`` the
   imbalances (h = 1/k, p = 1): a study is flagged by an algorithm when its D exceeds
   three times the mean D over that algorithm's clusters and studies (dmetar's rule),
   i.e. when it carries more than about three times its equal share of a cluster's
   squared imbalance. DBSCAN's noise points are left out of the clusters (dmetar's
   cluster 0) but count in the denominators of the shares. The potentially outlying
   studies are those flagged by any algorithm.

References
----------
Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH - a graphical display of study
heterogeneity. Res Synth Methods 3(3):214-223.
Harrer M, Cuijpers P, Furukawa TA, Ebert DD (2021). Doing Meta-Analysis with R: A
Hands-On Guide. Chapman & Hall/CRC, ch. 5.4 (``dmetar::gosh.diagnostics``).
Cook RD (1977). Detection of influential observation in linear regression.
Technometrics 19(1):15-18.
Ester M, Kriegel HP, Sander J, Xu X (1996). A density-based algorithm for discovering
clusters in large spatial databases with noise. KDD-96:226-231.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta.errors import ConvergenceWarning, ParameterError
from livingmeta.results import Provenance, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.sensitivity.gosh import GoshResult
    from livingmeta.summary import Summary

__all__ = ["ALGORITHMS", "GoshClustering", "GoshDiagnostics", "gosh_diagnostics"]

FloatArray = NDArray[np.float64]
ALGORITHMS = ("kmeans", "dbscan", "gmm")
_NAMES = {"kmeans": "k-means", "dbscan": "DBSCAN", "gmm": "Gaussian mixture"}
_CONTRASTS = ("n_with", "estimate_with", "estimate_without", "estimate_difference",
              "estimate_ks", "I2_with", "I2_without", "I2_difference", "I2_ks")


@dataclass(frozen=True, slots=True)
class GoshClustering:
    """One clustering of the subsampled GOSH points and the studies it flags.

    Attributes
    ----------
    algorithm : str
        ``"kmeans"``, ``"dbscan"`` or ``"gmm"``.
    labels : ndarray of int, shape (n_points,)
        Cluster of each subsampled point (``-1``: DBSCAN noise).
    clusters : ndarray of int, shape (n_clusters,)
        The cluster labels (noise excluded).
    size : ndarray of int, shape (n_clusters,)
        Points in each cluster.
    mean_estimate, mean_I2 : ndarray, shape (n_clusters,)
        Centre of each cluster on the original scales.
    share : ndarray, shape (n_clusters, k)
        Fraction of the subsampled subsets containing study j that fall in cluster c.
    imbalance : ndarray, shape (n_clusters, k)
        ``share`` minus its mean over the studies.
    cooks_distance : ndarray, shape (n_clusters, k)
        Cook's distance of each study in each cluster's intercept-only model.
    threshold : float
        Three times the mean Cook's distance.
    flagged : tuple of str
        Studies whose Cook's distance exceeds the threshold in some cluster.
    """

    algorithm: str
    labels: NDArray[np.int64]
    clusters: NDArray[np.int64]
    size: NDArray[np.int64]
    mean_estimate: FloatArray
    mean_I2: FloatArray
    share: FloatArray
    imbalance: FloatArray
    cooks_distance: FloatArray
    threshold: float
    flagged: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoshDiagnostics:
    """Per-study contrasts and cluster imbalance of a GOSH analysis.

    Attributes
    ----------
    study : tuple of str
        Study labels (input order).
    method : str
        The model of the GOSH fits.
    n_subsets : int
        Subsets in the GOSH result (all used for the contrasts).
    n_with : ndarray of int, shape (k,)
        Subsets containing each study.
    estimate_with, estimate_without, estimate_difference, estimate_ks : ndarray, shape (k,)
        Mean pooled estimate of the subsets with and without each study, their
        difference (with minus without) and the two-sample KS statistic.
    I2_with, I2_without, I2_difference, I2_ks : ndarray, shape (k,)
        The same for I2 (percent).
    points : ndarray of int, shape (n_points,)
        Positions (in the GOSH result) of the subsets that were clustered.
    clustering : tuple of GoshClustering
        One per algorithm.
    outlying : tuple of str
        Studies flagged by any algorithm (input order).
    seed : int
        Seed of the subsample and of the clustering algorithms.
    max_points, n_clusters, eps, min_samples : int, int, float, int
        Subsample size limit, clusters of k-means and of the mixture, DBSCAN's radius (in
        standard deviations) and minimum neighbourhood.
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options (the GOSH options and these) and the GOSH input digest.
    """

    study: tuple[str, ...]
    method: str
    n_subsets: int
    n_with: NDArray[np.int64]
    estimate_with: FloatArray
    estimate_without: FloatArray
    estimate_difference: FloatArray
    estimate_ks: FloatArray
    I2_with: FloatArray
    I2_without: FloatArray
    I2_difference: FloatArray
    I2_ks: FloatArray
    points: NDArray[np.int64]
    clustering: tuple[GoshClustering, ...]
    outlying: tuple[str, ...]
    seed: int
    max_points: int
    n_clusters: int
    eps: float
    min_samples: int
    warnings: tuple[str, ...]
    provenance: Provenance

    def flagged_by(self, study: str) -> tuple[str, ...]:
        """The algorithms that flag ``study``."""
        return tuple(c.algorithm for c in self.clustering if study in c.flagged)

    def to_frame(self) -> pd.DataFrame:
        """One row per study: the contrasts and the algorithms that flag it."""
        frame = pd.DataFrame({name: getattr(self, name) for name in _CONTRASTS},
                             index=pd.Index(list(self.study), name="study"))
        frame["flagged_by"] = [", ".join(self.flagged_by(s)) for s in self.study]
        return frame

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`: contrasts per study, then clusters."""
        from livingmeta.summary import Summary, SummaryTable, frame_table

        found = ", ".join(self.outlying) if self.outlying else "none"
        lines = [f"Potentially outlying studies: {found}"]
        lines += [f"{_NAMES[c.algorithm]} ({c.clusters.size} clusters): "
                  f"{', '.join(c.flagged) or 'none'}" for c in self.clustering]
        lines += [f"warning: {w}" for w in self.warnings]
        rows = tuple((_NAMES[c.algorithm], str(int(label)), str(int(size)),
                      f"{mean_est:.4g}", f"{mean_i2:.4g}")
                     for c in self.clustering
                     for label, size, mean_est, mean_i2 in zip(
                         c.clusters, c.size, c.mean_estimate, c.mean_I2, strict=True))
        clusters = SummaryTable(
            f"Clusters of {self.points.size:,} subsampled subsets (seed {self.seed})",
            ("algorithm", "cluster", "subsets", "mean estimate", "mean I2"), rows)
        return Summary(f"GOSH diagnostics: method {self.method}, {self.n_subsets:,} subsets",
                       tuple(lines), (frame_table("Subsets with vs without each study",
                                                  self.to_frame()), clusters))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def _ks_statistic(values: FloatArray, order: NDArray[np.intp], last: NDArray[np.bool_],
                  inside: NDArray[np.bool_]) -> float:
    """Two-sample KS statistic of values[inside] vs values[~inside] (exact, with ties):
    the largest gap between the two empirical CDFs at the distinct values."""
    n_in = int(inside.sum())
    n_out = inside.size - n_in
    if n_in == 0 or n_out == 0:
        return float("nan")
    sorted_in = inside[order]
    cdf_in = np.cumsum(sorted_in) / n_in
    cdf_out = np.cumsum(~sorted_in) / n_out
    return float(np.max(np.abs(cdf_in - cdf_out)[last]))


def _contrasts(result: GoshResult) -> dict[str, Any]:
    est, i2 = result.estimate, result.I2
    k = result.n_studies
    out: dict[str, Any] = {name: np.full(k, np.nan) for name in _CONTRASTS}
    out["n_with"] = np.zeros(k, dtype=np.int64)
    sorts = {}
    for name, values in (("estimate", est), ("I2", i2)):
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        sorts[name] = (values, order, np.r_[ordered[1:] != ordered[:-1], True])
    for j in range(k):
        inside = result.contains(j)
        out["n_with"][j] = int(inside.sum())
        for name, (values, order, last) in sorts.items():
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_in = values[inside].mean() if inside.any() else np.nan
                mean_out = values[~inside].mean() if (~inside).any() else np.nan
            out[f"{name}_with"][j] = mean_in
            out[f"{name}_without"][j] = mean_out
            out[f"{name}_difference"][j] = mean_in - mean_out
            out[f"{name}_ks"][j] = _ks_statistic(values, order, last, inside)
    return out


def _standardize(x: FloatArray) -> FloatArray:
    sd = x.std(ddof=1) if x.size > 1 else 0.0
    return (x - x.mean()) / (sd if sd > 0 else 1.0)


def _cluster_labels(algorithm: str, X: FloatArray, n_clusters: int, eps: float,
                    min_samples: int, state: int) -> NDArray[np.int64]:
    from sklearn.cluster import DBSCAN, KMeans
    from sklearn.mixture import GaussianMixture

    if algorithm == "kmeans":
        labels = KMeans(n_clusters=n_clusters, n_init=10, random_state=state).fit_predict(X)
    elif algorithm == "dbscan":
        labels = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(X)
    else:
        labels = GaussianMixture(n_components=n_clusters, covariance_type="diag",
                                 random_state=state).fit_predict(X)
    return np.asarray(labels, dtype=np.int64)


def _imbalance(algorithm: str, labels: NDArray[np.int64], members: NDArray[np.bool_],
               est: FloatArray, i2: FloatArray, study: tuple[str, ...]) -> GoshClustering:
    clusters = np.unique(labels[labels >= 0])
    k = members.shape[1]
    totals = members.sum(axis=0).astype(float)
    share = np.zeros((clusters.size, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        for row, c in enumerate(clusters):
            share[row] = members[labels == c].sum(axis=0) / totals
        imbalance = share - np.nanmean(share, axis=1, keepdims=True)
        # Cook (1977) for an intercept-only model: h = 1/k, p = 1, s^2 = sum(e^2)/(k-1).
        ss = np.nansum(imbalance**2, axis=1, keepdims=True)
        cooks = np.where(ss > 0, imbalance**2 * k / ((k - 1) * np.where(ss > 0, ss, 1)), 0.0)
    threshold = 3.0 * float(np.nanmean(cooks)) if cooks.size else float("nan")
    hit = (cooks > threshold).any(axis=0) if cooks.size else np.zeros(k, dtype=bool)
    return GoshClustering(
        algorithm, labels, clusters.astype(np.int64),
        np.array([int(np.sum(labels == c)) for c in clusters], dtype=np.int64),
        np.array([est[labels == c].mean() for c in clusters]),
        np.array([i2[labels == c].mean() for c in clusters]),
        share, imbalance, cooks, threshold,
        tuple(study[j] for j in np.flatnonzero(hit)))


def _subsample(result: GoshResult, max_points: int, rng: np.random.Generator
               ) -> NDArray[np.int64]:
    finite = np.flatnonzero(np.isfinite(result.estimate) & np.isfinite(result.I2))
    if finite.size > max_points:
        finite = np.sort(rng.choice(finite, size=max_points, replace=False))
    return finite.astype(np.int64)


def gosh_diagnostics(
    result: GoshResult,
    *,
    seed: int = 123,
    max_points: int = 10_000,
    n_clusters: int = 2,
    eps: float = 0.15,
    min_samples: int = 20,
) -> GoshDiagnostics:
    """Per-study contrasts and k-means / DBSCAN / Gaussian-mixture cluster imbalance.

    Parameters
    ----------
    result : GoshResult
        The output of :func:`~livingmeta.sensitivity.gosh.gosh`.
    seed : int
        Seed of the subsample and of k-means and the mixture (dmetar's default 123).
    max_points : int
        At most this many subsets (a seeded uniform subsample) are clustered; dmetar
        clusters 10^4 for DBSCAN and the mixture.
    n_clusters : int
        Clusters of k-means and components of the mixture.
    eps, min_samples : float, int
        DBSCAN's neighbourhood radius (on the z-scores) and minimum neighbourhood size
        (dmetar's defaults 0.15 and 20).

    Returns
    -------
    GoshDiagnostics

    Warns
    -----
    ConvergenceWarning
        A clustering algorithm did not converge (its message is kept on the result).

    Examples
    --------
    >>> from livingmeta.sensitivity.gosh import gosh
    >>> res = gosh([0.1, 0.12, 0.08, 0.11, 0.09, 0.1, 0.9],
    ...            [0.01, 0.012, 0.011, 0.01, 0.013, 0.01, 0.01], method="EE")
    >>> diag = gosh_diagnostics(res, seed=1)
    >>> diag.outlying
    ('7',)
    >>> bool(diag.estimate_difference[6] > 0.2)
    True
    """
    for name, value, low in (("seed", seed, 0), ("max_points", max_points, 2),
                             ("n_clusters", n_clusters, 1), ("min_samples", min_samples, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError(f"The '{name}' parameter must be an int >= {low}. "
                                 f"Got {value!r}.")
    if not (isinstance(eps, (int, float)) and eps > 0):
        raise ParameterError(f"The 'eps' parameter must be a float > 0. Got {eps!r}.")
    contrasts = _contrasts(result)
    seq = np.random.SeedSequence(int(seed))
    points = _subsample(result, int(max_points), np.random.default_rng(seq))
    est, i2 = result.estimate[points], result.I2[points]
    X = np.column_stack([_standardize(est), _standardize(i2)])
    members = result.membership()[points] if points.size else np.zeros((0, result.n_studies),
                                                                         dtype=bool)
    state = int(seq.generate_state(1)[0])
    clustering, messages = [], []
    for algorithm in ALGORITHMS:
        if points.size < max(2, n_clusters):
            messages.append(f"{_NAMES[algorithm]}: too few subsets ({points.size}) to cluster.")
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            labels = _cluster_labels(algorithm, X, int(n_clusters), float(eps),
                                     int(min_samples), state)
        messages += [f"{_NAMES[algorithm]}: {w.message}" for w in caught]
        clustering.append(_imbalance(algorithm, labels, members, est, i2, result.study))
    for message in messages:
        warnings.warn(message, ConvergenceWarning, stacklevel=2)
    flagged = {s for c in clustering for s in c.flagged}
    options = {**result.provenance.options, "diagnostics_seed": int(seed),
               "max_points": int(max_points), "n_clusters": int(n_clusters),
               "eps": float(eps), "min_samples": int(min_samples)}
    return GoshDiagnostics(
        study=result.study, method=result.method, n_subsets=int(result.subset.size),
        points=points, clustering=tuple(clustering),
        outlying=tuple(s for s in result.study if s in flagged), seed=int(seed),
        max_points=int(max_points), n_clusters=int(n_clusters), eps=float(eps),
        min_samples=int(min_samples), warnings=tuple(messages),
        provenance=Provenance(__version__, "gosh_diagnostics", result.method, options,
                              result.n_studies, result.provenance.input_digest),
        **contrasts,
    )
