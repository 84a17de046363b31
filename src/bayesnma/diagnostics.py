"""Convergence diagnostics and model fit (residual deviance, pD, DIC).

Posteriors are ArviZ 1.x ``DataTree`` objects; R-hat, ESS and MCSE come from
``arviz-stats``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, xlogy

from bayesnma.effects import quantile_columns

__all__ = [
    "Convergence",
    "ConvergenceCriteria",
    "check_convergence",
    "heterogeneity",
    "model_fit",
    "residual_deviance",
    "summarise_diagnostics",
]

SAMPLE_DIMS = ("chain", "draw")
FREE_PARAMETERS = ("d", "tau", "mu", "z")


@dataclass(frozen=True)
class ConvergenceCriteria:
    """Thresholds a fit must meet to count as converged.

    Defaults follow Vehtari et al. (2021): rank-normalised split R-hat below 1.01, bulk and
    tail ESS of at least 400, and no divergent transitions.
    """

    max_rhat: float = 1.01
    min_ess_bulk: float = 400.0
    min_ess_tail: float = 400.0
    max_divergences: int = 0


@dataclass(frozen=True)
class Convergence:
    """Outcome of :func:`check_convergence`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per scalar parameter: ``parameter``, ``mean``, ``sd``, ``r_hat``,
        ``ess_bulk``, ``ess_tail``, ``mcse_mean``.
    converged : bool
    n_divergent : int
        Divergent transitions after tuning, over all chains.
    n_max_treedepth : int
        Transitions that hit the maximum tree depth (information; not a criterion).
    problems : tuple of str
        Why the fit failed the criteria (empty when converged).
    criteria : ConvergenceCriteria
    """

    table: pd.DataFrame
    converged: bool
    n_divergent: int
    n_max_treedepth: int
    problems: tuple[str, ...]
    criteria: ConvergenceCriteria

    def summary(self) -> pd.DataFrame:
        """One-row overview: worst R-hat, smallest ESS, divergences and the verdict."""
        return pd.DataFrame(
            [{
                **summarise_diagnostics(self.table, converged=self.converged,
                                        n_divergent=self.n_divergent),
                "n_max_treedepth": self.n_max_treedepth,
                "problems": "; ".join(self.problems),
            }]
        )


def summarise_diagnostics(table: pd.DataFrame, *, converged: bool, n_divergent: int) -> dict:
    """Verdict, worst R-hat, smallest bulk and tail ESS and divergences of a diagnostics table."""
    return {
        "converged": bool(converged),
        "max_r_hat": table["r_hat"].max(),
        "min_ess_bulk": table["ess_bulk"].min(),
        "min_ess_tail": table["ess_tail"].min(),
        "n_divergent": int(n_divergent),
    }


def check_convergence(idata, criteria: ConvergenceCriteria | None = None) -> Convergence:
    """Compute R-hat, bulk and tail ESS and divergences of every free parameter.

    Parameters
    ----------
    idata : xarray.DataTree
    criteria : ConvergenceCriteria, optional

    Returns
    -------
    Convergence
    """
    from arviz_stats import summary

    criteria = criteria or ConvergenceCriteria()
    names = [v for v in FREE_PARAMETERS if v in idata.posterior]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        summ = summary(idata, var_names=names, kind="all", round_to="none")
    table = summ[["mean", "sd", "r_hat", "ess_bulk", "ess_tail", "mcse_mean"]]
    table = table.rename_axis("parameter").reset_index()
    stats = getattr(idata, "sample_stats", {})
    n_div = int(stats["diverging"].sum()) if "diverging" in stats else 0
    depth_var = next((v for v in ("maxdepth_reached", "reached_max_treedepth") if v in stats), None)
    n_depth = int(stats[depth_var].sum()) if depth_var else 0

    problems = []
    if not (table["r_hat"] < criteria.max_rhat).all():
        worst = table.loc[table["r_hat"].idxmax()]
        problems.append(f"R-hat {worst['r_hat']:.3f} >= {criteria.max_rhat} ({worst['parameter']})")
    for col, limit in (("ess_bulk", criteria.min_ess_bulk), ("ess_tail", criteria.min_ess_tail)):
        if not (table[col] >= limit).all():
            worst = table.loc[table[col].idxmin()]
            problems.append(f"{col} {worst[col]:.0f} < {limit:g} ({worst['parameter']})")
    if n_div > criteria.max_divergences:
        problems.append(f"{n_div} divergent transitions (allowed: {criteria.max_divergences})")
    return Convergence(table, not problems, n_div, n_depth, tuple(problems), criteria)


def _binomial_deviance(r, n, rhat):
    # xlogy gives 0 log 0 = 0 for arms with no events or all events.
    return 2 * (xlogy(r, r) - xlogy(r, rhat) + xlogy(n - r, n - r) - xlogy(n - r, n - rhat))


def _poisson_deviance(r, theta):
    return 2 * ((theta - r) + xlogy(r, r) - xlogy(r, theta))


def _arm_fitted(fmt, eta, data):
    """Fitted value of each arm of one format from linear predictor draws."""
    if fmt == "binary":
        return data["total"] * expit(eta)
    if fmt == "events_followup":
        return data["total"] * -np.expm1(-np.exp(eta + np.log(data["follow_up"])))
    if fmt == "rate":
        return data["person_time"] * np.exp(eta)
    return eta


def _arm_deviance(fmt, observed, fitted, data):
    if fmt in ("binary", "events_followup"):
        return _binomial_deviance(observed, data["total"], fitted)
    if fmt == "rate":
        return _poisson_deviance(observed, fitted)
    return ((observed - fitted) / data["se"]) ** 2


def _contrast_deviance(theta, const):
    """Squared whitened residuals of each contrast: they sum to each study's
    ``(y - theta)' Sigma^-1 (y - theta)``."""
    y = const["contrast_y"].values
    se = const["contrast_se"].values
    se_base = const["contrast_se_base"].values
    study = const["contrast_study"].values
    out = np.empty(np.broadcast_shapes(theta.shape, y.shape))
    for s in dict.fromkeys(study):
        k = np.flatnonzero(study == s)
        cov = np.full((k.size, k.size), se_base[k[0]] ** 2 if k.size > 1 else 0.0)
        np.fill_diagonal(cov, se[k] ** 2)
        chol = np.linalg.cholesky(cov)
        resid = y[k] - theta[..., k]
        white = np.linalg.solve(chol, resid[..., None])[..., 0] if k.size > 1 else resid / se[k]
        out[..., k] = white**2
    return out


