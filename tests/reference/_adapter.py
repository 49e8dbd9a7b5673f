"""The only place where tests/reference touches livingmeta's API.

Every reference test goes through these functions, so that a renamed argument or field
in the library is fixed here, once. Each function returns plain Python values keyed by
the CLI JSON names of DEVELOPERS.md ("estimate", "ci_low", "tau2_ci", ...), which are also
the keys of the metafor fixtures.

Assumed API (DEVELOPERS.md, "Layer contracts"):

- ``livingmeta.effects.escalc(measure, *, study=..., <metafor columns>=..., add=, to=,
  drop00=)`` -> ``EffectSizes`` with ``.yi``, ``.vi``.
- ``livingmeta.models.rma(yi, vi, *, mods=None, intercept=True, method=, test=, level=,
  study=None)`` -> result with attributes ``k estimate se statistic pval ci_low ci_high
  pi_low pi_high tau2 Q Q_df Q_pval I2 H2 df weights`` (weights in percent) and method
  ``tau2_confidence_interval(level=...)`` -> ``Tau2Interval`` with ``tau2_ci_low``,
  ``tau2_ci_high``, ``I2_ci_low``, ``I2_ci_high``, ``H2_ci_low``, ``H2_ci_high``.
- With ``mods``: a ``MetaRegressionResult`` with arrays ``estimate se statistic pval
  ci_low ci_high`` (one entry per design column, intercept first), and ``QM QM_df QM_pval
  R2 tau2 I2 H2 Q Q_df Q_pval df``. ``QM_df`` is the numerator df; for knha the
  denominator is ``df`` (metafor's ``QMdf`` pair is rebuilt from the two).
- ``livingmeta.models.rma_mh(ai, bi, ci, di, *, measure=)`` and ``rma_peto(ai, bi, ci, di)``
  -> ``estimate se statistic pval ci_low ci_high Q Q_df Q_pval I2 H2`` (log scale for
  ratios) and, for MH OR, ``cmh cmh_pval tarone tarone_pval``.
- ``livingmeta.sensitivity.leave_one_out(yi, vi, *, method=, test=, level=, study=)`` ->
  per-omitted-study sequences ``estimate se statistic pval ci_low ci_high Q Q_pval tau2
  I2 H2``.
- ``livingmeta.subgroup_analysis(yi, vi, groups, *, method=, test=, level=)`` -> ``subgroups``
  (per level: ``group k estimate se pval ci_low ci_high tau2 I2 Q Q_df Q_pval``)
  and ``subgroup_test`` (``Q df pval``), as in the CLI JSON with ``--by``.
- CLI: ``livingmeta.cli.main.cli`` (click), ``pool DATA.csv --measure --method --test
  --level --json`` prints one JSON object (DEVELOPERS.md, "CLI JSON contract").

Library warnings are *not* handled here except in :func:`run_cli`: the tests wrap calls in
``pytest.warns`` with the class the fixture names (pytest runs with warnings as errors).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

RMA_KEYS = (
    "k", "estimate", "se", "statistic", "pval", "ci_low", "ci_high", "pi_low", "pi_high",
    "tau2", "I2", "H2", "Q", "Q_df", "Q_pval", "df", "weights",
)
MH_KEYS = (
    "estimate", "se", "statistic", "pval", "ci_low", "ci_high", "Q", "Q_df", "Q_pval", "I2",
    "H2",
)
MH_OR_KEYS = ("cmh", "cmh_pval", "tarone", "tarone_pval")
REGRESSION_KEYS = ("QM", "QM_df", "QM_pval", "R2", "tau2", "I2", "H2", "Q", "Q_df", "Q_pval", "df")
COEFFICIENT_KEYS = ("name", "estimate", "se", "statistic", "pval", "ci_low", "ci_high")
LEAVE1OUT_KEYS = (
    "estimate", "se", "statistic", "pval", "ci_low", "ci_high", "Q", "Q_pval", "tau2", "I2",
    "H2",
)
SUBGROUP_KEYS = (
    "group", "k", "estimate", "se", "pval", "ci_low", "ci_high", "tau2", "I2", "Q", "Q_df",
    "Q_pval",
)


def _get(obj: Any, key: str) -> Any:
    """A field of a result object or of a dict (the library may give either)."""
    if isinstance(obj, Mapping):
        return obj[key]
    return getattr(obj, key)


def _plain(value: Any) -> Any:
    """numpy scalars/arrays -> Python floats/lists; NaN stays NaN (compared as null)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _array(value: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in value], dtype=float)


# ---------------------------------------------------------------------------- effects

def escalc(measure: str, inputs: Mapping[str, Sequence[Any]], options: Mapping[str, Any],
           study: Sequence[str]) -> dict[str, list[float]]:
    from livingmeta.effects import escalc as lm_escalc

    columns = {name: _array(values) for name, values in inputs.items()}
    es = lm_escalc(measure, study=list(study), add=options["add"], to=options["to"],
                   drop00=options["drop00"], **columns)
    return {"yi": _plain(np.asarray(es.yi, dtype=float)),
            "vi": _plain(np.asarray(es.vi, dtype=float))}


# ---------------------------------------------------------------------------- models

def rma(yi: Sequence[float], vi: Sequence[float], *, method: str, test: str, level: float,
        study: Sequence[str] | None = None) -> dict[str, Any]:
    from livingmeta.models import rma as lm_rma

    result = lm_rma(_array(yi), _array(vi), method=method, test=test, level=level,
                    study=None if study is None else list(study))
    out = {key: _plain(_get(result, key)) for key in RMA_KEYS}
    out.update(_tau2_ci(result, level, method=method))
    return out


