"""Unit tests of subgroup analysis: identities, group order, k = 1 levels, validation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from livingmeta.errors import DataValidationError, ParameterError, SingleStudyWarning
from livingmeta.models.random import rma
from livingmeta.models.subgroups import subgroup_analysis

# log risk ratios of dat.bcg: escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg)
_A = np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27.0])
_B = np.array([119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886.0])
_C = np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29.0])
_D = np.array([128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825.0])
YI = np.log(_A / (_A + _B)) - np.log(_C / (_C + _D))
VI = 1 / _A - 1 / (_A + _B) + 1 / _C - 1 / (_C + _D)
ALLOC = ("random random random random alternate alternate random random random "
         "systematic systematic systematic systematic").split()


def test_bcg_by_alloc_matches_metafor_dl() -> None:
    # res <- lapply(lv, function(g) rma(yi, vi, data=dat, subset=alloc==g, method="DL"))
    # rma(sapply(res, coef), sei=sapply(res, "[[", "se"), mods=~lv, method="FE")$QM
    # computed in the same way with metafor 3.8.1; checked to 1e-14 by the identity below.
    res = subgroup_analysis(YI, VI, ALLOC, method="DL")
    assert res.groups == ("random", "alternate", "systematic")
    w = 1 / res.se**2
    pooled = (w * res.estimate).sum() / w.sum()
    assert res.Q_between == pytest.approx((w * (res.estimate - pooled) ** 2).sum(), rel=1e-12)
    assert res.Q_between_df == 2
    for name, fit in zip(res.groups, res.fits, strict=True):
        mask = np.array([g == name for g in ALLOC])
        alone = rma(YI[mask], VI[mask], method="DL")
        assert fit.estimate == pytest.approx(alone.estimate, rel=1e-12)
        assert fit.k == mask.sum()


def test_bcg_separate_reml_matches_metafor() -> None:
    # rma(yi, vi, data=dat, subset=alloc=="random") -> beta -0.970964475758379,
    # se 0.275955701509003; between-subgroups QM 1.8614461412312, metafor 3.8.1 with its
    # default REML threshold 1e-5 (hence rel=1e-5)
    res = subgroup_analysis(YI, VI, ALLOC)
    assert res.estimate[0] == pytest.approx(-0.970964475758379, rel=1e-5)
    assert res.se[0] == pytest.approx(0.275955701509003, rel=1e-5)
    assert res.Q_between == pytest.approx(1.8614461412312, rel=1e-5)


def test_common_tau2_is_the_factor_meta_regression() -> None:
    # rma(yi, vi, mods=~factor(alloc, levels=unique(alloc)), data=dat, method="DL")$QM
    res = subgroup_analysis(YI, VI, ALLOC, method="DL", tau2="common")
    assert res.regression is not None and res.level_regression is not None
    assert res.Q_between == res.regression.QM and res.Q_between_df == 2
    assert np.all(res.tau2 == res.regression.tau2)
    assert res.level_regression.tau2 == pytest.approx(res.regression.tau2, rel=1e-12)
    # per-level estimates = intercept + treatment contrasts
    b = res.regression.estimate
    assert res.estimate == pytest.approx(np.array([b[0], b[0] + b[1], b[0] + b[2]]), rel=1e-10)


def test_one_common_estimate_gives_zero_between() -> None:
    yi = np.array([0.2, 0.4, 0.3, 0.1, 0.5, 0.3])
    vi = np.full(6, 0.05)
    res = subgroup_analysis(yi, vi, ["x", "x", "x", "y", "y", "y"], method="EE")
    assert res.estimate[0] == pytest.approx(res.estimate[1])
    assert res.Q_between == pytest.approx(0.0, abs=1e-12)
    assert res.Q_between_pval == pytest.approx(1.0)


def test_level_with_one_study_gets_a_defined_fit() -> None:
    with pytest.warns(SingleStudyWarning):
        res = subgroup_analysis([-0.4, 0.3, 0.8, 0.9], [0.04, 0.05, 0.04, 0.06],
                                ["a", "a", "a", "b"], method="DL")
    assert res.fits[1].k == 1 and res.estimate[1] == pytest.approx(0.9)
    assert any(w.startswith("group 'b'") for w in res.warnings)


def test_single_group_has_no_test() -> None:
    res = subgroup_analysis([0.1, 0.3, 0.5], [0.04, 0.05, 0.04], ["a"] * 3, method="EE")
    assert res.Q_between_df == 0 and np.isnan(res.Q_between_pval)


def test_exports() -> None:
    res = subgroup_analysis(YI, VI, ALLOC, method="DL", level=0.9)
    frame = res.to_frame()
    assert list(frame["group"]) == list(res.groups) and list(frame["k"]) == [7, 2, 4]
    json.dumps(res.to_dict(), allow_nan=False)
    low, high = res.confidence_interval()
    assert low == pytest.approx(res.ci_low) and high == pytest.approx(res.ci_high)
    low95, _ = res.confidence_interval(0.95)
    assert np.all(low95 < low)


def test_validation_names_rows() -> None:
    with pytest.raises(DataValidationError) as info:
        subgroup_analysis([0.1, np.nan, 0.3], [0.1, 0.1, -1.0], ["a", "b", None],
                          study=["S1", "S2", "S3"])
    text = str(info.value)
    assert "study 'S2' (row 2): yi must be a finite number" in text
    assert "study 'S3' (row 3): vi must be > 0, got -1.0" in text
    with pytest.raises(DataValidationError, match="study 'S3' \\(row 3\\): groups"):
        subgroup_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], ["a", "b", None],
                          study=["S1", "S2", "S3"])
    with pytest.raises(ParameterError, match="'tau2'"):
        subgroup_analysis([0.1, 0.2], [0.1, 0.1], ["a", "b"], tau2="pooled")
