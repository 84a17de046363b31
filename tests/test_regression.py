import numpy as np
import pytest

import bayesnma as nma
from bayesnma.errors import ConfigError, NetworkError
from bayesnma.regression import Regression, estimable_regression


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
