"""Priors as data (Prior, its families) and the default priors for the data (Priors.for_data)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bayesnma import ConfigError, HalfNormal, Normal, Priors, Uniform, set_agd_arm
from bayesnma.priors import FAMILIES, LogNormalVariance, LogTVariance, Prior

MMHG = pd.DataFrame({"study": ["s1", "s1", "s2", "s2"], "treatment": ["A", "B", "A", "B"],
                     "mean": [140.0, 130.0, 138.0, 129.0], "se": [2.0, 2.0, 2.5, 2.5]})


def test_unitless_scales_get_the_fixed_defaults(three_trt_arms):
    priors = Priors().for_data(set_agd_arm(three_trt_arms))
    assert priors == Priors(Normal(0, 10), Normal(0, 10), HalfNormal(1))


def test_mean_differences_get_priors_on_the_data_scale():
    priors = Priors().for_data(set_agd_arm(MMHG, format="continuous"))
    assert priors.trt == Normal(0, 100) and priors.intercept == Normal(0, 1400)
    assert priors.het == HalfNormal(10)
    assert "largest difference between arms 10, largest absolute arm mean 140" in priors.basis
    assert priors.describe()["priors' scale"] == priors.basis


def test_priors_given_are_kept():
    given = Priors(trt=Normal(0, 5), het=Uniform(0, 2))
    priors = given.for_data(set_agd_arm(MMHG, format="continuous"))
    assert priors.trt == Normal(0, 5) and priors.het == Uniform(0, 2)
    assert priors.intercept == Normal(0, 1400) and priors.basis.startswith("default intercept")


@pytest.mark.validation
def test_mmhg_difference_is_not_shrunk_by_the_default_priors():
    """Arms of 140 vs 130 mmHg: the difference is about -10 (it was -3.1 under Normal(0, 10)
    on the baselines)."""
    from bayesnma import NMAModel, SamplerSettings, fit

    model = NMAModel(set_agd_arm(MMHG, format="continuous"), trt_effects="fixed")
    idata = fit(model, SamplerSettings(draws=1000, tune=1000, random_seed=1))
    d = idata.posterior["d"].sel(treatment="B")
    # precision-weighted mean of -10 (SE 2.83) and -9 (SE 3.54): -9.61, SE 2.21
    assert abs(float(d.mean()) - -9.61) < 0.15 and abs(float(d.std()) - 2.21) < 0.1


def test_a_prior_is_a_family_and_its_parameters():
    prior = Prior("normal", sd=2.5)
    assert prior == Normal(0, 2.5) and prior.mean == 0.0 and str(prior) == (
        "Normal(mean=0, sd=2.5)")
    assert hash(prior) == hash(Normal(0.0, 2.5)) and prior != Prior("truncated_normal", sd=2.5)
    assert pickle.loads(pickle.dumps(prior)) == prior
    assert prior.to_config() == {"normal": {"mean": 0.0, "sd": 2.5}}
    with pytest.raises(AttributeError, match="immutable"):
        prior.sd = 3


def test_a_prior_refuses_unknown_families_parameters_and_values():
    with pytest.raises(ConfigError, match="unknown prior family 'gamma'"):
        Prior("gamma", shape=2)
    with pytest.raises(ConfigError, match="half_normal prior has no parameter sd"):
        Prior("half_normal", sd=1)
    with pytest.raises(ConfigError, match="Uniform prior needs upper > lower, got 2, 1"):
        Uniform(2, 1)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_density_and_quantiles_agree(family):
    """scipy gives both the density (overlap, plots) and the quantiles: the quantile at p has
    probability p under the density."""
    prior = Prior(family)
    q = prior.ppf([0.025, 0.5, 0.975])
    lo = -60.0 if not prior.positive else 1e-12
    for p, x in zip((0.025, 0.5, 0.975), q, strict=True):
        grid = np.linspace(lo, x, 200001) if not prior.positive else np.geomspace(lo, x, 200001)
        assert np.trapezoid(prior.pdf(grid), grid) == pytest.approx(p, abs=2e-4)


def test_variance_priors_are_on_log_tau_squared():
    assert LogNormalVariance(-2.0, 1.0).ppf(0.5) == pytest.approx(np.exp(-1.0))
    t_median = LogTVariance(-3.0, 2.0, 5.0).ppf([0.1, 0.5])
    assert t_median == pytest.approx(np.exp(stats.t(5, -3.0, 2.0).ppf([0.1, 0.5]) / 2))
