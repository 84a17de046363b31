import numpy as np
import pandas as pd
import pytest

from bayesnma import (
    ConfigError,
    NetworkError,
    NMAModel,
    Priors,
    Uniform,
    build_pymc_model,
    combine_data,
    set_agd_arm,
    set_agd_contrast,
)
from bayesnma.prior_config import prior_from_config
from bayesnma.priors import HalfNormal


def test_design_sorts_baseline_first_and_correlates_multi_arm(three_trt_arms):
    model = NMAModel(set_agd_arm(three_trt_arms), trt_ref="B")
    des = model.design
    assert model.treatments == ["B", "A", "C"]
    # Study s1 arms (A, B) -> baseline B (index 0); s2 (A, B, C) -> baseline B.
    assert des.base_idx.tolist() == [0, 0, 0, 0, 0, 0, 0]
    assert des.nonbase.tolist() == [1, 3, 4, 6]
    # Three-arm study: rows of chol(0.5 (I + J)) for its two non-baseline arms.
    chol = np.linalg.cholesky(0.5 * (np.eye(2) + np.ones((2, 2))))
    np.testing.assert_allclose(des.chol_w[1:3], chol)
    cov = des.chol_w[1:3] @ des.chol_w[1:3].T
    np.testing.assert_allclose(cov, [[1.0, 0.5], [0.5, 1.0]])


def test_bad_trt_effects(three_trt_arms):
    with pytest.raises(ConfigError, match="trt_effects must be one of fixed, random"):
        NMAModel(set_agd_arm(three_trt_arms), trt_effects="mixed")


def test_model_refuses_disconnected_network():
    import pandas as pd

    net = set_agd_arm(pd.DataFrame({"study": ["a", "a", "b", "b"],
                                    "treatment": ["A", "B", "C", "D"],
                                    "events": [1, 2, 3, 4], "total": [9, 9, 9, 9]}))
    with pytest.raises(NetworkError, match="disconnected"):
        NMAModel(net)


def test_unknown_reference(three_trt_arms):
    with pytest.raises(NetworkError, match="valid treatments: A, B, C"):
        NMAModel(set_agd_arm(three_trt_arms), trt_ref="placebo")


def test_tsd_priors_and_config():
    tsd = Priors.tsd()
    assert tsd.het == Uniform(0, 5)
    assert tsd.trt.sd == 100
    assert prior_from_config({"half_normal": {"scale": 0.5}}, parameter="het",
                             allowed=("half_normal", "uniform")) == HalfNormal(0.5)
    with pytest.raises(ConfigError, match="'cauchy' is not allowed"):
        prior_from_config({"cauchy": {}}, parameter="het", allowed=("half_normal",))
    with pytest.raises(ConfigError, match="sd > 0"):
        prior_from_config({"normal": {"sd": 0}}, parameter="trt")


def test_pymc_model_structure(three_trt_arms):

    model = NMAModel(set_agd_arm(three_trt_arms), trt_effects="random")
    pm_model = build_pymc_model(model)
    assert {v.name for v in pm_model.free_RVs} == {"mu", "d", "tau", "z"}
    assert list(pm_model.coords["treatment"]) == ["B", "C"]
    fixed = build_pymc_model(NMAModel(set_agd_arm(three_trt_arms), trt_effects="fixed"))
    assert {v.name for v in fixed.free_RVs} == {"mu", "d"}
    # logp at the initial point is finite for both.
    assert np.isfinite(fixed.compile_logp()(fixed.initial_point()))


def _point(pm_model, **values):
    point = pm_model.initial_point()
    point.update({k: np.asarray(v, dtype=float) for k, v in values.items()})
    return point


