"""Priors of the Bayesian meta-analysis: densities, Jacobians, published tables, parser."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from livingmeta.errors import ParameterError
from livingmeta.models import (
    FlatPrior,
    HalfCauchyPrior,
    HalfNormalPrior,
    LogNormalPrior,
    NormalPrior,
    parse_mu_prior,
    parse_tau_prior,
    rhodes_prior,
    turner_prior,
)
from livingmeta.models._bayes_priors import RHODES_OUTCOMES, TURNER_OUTCOMES

TAU_PRIORS = [HalfNormalPrior(0.5), HalfCauchyPrior(1.0), LogNormalPrior(-1.5, 0.8),
              turner_prior("pain"), rhodes_prior("pain"), rhodes_prior("any"),
              turner_prior("any")]


@pytest.mark.parametrize("prior", TAU_PRIORS, ids=lambda p: p.description[:30])
def test_tau_densities_integrate_to_one_and_match_their_cdf(prior):
    pdf = lambda t: math.exp(float(prior.logpdf(t)))  # noqa: E731
    # integrate on log tau (the log-t prior is singular at 0)
    total = integrate.quad(lambda s: pdf(math.exp(s)) * math.exp(s), -200, 200, limit=400)[0]
    assert total == pytest.approx(1.0, abs=1e-7)
    for p in (0.1, 0.5, 0.9):
        q = float(prior.ppf(p))
        assert float(prior.cdf(q)) == pytest.approx(p, abs=1e-10)
        part = integrate.quad(lambda s: pdf(math.exp(s)) * math.exp(s), -200, math.log(q),
                              limit=400)[0]
        assert part == pytest.approx(p, abs=1e-7)


def test_simple_priors_match_scipy():
    t = np.array([0.05, 0.3, 1.0, 4.0])
    np.testing.assert_allclose(HalfNormalPrior(0.5).logpdf(t),
                               stats.halfnorm.logpdf(t, scale=0.5), rtol=1e-12)
    np.testing.assert_allclose(HalfCauchyPrior(2.0).logpdf(t),
                               stats.halfcauchy.logpdf(t, scale=2.0), rtol=1e-12)
    np.testing.assert_allclose(LogNormalPrior(-1.0, 0.7).logpdf(t),
                               stats.lognorm.logpdf(t, s=0.7, scale=math.exp(-1.0)),
                               rtol=1e-12)
    assert HalfNormalPrior(0.5).logpdf(-1.0) == -np.inf


def test_tau2_priors_carry_the_jacobian():
    # P(tau <= t) = P(tau^2 <= t^2): log-normal and log-t(5) laws of tau^2.
    tp, rp = turner_prior("pain"), rhodes_prior("pain")
    for t in (0.05, 0.2, 0.8):
        area_t = integrate.quad(lambda x: math.exp(float(tp.logpdf(x))), 0, t)[0]
        assert area_t == pytest.approx(
            stats.lognorm.cdf(t * t, s=tp.sd, scale=math.exp(tp.mu)), rel=1e-8)
        area_r = integrate.quad(lambda s: math.exp(float(rp.logpdf(math.exp(s))) + s),
                                -300, math.log(t), limit=400)[0]
        assert area_r == pytest.approx(
            stats.t.cdf((math.log(t * t) - rp.location) / rp.scale, 5), rel=1e-7)
    # a log-normal prior on tau^2 is log-normal on tau with halved parameters
    np.testing.assert_allclose(tp.logpdf([0.1, 0.5]),
                               LogNormalPrior(tp.mu / 2, tp.sd / 2).logpdf([0.1, 0.5]),
                               rtol=1e-12)


def test_published_table_values():
    # Turner et al. 2015, Table IV: pain, pharmacological vs placebo/control: LN(-1.83, 1.52^2);
    # all-cause mortality, non-pharmacological vs pharmacological: LN(-2.92, 1.02^2);
    # general setting (p. 993): LN(-2.56, 1.74^2).
    assert (turner_prior("pain").mu, turner_prior("pain").sd) == (-1.83, 1.52)
    mort = turner_prior("all-cause-mortality", "nonpharma-vs-pharma")
    assert (mort.mu, mort.sd) == (-2.92, 1.02)
    assert (turner_prior("any").mu, turner_prior("any").sd) == (-2.56, 1.74)
    # Rhodes et al. 2015, Table 3: general physical health (incl. pain), pharmacological vs
    # placebo: t(-3.16, 2.50, 5); mental health, non-pharmacological: t(-3.85, 1.93, 5);
    # general setting (sec. 3.3): t(-3.44, 2.59, 5).
    pain = rhodes_prior("pain")
    assert (pain.location, pain.scale) == (-3.16, 2.50)
    mental = rhodes_prior("mental-health", "nonpharma")
    assert (mental.location, mental.scale) == (-3.85, 1.93)
    assert (rhodes_prior("any").location, rhodes_prior("any").scale) == (-3.44, 2.59)
    assert "Table 3" in pain.description and "Table IV" in turner_prior("pain").description


def test_prior_medians_of_tau():
    # The prior median of tau is exp(mu/2) for LN(mu, sd^2) on tau^2 (Turner, pain: 0.40).
    assert float(turner_prior("pain").ppf(0.5)) == pytest.approx(math.exp(-1.83 / 2))
    assert float(rhodes_prior("pain").ppf(0.5)) == pytest.approx(math.exp(-3.16 / 2))


def test_parser_reads_every_form():
    assert parse_mu_prior(" Normal:0.5, 2 ") == NormalPrior(0.5, 2.0)
    assert parse_mu_prior("flat") == FlatPrior()
    assert parse_tau_prior("halfcauchy:1") == HalfCauchyPrior(1.0)
    assert parse_tau_prior("lognormal:-1.5,0.8") == LogNormalPrior(-1.5, 0.8)
    assert parse_tau_prior("turner:pain") == turner_prior("pain")
    assert parse_tau_prior("rhodes:mental-health/pharma-vs-pharma").location == -3.27
    for key in TURNER_OUTCOMES:
        assert parse_tau_prior(f"turner:{key}").proper
    for key in RHODES_OUTCOMES:
        assert parse_tau_prior(f"rhodes:{key}").proper


@pytest.mark.parametrize(("text", "listed"), [
    ("normal:0", "'normal:MEAN,SD' or 'flat'"),
    ("cauchy:1", "'normal:MEAN,SD' or 'flat'"),
])
def test_bad_mu_prior_lists_the_accepted_forms(text, listed):
    with pytest.raises(ParameterError, match=listed):
        parse_mu_prior(text)


@pytest.mark.parametrize(("text", "fragment"), [
    ("halfnormal", "halfcauchy:SCALE"),
    ("halfnormal:-1", "must be a finite number > 0"),
    ("uniform:0,1", "rhodes:OUTCOME"),
    ("turner:headache", "all-cause-mortality"),
    ("rhodes:pain/surgery", "pharma-vs-placebo"),
    ("normal:0,1", "lognormal:MU,SD"),
])
def test_bad_tau_prior_says_what_is_accepted(text, fragment):
    with pytest.raises(ParameterError, match=fragment):
        parse_tau_prior(text)


def test_flat_prior_is_improper_and_normal_is_not():
    assert not FlatPrior().proper and NormalPrior(0, 1).proper
    assert float(NormalPrior(0, 2).logpdf(0.0)) == pytest.approx(stats.norm.logpdf(0, 0, 2))


@pytest.mark.parametrize("prior", TAU_PRIORS, ids=lambda p: p.description[:30])
def test_tau_prior_edges_of_the_support(prior):
    # the CDF runs from 0 (at and below 0, and for NaN) to 1 at +inf; no density off support
    np.testing.assert_array_equal(prior.cdf([-1.0, 0.0, np.nan, np.inf]), [0, 0, 0, 1])
    np.testing.assert_array_equal(prior.logpdf([-1.0, np.inf, np.nan]), [-np.inf] * 3)
    np.testing.assert_array_equal(prior.ppf([0.0, 1.0]), [0.0, np.inf])


def test_density_at_zero():
    # half-normal: 2 / (scale sqrt(2 pi)); half-Cauchy: 2 / (pi scale); the log-normal and
    # the priors on log(tau^2) put no density at tau = 0.
    assert float(HalfNormalPrior(0.5).logpdf(0.0)) == pytest.approx(
        math.log(2.0 / (0.5 * math.sqrt(2.0 * math.pi))), rel=1e-14)
    assert float(HalfCauchyPrior(2.0).logpdf(0.0)) == pytest.approx(
        math.log(2.0 / (math.pi * 2.0)), rel=1e-14)
    for prior in (LogNormalPrior(-1.0, 0.5), turner_prior("pain"), rhodes_prior("pain")):
        assert float(prior.logpdf(0.0)) == -np.inf


def test_tau2_priors_match_closed_forms():
    # Turner: tau^2 ~ LN(mu, sd^2), so P(tau <= t) = Phi((log t^2 - mu) / sd) and the
    # density of tau is the LN density of tau^2 times 2 tau; Rhodes: the t(5) density of
    # z = (log t^2 - location) / scale is Gamma(3) / (Gamma(5/2) sqrt(5 pi)) (1 + z^2/5)^-3,
    # and the density of tau is that over scale, times d log(t^2) / dt = 2 / t.
    t = np.array([0.01, 0.2, 1.5])
    tp, rp = turner_prior("surgical", "nonpharma-vs-pharma"), rhodes_prior("obstetric")
    z = (np.log(t * t) - tp.mu) / tp.sd
    np.testing.assert_allclose(tp.cdf(t), [0.5 * math.erfc(-v / math.sqrt(2)) for v in z],
                               rtol=1e-13)
    dens = np.exp(-0.5 * z * z) / (tp.sd * math.sqrt(2 * math.pi) * t * t) * 2 * t
    np.testing.assert_allclose(tp.logpdf(t), np.log(dens), rtol=1e-13)
    z = (np.log(t * t) - rp.location) / rp.scale
    const = math.gamma(3.0) / (math.gamma(2.5) * math.sqrt(5 * math.pi))
    dens = const * (1 + z * z / 5) ** -3 / rp.scale * 2 / t
    np.testing.assert_allclose(rp.logpdf(t), np.log(dens), rtol=1e-13)


def test_priors_compare_by_parameters_only():
    assert HalfNormalPrior(1.0) != HalfCauchyPrior(1.0)
    assert hash(HalfNormalPrior(1)) == hash(HalfNormalPrior(1.0))
    assert repr(LogNormalPrior(-1.0, 0.5)) == "LogNormalPrior(mu=-1.0, sd=0.5)"
    assert rhodes_prior("pain") == rhodes_prior("general-physical-health")


@pytest.mark.parametrize(("build", "name"), [
    (lambda: HalfCauchyPrior(0.0), "'scale'"),
    (lambda: LogNormalPrior(math.inf, -1.0), "'mu'"),
    (lambda: LogNormalPrior(0.0, -1.0), "'sd'"),
    (lambda: NormalPrior(0.0, math.nan), "'sd'"),
])
def test_bad_parameters_are_named(build, name):
    with pytest.raises(ParameterError, match=name):
        build()
