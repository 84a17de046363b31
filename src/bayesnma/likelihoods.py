"""Likelihoods of the data formats: the one home of each formula.

Each arm-level format declares one :class:`ArmLikelihood` (in its module of
:mod:`bayesnma.data.formats`), which says, for a linear predictor
``eta`` (the arm's baseline plus its relative effect, on the model scale):

- ``observed_rv``: the PyMC observed variable (what is sampled);
- ``fitted``: the expected value of the observation;
- ``loglik``: the pointwise log-likelihood (for LOO);
- ``deviance``: the residual deviance against the saturated model (NICE DSU TSD2).

Contrast-level data have one multivariate normal likelihood per study
(:class:`ContrastLikelihood`). A unit test checks that ``loglik`` equals the PyMC
variable's log-density for every family, so the numbers behind DIC, LOO and the sampler
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, gammaln, xlogy

__all__ = ["BINOMIAL_CLOGLOG", "BINOMIAL_LOGIT", "CONTRAST_LIKELIHOOD", "NORMAL_IDENTITY",
           "NORMAL_LOG_HAZARD", "POISSON_LOG", "ArmLikelihood", "ContrastLikelihood"]

_LOG_2PI = np.log(2 * np.pi)


def _binomial_deviance(r, n, rhat):
    # xlogy gives 0 log 0 = 0 for arms with no events or all events.
    return 2 * (xlogy(r, r) - xlogy(r, rhat) + xlogy(n - r, n - r) - xlogy(n - r, n - rhat))


def _binomial_loglik(r, n, p):
    return (gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1)
            + xlogy(r, p) + xlogy(n - r, 1 - p))


@dataclass(frozen=True)
class ArmLikelihood:
    """Likelihood of one arm-level data format.

    Attributes
    ----------
    family : {"binomial", "poisson", "normal"}
    link : str
        Link from the expected value to the linear predictor (for reports).
    columns : tuple of str
        Columns of the arm data the likelihood needs besides the observation.
    """

    family: str
    link: str
    columns: tuple[str, ...]

    def _p_or_rate(self, eta, data):
        if self.link == "logit":
            return expit(eta)
        if self.link.startswith("cloglog"):
            # cloglog(p) = log(follow_up) + eta: p = 1 - exp(-exp(.)), written stably.
            return -np.expm1(-np.exp(eta + np.log(data["follow_up"])))
        if self.family == "poisson":
            return data["person_time"] * np.exp(eta)
        return eta

    def fitted(self, eta, data):
        """Expected observation: events (binomial, Poisson) or the mean (normal)."""
        value = self._p_or_rate(eta, data)
        return data["total"] * value if self.family == "binomial" else value

    def loglik(self, observed, eta, data):
        """Pointwise log-likelihood of the observations at linear predictor ``eta``."""
        value = self._p_or_rate(eta, data)
        if self.family == "binomial":
            return _binomial_loglik(observed, data["total"], value)
        if self.family == "poisson":
            return xlogy(observed, value) - value - gammaln(observed + 1)
        return -0.5 * (_LOG_2PI + 2 * np.log(data["se"]) + ((observed - value) / data["se"]) ** 2)

    def deviance(self, observed, eta, data):
        """Residual deviance of each arm against the saturated model."""
        fitted = self.fitted(eta, data)
        if self.family == "binomial":
            return _binomial_deviance(observed, data["total"], fitted)
        if self.family == "poisson":
            return 2 * ((fitted - observed) + xlogy(observed, observed) - xlogy(observed, fitted))
        return ((observed - fitted) / data["se"]) ** 2

    def empirical(self, observed, data, correct):
        """The arm's own estimate of its linear predictor and its approximate variance
        (for pairwise meta-analysis): where ``correct`` is true, 0.5 is added to the events
        and to the non-events (binomial) or the events (Poisson), the usual correction of
        a study with a zero cell."""
        r = np.asarray(observed, dtype=float)
        col = {k: np.asarray(data[k], dtype=float) for k in self.columns}
        if self.family == "normal":
            return r, col["se"] ** 2
        c = 0.5 * np.asarray(correct, dtype=float)
        if self.family == "poisson":
            return np.log((r + c) / col["person_time"]), 1 / (r + c)
        n = col["total"] + 2 * c
        p = (r + c) / n
        if self.link == "logit":
            return np.log(p / (1 - p)), 1 / (n * p) + 1 / (n * (1 - p))
        # cloglog(p) - log(follow_up), delta method: var(p) = p (1 - p) / n.
        log1m = np.log1p(-p)
        return np.log(-log1m) - np.log(col["follow_up"]), p / ((1 - p) * n * log1m ** 2)

    def needs_correction(self, observed, data):
        """Arms with a zero cell (no events; binomial also all events)."""
        r = np.asarray(observed, dtype=float)
        if self.family == "normal":
            return np.zeros(r.shape, dtype=bool)
        if self.family == "poisson":
            return r == 0
        return (r == 0) | (r == np.asarray(data["total"], dtype=float))

    def observed_rv(self, name, eta, observed, data, dims):
        """Create the PyMC observed variable ``name`` (inside a model context)."""
        import pymc as pm
        import pytensor.tensor as pt

        if self.family == "binomial":
            n = np.asarray(data["total"], dtype=np.int64)
            obs = np.asarray(observed, dtype=np.int64)
            if self.link == "logit":
                return pm.Binomial(name, n=n, logit_p=eta, observed=obs, dims=dims)
            p = -pt.expm1(-pt.exp(eta + np.log(np.asarray(data["follow_up"], dtype=float))))
            return pm.Binomial(name, n=n, p=p, observed=obs, dims=dims)
        if self.family == "poisson":
            rate = pt.exp(eta + np.log(np.asarray(data["person_time"], dtype=float)))
            return pm.Poisson(name, mu=rate, observed=np.asarray(observed, dtype=np.int64),
                              dims=dims)
        return pm.Normal(name, mu=eta, sigma=np.asarray(data["se"], dtype=float),
                         observed=np.asarray(observed, dtype=float), dims=dims)


@dataclass(frozen=True)
class ContrastLikelihood:
    """Multivariate normal likelihood of each study's contrasts vs its baseline arm.

    The covariance of a study's contrasts has variances ``se_k^2`` and covariances
    ``se_base^2`` (the SE of the baseline arm; NICE DSU TSD2). It is factored into
    conditional normals from the Cholesky factor ``L``: ``y_k | y_<k ~ N(theta_k + sum_j
    W[k, j] (y - theta)_j, L[k, k]^2)`` with ``W = I - diag(L) L^-1``, so a multi-arm study
    needs no dense algebra in the graph, and the pointwise terms sum to the study's
    multivariate normal log-density.
    """

    family: str = "normal"
    link: str = "identity, multi-arm covariance"

    @staticmethod
    def covariance(se, se_base):
        """Covariance of one study's contrasts (``se_base`` ignored for one contrast)."""
        se = np.asarray(se, dtype=float)
        cov = np.full((se.size, se.size), float(se_base) ** 2 if se.size > 1 else 0.0)
        np.fill_diagonal(cov, se**2)
        return cov

    @classmethod
    def conditional_factors(cls, se, se_base):
        """Conditional SDs ``diag(L)`` and mean weights ``I - diag(L) L^-1`` of one study."""
        chol = np.linalg.cholesky(cls.covariance(se, se_base))
        sd = np.diag(chol).copy()
        return sd, np.eye(sd.size) - np.diag(sd) @ np.linalg.inv(chol)

    def whitened_residuals(self, y, theta, se, se_base):
        """``L^-1 (y - theta)`` of one study, over trailing axis; squares sum to the
        quadratic form ``(y - theta)' Sigma^-1 (y - theta)``."""
        resid = np.asarray(y) - theta
        chol = np.linalg.cholesky(self.covariance(se, se_base))
        return np.linalg.solve(chol, resid[..., None])[..., 0]

    def deviance(self, y, theta, se, se_base):
        """Squared whitened residuals of one study's contrasts."""
        return self.whitened_residuals(y, theta, se, se_base) ** 2

    def loglik(self, y, theta, se, se_base):
        """Pointwise conditional log-densities of one study's contrasts; they sum to the
        study's multivariate normal log-density."""
        sd, _ = self.conditional_factors(se, se_base)
        white = self.whitened_residuals(y, theta, se, se_base)
        return -0.5 * (_LOG_2PI + 2 * np.log(sd) + white**2)

    def observed_rv(self, name, theta, y, cond_sd, cond_w, cond_idx, dims):
        """Create the PyMC observed variable from padded conditional weights (all studies)."""
        import pymc as pm
        import pytensor.tensor as pt

        resid = pt.as_tensor(y) - theta
        cond_mean = theta + (pt.as_tensor(cond_w) * resid[cond_idx]).sum(axis=1)
        return pm.Normal(name, mu=cond_mean, sigma=cond_sd, observed=y, dims=dims)


BINOMIAL_LOGIT = ArmLikelihood("binomial", "logit", ("total",))
BINOMIAL_CLOGLOG = ArmLikelihood("binomial", "cloglog with log follow-up offset",
                                 ("total", "follow_up"))
POISSON_LOG = ArmLikelihood("poisson", "log with log person-time offset", ("person_time",))
NORMAL_IDENTITY = ArmLikelihood("normal", "identity", ("se",))
NORMAL_LOG_HAZARD = ArmLikelihood("normal", "identity (log hazard, exponential model)", ("se",))

CONTRAST_LIKELIHOOD = ContrastLikelihood()

