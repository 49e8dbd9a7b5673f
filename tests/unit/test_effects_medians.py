"""Mean and SD from median, quartiles and range (Luo 2018; Wan 2014; Shi 2020)."""

import numpy as np
import pytest
from scipy import stats

from livingmeta.effects import escalc
from livingmeta.effects.medians import mean_s1, mean_s2, mean_s3, sd_s1, sd_s2, sd_s3
from livingmeta.errors import ConversionWarning

N = np.array([10.0, 50.0, 400.0])


def normal_summary(mu: float, sigma: float, n: np.ndarray) -> dict[str, np.ndarray]:
    """Population-style quantiles with the plotting positions Wan et al. use."""
    z_range = stats.norm.ppf((n - 0.375) / (n + 0.25))
    z_q = stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    return {"a": mu - sigma * z_range, "b": mu + sigma * z_range,
            "q1": mu - sigma * z_q, "q3": mu + sigma * z_q, "m": np.full_like(n, mu)}


def test_symmetric_summaries_reproduce_mean_and_sd() -> None:
    s = normal_summary(5.0, 2.0, N)
    np.testing.assert_allclose(mean_s1(s["a"], s["m"], s["b"], N), 5.0, rtol=1e-14)
    np.testing.assert_allclose(mean_s2(s["q1"], s["m"], s["q3"], N), 5.0, rtol=1e-14)
    np.testing.assert_allclose(mean_s3(s["a"], s["q1"], s["m"], s["q3"], s["b"], N), 5.0,
                               rtol=1e-14)
    np.testing.assert_allclose(sd_s1(s["a"], s["b"], N), 2.0, rtol=1e-14)
    np.testing.assert_allclose(sd_s2(s["q1"], s["q3"], N), 2.0, rtol=1e-14)
    # Shi 2020's weights 1/(1 + 0.07 n^0.6) and its complement sum to one
    np.testing.assert_allclose(sd_s3(s["a"], s["q1"], s["q3"], s["b"], N), 2.0, rtol=1e-14)


def test_wan_range_sd_published_example() -> None:
    # metaBLUE documentation, Wan.std(c(1, 4, 10), n = 30, "S1") -> 2.205578
    assert sd_s1(np.array([1.0]), np.array([10.0]), np.array([30.0]))[0] == pytest.approx(
        2.205578, abs=5e-7)


def test_luo_weights_move_towards_median_in_large_samples() -> None:
    a, m, b = np.array([0.0]), np.array([2.0]), np.array([10.0])
    small = mean_s1(a, m, b, np.array([5.0]))[0]
    large = mean_s1(a, m, b, np.array([5000.0]))[0]
    assert abs(large - 2.0) < abs(small - 2.0)


def test_escalc_converts_only_the_missing_arm() -> None:
    s = normal_summary(12.0, 3.0, np.array([40.0]))
    with pytest.warns(ConversionWarning, match="1 study: mean/SD estimated"):
        es = escalc("MD", m1i=[np.nan, 10.0], sd1i=[np.nan, 2.0], n1i=[40, 30],
                    med1i=[12.0, np.nan], q1_1i=[s["q1"][0], np.nan],
                    q3_1i=[s["q3"][0], np.nan],
                    m2i=[10.0, 9.0], sd2i=[2.0, 2.0], n2i=[40, 30])
    assert es.yi[0] == pytest.approx(2.0, rel=1e-12)
    assert es.vi[0] == pytest.approx(9 / 40 + 4 / 40, rel=1e-12)
    assert es.notes[0] == ("arm 1: mean from median and IQR (Luo 2018, S2); "
                           "arm 1: SD from IQR (Wan 2014, scenario C2)")
    assert es.notes[1] == ""


def test_escalc_five_number_summary_uses_shi() -> None:
    s = normal_summary(3.0, 1.5, np.array([25.0]))
    with pytest.warns(ConversionWarning):
        es = escalc("SMD", n1i=[25], med2i=[3.0], q1_2i=s["q1"], q3_2i=s["q3"],
                    min2i=s["a"], max2i=s["b"], n2i=[25], m1i=[4.5], sd1i=[1.5])
    assert "SD from IQR and range (Shi 2020)" in es.notes[0]
    assert "Luo 2018, S3" in es.notes[0]
    assert es.yi[0] > 0


def test_quantiles_out_of_order_are_reported() -> None:
    from livingmeta.errors import DataValidationError

    with pytest.raises(DataValidationError) as exc:
        escalc("MD", n1i=[20], med1i=[5.0], q1_1i=[6.0], q3_1i=[4.0],
               m2i=[1.0], sd2i=[1.0], n2i=[20])
    got = {(p.field, p.rule) for p in exc.value.problems}
    assert got == {("med1i", "must be >= q1_1i (6)"), ("q3_1i", "must be >= med1i (5)")}
