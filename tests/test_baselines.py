import numpy as np
import pandas as pd
import pytest

import bayesnma as nma
from bayesnma.baselines import BaselineModel
from bayesnma.errors import ConfigError, DataValidationError, NetworkError

EXCHANGEABLE = BaselineModel("exchangeable")


def _arms(rows):
    return pd.DataFrame(rows, columns=["study", "treatment", "events", "total", "line"])


ARMS = _arms([("s1", "A", 5, 50, "x"), ("s1", "B", 9, 50, "x"),
              ("s2", "B", 8, 40, "y"), ("s2", "C", 12, 40, "y"),
              ("s3", "C", 20, 60, "y")])


def test_exchangeable_baselines_declare_their_parameters():
    net = nma.set_agd_arm(ARMS, allow_single_arm=True)
    model = nma.NMAModel(net, trt_ref="A", baseline=EXCHANGEABLE)
    params = {p.name: p for p in model.parameters}
    assert {"baseline_mean", "baseline_sd", "baseline_z", "mu"} <= set(params)
    assert params["baseline_z"].coords == ("s1", "s2", "s3")
    # Random effects on the baseline arm only where it is not the reference treatment.
    assert params["baseline_arm_z"].coords == ("s2", "s3")
    assert [p.name for p in model.parameters][-1] == "mu"
    fixed = nma.NMAModel(net, trt_ref="A", trt_effects="fixed", baseline=EXCHANGEABLE)
    assert "baseline_arm_z" not in {p.name for p in fixed.parameters}


def test_every_arm_off_the_reference_has_a_random_effect_correlated_half():
    """As in multinma: eta = alpha + d[t] + delta[t], delta ~ N(0, tau^2), correlation 0.5
    within a study, for every arm not on the reference (also a study's baseline arm)."""
    import pymc as pm

    from bayesnma.pymc_backend import build_pymc_model

    net = nma.set_agd_arm(ARMS, allow_single_arm=True)
    pm_model = build_pymc_model(nma.NMAModel(net, trt_ref="A", baseline=EXCHANGEABLE))
    names = ["eta", "baseline_mean", "baseline_sd", "baseline_z", "d", "tau"]
    eta, m, sd, z, d, tau = pm.draw([pm_model[n] for n in names], draws=20000, random_seed=1)
    alpha = m[:, None] + sd[:, None] * z  # per study s1, s2, s3
    arms = [("s2", "B", 1, 0), ("s2", "C", 1, 1), ("s3", "C", 2, 1)]  # study, trt, s, d index
    coords = list(pm_model.coords["arm"])
    re = {(s, t): (eta[:, coords.index(f"{s} | {t}")] - alpha[:, k] - d[:, j]) / tau
          for s, t, k, j in arms}
    assert np.var(re[("s2", "B")]) == pytest.approx(1, abs=0.05)
    assert np.var(re[("s3", "C")]) == pytest.approx(1, abs=0.05)
    assert np.corrcoef(re[("s2", "B")], re[("s2", "C")])[0, 1] == pytest.approx(0.5, abs=0.03)


def test_single_arm_studies_need_to_be_allowed():
    with pytest.raises(DataValidationError, match="single-arm study 's3' \\(row 6\\).*"
                       "allow_single_arm: true, baseline: \\{model: exchangeable\\}"):
        nma.set_agd_arm(ARMS)


def test_single_arm_studies_need_exchangeable_baselines():
    net = nma.set_agd_arm(ARMS, allow_single_arm=True)
    assert net.single_arm_studies == ["s3"]
    with pytest.raises(NetworkError, match="single-arm study s3: with independent baselines "
                       "a study with one arm informs no relative effect"):
        nma.NMAModel(net, trt_ref="A")


def test_a_separate_part_with_arms_is_placed_by_exchangeable_baselines():
    net = nma.set_agd_arm(pd.concat([ARMS, _arms([("s4", "D", 3, 30, "x"),
                                                  ("s4", "E", 6, 30, "x")])]),
                          allow_single_arm=True)
    with pytest.raises(NetworkError, match="disconnected"):
        nma.NMAModel(net, trt_ref="A")
    model = nma.NMAModel(net, trt_ref="A", baseline=EXCHANGEABLE)
    assert model.treatments == ["A", "B", "C", "D", "E"]


def test_a_separate_part_with_contrasts_only_cannot_be_placed():
    arms = nma.set_agd_arm(ARMS, allow_single_arm=True)
    con = nma.set_agd_contrast(pd.DataFrame({"study": ["s9", "s9"], "treatment": ["D", "E"],
                                             "diff": [None, 0.3], "se": [None, 0.2]}),
                               measure="OR", source="c.csv")
    with pytest.raises(NetworkError, match="no evidence or assumption links \\{D, E\\} to "
                       "the reference A. A separate part is placed by exchangeable baselines"):
        nma.NMAModel(nma.combine_data(arms, con), trt_ref="A", baseline=EXCHANGEABLE)


def test_baseline_covariates_are_centred_or_coded():
    from bayesnma.baselines import baseline_covariates

    net = nma.set_agd_arm(ARMS, allow_single_arm=True)
    terms, x = baseline_covariates(BaselineModel("exchangeable", covariates=("line",)), net,
                                   ["s1", "s2", "s3"])
    assert terms == ("line: x",) and x[:, 0].tolist() == [1, 0, 0]  # y is the most common


def test_baseline_settings_are_checked():
    with pytest.raises(ConfigError, match="baseline.model must be one of independent, "
                       "exchangeable"):
        BaselineModel("random")
    with pytest.raises(ConfigError, match="baseline.covariates need baseline.model: "
                       "exchangeable"):
        BaselineModel(covariates=("line",))
