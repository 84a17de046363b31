"""Validation of the class bridge: a disconnected network placed by exchangeable class
effects, against the exact posterior of the same model.

With contrast data (normal likelihood) and fixed treatment effects, the class model is a
linear Gaussian model given the class SD: the posterior of every effect is Gaussian given
the SD, and the SD's posterior follows from the marginal likelihood on a grid. This is the
model the HCC analyses bridge their components with (config/config.yaml), checked on data
where one component (T6 vs T7) never meets the reference.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import bayesnma as nma
from bayesnma.classes import ClassEffects
from bayesnma.priors import HalfNormal, Normal

pytestmark = pytest.mark.validation

TOL = 0.05
MEAN_PRIOR_SD = 10.0
SD_PRIOR_SCALE = 0.5


def _bridge_data(seed=11):
    """Five class members each against placebo; T6 vs T7 in a separate component. True
    member effects drawn around a class mean of -0.5 with SD 0.3."""
    rng = np.random.default_rng(seed)
    truth = -0.5 + 0.3 * rng.standard_normal(7)
    rows, obs = [], []
    for k in range(5):
        se = 0.12 + 0.04 * k
        y = truth[k] + se * rng.standard_normal()
        rows += [{"study": f"S{k + 1}", "treatment": "P", "diff": np.nan, "se": np.nan},
                 {"study": f"S{k + 1}", "treatment": f"T{k + 1}", "diff": y, "se": se}]
        obs.append((k, None, y, se))
    se = 0.15
    y = truth[6] - truth[5] + se * rng.standard_normal()
    rows += [{"study": "S6", "treatment": "T6", "diff": np.nan, "se": np.nan},
             {"study": "S6", "treatment": "T7", "diff": y, "se": se}]
    obs.append((6, 5, y, se))
    return pd.DataFrame(rows), obs


def _exact_posterior(obs, n_members=7):
    """Posterior mean, SD and 95% limits of each member's effect and the class mean,
    mixing the Gaussian posterior given the class SD over a grid of SDs."""
    grid = np.linspace(1e-4, 3.0, 3000)
    a = np.zeros((len(obs), n_members + 1))  # columns: class mean, d_1..d_7
    for i, (trt, ctl, _, _) in enumerate(obs):
        a[i, trt + 1] = 1.0
        if ctl is not None:
            a[i, ctl + 1] = -1.0
    y = np.array([o[2] for o in obs])
    s = np.diag([o[3] ** 2 for o in obs])
    means, variances, log_w = [], [], []
    for sd in grid:
        cov = np.full((n_members + 1, n_members + 1), MEAN_PRIOR_SD**2)
        cov[1:, 1:] += sd**2 * np.eye(n_members)
        cov_y = a @ cov @ a.T + s
        gain = cov @ a.T @ np.linalg.inv(cov_y)
        means.append(gain @ y)
        variances.append(np.diag(cov - gain @ a @ cov))
        log_w.append(stats.multivariate_normal(np.zeros(len(y)), cov_y).logpdf(y)
                     + stats.halfnorm(scale=SD_PRIOR_SCALE).logpdf(sd))
    w = np.exp(np.array(log_w) - max(log_w))
    w /= w.sum()
    means, sds = np.array(means), np.sqrt(np.array(variances))
    out = {}
    x = np.linspace(-4, 3, 14001)
    for j, name in enumerate(["class", *[f"T{k + 1}" for k in range(n_members)]]):
        mean = w @ means[:, j]
        sd = np.sqrt(w @ (sds[:, j] ** 2 + means[:, j] ** 2) - mean**2)
        cdf = stats.norm.cdf((x[:, None] - means[:, j]) / sds[:, j]) @ w
        out[name] = {"mean": mean, "sd": sd, "q2.5": np.interp(0.025, cdf, x),
                     "q97.5": np.interp(0.975, cdf, x)}
    return out


STATS = {"mean": np.mean, "sd": lambda x: np.std(x, ddof=1),
         "q2.5": lambda x: np.quantile(x, 0.025), "q97.5": lambda x: np.quantile(x, 0.975)}


def test_class_bridge_places_a_disconnected_component_as_the_exact_posterior():
    df, obs = _bridge_data()
    network = nma.set_agd_contrast(df, measure="MD", source="simulated bridge")
    assert len(nma.connected_components(network)) == 2
    classes = {"P": "placebo", **{f"T{k}": "T" for k in range(1, 8)}}
    model = nma.NMAModel(network, trt_ref="P", trt_effects="fixed",
                         class_effects=ClassEffects(classes, "exchangeable",
                                                    mean_prior=Normal(0, MEAN_PRIOR_SD),
                                                    sd_prior=HalfNormal(SD_PRIOR_SCALE)))
    idata = nma.fit(model, nma.SamplerSettings(draws=5000, target_accept=0.99,
                                               random_seed=5))
    conv = nma.check_convergence(idata)
    assert conv.converged, conv.problems
    exact = _exact_posterior(obs)
    rows = []
    for name, ref in exact.items():
        draws = (idata.posterior["d_class"].sel({"class": "T"}) if name == "class"
                 else idata.posterior["d"].sel(treatment=name)).values.ravel()
        rows += [(name, stat, value, STATS[stat](draws)) for stat, value in ref.items()]
    failures = [f"{n} {s}: exact {v:.3f}, got {g:.3f}" for n, s, v, g in rows
                if abs(g - v) > TOL]
    assert len(rows) == 32 and not failures, "\n".join(failures)
    # The bridged members rest on the class model alone: their posterior SD exceeds the
    # class SD's typical value, unlike members with their own comparison with placebo.
    assert exact["T6"]["sd"] > 2 * exact["T1"]["sd"]
