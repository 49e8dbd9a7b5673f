"""MC, SMCC, SMCR (paired and crossover designs)."""

import math

import numpy as np
import pytest

from livingmeta.effects import escalc, hedges_correction

PAIRS = {"m1i": [10.0, 12.0], "m2i": [8.0, 11.0], "sd1i": [3.0, 4.0], "sd2i": [3.5, 3.0],
         "ni": [20, 12], "ri": [0.5, 0.8]}


def test_mc_variance_uses_within_person_correlation() -> None:
    # Elbourne et al. 2002 / Cochrane Handbook 23.2.7.2: SD_diff^2 = s1^2 + s2^2 - 2 r s1 s2
    es = escalc("MC", **PAIRS)
    assert es.yi[0] == pytest.approx(2.0)
    assert es.vi[0] == pytest.approx((9 + 12.25 - 2 * 0.5 * 3 * 3.5) / 20, rel=1e-14)


def test_higher_correlation_gives_smaller_mc_variance() -> None:
    lo = escalc("MC", **dict(PAIRS, ri=0.2))
    hi = escalc("MC", **dict(PAIRS, ri=0.9))
    assert np.all(hi.vi < lo.vi)


def test_smcc_and_smcr_hand_computed() -> None:
    smcc = escalc("SMCC", **PAIRS)
    c19 = float(hedges_correction(np.array([19.0]))[0])
    sd_diff = math.sqrt(9 + 12.25 - 2 * 0.5 * 3 * 3.5)
    assert smcc.yi[0] == pytest.approx(c19 * 2 / sd_diff, rel=1e-14)
    assert smcc.vi[0] == pytest.approx(1 / 20 + smcc.yi[0] ** 2 / 40, rel=1e-14)
    smcr = escalc("SMCR", **{k: v for k, v in PAIRS.items() if k != "sd2i"})
    assert smcr.yi[0] == pytest.approx(c19 * 2 / 3, rel=1e-14)
    assert smcr.vi[0] == pytest.approx(2 * 0.5 / 20 + smcr.yi[0] ** 2 / 40, rel=1e-14)


def test_assumed_scalar_correlation_is_noted() -> None:
    es = escalc("MC", **dict(PAIRS, ri=0.5))
    assert all("ri=0.50 (assumed for every study" in n for n in es.notes)
    given = escalc("MC", **PAIRS)
    assert "ri=0.80 (as given" in given.notes[1]


def test_change_score_sd_trick() -> None:
    # SD of the differences passed as sd1i with sd2i = ri = 0 (as metafor documents)
    es = escalc("MC", m1i=[2.0], m2i=[0.0], sd1i=[3.0], sd2i=[0.0], ri=[0.0], ni=[9])
    assert es.vi[0] == pytest.approx(1.0)
