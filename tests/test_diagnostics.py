import numpy as np
import pytest
from arviz_base import from_dict

import bayesnma as nma
from bayesnma import check_convergence
from bayesnma.diagnostics import prior_overlap, remedies
from bayesnma.priors import HalfNormal, Normal
from bayesnma.testing import synthetic_idata


def test_converged_fit_passes():
    conv = check_convergence(synthetic_idata({"B": 0.5}, chains=4, draws=1000))
    assert conv.converged and conv.problems == ()
    assert list(conv.table["parameter"]) == ["d[B]"]


def test_chains_that_disagree_fail_with_reasons():
    rng = np.random.default_rng(1)
    d = rng.normal(size=(2, 300, 1)) + np.array([0.0, 3.0])[:, None, None]
    diverging = np.zeros((2, 300), bool)
    diverging[0, :3] = True
    idata = from_dict({"posterior": {"d": d}, "sample_stats": {"diverging": diverging}},
                      coords={"treatment": ["B"]}, dims={"d": ["treatment"]})
    conv = check_convergence(idata)
    assert not conv.converged
    assert conv.n_divergent == 3
    text = "; ".join(conv.problems)
    assert "R-hat" in text and "ess_bulk" in text and "3 divergent transitions" in text
    assert conv.summary().loc[0, "converged"] == False  # noqa: E712


def _funnel(diverging: int, tau_shift: float = 2.0):
    """Chains that disagree on tau (role heterogeneity) by ``tau_shift`` and agree on d."""
    rng = np.random.default_rng(2)
    tau = np.abs(rng.normal(size=(2, 300))) + np.array([0.0, tau_shift])[:, None]
    d = rng.normal(size=(2, 300, 1))
    div = np.zeros((2, 300), bool)
    div[0, :diverging] = True
    idata = from_dict({"posterior": {"d": d, "tau": tau}, "sample_stats": {"diverging": div}},
                      coords={"treatment": ["B"]}, dims={"d": ["treatment"]})
    idata.posterior["tau"].attrs["role"] = "heterogeneity"
    idata.posterior["d"].attrs["role"] = "trt_effect"
    return idata


def test_remedies_name_the_failing_parameters_and_what_their_role_needs():
    conv = check_convergence(_funnel(diverging=0))
    text = remedies(conv)
    assert text.startswith("Parameters that failed R-hat or ESS: tau (R-hat ")
    assert "d[B]" not in text
    assert "a more informative prior on tau (priors.het" in text
    assert "more draws (sampler.draws)" in text


def test_remedies_for_divergences_point_at_the_variance_parameters():
    idata = _funnel(diverging=2, tau_shift=0.0)
    conv = check_convergence(idata, nma.ConvergenceCriteria(min_ess_bulk=0, min_ess_tail=0))
    assert conv.diverged and conv.mixing_problems == ()
    text = remedies(conv)
    assert "failed R-hat" not in text and "more draws" not in text
    assert text == ("What to try: a more informative prior on tau (priors.het, e.g. an "
                    "empirical one: {turner: ...} for binary outcomes, {rhodes: ...} for SMDs) "
                    "or fixed effects (trt_effects: fixed).")
    assert remedies(check_convergence(synthetic_idata({"B": 0.5}, draws=1000))) == ""


def test_contrast_residual_deviance_is_the_quadratic_form():
    import xarray as xr

    from bayesnma.diagnostics.fit import _contrast_deviance

    const = xr.Dataset({
        "contrast_y": ("contrast", [-0.5, -0.2, 0.4]),
        "contrast_se": ("contrast", [0.4, 0.45, 0.25]),
        "contrast_se_base": ("contrast", [0.3, 0.3, np.nan]),
        "contrast_study": ("contrast", ["s1", "s1", "s2"]),
    })
    theta = np.array([[[-0.3, 0.1, 0.2]]])  # (chain, draw, contrast)
    dev = _contrast_deviance(theta, const)
    cov = np.array([[0.16, 0.09], [0.09, 0.2025]])
    r = np.array([-0.2, -0.3])
    assert dev[0, 0, :2].sum() == pytest.approx(r @ np.linalg.solve(cov, r))
    assert dev[0, 0, 2] == pytest.approx((0.2 / 0.25) ** 2)