def _tau2_ci(result: Any, level: float, *, method: str) -> dict[str, Any]:
    # metafor has no tau2 CI for EE (no random effect) or k = 1: the fixture says null.
    if method in ("EE", "FE") or _get(result, "k") < 2:
        return {"tau2_ci": None, "I2_ci": None, "H2_ci": None}
    ci = result.tau2_confidence_interval(level=level)
    # livingmeta.results.Tau2Interval: <name>_ci_low / <name>_ci_high per quantity.
    return {f"{name}_ci": [_plain(_get(ci, f"{name}_ci_low")), _plain(_get(ci, f"{name}_ci_high"))]
            for name in ("tau2", "I2", "H2")}


def meta_regression(yi: Sequence[float], vi: Sequence[float], X: Sequence[Sequence[float]],
                    columns: Sequence[str], *, method: str, test: str,
                    level: float) -> dict[str, Any]:
    """Fit with the fixture's design matrix; its first column is metafor's intercept."""
    from livingmeta.models import rma as lm_rma

    design = np.asarray(X, dtype=float)
    if columns[0] != "intrcpt":
        raise ValueError("fixture design matrix must start with the intercept")
    result = lm_rma(_array(yi), _array(vi), mods=design[:, 1:], intercept=True,
                    method=method, test=test, level=level)
    out = {key: _plain(_get(result, key)) for key in REGRESSION_KEYS}
    # MetaRegressionResult holds one array per statistic (estimate, se, ...), one entry
    # per design column; the fixture lists one dict per coefficient.
    columns_of = {key: np.atleast_1d(np.asarray(_get(result, key), dtype=float))
                  for key in COEFFICIENT_KEYS if key != "name"}
    out["coefficients"] = [{key: float(values[j]) for key, values in columns_of.items()}
                           for j in range(len(columns_of["estimate"]))]
    # metafor's QMdf for knha is (numerator, denominator); the library keeps the
    # numerator in QM_df and the denominator in df.
    if test != "z" and not isinstance(out["QM_df"], list):
        out["QM_df"] = [out["QM_df"], out["df"]]
    return out


def rma_mh(table: Mapping[str, Sequence[float]], measure: str) -> dict[str, Any]:
    from livingmeta.models import rma_mh as lm_rma_mh

    cells = [_array(table[c]) for c in ("ai", "bi", "ci", "di")]
    result = lm_rma_mh(*cells, measure=measure)
    out = {key: _plain(_get(result, key)) for key in MH_KEYS}
    if measure == "OR":
        # The library names the test statistics cmh_statistic / tarone_statistic.
        for key in MH_OR_KEYS:
            name = key if key.endswith("_pval") else f"{key}_statistic"
            out[key] = _plain(_get(result, name))
    return out


def rma_peto(table: Mapping[str, Sequence[float]]) -> dict[str, Any]:
    from livingmeta.models import rma_peto as lm_rma_peto

    cells = [_array(table[c]) for c in ("ai", "bi", "ci", "di")]
    result = lm_rma_peto(*cells)
    return {key: _plain(_get(result, key)) for key in MH_KEYS}


# ---------------------------------------------------------------------------- analyses

def leave_one_out(yi: Sequence[float], vi: Sequence[float], *, method: str, test: str,
                  level: float, study: Sequence[str]) -> dict[str, Any]:
    from livingmeta.sensitivity import leave_one_out as lm_leave_one_out

    result = lm_leave_one_out(_array(yi), _array(vi), method=method, test=test, level=level,
                              study=list(study))
    return {key: _plain(np.asarray(_get(result, key), dtype=float)) for key in LEAVE1OUT_KEYS}


def subgroup_analysis(yi: Sequence[float], vi: Sequence[float], groups: Sequence[str], *,
                      method: str, test: str, level: float) -> dict[str, Any]:
    from livingmeta import subgroup_analysis as lm_subgroup_analysis

    result = lm_subgroup_analysis(_array(yi), _array(vi), list(groups), method=method,
                                  test=test, level=level)
    # One full fit per level (result.fits, in the order of result.groups); the test for
    # subgroup differences is Q_between with its df and p-value.
    subgroups = []
    for group, fit in zip(result.groups, result.fits, strict=True):
        row = {key: _plain(_get(fit, key)) for key in SUBGROUP_KEYS if key != "group"}
        subgroups.append({"group": group, **row})
    return {"subgroups": subgroups,
            "subgroup_test": {"Q": float(result.Q_between), "df": int(result.Q_between_df),
                              "pval": float(result.Q_between_pval)}}


# ---------------------------------------------------------------------------- CLI

def run_cli(args: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Run ``livingmeta <args>`` in-process; return (parsed JSON, Python warning classes).

    Data paths in the fixtures are relative to the repository root; they are made
    absolute here so the tests do not depend on the working directory.

    The CLI's contract is to report warnings in the JSON ``warnings`` list (DEVELOPERS.md).
    Any LivingMetaWarning that still escapes as a Python warning is recorded here rather
    than raised (pytest's warnings-as-errors would otherwise turn a documented,
    expected warning into a test error); the caller checks the JSON list.
    """
    from click.testing import CliRunner

    from livingmeta.cli.main import cli
    from livingmeta.errors import LivingMetaWarning

    argv = [str(ROOT / a) if a.endswith(".csv") else a for a in args]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LivingMetaWarning)
        result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"livingmeta {' '.join(args)} exited {result.exit_code}:\n"
                             f"{result.output}")
    escaped = [type(w.message).__name__ for w in caught
               if isinstance(w.message, LivingMetaWarning)]
    return json.loads(result.stdout), escaped
