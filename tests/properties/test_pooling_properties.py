"""Property tests: random tables never raise anything but livingmeta's own errors, and the
pooled results are invariant to study order and equivariant to a location shift of yi.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livingmeta.data import study_table_from_frame
from livingmeta.errors import LivingMetaError
from livingmeta.models import rma
from livingmeta.pooling import pool_table

ESTIMATORS = ["EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"]

finite = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
variances = st.floats(min_value=1e-3, max_value=5, allow_nan=False, allow_infinity=False)


@st.composite
def effect_tables(draw, min_k=2, max_k=12):
    k = draw(st.integers(min_k, max_k))
    yi = np.array(draw(st.lists(finite, min_size=k, max_size=k)))
    vi = np.array(draw(st.lists(variances, min_size=k, max_size=k)))
    return yi, vi


cells = st.one_of(
    st.none(), st.just(""), st.just("abc"), st.just("-1"), st.just("0"), st.just("1.5"),
    st.integers(-3, 60).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(cells, cells, cells, cells), min_size=0, max_size=8),
    measure=st.sampled_from(["OR", "RR", "RD", "PETO"]),
    method=st.sampled_from([*ESTIMATORS, "MH", "PETO"]),
    test=st.sampled_from(["z", "knha"]),
)
def test_random_binary_tables_raise_only_livingmeta_errors(rows, measure, method, test):
    frame = pd.DataFrame(rows, columns=["ai", "bi", "ci", "di"], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = study_table_from_frame(frame)
            analysis = pool_table(table, measure=measure, method=method, test=test)
        except LivingMetaError:
            return
    result = analysis.to_dict()
    assert result["k"] >= 1
    assert len(result["studies"]) == result["k"]


@settings(max_examples=60, deadline=None)
@given(data=effect_tables(), method=st.sampled_from(ESTIMATORS),
       test=st.sampled_from(["z", "knha"]), seed=st.integers(0, 2**16))
def test_invariant_to_study_order(data, method, test, seed):
    yi, vi = data
    order = np.random.default_rng(seed).permutation(yi.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = rma(yi, vi, method=method, test=test)
        b = rma(yi[order], vi[order], method=method, test=test)
    assert b.estimate == pytest.approx(a.estimate, rel=1e-7, abs=1e-9)
    assert b.se == pytest.approx(a.se, rel=1e-7, abs=1e-9)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-6, abs=1e-9)
    assert b.Q == pytest.approx(a.Q, rel=1e-7, abs=1e-9)
    np.testing.assert_allclose(np.asarray(b.weights), np.asarray(a.weights)[order],
                               rtol=1e-6, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(data=effect_tables(), method=st.sampled_from(ESTIMATORS),
       test=st.sampled_from(["z", "knha"]), shift=finite)
def test_location_shift_moves_only_the_estimate(data, method, test, shift):
    yi, vi = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = rma(yi, vi, method=method, test=test)
        b = rma(yi + shift, vi, method=method, test=test)
    assert b.estimate == pytest.approx(a.estimate + shift, rel=1e-7, abs=1e-7)
    assert b.se == pytest.approx(a.se, rel=1e-6, abs=1e-9)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-6, abs=1e-8)
    assert b.ci_low == pytest.approx(a.ci_low + shift, rel=1e-7, abs=1e-7)
    assert b.pi_high == pytest.approx(a.pi_high + shift, rel=1e-7, abs=1e-7, nan_ok=True)