@pytest.mark.parametrize(
    ("draws", "prior"),
    [(np.random.default_rng(1).normal(0.5, 0.3, 8000), Normal(0, 1)),
     (np.random.default_rng(2).normal(3, 2, 4000), Normal(0, 1)),
     (np.random.default_rng(3).lognormal(-1, 0.3, 8000), HalfNormal(1))],
    ids=["normal", "normal-far", "positive"],
)
def test_prior_overlap_matches_an_exact_kernel_density(draws, prior):
    from scipy.stats import gaussian_kde

    x = np.log(draws) if prior.positive else draws
    grid = np.linspace(x.min() - 3, x.max() + 3, 20000)
    prior_dens = (prior.pdf(np.exp(grid)) * np.exp(grid) if prior.positive
                  else prior.pdf(grid))
    exact = np.trapezoid(np.minimum(gaussian_kde(x)(grid), prior_dens), grid)
    assert prior_overlap(draws, prior) == pytest.approx(exact, abs=0.002)


def test_single_precision_linear_predictors_give_finite_likelihoods_far_from_zero():
    """fit stores eta in float32, where expit(17) is exactly 1; the likelihoods must work
    in double precision (an arm with 99 of 100 events stays finite)."""
    import xarray as xr

    from bayesnma.diagnostics import pointwise_log_likelihood, residual_deviance

    eta = np.full((1, 2, 2), 17.0, dtype=np.float32)
    eta[..., 1] = 4.6
    arm = ["s1 | A", "s1 | B"]
    tree = xr.DataTree.from_dict({
        "posterior": xr.Dataset({"eta": (("chain", "draw", "arm"), eta)},
                                coords={"chain": [0], "draw": [0, 1], "arm": arm}),
        "constant_data": xr.Dataset({
            "arm_format": ("arm", ["binary", "binary"]), "study": ("arm", ["s1", "s1"]),
            "arm_treatment": ("arm", ["A", "B"]), "total": ("arm", [100.0, 100.0]),
            "follow_up": ("arm", [np.nan] * 2), "person_time": ("arm", [np.nan] * 2),
            "se": ("arm", [np.nan] * 2)}, coords={"arm": arm}),
        "observed_data": xr.Dataset({"y_binary": ("arm_binary", [99.0, 99.0])}),
    })
    assert np.isfinite(pointwise_log_likelihood(tree).values).all()
    assert np.isfinite(residual_deviance(tree)[["resdev", "leverage"]]).all().all()


def test_a_parameter_whose_chains_never_moved_fails_by_name():
    idata = _funnel(diverging=0, tau_shift=0.0)
    idata.posterior["tau"] = idata.posterior["tau"] * 0 + 0.5
    conv = check_convergence(idata)
    assert not conv.converged
    assert conv.problems[0] == "R-hat undefined (constant draws) (tau)"
    assert conv.mixing_problems == conv.problems[:1]
    assert remedies(conv).startswith("Parameters that failed R-hat or ESS: tau (R-hat nan")


def test_an_effect_the_data_do_not_bound_is_flagged_as_set_by_the_prior():
    import json

    from bayesnma.diagnostics import prior_set_effects

    # B: separated arms leave its log OR where the Normal(0, 10) prior puts it (SD 5);
    # C: informed by the data (SD 0.1)
    idata = synthetic_idata({"B": 12.0, "C": 0.5}, trt_ref="A", sd=0.1, draws=2000)
    d = idata.posterior["d"]
    rng = np.random.default_rng(1)
    b = d.sel(treatment="B")
    d.loc[{"treatment": "B"}] = 12.0 + 5.0 * rng.standard_normal(b.shape)
    d.attrs["prior"] = json.dumps({"normal": {"mean": 0, "sd": 10}})
    table = prior_set_effects(idata).set_index("treatment")
    assert table.loc["B", "prior_set"] and not table.loc["C", "prior_set"]
    assert table.loc["B", "sd_ratio"] == pytest.approx(0.5, abs=0.03)
    assert table.loc["B", "halved_prior"] == "Normal(mean=0, sd=5)"
    # a prior half as wide pulls B towards 0 (the weights N(0, 5) / N(0, 10) are a normal
    # of variance 100 / 3: with N(12, 5^2) the product centres at 6.9) and leaves C where
    # the data put it
    assert table.loc["B", "median_halved"] == pytest.approx(12 * (100 / 3) / (25 + 100 / 3),
                                                            abs=0.4)
    assert table.loc["C", "median_halved"] == pytest.approx(0.5, abs=0.01)
    assert 0 < table.loc["B", "ess_halved"] < 4000


def test_without_a_fixed_prior_on_d_nothing_is_flagged():
    from bayesnma.diagnostics import prior_set_effects

    assert prior_set_effects(synthetic_idata({"B": 12.0}, trt_ref="A", sd=5.0)).empty
