"""Loading the pinned metafor fixtures and comparing results with them.

The fixtures are written by validation/metafor/generate.R (never edited by hand); see
validation/metafor/README.md. Each case carries the R call that produced it
(``case["r_call"]``), which becomes part of the test's failure message.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import tolerances as tol

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "validation" / "metafor" / "fixtures"

# Which tolerance applies to which key (keys are the CLI JSON names).
RTOL_BY_KEY = {
    "yi": tol.EFFECT_SIZE_RTOL, "vi": tol.EFFECT_SIZE_RTOL,
    "estimate": tol.ESTIMATE_RTOL, "se": tol.ESTIMATE_RTOL, "statistic": tol.ESTIMATE_RTOL,
    "ci_low": tol.ESTIMATE_RTOL, "ci_high": tol.ESTIMATE_RTOL,
    "pi_low": tol.ESTIMATE_RTOL, "pi_high": tol.ESTIMATE_RTOL,
    "tau2": tol.TAU2_RTOL, "tau2_ci": tol.TAU2_RTOL,
    "I2": tol.HETEROGENEITY_RTOL, "I2_ci": tol.HETEROGENEITY_RTOL,
    "H2": tol.HETEROGENEITY_RTOL, "H2_ci": tol.HETEROGENEITY_RTOL,
    "Q": tol.HETEROGENEITY_RTOL, "QM": tol.HETEROGENEITY_RTOL, "R2": tol.HETEROGENEITY_RTOL,
    "cmh": tol.HETEROGENEITY_RTOL, "tarone": tol.HETEROGENEITY_RTOL,
    "pval": tol.PVAL_RTOL, "Q_pval": tol.PVAL_RTOL, "QM_pval": tol.PVAL_RTOL,
    "cmh_pval": tol.PVAL_RTOL, "tarone_pval": tol.PVAL_RTOL,
    "weights": tol.WEIGHT_RTOL, "weight": tol.WEIGHT_RTOL,
    "k": tol.EXACT, "Q_df": tol.EXACT, "QM_df": tol.EXACT, "df": tol.EXACT,
}
PVAL_KEYS = {"pval", "Q_pval", "QM_pval", "cmh_pval", "tarone_pval"}


@cache
def load(name: str) -> dict[str, Any]:
    """One fixture file (``rma.json`` ...), parsed."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def cases(name: str) -> list[Any]:
    """pytest params for every case of a fixture file, each with id = case id."""
    path = FIXTURES / name
    if not path.exists():  # the grid-completeness test reports this; do not hide it
        return [pytest.param(None, id=f"missing-{name}",
                             marks=pytest.mark.xfail(reason=f"{name} missing", strict=True))]
    return [pytest.param(c, id=c["id"]) for c in load(name)["cases"]]


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def assert_value(key: str, actual: Any, expected: Any, *, where: str) -> None:
    """Compare one fixture value (scalar, list or pair) with the tolerance for its key."""
    if isinstance(expected, list):
        assert isinstance(actual, Sequence) and not isinstance(actual, str), (
            f"{where}: {key} should be a sequence of {len(expected)}, got {actual!r}")
        assert len(actual) == len(expected), f"{where}: {key} has length {len(actual)}, " \
            f"metafor {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_value(key, a, e, where=f"{where}[{i}]")
        return
    if expected is None:
        assert _is_null(actual), f"{where}: {key} should be null (metafor: NA), got {actual!r}"
        return
    if isinstance(expected, str):
        assert actual == expected, f"{where}: {key} = {actual!r}, metafor {expected!r}"
        return
    assert not _is_null(actual), f"{where}: {key} is null, metafor {expected!r}"
    rtol = RTOL_BY_KEY.get(key, tol.ESTIMATE_RTOL)
    atol = tol.PVAL_ATOL if key in PVAL_KEYS else tol.NEAR_ZERO_ATOL
    if rtol == tol.EXACT:
        assert actual == expected, f"{where}: {key} = {actual!r}, metafor {expected!r}"
        return
    assert math.isclose(float(actual), float(expected), rel_tol=rtol, abs_tol=atol), (
        f"{where}: {key} = {actual!r}, metafor {expected!r} "
        f"(rel diff {abs(actual - expected) / max(abs(expected), 1e-300):.2e}, rtol {rtol})")


def assert_matches(actual: dict[str, Any], expected: dict[str, Any], keys: Sequence[str], *,
                   case: dict[str, Any]) -> None:
    """Compare every listed key; the message names the case and its R call."""
    where = f"{case['id']} [{case['r_call']}]"
    missing = [k for k in keys if k not in actual]
    assert not missing, f"{where}: result lacks {missing}"
    for key in keys:
        assert_value(key, actual[key], expected[key], where=where)


@contextlib.contextmanager
def expected_warning(case: dict[str, Any]) -> Iterator[None]:
    """``pytest.warns`` with the warning class the fixture names, or nothing.

    With no expected warning the call runs bare, so pytest's warnings-as-errors turns any
    unexpected warning into a failure.
    """
    name = case.get("expect_warning")
    if name is None:
        yield
        return
    from livingmeta import errors

    with pytest.warns(getattr(errors, name)):
        yield