def _deviance_parts(idata, linear=None):
    """Yield one dict per data format: labels, study, treatment, observed, fitted and deviance
    (draws, or at ``linear`` = posterior means of ``eta``/``theta`` for the plug-in)."""
    post, const, obs = idata.posterior, idata.constant_data, idata.observed_data
    if "eta" in post:
        eta_all = post["eta"].values if linear is None else linear["eta"]
        fmts = const["arm_format"].values
        for fmt in dict.fromkeys(fmts):
            pick = fmts == fmt
            data = {c: const[c].values[pick] for c in ("total", "follow_up", "person_time", "se")}
            observed = obs[f"y_{fmt}"].values.astype(float)
            fitted = _arm_fitted(fmt, eta_all[..., pick], data)
            yield {"data_point": post["arm"].values[pick], "study": const["study"].values[pick],
                   "treatment": const["arm_treatment"].values[pick], "format": fmt,
                   "observed": observed, "fitted": fitted,
                   "deviance": _arm_deviance(fmt, observed, fitted, data)}
    if "theta" in post:
        theta = post["theta"].values if linear is None else linear["theta"]
        yield {"data_point": post["contrast"].values, "study": const["contrast_study"].values,
               "treatment": const["contrast_treatment"].values, "format": "contrast",
               "observed": const["contrast_y"].values, "fitted": theta,
               "deviance": _contrast_deviance(theta, const)}


def residual_deviance(idata) -> pd.DataFrame:
    """Posterior mean residual deviance of each data point (arm or contrast).

    Binomial and Poisson data use the deviance against the saturated model; normal data
    (continuous arms, log hazards from medians) the squared standardised residual;
    contrasts of a multi-arm study the squared residuals whitened by the study's
    covariance, which sum to ``(y - theta)' Sigma^-1 (y - theta)`` (NICE DSU TSD2).

    Returns
    -------
    pandas.DataFrame
        Columns ``data_point``, ``study``, ``treatment``, ``format``, ``observed``
        (events, or the mean / log hazard / contrast), ``fitted`` (posterior mean) and
        ``resdev`` (posterior mean residual deviance).
    """
    frames = []
    for part in _deviance_parts(idata):
        frames.append(pd.DataFrame({
            "data_point": part["data_point"], "study": part["study"],
            "treatment": part["treatment"], "format": part["format"],
            "observed": part["observed"], "fitted": part["fitted"].mean(axis=(0, 1)),
            "resdev": part["deviance"].mean(axis=(0, 1)),
        }))
    return pd.concat(frames, ignore_index=True)


def model_fit(idata) -> pd.DataFrame:
    """Total residual deviance, pD and DIC (Spiegelhalter 2002; NICE DSU TSD2).

    pD is the posterior mean deviance minus the deviance at the posterior mean of the
    linear predictors (the stochastic parents of the likelihood, as WinBUGS and the NICE
    DSU TSDs compute it); DIC = mean deviance + pD. Residual deviance should be close to
    the number of data points (arms and contrasts) for a model that fits.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity`` and ``value``: ``resdev_mean``, ``resdev_mcse`` (its Monte
        Carlo standard error), ``n_data_points``, ``pD``, ``DIC``.
    """
    from arviz_stats import mcse

    parts = list(_deviance_parts(idata))
    dev = sum(p["deviance"].sum(axis=-1) for p in parts)
    means = {v: idata.posterior[v].values.mean(axis=(0, 1))
             for v in ("eta", "theta") if v in idata.posterior}
    dhat = float(sum(p["deviance"].sum() for p in _deviance_parts(idata, means)))
    dbar = float(dev.mean())
    pd_ = dbar - dhat
    dev_mcse = float(mcse(dev, method="mean"))
    n_points = float(sum(p["observed"].size for p in parts))
    return pd.DataFrame(
        {"quantity": ["resdev_mean", "resdev_mcse", "n_data_points", "pD", "DIC"],
         "value": [dbar, dev_mcse, n_points, pd_, dbar + pd_]}
    )


def heterogeneity(idata, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Posterior summary of the between-study SD ``tau`` (empty for fixed effects).

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``mean``, ``sd``, ``median`` and the interval limits.
    """
    lo, hi = quantile_columns(ci_prob)
    if "tau" not in idata.posterior:
        return pd.DataFrame(columns=["parameter", "mean", "sd", "median", lo, hi])
    tau = idata.posterior["tau"].values.ravel()
    q = np.quantile(tau, [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2])
    return pd.DataFrame(
        [{"parameter": "tau", "mean": tau.mean(), "sd": tau.std(ddof=1), "median": q[0],
          lo: q[1], hi: q[2]}]
    )
