import json

import numpy as np
import pytest
from scipy import stats

from bayesnma.config import analysis_config, validate_config
from bayesnma.diagnostics import posterior_prior, prior_overlap, prior_quantiles, prior_verdict
from bayesnma.errors import ConfigError
from bayesnma.het_priors import het_prior_table, named_het_prior
from bayesnma.prior_config import prior_attrs, prior_from_config, prior_to_config
from bayesnma.priors import (
    HalfCauchy,
    HalfNormal,
    LogNormalVariance,
    LogTVariance,
    Uniform,
)

PRIORS = [HalfNormal(1.0), HalfCauchy(0.5), Uniform(0, 5), LogNormalVariance(-3.95, 1.34),
          LogTVariance(-3.44, 2.59)]


def test_turner_2015_cell_by_short_name_and_by_published_label():
    short = named_het_prior("turner", outcome="all-cause mortality",
                            comparison="pharmacological vs placebo")
    published = named_het_prior("turner", outcome="All-cause mortality",
                                comparison="Pharmacological vs. placebo / control")
    assert short == published
    assert (short.mean, short.sd) == (-3.95, 1.34)
    assert "Turner et al. 2015" in short.source


def test_turner_marginal_2012_and_rhodes():
    assert (named_het_prior("turner").mean, named_het_prior("turner").sd) == (-2.56, 1.74)
    old = named_het_prior("turner", outcome="semi-objective", comparison="pharma-pharma",
                          version=2012)
    assert (old.mean, old.sd) == (-3.23, 1.88)
    general = named_het_prior("rhodes")
    assert general.family == "log_t" and (general.location, general.scale) == (-3.44, 2.59)
    cancer = named_het_prior("rhodes", outcome="mental health",
                             comparison="pharmacological vs placebo", area="cancer")
    assert (cancer.location, cancer.scale) == (-0.43, 2.28)


def test_flagged_rhodes_cells_follow_the_additive_model():
    mh = named_het_prior("rhodes", outcome="mental health", comparison="non-pharmacological")
    assert mh.location == -2.85
    table = het_prior_table()
    rhodes = table[table["table"] == "rhodes"].set_index(["outcome", "comparison", "area"])
    # Non-pharmacological minus pharmacological-vs-placebo is the same in every row.
    shift = (rhodes.xs("non-pharmacological", level="comparison")["location"]
             - rhodes.xs("pharmacological vs placebo", level="comparison")["location"])
    assert np.allclose(shift.dropna(), 0.14, atol=0.011)
    # And each medical area is a shift of the same table (Table 3 = "other").
    for area, step in (("respiratory", -1.91), ("cancer", 2.56)):
        gap = rhodes.xs(area, level="area")["location"] - rhodes.xs("other", level="area")[
            "location"]
        assert np.allclose(gap, step, atol=0.021), gap[~np.isclose(gap, step, atol=0.021)]
    resource = named_het_prior("rhodes", outcome="resource use",
                               comparison="pharmacological vs placebo", area="cancer")
    assert resource.location == 0.01
    structure = named_het_prior("rhodes", outcome="structure-related",
                                comparison="pharmacological vs placebo", area="cancer")
    assert structure.location == 0.13


def test_unknown_outcome_lists_the_valid_names():
    with pytest.raises(ConfigError, match="unknown outcome 'tumour response'; valid outcomes: "
                       "all-cause mortality; obstetric;"):
        named_het_prior("turner", outcome="tumour response", comparison="any")


def test_unknown_comparison_and_area_list_the_valid_names():
    with pytest.raises(ConfigError, match="unknown comparison 'drug vs drug'.*pharmacological "
                       "vs pharmacological"):
        named_het_prior("turner", outcome="pain", comparison="drug vs drug")
    with pytest.raises(ConfigError, match="unknown area 'cardiology'.*respiratory"):
        named_het_prior("rhodes", outcome="pain", comparison="any", area="cardiology")


def test_named_prior_by_config_fails_before_sampling():
    config = {"analyses": {"a": {"data": "x.csv", "priors": {"het": {"turner": {
        "outcome": "response", "comparison": "pharmacological vs placebo"}}}}}}
    settings = validate_config(config)["a"]
    with pytest.raises(ConfigError, match="priors.het.turner: unknown outcome 'response'"):
        analysis_config("a", settings)


def test_named_prior_by_config():
    config = {"analyses": {"a": {"data": "x.csv", "priors": {"het": {"turner": {
        "outcome": "all-cause mortality", "comparison": "pharmacological vs placebo"}}}}}}
    cfg = analysis_config("a", validate_config(config)["a"])
    assert cfg.priors.het == LogNormalVariance(-3.95, 1.34, source=cfg.priors.het.source)


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_prior_density_integrates_to_one_and_round_trips(prior):
    grid = np.linspace(-14, 6, 40001)
    mass = np.trapezoid(prior.pdf(np.exp(grid)) * np.exp(grid), grid)
    assert mass == pytest.approx(1.0, abs=2e-3)
    assert prior_from_config(prior_to_config(prior), parameter="het",
                             allowed=tuple(prior_to_config(prior))) == prior


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_backend_log_density_matches_prior_density(prior):
    """The PyMC variable and the density used for plots and overlap are the same prior."""
    import pymc as pm

    with pm.Model():
        tau_rv = prior.to_pymc("tau")
    for tau in (0.05, 0.3, 1.2):
        logp = pm.logp(tau_rv, np.float64(tau)).eval()
        assert logp == pytest.approx(np.log(prior.pdf(tau)), abs=1e-6)


def test_log_normal_on_variance_is_log_normal_on_sd():
    prior = LogNormalVariance(-2.0, 1.0)
    q = prior_quantiles(prior, [0.025, 0.5, 0.975])
    z = stats.norm.ppf([0.025, 0.5, 0.975])
    assert q == pytest.approx(np.exp((-2.0 + z) / 2), rel=1e-12)  # exact (scipy), not a grid


def test_prior_overlap_is_one_for_prior_draws_and_small_for_a_sharp_posterior():
    rng = np.random.default_rng(1)
    prior = HalfNormal(1.0)
    assert prior_overlap(np.abs(rng.normal(0, 1, 8000)), prior) == pytest.approx(1.0, abs=0.04)
    assert prior_overlap(rng.normal(0.5, 0.01, 8000), prior) < 0.05
    assert prior_verdict(0.95).startswith("posterior is essentially the prior")
    assert prior_verdict(0.5).startswith("weakly informed")
    assert prior_verdict(0.1).startswith("informed by the data")


def test_posterior_prior_reads_the_recorded_prior():
    import xarray as xr

    prior = named_het_prior("turner", outcome="pain", comparison="pharmacological vs placebo")
    tau = xr.DataArray(np.ones((1, 5)), dims=("chain", "draw"), attrs=prior_attrs(prior))
    idata = xr.DataTree.from_dict({"posterior": xr.Dataset({"tau": tau})})
    assert posterior_prior(idata, "tau") == prior
    assert json.loads(tau.attrs["prior"]) == {"log_normal": {"mean": -1.83, "sd": 1.52,
                                                             "source": prior.source}}
