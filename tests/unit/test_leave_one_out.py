"""Unit tests of leave-one-out: each row equals a refit without that study."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from livingmeta.errors import MethodNotApplicableError, SingleStudyWarning, ZeroTau2Warning
from livingmeta.models.random import rma
from livingmeta.sensitivity import leave_one_out

YI = np.array([-0.89, -1.59, -1.35, -1.44, -0.22, -0.79, -1.62])
VI = np.array([0.33, 0.19, 0.42, 0.02, 0.05, 0.01, 0.22])
FIELDS = ("estimate", "se", "statistic", "pval", "ci_low", "ci_high", "Q", "Q_pval",
          "tau2", "I2", "H2")


@pytest.mark.parametrize(("method", "test"), [("REML", "z"), ("DL", "knha"), ("EE", "z")])
def test_each_row_equals_refit_without_the_study(method: str, test: str) -> None:
    res = leave_one_out(YI, VI, method=method, test=test, study=list("ABCDEFG"))
    assert res.path == "batch" and res.study == tuple("ABCDEFG")
    for i in range(YI.size):
        keep = np.arange(YI.size) != i
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ZeroTau2Warning)  # a refit may hit tau2 = 0
            alone = rma(YI[keep], VI[keep], method=method, test=test)
        for name in FIELDS:
            assert getattr(res, name)[i] == pytest.approx(getattr(alone, name), rel=1e-8,
                                                           abs=1e-12), name
    assert res.Q_df == YI.size - 2


def test_bcg_matches_metafor_dl() -> None:
    # dat <- escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
    # leave1out(rma(yi, vi, data=dat, method="DL", test="knha"))[1:2, ], metafor 3.8.1
    a = np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27.0])
    b = np.array([119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493,
                  16886.0])
    c = np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29.0])
    d = np.array([128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338,
                  17825.0])
    yi = np.log(a / (a + b)) - np.log(c / (c + d))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    res = leave_one_out(yi, vi, method="DL", test="knha")
    assert res.estimate[:2] == pytest.approx([-0.705125198417451, -0.654515875087971],
                                             rel=1e-10)
    assert res.pval[:2] == pytest.approx([0.00384343229200477, 0.00413484076337143],
                                         rel=1e-10)
    assert res.tau2[:2] == pytest.approx([0.312171499040679, 0.299974590822110], rel=1e-10)
    assert res.df == 11  # k - 2 = 13 - 2


def test_two_studies_use_the_loop() -> None:
    with pytest.warns(SingleStudyWarning):
        res = leave_one_out([0.1, 0.5], [0.04, 0.05], method="DL", study=["A", "B"])
    assert res.path == "loop"
    assert res.estimate == pytest.approx([0.5, 0.1])
    assert res.Q_df == 0


def test_one_study_is_not_applicable() -> None:
    with pytest.raises(MethodNotApplicableError, match="k >= 2"):
        leave_one_out([0.1], [0.04])


def test_exports() -> None:
    res = leave_one_out(YI, VI, method="DL", study=list("ABCDEFG"))
    frame = res.to_frame()
    assert list(frame.index) == list("ABCDEFG") and list(frame.columns) == list(FIELDS)
    out = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert out["path"] == "batch" and out["provenance"]["function"] == "leave_one_out"
