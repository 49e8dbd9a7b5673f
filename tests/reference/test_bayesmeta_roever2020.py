"""The worked example of the bayesmeta vignette (Röver 2020, J Stat Softw 93(6); the
package's vignette "An introduction to meta-analysis using the bayesmeta package",
section "A simple example", bayesmeta 2.x): eight schools (Rubin 1981), mu ~ N(0, 50^2),
tau ~ half-Cauchy(25).

R call reproduced::

    bayesmeta(y = Rubin1981$effect, sigma = Rubin1981$stderr, label = Rubin1981$school,
              mu.prior.mean = 0, mu.prior.sd = 50,
              tau.prior = function(t) dhalfcauchy(t, scale = 25))

The printed tau summaries are integrals bayesmeta evaluates accurately (compared at
BAYESMETA_PRINTED_RTOL); its mu and theta summaries come from its DIRECT mixture
approximation and are compared within BAYESMETA_DIRECT_SD_ATOL posterior SDs
(tests/tolerances.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta.models import bayes_meta
from tolerances import BAYESMETA_DIRECT_SD_ATOL, BAYESMETA_PRINTED_RTOL

SCHOOL = ("A", "B", "C", "D", "E", "F", "G", "H")
EFFECT = (28.39, 7.94, -2.75, 6.82, -0.64, 0.63, 18.01, 12.16)
STDERR = (14.9, 10.2, 16.3, 11.0, 9.4, 11.4, 10.4, 17.6)


@pytest.fixture(scope="module")
def fit():
    return bayes_meta(EFFECT, np.square(STDERR), mu_prior="normal:0,50",
                      tau_prior="halfcauchy:25", study=SCHOOL)


def printed(value):
    return pytest.approx(value, rel=BAYESMETA_PRINTED_RTOL)


def direct(value, sd):
    return pytest.approx(value, abs=BAYESMETA_DIRECT_SD_ATOL * sd)


def test_tau_marginal_summary(fit):
    # print(schools.example.1): "marginal posterior summary", column tau.
    assert fit.tau.median == printed(4.758539)
    assert fit.tau.mean == printed(5.884511)
    assert fit.tau.sd == printed(4.869904)
    assert fit.tau.hpd_low == 0.0
    assert fit.tau.hpd_high == printed(15.165894)


def test_tau_quantiles_and_intervals(fit):
    # schools.example.1$qposterior(tau.p=0.95) and post.interval(tau.level=0.95,
    # method="central") / qposterior(tau.p=c(0.025, 0.975)).
    assert fit.quantile("tau", 0.95) == printed(15.16589)
    assert fit.tau.ci_low == printed(0.2199559)
    assert fit.tau.ci_high == printed(18.0531718)


def test_mu_marginal_summary(fit):
    # print(schools.example.1): column mu; post.interval(mu.level=0.95) (shortest).
    sd = fit.mu.sd
    assert fit.mu.median == direct(7.962961, sd)
    assert fit.mu.mean == direct(7.985729, sd)
    assert fit.mu.sd == direct(4.995762, sd)
    assert fit.mu.hpd_low == direct(-1.823353, sd)
    assert fit.mu.hpd_high == direct(17.824562, sd)


def test_mu_probability_and_quantile(fit):
    # 1 - schools.example.1$pposterior(mu=0); qposterior(mu.p=0.95).
    assert 1.0 - fit.cdf("mu", 0.0) == pytest.approx(0.9487521, abs=BAYESMETA_DIRECT_SD_ATOL)
    assert fit.quantile("mu", 0.95) == direct(16.11009, fit.mu.sd)


@pytest.mark.parametrize(("school", "mean", "median", "sd"), [
    ("A", 11.095255, 10.093581, 7.901084),
    ("G", 10.336032, 9.786985, 6.631039),
    ("H", 8.474644, 8.266594, 7.456906),
])
def test_shrinkage_estimates(fit, school, mean, median, sd):
    # schools.example.1$theta[, c("A", "G", "H")]: rows mean, median, sd.
    got = fit.studies[SCHOOL.index(school)]
    assert got.mean == direct(mean, sd)
    assert got.median == direct(median, sd)
    assert got.sd == direct(sd, sd)
