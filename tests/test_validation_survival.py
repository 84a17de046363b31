"""Survival formats against the maximum likelihood fits of their own likelihoods, under
vague priors: the ``grouped`` format's constant-hazard model on gemtcPlus's grouped
survival example (binomial, cloglog link, log interval length offset, study baselines and
fixed treatment effects), and the ``ipd`` format's on KEYNOTE-189's reconstructed patients
(the exponential model's closed form)."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import gammaln

import bayesnma as nma
from bayesnma.datasets import load_dataset

pytestmark = pytest.mark.validation

#: gemtcPlus's column names for the grouped format's.
GEMTCPLUS_COLUMNS = {"t_start": "t.start", "t_end": "t.end", "events": "n.event",
                     "censored": "n.censored", "at_risk": "n.risk"}


def _maximum_likelihood(obs, studies, treatments):
    """Estimates and standard errors (inverse of the numerical Hessian) of ``mu`` per study
    and ``d`` per treatment but the first."""
    s = obs["study"].map({k: i for i, k in enumerate(studies)}).to_numpy()
    t = obs["treatment"].map({k: i for i, k in enumerate(treatments)}).to_numpy()
    r, n, dt = (obs[c].to_numpy(float) for c in ("events", "at_risk", "follow_up"))
    n_s = len(studies)

    def negloglik(theta):
        d = np.r_[0.0, theta[n_s:]]
        log_h = theta[s] + d[t]
        log_surv = -np.exp(log_h) * dt  # log(1 - p)
        log_p = np.log(-np.expm1(log_surv))
        return -np.sum(gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1)
                       + r * log_p + (n - r) * log_surv)

    start = np.r_[np.full(n_s, np.log(r.sum() / (n * dt).sum())), np.zeros(len(treatments) - 1)]
    best = minimize(negloglik, start, method="BFGS", options={"gtol": 1e-8})
    k, eps = best.x.size, 1e-4
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            e_i, e_j = np.eye(k)[i] * eps, np.eye(k)[j] * eps
            hess[i, j] = (negloglik(best.x + e_i + e_j) - negloglik(best.x + e_i - e_j)
                          - negloglik(best.x - e_i + e_j) + negloglik(best.x - e_i - e_j)
                          ) / (4 * eps**2)
    return best.x[n_s:], np.sqrt(np.diag(np.linalg.inv(hess)))[n_s:]


def test_constant_hazard_model_matches_its_maximum_likelihood_fit():
    net = nma.set_agd_arm(load_dataset("grouped_tte"), format="grouped", **GEMTCPLUS_COLUMNS)
    model = nma.NMAModel(net, trt_effects="fixed", trt_ref="A",
                         priors=nma.Priors(nma.Normal(0, 100), nma.Normal(0, 100)))
    idata = nma.fit(model, nma.SamplerSettings(draws=2000))
    assert nma.check_convergence(idata).converged
    estimate, se = _maximum_likelihood(net.observations, model.studies, model.treatments)
    d = idata.posterior["d"]
    np.testing.assert_allclose(d.mean(("chain", "draw")).values, estimate, atol=0.05)
    np.testing.assert_allclose(d.std(("chain", "draw")).values, se, atol=0.05)
    # one data point per interval, one LOO unit per arm
    assert len(nma.residual_deviance(idata)) == 675
    assert idata.log_likelihood["log_lik"].sizes["loo_unit"] == 14


def test_constant_hazard_model_on_patient_data_matches_the_exponential_closed_form():
    """One study, two arms: the exponential model's maximum likelihood log HR is
    log(E1 / T1) - log(E0 / T0) with SE sqrt(1 / E1 + 1 / E0)."""
    net = nma.set_agd_arm(load_dataset("keynote189_ipd"), format="ipd")
    model = nma.NMAModel(net, trt_effects="fixed", trt_ref="placebo + chemotherapy",
                         priors=nma.Priors(nma.Normal(0, 100), nma.Normal(0, 100)))
    idata = nma.fit(model, nma.SamplerSettings(draws=2000))
    assert nma.check_convergence(idata).converged
    arms = net.arms.set_index("treatment")
    e1, t1 = arms.loc["pembrolizumab + chemotherapy", ["events", "person_time"]]
    e0, t0 = arms.loc["placebo + chemotherapy", ["events", "person_time"]]
    d = idata.posterior["d"].values.ravel()
    assert d.mean() == pytest.approx(np.log(e1 / t1) - np.log(e0 / t0), abs=0.05)
    assert d.std() == pytest.approx(np.sqrt(1 / e1 + 1 / e0), abs=0.05)
    # a constant-hazard HR, near the reconstruction's Cox HR (0.497) and the published 0.49
    assert np.exp(np.median(d)) == pytest.approx(0.49, abs=0.05)
