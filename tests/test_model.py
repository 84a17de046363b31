import numpy as np
import pytest

from bayesnma import ConfigError, NetworkError, NMAModel, Priors, Uniform, set_agd_arm
from bayesnma.priors import HalfNormal, prior_from_config


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
    from bayesnma import build_pymc_model

    model = NMAModel(set_agd_arm(three_trt_arms), trt_effects="random")
    pm_model = build_pymc_model(model)
    assert {v.name for v in pm_model.free_RVs} == {"mu", "d", "tau", "z"}
    assert list(pm_model.coords["treatment"]) == ["B", "C"]
    fixed = build_pymc_model(NMAModel(set_agd_arm(three_trt_arms), trt_effects="fixed"))
    assert {v.name for v in fixed.free_RVs} == {"mu", "d"}
    # logp at the initial point is finite for both.
    assert np.isfinite(fixed.compile_logp()(fixed.initial_point()))
