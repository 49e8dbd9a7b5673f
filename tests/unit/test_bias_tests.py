"""regtest(), ranktest(), small_study_informative(): identities and errors."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta.bias import ranktest, regtest, small_study_informative
from livingmeta.errors import ParameterError


def _symmetric():
    # Pairs mirrored about 0.3 at each precision: no relation between effect and se.
    vi = np.repeat([0.01, 0.04, 0.09, 0.16, 0.25, 0.36], 2)
    yi = 0.3 + np.tile([-1.0, 1.0], 6) * np.sqrt(vi)
    return yi, vi


def test_regtest_on_symmetric_funnel_is_zero():
    yi, vi = _symmetric()
    res = regtest(yi, vi, model="lm")
    assert abs(res.statistic) < 1e-10 and res.pval == pytest.approx(1.0)
    assert res.limit_estimate == pytest.approx(0.3) and res.df == 10
    mixed = regtest(yi, vi, model="rma", method="DL")
    assert abs(mixed.statistic) < 1e-10


def test_regtest_small_k_note_and_errors():
    res = regtest([0.1, 0.3, 0.5, 0.9], [0.01, 0.04, 0.09, 0.16], model="lm")
    assert not res.informative and "Sterne" in res.warnings[-1]
    with pytest.raises(ParameterError, match="model"):
        regtest([0.1, 0.3, 0.5], [0.01, 0.04, 0.09], model="glm")
    with pytest.raises(ParameterError, match="ni"):
        regtest([0.1, 0.3, 0.5], [0.01, 0.04, 0.09], predictor="ninv")


def test_ranktest_exact_and_ties():
    res = ranktest([0.1, 0.3, 0.5, 0.9, 0.2], [0.01, 0.04, 0.09, 0.16, 0.02])
    assert res.exact and res.tau == pytest.approx(1.0)
    tied = ranktest([0.1, 0.3, 0.5, 0.9, 0.2], [0.01, 0.04, 0.04, 0.16, 0.02])
    assert not tied.exact


def test_small_study_informative():
    assert not small_study_informative(9) and small_study_informative(10)
    with pytest.raises(ParameterError):
        small_study_informative(-1)
