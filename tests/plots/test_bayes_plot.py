"""BayesPosteriorPlot: the computed curves, the interval, the threshold annotation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from livingmeta.errors import ParameterError
from livingmeta.models import bayes_meta
from livingmeta.plots import BayesPosteriorPlot

YI = [-0.4857, -0.1113, -0.2206, 0.19]
VI = [0.0399, 0.0173, 0.0407, 0.0410]


@pytest.fixture(scope="module")
def result():
    return bayes_meta(YI, VI, mu_prior="normal:0,1", tau_prior="halfnormal:0.5",
                      threshold=-0.2, measure="SMD")


@pytest.fixture(scope="module")
def display(result):
    return BayesPosteriorPlot.from_result(result)


def test_curves_are_the_posterior_densities(display, result):
    assert integrate.simpson(display.mu_density, x=display.x) == pytest.approx(1, abs=1e-3)
    assert integrate.simpson(display.new_density, x=display.x) == pytest.approx(1, abs=2e-2)
    i = int(np.argmax(display.mu_density))
    assert abs(display.x[i] - result.mu.median) < 0.05
    assert display.x[0] < -0.2 < display.x[-1] and display.x[0] < 0 < display.x[-1]
    assert display.mu_prior_density is not None
    assert display.mu_prior_density[0] == pytest.approx(np.exp(-0.5 * display.x[0] ** 2)
                                                        / np.sqrt(2 * np.pi))
    assert display.tau[0] == 0 and display.tau_prior_density[0] == pytest.approx(
        2 / (0.5 * np.sqrt(2 * np.pi)))


def test_interval_and_annotation(display, result):
    assert display.mu_interval == (result.mu.ci_low, result.mu.ci_high)
    shortest = BayesPosteriorPlot.from_result(result, interval="shortest")
    assert shortest.mu_interval == (result.mu.hpd_low, result.mu.hpd_high)
    assert shortest.tau_interval[0] == 0.0
    assert display.annotation.startswith(f"P(μ < -0.2) = {result.p_beyond_threshold:.2f}")
    with pytest.raises(ParameterError):
        BayesPosteriorPlot.from_result(result, interval="hpd")


def test_flat_prior_draws_no_prior_curve():
    r = bayes_meta(YI, VI, mu_prior="flat", tau_prior="halfnormal:0.5")
    d = BayesPosteriorPlot.from_result(r)
    assert d.mu_prior_density is None and d.annotation == ""
    labels = [line.get_label() for line in d.plot().ax.get_lines()]
    assert "prior of μ" not in labels


def test_drawn_panels(display, tmp_path):
    drawn = display.plot()
    assert len(drawn.figure.axes) == 2
    labels = [line.get_label() for line in drawn.ax.get_lines()]
    assert {"posterior of μ (mean effect)", "θ_new (effect in a new study)", "prior of μ",
            "threshold -0.2"} <= set(labels)
    texts = [t.get_text() for t in drawn.ax.texts]
    assert any(t.startswith("P(μ < -0.2)") for t in texts)
    tau_labels = [line.get_label() for line in drawn.figure.axes[1].get_lines()]
    assert tau_labels == ["posterior of τ", "prior of τ"]
    assert display.plot_tau().ax.get_xlabel() == "heterogeneity τ"
    out = display.savefig(tmp_path / "bayes.svg")
    assert out.stat().st_size > 1000