def test_contrast_likelihood_is_the_multivariate_normal():
    from scipy.stats import multivariate_normal

    data = pd.DataFrame({"study": ["s1"] * 3 + ["s2"] * 2,
                         "treatment": ["A", "B", "C", "B", "C"],
                         "diff": [np.nan, -0.5, -0.2, np.nan, 0.4],
                         "se": [0.3, 0.4, 0.45, np.nan, 0.25]})
    model = NMAModel(set_agd_contrast(data, measure="MD"), trt_effects="fixed", trt_ref="A")
    pm_model = build_pymc_model(model)
    d = np.array([-0.3, 0.1])
    logp = pm_model.compile_logp(vars=[pm_model["y_contrast"]])(_point(pm_model, d=d))
    cov = np.array([[0.4**2, 0.3**2], [0.3**2, 0.45**2]])
    want = (multivariate_normal([d[0], d[1]], cov).logpdf([-0.5, -0.2])
            + multivariate_normal(d[1] - d[0], 0.25**2).logpdf(0.4))
    assert logp == pytest.approx(want)


@pytest.mark.parametrize("fmt", ["events_followup", "rate"])
def test_cloglog_and_poisson_likelihoods(fmt):
    from scipy.stats import binom, poisson

    data = pd.DataFrame({"study": ["s1", "s1"], "treatment": ["A", "B"], "events": [5, 9],
                         "total": [40, 40], "follow_up": [2.0, 2.0],
                         "person_time": [120.0, 100.0]})
    cols = (["events", "total", "follow_up"] if fmt == "events_followup"
            else ["events", "person_time"])
    net = set_agd_arm(data[["study", "treatment", *cols]], format=fmt)
    pm_model = build_pymc_model(NMAModel(net, trt_effects="fixed", trt_ref="A"))
    mu, d = -2.0, 0.4
    logp = pm_model.compile_logp(vars=[pm_model[f"y_{fmt}"]])(
        _point(pm_model, mu=[mu], d=[d]))
    eta = np.array([mu, mu + d])
    if fmt == "events_followup":
        p = 1 - np.exp(-np.exp(eta + np.log(2.0)))
        want = binom.logpmf([5, 9], 40, p).sum()
    else:
        want = poisson.logpmf([5, 9], np.array([120.0, 100.0]) * np.exp(eta)).sum()
    assert logp == pytest.approx(want)


def test_mixed_model_shares_effects_across_forms():
    arms = set_agd_arm(pd.DataFrame({"study": ["o", "o"], "treatment": ["B", "C"],
                                     "median": [6.0, 9.0], "lower": [4.0, 6.0],
                                     "upper": [9.0, 13.0]}), format="median")
    cons = set_agd_contrast(pd.DataFrame({"study": ["r", "r"], "treatment": ["A", "B"],
                                          "ratio": [np.nan, 0.6], "lower": [np.nan, 0.5],
                                          "upper": [np.nan, 0.75]}), measure="HR")
    model = NMAModel(combine_data(arms, cons), trt_effects="random", trt_ref="A")
    pm_model = build_pymc_model(model)
    assert model.measure == "HR"
    assert list(pm_model.coords["treatment"]) == ["B", "C"]
    assert list(pm_model.coords["study"]) == ["o"]  # baselines only for arm-level studies
    assert list(pm_model.coords["contrast"]) == ["r | B"]
    assert {v.name for v in pm_model.observed_RVs} == {"y_median", "y_contrast"}
    assert "normal (median)" in model.likelihood and "normal (contrast)" in model.likelihood


def test_the_structured_terms_give_their_parameters_and_descriptions(three_trt_arms):
    from bayesnma.baselines import BaselineModel
    from bayesnma.classes import ClassEffects

    model = NMAModel(set_agd_arm(three_trt_arms), trt_ref="A",
                     baseline=BaselineModel("exchangeable"),
                     class_effects=ClassEffects({"A": "ctl", "B": "act", "C": "act"}))
    assert [type(t).__name__ for t in model.terms] == ["BaselineModel", "ClassEffects"]
    names = [p.name for p in model.parameters]
    # class effects build d; the baselines come after the random effects they depend on
    assert names.index("d") < names.index("tau") < names.index("baseline_mean")
    assert names[-1] == "mu"
    info = model.describe()
    assert info["baseline"].startswith("exchangeable baselines")
    assert info["class_effects"].startswith("exchangeable class effects over 1 class mean")
