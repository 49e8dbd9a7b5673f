"""EffectSizes: labels, sei, to_frame, to_dict, exports."""

import json

import numpy as np

import livingmeta.effects as effects
from livingmeta.effects import EffectSizes, escalc


def test_default_labels_sei_and_frame() -> None:
    es = escalc("GEN", yi=[0.1, np.nan], vi=[0.04, 0.09])
    assert isinstance(es, EffectSizes)
    assert es.study == ("Study 1", "Study 2") and es.k == 2
    np.testing.assert_allclose(es.sei[0], 0.2)
    frame = es.to_frame()
    assert list(frame.columns) == ["study", "yi", "vi", "sei", "notes"]
    assert frame.shape == (2, 5)


def test_to_dict_is_json_safe() -> None:
    es = escalc("GEN", yi=[0.1, np.nan], vi=[0.04, 0.09], study=["A", "B"])
    d = es.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["studies"][1]["yi"] is None
    assert d["measure"] == "GEN" and d["k"] == 2


def test_exports_and_measures_listed() -> None:
    assert set(effects.__all__) == {"EffectSizes", "MEASURES", "MEDIAN_COLUMNS", "escalc",
                                    "hedges_correction"}
    assert all(hasattr(effects, name) for name in effects.__all__)
    assert set(effects.MEASURES) == {"MD", "SMD", "SMDH", "ROM", "MC", "SMCC", "SMCR", "OR",
                                     "RR", "RD", "PETO", "IRR", "IRD", "COR", "ZCOR", "GEN"}


def test_subset_keeps_rows_in_order_with_their_notes():
    """EffectSizes.subset is what pooling uses to drop studies without an effect size."""
    es = escalc("GEN", yi=[0.1, np.nan, 0.3], vi=[0.01, 0.02, 0.03], study=["a", "b", "c"])
    kept = es.subset(np.isfinite(es.yi))
    assert kept.study == ("a", "c")
    np.testing.assert_array_equal(kept.vi, [0.01, 0.03])
    assert kept.notes == (es.notes[0], es.notes[2])
