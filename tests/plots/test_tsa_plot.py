"""TSA plot layout, tested on the drawn data (STYLE.md convention 12)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.lines import Line2D

from livingmeta.errors import ParameterError
from livingmeta.plots import TSAPlot
from livingmeta.sequential import trial_sequential_analysis

LDN = {"yi": [-0.4857, -0.1113, -0.2206, 0.19], "vi": [0.03993, 0.01735, 0.04065, 0.04102],
       "n": [28, 58, 99, 98], "study": ["Younger 2013", "Bested 2023", "FINAL 2024",
                                        "INNOVA 2026"]}


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trial_sequential_analysis(LDN["yi"], LDN["vi"], LDN["n"], measure="SMD",
                                         delta=0.2, study=LDN["study"])


@pytest.fixture(scope="module")
def drawn(result):
    return TSAPlot.from_result(result).plot()


def _lines(ax, label):
    return [line for line in ax.get_lines() if line.get_label() == label]


def test_ris_line_sits_at_the_ris_and_is_labelled(result, drawn):
    ax = drawn.ax
    verticals = [line for line in ax.get_lines()
                 if np.ptp(np.asarray(line.get_xdata(), dtype=float)) == 0
                 and np.ptp(np.asarray(line.get_ydata(), dtype=float)) > 0]
    assert [float(line.get_xdata()[0]) for line in verticals] == [pytest.approx(result.ris.ris)]
    texts = [t.get_text() for t in ax.texts]
    assert f"RIS = {result.ris.ris:,.0f}" in texts
    assert ax.get_xlim()[1] > result.ris.ris


def test_z_curve_points_and_study_labels(result, drawn):
    (curve,) = _lines(drawn.ax, "Cumulative Z-curve")
    assert np.allclose(curve.get_xdata()[1:], [28, 86, 185, 283])
    assert np.allclose(curve.get_ydata()[1:], [look.z for look in result.looks])
    texts = {t.get_text() for t in drawn.ax.texts}
    assert set(LDN["study"]) <= texts


def test_boundaries_are_monotone_and_symmetric(drawn):
    upper, lower = _lines(drawn.ax, "Monitoring boundary") + [
        line for line in drawn.ax.get_lines() if line.get_label().startswith("_child")
        and line.get_color() == _lines(drawn.ax, "Monitoring boundary")[0].get_color()]
    y_up = np.asarray(upper.get_ydata(), dtype=float)
    y_low = np.asarray(lower.get_ydata(), dtype=float)
    assert np.all(np.diff(y_up) < 0)  # O'Brien-Fleming: decreasing in information
    assert np.allclose(y_low, -y_up)
    (futility,) = _lines(drawn.ax, "Futility boundary")
    y_fut = np.asarray(futility.get_ydata(), dtype=float)
    finite = np.isfinite(y_fut)
    assert finite[-1] and np.all(np.diff(y_fut[finite]) > 0)  # the wedge opens to the RIS
    assert y_fut[-1] == pytest.approx(y_up[-1], abs=1e-6)  # and closes at the RIS


def test_conventional_lines_axes_labels_and_legend(drawn):
    (dashed,) = _lines(drawn.ax, "Conventional boundary (z = 1.96)")
    assert float(dashed.get_ydata()[0]) == pytest.approx(1.959964, abs=1e-6)
    ylabel = drawn.ax.get_ylabel()
    assert "Favours intervention" in ylabel and "Favours control" in ylabel
    assert ylabel.index("Favours intervention") < ylabel.index("Favours control")  # ↓ first
    assert drawn.ax.get_xlabel() == "Cumulative number of participants"
    legend = {t.get_text() for t in drawn.ax.get_legend().get_texts()}
    assert {"Monitoring boundary", "Futility boundary", "Cumulative Z-curve"} <= legend
    assert "not yet conclusive" in drawn.ax.get_title()


def test_one_sided_plot_has_one_boundary(result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = trial_sequential_analysis(LDN["yi"], LDN["vi"], LDN["n"], measure="SMD",
                                        delta=0.2, sides=1, alpha=0.025)
    display = TSAPlot.from_result(one)
    assert np.all(np.isnan(display.upper)) and np.all(display.lower < 0)
    ax = display.plot().ax
    assert all(isinstance(line, Line2D) for line in _lines(ax, "Monitoring boundary"))
    assert len(_lines(ax, "Monitoring boundary")) == 1


def test_savefig_and_bad_style(result, tmp_path):
    display = TSAPlot.from_result(result)
    path = display.savefig(tmp_path / "tsa.svg")
    assert path.read_text().startswith("<?xml")
    with pytest.raises(ParameterError):
        display.plot(colour="red")
