"""Default priors for the data (Priors.for_data)."""

import pandas as pd
import pytest

from bayesnma import HalfNormal, Normal, Priors, Uniform, set_agd_arm

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
