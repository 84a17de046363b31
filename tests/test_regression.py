import numpy as np
import pytest

import bayesnma as nma
from bayesnma.errors import ConfigError, NetworkError
from bayesnma.regression import Regression, covariate_settings, estimable_regression


def _network(three_trt_arms, **extra):
    frame = three_trt_arms.assign(**extra)
    return nma.set_agd_arm(frame, source="arms.csv")


def test_continuous_covariate_is_centred_at_its_mean_over_studies(three_trt_arms):
    net = _network(three_trt_arms, year=[2000, 2000, 2010, 2010, 2010, 2020, 2020])
    model = nma.NMAModel(net, trt_ref="A", regression=Regression(covariates=("year",)))
    reg = model.regression_design
    assert reg.terms == ("year",) and reg.info[0]["centre"] == pytest.approx(2010)
    assert np.allclose(reg.x[:, 0], [-10, 0, 10])
    names = [p.name for p in model.parameters]
    assert "beta" in names and "beta_trt" in names


def test_categorical_covariate_gets_one_term_per_non_reference_level(three_trt_arms):
    net = _network(three_trt_arms)  # prior_therapy: x, y, x (x, the most common, is reference)
    model = nma.NMAModel(net, trt_ref="A", regression=Regression(
        covariates=("prior_therapy",), interactions="independent"))
    assert model.regression_design.terms == ("prior_therapy: y",)
    assert np.allclose(model.regression_design.x[:, 0], [0, 1, 0])
    beta = next(p for p in model.parameters if p.name == "beta")
    assert beta.coords == ("B | prior_therapy: y", "C | prior_therapy: y")


def test_covariate_varying_within_a_study_is_an_error(three_trt_arms):
    net = _network(three_trt_arms, age=[50, 51, 60, 60, 60, 70, 70])
    with pytest.raises(NetworkError, match="covariate 'age' differs between the arms of study "
                       "'s1' \\(50, 51\\)"):
        _ = nma.NMAModel(net, trt_ref="A", regression=Regression(covariates=("age",))).parameters


def test_unknown_covariate_names_the_carried_columns(three_trt_arms):
    net = _network(three_trt_arms)
    with pytest.raises(NetworkError, match="covariate 'latitude' is not a column"):
        _ = nma.NMAModel(net, trt_ref="A",
                         regression=Regression(covariates=("latitude",))).parameters


def test_constant_covariate_is_dropped_per_component_with_a_note(three_trt_arms):
    net = _network(three_trt_arms).subset(["s1", "s3"])  # both prior_therapy x
    reg, notes = estimable_regression(Regression(covariates=("prior_therapy",)), net)
    assert reg is None and "has one value (x) in every study" in notes[0]


def test_regression_needs_a_term_and_a_known_interaction():
    with pytest.raises(ConfigError, match="needs covariates or baseline_risk"):
        Regression()
    with pytest.raises(ConfigError, match="interactions must be one of shared"):
        Regression(covariates=("x",), interactions="pooled")


def test_ume_with_regression_is_refused(three_trt_arms):
    with pytest.raises(ConfigError, match="not to unrelated mean effects"):
        nma.NMAModel(_network(three_trt_arms), consistency="ume",
                     regression=Regression(covariates=("prior_therapy",)))


INFO = [{"term": "prior_therapy: lenvatinib", "covariate": "prior_therapy",
         "kind": "categorical", "centre": "sorafenib", "level": "lenvatinib"},
        {"term": "prior_therapy: atezo-bev", "covariate": "prior_therapy",
         "kind": "categorical", "centre": "sorafenib", "level": "atezo-bev"},
        {"term": "age", "covariate": "age", "kind": "continuous", "centre": 60.0, "level": ""}]


def test_settings_default_to_the_reference_then_each_other_level():
    settings = covariate_settings(INFO)
    assert settings == [
        ("prior_therapy = sorafenib, age = 60", {}),
        ("prior_therapy = lenvatinib, age = 60", {"prior_therapy: lenvatinib": 1.0}),
        ("prior_therapy = atezo-bev, age = 60", {"prior_therapy: atezo-bev": 1.0})]


def test_settings_at_chosen_levels_and_continuous_values():
    settings = dict(covariate_settings(INFO, {"prior_therapy": ["atezo-bev"], "age": [70]}))
    assert list(settings) == ["prior_therapy = sorafenib, age = 60",
                              "prior_therapy = atezo-bev, age = 60",
                              "prior_therapy = sorafenib, age = 70"]
    assert settings["prior_therapy = sorafenib, age = 70"] == {"age": pytest.approx(10.0)}


def test_setting_at_an_unknown_level_lists_the_levels():
    with pytest.raises(ConfigError, match="regression.at: regorafenib is not a level of "
                       "prior_therapy \\(levels: atezo-bev, lenvatinib, sorafenib\\)"):
        covariate_settings(INFO, {"prior_therapy": ["regorafenib"]})


def test_setting_of_a_continuous_covariate_must_be_a_number():
    with pytest.raises(ConfigError, match="regression.at: age is continuous; 'old' is not a "
                       "number"):
        covariate_settings(INFO, {"age": ["old"]})


def test_setting_of_a_covariate_not_in_the_regression():
    with pytest.raises(ConfigError, match="regression.at: latitude is not a covariate"):
        Regression(covariates=("age",), at={"latitude": [10]})


def test_unknown_level_in_at_fails_when_the_model_is_built(three_trt_arms):
    net = _network(three_trt_arms)
    model = nma.NMAModel(net, trt_ref="A", regression=Regression(
        covariates=("prior_therapy",), at={"prior_therapy": ["z"]}))
    with pytest.raises(ConfigError, match="z is not a level of prior_therapy"):
        _ = model.parameters


def test_effects_at_a_setting_add_the_interaction():
    from arviz_base import from_dict

    rng = np.random.default_rng(1)
    d = rng.normal([0.5, 1.0], 0.1, size=(2, 300, 2))
    beta = np.broadcast_to(np.array([0.4, -0.2])[:, None], (2, 300, 2, 1)).copy()
    idata = from_dict({"posterior": {"d": d, "beta_trt": beta}},
                      coords={"treatment": ["B", "C"], "regression_term": ["prior_therapy: y"]},
                      dims={"d": ["treatment"], "beta_trt": ["treatment", "regression_term"]})
    idata.posterior.attrs.update({"trt_ref": "A", "measure": "OR"})
    at_y = nma.treatment_effects(idata, at={"prior_therapy: y": 1.0})
    assert at_y["treatment"].values.tolist() == ["A", "B", "C"]
    assert np.allclose(at_y.sel(treatment=["B", "C"]).values, d + [0.4, -0.2])
    assert np.allclose(nma.treatment_effects(idata).sel(treatment=["B", "C"]).values, d)
    ranks = nma.posterior_ranks(idata, lower_better=False, effects=at_y).set_index("treatment")
    assert ranks.loc["B", "median_rank"] == 1  # at y, B (0.9) overtakes C (0.8)
    plain = nma.posterior_ranks(idata, lower_better=False).set_index("treatment")
    assert plain.loc["C", "median_rank"] == 1
    with pytest.raises(ValueError, match="not regression terms of this model: age"):
        nma.treatment_effects(idata, at={"age": 1.0})
