"""The numpy formulas behind DIC and LOO equal the PyMC likelihood that is sampled."""

import numpy as np
import pandas as pd
import pytest

from bayesnma import NMAModel, build_pymc_model, set_agd_arm, set_agd_contrast
from bayesnma.data import ARM_FORMATS
from bayesnma.likelihoods import CONTRAST_LIKELIHOOD, _binomial_deviance

ARMS = pd.DataFrame({"study": ["s1", "s1"], "treatment": ["A", "B"], "events": [5, 9],
                     "total": [40, 40], "follow_up": [2.0, 2.0], "person_time": [120.0, 100.0],
                     "mean": [1.2, 0.4], "se": [0.3, 0.25]})
COLUMNS = {"binary": ["events", "total"], "events_followup": ["events", "total", "follow_up"],
           "rate": ["events", "person_time"], "continuous": ["mean", "se"]}


@pytest.mark.parametrize("fmt", list(COLUMNS))
def test_loglik_equals_the_pymc_log_density(fmt):
    net = set_agd_arm(ARMS[["study", "treatment", *COLUMNS[fmt]]], format=fmt)
    pm_model = build_pymc_model(NMAModel(net, trt_effects="fixed", trt_ref="A"))
    point = pm_model.initial_point()
    point.update({"mu": np.array([-1.5]), "d": np.array([0.4])})
    want = pm_model.compile_logp(vars=[pm_model[f"y_{fmt}"]])(point)
    eta = np.array([-1.5, -1.1])
    lik = ARM_FORMATS[fmt].likelihood
    observed = net.arms["y" if fmt == "continuous" else "events"].to_numpy(dtype=float)
    data = {c: net.arms[c].to_numpy(dtype=float) for c in lik.columns}
    assert lik.loglik(observed, eta, data).sum() == pytest.approx(want)


@pytest.mark.parametrize("fmt", list(COLUMNS))
def test_deviance_is_zero_at_the_saturated_fit(fmt):
    lik = ARM_FORMATS[fmt].likelihood
    data = {c: ARMS[c].to_numpy(dtype=float) for c in ("total", "follow_up", "person_time", "se")}
    observed = ARMS["mean" if fmt == "continuous" else "events"].to_numpy(dtype=float)
    # Linear predictor whose fitted value is the observation.
    if fmt == "binary":
        eta = np.log(observed / (data["total"] - observed))
    elif fmt == "events_followup":
        eta = np.log(-np.log1p(-observed / data["total"])) - np.log(data["follow_up"])
    elif fmt == "rate":
        eta = np.log(observed / data["person_time"])
    else:
        eta = observed
    assert np.allclose(lik.fitted(eta, data), observed)
    assert np.allclose(lik.deviance(observed, eta, data), 0.0)


def test_binomial_deviance_handles_zero_events():
    assert _binomial_deviance(np.array([0.0]), np.array([10.0]), np.array([1.0]))[0] == \
        pytest.approx(2 * 10 * np.log(10 / 9))


def test_contrast_loglik_is_the_multivariate_normal_and_matches_pymc():
    from scipy.stats import multivariate_normal

    data = pd.DataFrame({"study": ["s1"] * 3, "treatment": ["A", "B", "C"],
                         "diff": [np.nan, -0.5, -0.2], "se": [0.3, 0.4, 0.45]})
    net = set_agd_contrast(data, measure="MD")
    pm_model = build_pymc_model(NMAModel(net, trt_effects="fixed", trt_ref="A"))
    point = pm_model.initial_point()
    point["d"] = np.array([-0.3, 0.1])
    sampled = pm_model.compile_logp(vars=[pm_model["y_contrast"]])(point)
    cov = CONTRAST_LIKELIHOOD.covariance([0.4, 0.45], 0.3)
    mvn = multivariate_normal([-0.3, 0.1], cov).logpdf([-0.5, -0.2])
    ours = CONTRAST_LIKELIHOOD.loglik(np.array([-0.5, -0.2]), np.array([-0.3, 0.1]),
                                      [0.4, 0.45], 0.3).sum()
    assert ours == pytest.approx(mvn) and sampled == pytest.approx(mvn)
