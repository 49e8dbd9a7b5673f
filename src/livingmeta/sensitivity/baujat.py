"""Baujat coordinates: contribution to heterogeneity against influence (metafor ``baujat``).

Baujat et al. (2002) plot, for each study i, its contribution to Cochran's Q against its
influence on the pooled estimate. metafor 3.8.1 generalizes this to random-effects models
(Viechtbauer 2021): with the full fit ``mu, tau2`` and the fit without study i
(``mu_i`` with variance ``vb_i``),

- ``x_i = (y_i - mu)^2 / (v_i + tau2)``, the squared Pearson residual (under EE,
  tau2 = 0 and ``x_i`` is the study's term of Q; Baujat et al. 2002, eq. 1);
- ``y_i = (mu - mu_i)^2 / vb_i`` (Baujat et al. 2002, eq. 2).

The k refits run at once on the ``(k, k - 1)`` stack (see :mod:`.influence`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.models.random import rma
from livingmeta.results import MetaAnalysisResult, Provenance, input_digest, jsonable
from livingmeta.sensitivity.influence import refit_without_each

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["BaujatResult", "baujat"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BaujatResult:
    """Coordinates of a Baujat plot, one point per study.

    Attributes
    ----------
    study : tuple of str
        Study labels, in input order.
    x : ndarray, shape (k,)
        Contribution to heterogeneity: the squared Pearson residual.
    y : ndarray, shape (k,)
        Influence on the pooled estimate: squared change on omitting the study, over the
        variance of the estimate without it.
    k : int
        Number of studies.
    method, measure : str
        tau2 estimator (``"EE"`` for Baujat's original plot) and effect measure.
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options and a digest of yi and vi.
    """

    study: tuple[str, ...]
    x: FloatArray
    y: FloatArray
    k: int
    method: str
    measure: str
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row per study (index: its label) with columns x and y."""
        return pd.DataFrame({"x": self.x, "y": self.y},
                            index=pd.Index(list(self.study), name="study"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` with the coordinates."""
        from livingmeta.summary import Summary, frame_table

        title = f"Baujat coordinates: {self.measure}, method {self.method} (k = {self.k})"
        return Summary(title, tuple(f"warning: {w}" for w in self.warnings),
                       (frame_table("Baujat", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def baujat(
    yi: object,
    vi: object,
    *,
    method: str = "EE",
    study: object = None,
    measure: str = "GEN",
) -> BaujatResult:
    """Baujat plot coordinates (metafor ``baujat``), without drawing anything.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 3.
    method : str
        ``"EE"`` (Baujat et al.'s common-effect version, the default) or a tau2
        estimator code for metafor's generalization.
    study : sequence of str, optional
        Study labels.
    measure : str
        Effect-size measure code, recorded on the result.

    Returns
    -------
    BaujatResult

    Raises
    ------
    MethodNotApplicableError
        k < 3.

    References
    ----------
    Baujat B, Mahe C, Pignon JP, Hill C (2002). A graphical method for exploring
    heterogeneity in meta-analyses: application to a meta-analysis of 65 trials.
    Stat Med 21:2641-2652.

    Examples
    --------
    >>> res = baujat([0.1, 0.3, 0.5, 0.9], [0.04, 0.05, 0.04, 0.06])
    >>> [round(float(x), 3) for x in res.x]
    [2.487, 0.266, 0.179, 3.914]
    """
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    batch, _, _, messages = refit_without_each(y, v, labels, method, "z", 0.95,
                                               "Baujat coordinates")
    full = cast(MetaAnalysisResult, rma(y, v, method=method, study=labels, measure=measure))
    x = (y - full.estimate) ** 2 / (v + full.tau2)
    infl = (full.estimate - batch.estimate) ** 2 / batch.se**2
    return BaujatResult(
        study=labels, x=x, y=np.asarray(infl, dtype=float), k=k, method=method,
        measure=measure, warnings=(*full.warnings, *messages),
        provenance=Provenance(__version__, "baujat", method, {"measure": measure}, k,
                              input_digest(y, v)),
    )
