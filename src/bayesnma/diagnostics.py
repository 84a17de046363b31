"""Convergence diagnostics and model fit (residual deviance, pD, DIC).

All ArviZ calls of the package live here, so a move to ArviZ 1.x (DataTree) stays local.
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
    idata : arviz.InferenceData
    criteria : ConvergenceCriteria, optional

    Returns
    -------
    Convergence
    """
    import arviz as az

    criteria = criteria or ConvergenceCriteria()
    names = [v for v in FREE_PARAMETERS if v in idata.posterior]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        summ = az.summary(idata, var_names=names, kind="all", round_to="none")
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


def residual_deviance(idata) -> pd.DataFrame:
    """Posterior mean residual deviance of each arm (binomial likelihood).

    Returns
    -------
    pandas.DataFrame
        Columns ``arm``, ``study``, ``treatment``, ``events``, ``total``, ``fitted_events``
        (posterior mean) and ``resdev`` (posterior mean residual deviance).
    """
    r, n, eta = _arm_data(idata)
    p = expit(eta)
    dev = _binomial_deviance(r, n, n * p)
    return pd.DataFrame(
        {
            "arm": idata.posterior["arm"].values,
            "study": idata.constant_data["study"].values,
            "treatment": idata.constant_data["arm_treatment"].values,
            "events": r.astype(int),
            "total": n.astype(int),
            "fitted_events": (n * p).mean(axis=(0, 1)),
            "resdev": dev.mean(axis=(0, 1)),
        }
    )


def _arm_data(idata):
    """Observed events, arm sizes and posterior draws of the linear predictor."""
    r = idata.observed_data["events"].values.astype(float)
    n = idata.constant_data["total"].values.astype(float)
    return r, n, idata.posterior["eta"].values


def _binomial_deviance(r, n, rhat):
    # xlogy gives 0 log 0 = 0 for arms with no events or all events.
    return 2 * (xlogy(r, r) - xlogy(r, rhat) + xlogy(n - r, n - r) - xlogy(n - r, n - rhat))


def model_fit(idata) -> pd.DataFrame:
    """Total residual deviance, pD and DIC (Spiegelhalter 2002; NICE DSU TSD2).

    pD is the posterior mean deviance minus the deviance at the posterior mean of the
    linear predictor (the stochastic parents of the likelihood, as WinBUGS and the NICE DSU
    TSDs compute it); DIC = mean deviance + pD. Residual deviance should be close to the
    number of data points (arms) for a model that fits.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity`` and ``value``: ``resdev_mean``, ``resdev_mcse`` (its Monte
        Carlo standard error), ``n_data_points``, ``pD``, ``DIC``.
    """
    import arviz as az

    r, n, eta = _arm_data(idata)
    dev = _binomial_deviance(r, n, n * expit(eta)).sum(axis=-1)
    dbar = float(dev.mean())
    dhat = float(_binomial_deviance(r, n, n * expit(eta.mean(axis=(0, 1)))).sum())
    pd_ = dbar - dhat
    mcse = np.asarray(az.mcse(dev, method="mean")).item()
    return pd.DataFrame(
        {"quantity": ["resdev_mean", "resdev_mcse", "n_data_points", "pD", "DIC"],
         "value": [dbar, mcse, float(r.size), pd_, dbar + pd_]}
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
