"""Property test: the batch engine pools every meta-analysis of a random ragged table as
`rma` pools it alone (issue 7: "batch results agree with pool to 1e-8")."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livingmeta.batch import pool_groups
from livingmeta.models import rma

effects = st.floats(min_value=-3, max_value=3, allow_nan=False, allow_infinity=False)
variances = st.floats(min_value=1e-3, max_value=2, allow_nan=False, allow_infinity=False)
COLUMNS = ("estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "Q", "I2")


@st.composite
def ragged_tables(draw):
    sizes = draw(st.lists(st.integers(1, 9), min_size=1, max_size=8))
    ids, yi, vi = [], [], []
    for i, k in enumerate(sizes):
        ids += [f"m{i}"] * k
        yi += draw(st.lists(effects, min_size=k, max_size=k))
        vi += draw(st.lists(variances, min_size=k, max_size=k))
    return np.array(ids), np.array(yi), np.array(vi)


def close(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-8, atol=1e-10) or (np.isnan(a) and np.isnan(b)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ragged_tables(), st.sampled_from(["DL", "REML", "PM", "EE", "SJ"]),
       st.sampled_from(["z", "knha"]))
def test_every_meta_analysis_equals_rma_alone(table, method, test):
    ids, yi, vi = table
    out = pool_groups(ids, yi, vi, method=method, test=test, tau2_ci=False).to_frame()
    assert list(out["id"]) == list(dict.fromkeys(ids))
    for _, row in out.iterrows():
        rows = ids == row["id"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = rma(yi[rows], vi[rows], method=method, test=test)
        assert row["k"] == rows.sum()
        for name in COLUMNS:
            expected = float(getattr(fit, name))
            if name.startswith("pi_") and method == "EE":
                continue  # common-effect models have no prediction interval (metafor)
            assert close(float(row[name]), expected), (name, row[name], expected)
