"""cumulative(): ordering, the full fit at the last step, the k = 1 step."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta import rma
from livingmeta.errors import ParameterError, SingleStudyWarning, ZeroTau2Warning
from livingmeta.sequential import cumulative

YI = np.array([-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62, 0.01, -0.47])
VI = np.array([0.33, 0.19, 0.42, 0.02, 0.05, 0.01, 0.22, 0.07, 0.06])
YEAR = [1948, 1949, 1960, 1977, 1973, 1953, 1973, 1980, 1968]


def test_last_step_equals_full_fit_and_first_is_the_study():
    with pytest.warns(SingleStudyWarning), pytest.warns(ZeroTau2Warning):
        res = cumulative(YI, VI, order=YEAR, method="DL")
    full = rma(YI, VI, method="DL")
    assert res.estimate[-1] == pytest.approx(full.estimate, rel=1e-12)
    assert res.tau2[-1] == pytest.approx(full.tau2, rel=1e-12)
    first = int(np.argmin(YEAR))
    assert res.estimate[0] == pytest.approx(YI[first], rel=1e-14)
    assert res.Q[0] == 0 and res.Q_pval[0] == 1
    assert res.study[0] == str(first + 1)


def test_ties_keep_input_order():
    with pytest.warns(SingleStudyWarning):
        res = cumulative(YI, VI, order=YEAR, method="EE")
    assert res.order.tolist().index(4) < res.order.tolist().index(6)  # both 1973


def test_zero_tau2_steps_are_named_once():
    with pytest.warns(SingleStudyWarning), pytest.warns(ZeroTau2Warning, match="step"):
        res = cumulative([0.1, 0.11, 0.12], [0.1, 0.1, 0.1], method="REML")
    assert len(res.warnings) == 2
    assert "Cumulative" in res.summary().as_text()


def test_bad_order_raises():
    with pytest.raises(ParameterError, match="order"):
        cumulative(YI, VI, order=[1, 2])
