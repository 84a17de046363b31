"""Convergence diagnostics and model fit (residual deviance, pD, DIC).

Posteriors are ArviZ 1.x ``DataTree`` objects; R-hat, ESS and MCSE come from
``arviz-stats``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from bayesnma.effects import quantile_columns
from bayesnma.likelihoods import ARM_LIKELIHOODS, CONTRAST_LIKELIHOOD
from bayesnma.parameters import ROLES, gated_variables, role_of

__all__ = [
    "Convergence",
    "ConvergenceCriteria",
    "check_convergence",
    "failing_parameters",
    "heterogeneity",
    "key_parameters",
    "loo",
    "posterior_prior",
    "prior_overlap",
    "prior_set_effects",
    "remedies",
    "prior_quantiles",
    "prior_verdict",
    "model_fit",
    "pointwise_log_likelihood",
    "residual_deviance",
    "summarise_diagnostics",
]

SAMPLE_DIMS = ("chain", "draw")


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
        One row per scalar parameter: ``parameter``, ``role``, ``mean``, ``sd``,
        ``r_hat``, ``ess_bulk``, ``ess_tail``, ``mcse_mean``.
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

    @property
    def diverged(self) -> bool:
        """More divergent transitions than the criteria allow."""
        return self.n_divergent > self.criteria.max_divergences

    @property
    def mixing_problems(self) -> tuple[str, ...]:
        """The problems that are R-hat or ESS (the chains mixed too little), not divergences."""
        return tuple(p for p in self.problems if p.startswith(("R-hat", "ess_")))

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
    """Compute R-hat, bulk and tail ESS and divergences of every sampled parameter (every
    posterior variable whose role is gated, see :mod:`bayesnma.parameters`).

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
    names = gated_variables(idata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        summ = summary(idata, var_names=names, kind="all", round_to="none")
    table = summ[["mean", "sd", "r_hat", "ess_bulk", "ess_tail", "mcse_mean"]]
    table = table.rename_axis("parameter").reset_index()
    table.insert(1, "role", [role_of(idata, p.split("[", 1)[0]).name for p in table["parameter"]])
    stats = getattr(idata, "sample_stats", {})
    n_div = int(stats["diverging"].sum()) if "diverging" in stats else 0
    depth_var = next((v for v in ("maxdepth_reached", "reached_max_treedepth") if v in stats), None)
    n_depth = int(stats[depth_var].sum()) if depth_var else 0

    problems = []
    fails = _failing(table, criteria)
    undefined = table.loc[table["r_hat"].isna(), "parameter"]
    if len(undefined):  # constant draws: the chains never moved
        problems.append(f"R-hat undefined (constant draws) ({', '.join(undefined)})")
    if (table["r_hat"] >= criteria.max_rhat).any():
        worst = table.loc[table["r_hat"].idxmax()]
        problems.append(f"R-hat {worst['r_hat']:.3f} >= {criteria.max_rhat} ({worst['parameter']})")
    for col, limit in (("ess_bulk", criteria.min_ess_bulk), ("ess_tail", criteria.min_ess_tail)):
        if fails[col].any():
            worst = table.loc[table[col].idxmin()]
            problems.append(f"{col} {worst[col]:.0f} < {limit:g} ({worst['parameter']})")
    if n_div > criteria.max_divergences:
        problems.append(f"{n_div} divergent transition{'' if n_div == 1 else 's'} (allowed: "
                        f"{criteria.max_divergences})")
    return Convergence(table, not problems, n_div, n_depth, tuple(problems), criteria)


def _failing(table: pd.DataFrame, criteria: ConvergenceCriteria) -> dict[str, pd.Series]:
    """Per criterion, the rows of a diagnostics table that fail it (a value that could not
    be computed fails)."""
    return {"r_hat": ~(table["r_hat"] < criteria.max_rhat),
            "ess_bulk": ~(table["ess_bulk"] >= criteria.min_ess_bulk),
            "ess_tail": ~(table["ess_tail"] >= criteria.min_ess_tail)}


def failing_parameters(conv: Convergence) -> pd.DataFrame:
    """The rows of a verdict's table that fail R-hat or ESS, worst R-hat first."""
    fails = _failing(conv.table, conv.criteria)
    bad = fails["r_hat"] | fails["ess_bulk"] | fails["ess_tail"]
    return conv.table[bad].sort_values(["r_hat", "ess_bulk"], ascending=[False, True])


def remedies(conv: Convergence, *, shown: int = 5) -> str:
    """What failed in a fit that did not converge and what to try, in words for a log line,
    an error message or a report.

    The parameters that fail R-hat or ESS are named (at most ``shown``); what to change
    comes from their roles (:data:`bayesnma.parameters.ROLES`), and for divergences from
    every variance parameter of the model, since a funnel between a variance and the
    effects it scales is their usual cause.
    """
    if conv.converged:
        return ""
    failing = failing_parameters(conv)
    words = []
    if len(failing):
        names = [f"{r.parameter} (R-hat {r.r_hat:.3f}, bulk ESS {r.ess_bulk:.0f}, tail ESS "
                 f"{r.ess_tail:.0f})" for r in failing.head(shown).itertuples()]
        more = f" and {len(failing) - shown} more" if len(failing) > shown else ""
        words.append(f"Parameters that failed R-hat or ESS: {', '.join(names)}{more}.")
    roles = list(dict.fromkeys(failing["role"]))
    if conv.diverged:
        roles += [r for r in dict.fromkeys(conv.table["role"])
                  if r.endswith(("_sd", "heterogeneity")) and r not in roles]
    tries = list(dict.fromkeys(ROLES[r].remedy for r in roles if ROLES[r].remedy))
    if conv.mixing_problems:
        tries.append("more draws (sampler.draws)")
    if tries:
        words.append("What to try: " + "; ".join(tries) + ".")
    return " ".join(words)


def _arm_data(const, pick):
    return {c: const[c].values[pick] for c in ("total", "follow_up", "person_time", "se")}


def _contrast_studies(const):
    """Yield ``(study, positions, likelihood arguments)`` of each contrast-level study."""
    study = const["contrast_study"].values
    for s in dict.fromkeys(study):
        k = np.flatnonzero(study == s)
        yield s, k, (const["contrast_se"].values[k], const["contrast_se_base"].values[k[0]])


def _contrast_deviance(theta, const):
    """Squared whitened residuals of each contrast: they sum to each study's
    ``(y - theta)' Sigma^-1 (y - theta)``."""
    y = const["contrast_y"].values
    out = np.empty(np.broadcast_shapes(theta.shape, y.shape))
    for _, k, args in _contrast_studies(const):
        out[..., k] = CONTRAST_LIKELIHOOD.deviance(y[k], theta[..., k], *args)
    return out


def _deviance_parts(idata, linear=None):
    """Yield one dict per data format: labels, study, treatment, observed, fitted and deviance
    (draws, or at ``linear`` = posterior means of ``eta``/``theta`` for the plug-in)."""
    post, const, obs = idata.posterior, idata.constant_data, idata.observed_data
    if "eta" in post:
        # Single precision in storage; the likelihoods need double (expit(17) is 1 in
        # float32, and log(1 - p) then -inf).
        eta_all = (post["eta"].values if linear is None else linear["eta"]).astype(float)
        fmts = const["arm_format"].values
        for fmt in dict.fromkeys(fmts):
            pick = fmts == fmt
            lik, data = ARM_LIKELIHOODS[fmt], _arm_data(const, pick)
            observed = obs[f"y_{fmt}"].values.astype(float)
            eta = eta_all[..., pick]
            yield {"data_point": post["arm"].values[pick], "study": const["study"].values[pick],
                   "treatment": const["arm_treatment"].values[pick], "format": fmt,
                   "observed": observed, "fitted": lik.fitted(eta, data),
                   "deviance": lik.deviance(observed, eta, data)}
    if "theta" in post:
        theta = (post["theta"].values if linear is None else linear["theta"]).astype(float)
        yield {"data_point": post["contrast"].values, "study": const["contrast_study"].values,
               "treatment": const["contrast_treatment"].values, "format": "contrast",
               "observed": const["contrast_y"].values, "fitted": theta,
               "deviance": _contrast_deviance(theta, const)}


def _linear_means(idata):
    return {v: idata.posterior[v].values.mean(axis=(0, 1), dtype=float)
            for v in ("eta", "theta") if v in idata.posterior}


def residual_deviance(idata) -> pd.DataFrame:
    """Residual deviance and leverage of each data point (arm or contrast).

    Binomial and Poisson data use the deviance against the saturated model; normal data
    (continuous arms, log hazards from medians) the squared standardised residual;
    contrasts of a multi-arm study the squared residuals whitened by the study's
    covariance, which sum to ``(y - theta)' Sigma^-1 (y - theta)`` (NICE DSU TSD2).
    Leverage is each point's contribution to pD: its posterior mean deviance minus its
    deviance at the posterior mean of the linear predictor (TSD2, Fig. 4).

    Returns
    -------
    pandas.DataFrame
        Columns ``data_point``, ``study``, ``treatment``, ``format``, ``observed``
        (events, or the mean / log hazard / contrast), ``fitted`` (posterior mean),
        ``resdev`` (posterior mean residual deviance), ``leverage``, ``dic`` (``resdev +
        leverage``) and ``signed_sqrt_resdev`` (``sign(observed - fitted) sqrt(resdev)``,
        the x axis of the leverage plot).
    """
    frames = []
    plug_in = _deviance_parts(idata, _linear_means(idata))
    for part, at_mean in zip(_deviance_parts(idata), plug_in, strict=True):
        resdev = part["deviance"].mean(axis=(0, 1))
        fitted = part["fitted"].mean(axis=(0, 1))
        leverage = resdev - at_mean["deviance"]
        frames.append(pd.DataFrame({
            "data_point": part["data_point"], "study": part["study"],
            "treatment": part["treatment"], "format": part["format"],
            "observed": part["observed"], "fitted": fitted, "resdev": resdev,
            "leverage": leverage, "dic": resdev + leverage,
            "signed_sqrt_resdev": np.sign(part["observed"] - fitted) * np.sqrt(resdev),
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
    dhat = float(sum(p["deviance"].sum() for p in _deviance_parts(idata, _linear_means(idata))))
    dbar = float(dev.mean())
    pd_ = dbar - dhat
    dev_mcse = float(mcse(dev, method="mean"))
    n_points = float(sum(p["observed"].size for p in parts))
    return pd.DataFrame(
        {"quantity": ["resdev_mean", "resdev_mcse", "n_data_points", "pD", "DIC"],
         "value": [dbar, dev_mcse, n_points, pd_, dbar + pd_]}
    )


def pointwise_log_likelihood(idata, dtype=np.float64) -> xr.DataArray:
    """Log-likelihood draws of each LOO unit: an arm of arm-level data, a whole study of
    contrast-level data (its contrasts are correlated; as in multinma).

    Parameters
    ----------
    idata : xarray.DataTree
    dtype : numpy dtype
        Of the result (:func:`bayesnma.pymc_backend.fit` stores single precision).

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, loo_unit)``; coordinates ``loo_unit`` (``"study | treatment"``
        or the study) and ``loo_study``.
    """
    post = idata.posterior
    # A block of draws at a time: the likelihoods' temporaries are each as large as their
    # result, and at 1000 studies a whole chain's pushed the process over 1 GB.
    n_chain, n_draw = post.sizes["chain"], post.sizes["draw"]
    blocks = [(c, slice(s, s + LOG_LIK_BLOCK)) for c in range(n_chain)
              for s in range(0, n_draw, LOG_LIK_BLOCK)]
    out = None
    for chain, draws in blocks:
        values, labels, studies = _block_log_likelihood(idata, chain, draws)
        if out is None:
            out = np.empty((n_chain, n_draw, values.shape[-1]), dtype=dtype)
        out[chain, draws] = values
    return xr.DataArray(
        out, dims=("chain", "draw", "loo_unit"),
        coords={"chain": post["chain"].values, "draw": post["draw"].values,
                "loo_unit": np.array(labels, dtype=object),
                "loo_study": ("loo_unit", np.array(studies, dtype=object))})


#: Draws per block when computing the pointwise log-likelihood.
LOG_LIK_BLOCK = 500


def _block_log_likelihood(idata, chain: int, draws: slice):
    """Log-likelihood ``(draw, loo_unit)`` of some draws of one chain, with the units'
    labels and studies (see :func:`pointwise_log_likelihood`)."""
    post, const, obs = idata.posterior, idata.constant_data, idata.observed_data
    values, labels, studies = [], [], []
    if "eta" in post:
        eta_all = post["eta"].values[chain, draws].astype(float)
        fmts = const["arm_format"].values
        for fmt in dict.fromkeys(fmts):
            pick = fmts == fmt
            values.append(ARM_LIKELIHOODS[fmt].loglik(
                obs[f"y_{fmt}"].values.astype(float), eta_all[..., pick], _arm_data(const, pick)))
            labels += list(post["arm"].values[pick])
            studies += list(const["study"].values[pick])
    if "theta" in post:
        theta, y = post["theta"].values[chain, draws].astype(float), const["contrast_y"].values
        for study, k, args in _contrast_studies(const):
            ll = CONTRAST_LIKELIHOOD.loglik(y[k], theta[..., k], *args).sum(axis=-1)
            values.append(ll[..., None])
            labels.append(str(study))
            studies.append(str(study))
    return np.concatenate(values, axis=-1), labels, studies


#: Pareto k above which a PSIS-LOO estimate is unreliable (Vehtari et al. 2024).
PARETO_K_THRESHOLD = 0.7


def loo(idata) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PSIS-LOO (ArviZ) from the stored pointwise log-likelihood.

    Returns
    -------
    summary : pandas.DataFrame
        ``quantity``, ``value``: ``elpd_loo``, ``elpd_loo_se``, ``p_loo``, ``looic``
        (``-2 elpd_loo``) and ``n_high_pareto_k``.
    pointwise : pandas.DataFrame
        Per LOO unit: ``loo_unit``, ``study``, ``elpd_loo``, ``pareto_k`` and ``high_k``
        (``pareto_k > 0.7``: that study's estimate is unreliable and the study is
        influential).
    """
    from arviz_stats import loo as psis_loo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # high Pareto k: reported in the table
        result = psis_loo(idata, var_name="log_lik")
    ll = idata.log_likelihood["log_lik"]
    pointwise = pd.DataFrame({
        "loo_unit": ll["loo_unit"].values, "study": ll["loo_study"].values,
        "elpd_loo": np.asarray(result.elpd_i), "pareto_k": np.asarray(result.pareto_k)})
    pointwise["high_k"] = pointwise["pareto_k"] > PARETO_K_THRESHOLD
    summary = pd.DataFrame({
        "quantity": ["elpd_loo", "elpd_loo_se", "p_loo", "looic", "n_high_pareto_k"],
        "value": [result.elpd, result.se, result.p, -2 * result.elpd,
                  float(pointwise["high_k"].sum())]})
    return summary, pointwise


#: Prior-posterior overlap above which a parameter counts as essentially its prior, and
#: above which it counts as weakly identified (Garrett & Zeger 2000 suggest 35%).
OVERLAP_PRIOR_DOMINATED = 0.75
OVERLAP_WEAK = 0.35


def prior_overlap(draws, prior) -> float:
    """Overlap of a parameter's posterior with its prior, ``int min(p, q)``.

    1 means the data left the prior unchanged, 0 that they moved it completely. The
    posterior density is a Gaussian kernel density estimate of the draws (Scott's
    bandwidth, as ``scipy.stats.gaussian_kde``), evaluated on a grid over the draws' range
    by linear binning and convolution (exact kernel sums cost draws x grid points, seconds
    per parameter); a positive parameter is handled on the log scale (the overlap does not
    depend on the scale; there the posterior density has no boundary). ``min(p, q)`` is
    zero wherever the posterior is zero, so the grid need not cover the rest of the prior.
    """
    from bayesnma.priors import Normal

    draws = np.asarray(draws, dtype=float).ravel()
    if isinstance(prior, Normal):
        grid, post = _kde_on_grid(draws)
        return float(np.trapezoid(np.minimum(post, prior.pdf(grid)), grid))
    grid, post = _kde_on_grid(np.log(draws))
    prior_dens = prior.pdf(np.exp(grid)) * np.exp(grid)
    return float(np.trapezoid(np.minimum(post, prior_dens), grid))


def _kde_on_grid(x: np.ndarray, n_grid: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian KDE of ``x`` with Scott's bandwidth on a regular grid covering the draws
    and 5 bandwidths either side: linear binning, then a discrete convolution."""
    bw = float(np.std(x, ddof=1)) * x.size ** (-1 / 5)
    if not bw > 0:
        bw = max(abs(float(x[0])), 1.0) * 1e-6
    grid = np.linspace(x.min() - 5 * bw, x.max() + 5 * bw, n_grid)
    step = grid[1] - grid[0]
    pos = (x - grid[0]) / step
    left = np.clip(np.floor(pos).astype(int), 0, n_grid - 2)
    frac = pos - left
    counts = (np.bincount(left, 1 - frac, minlength=n_grid)
              + np.bincount(left + 1, frac, minlength=n_grid))
    half = min(int(np.ceil(6 * bw / step)), n_grid - 1)
    offsets = np.arange(-half, half + 1) * step
    kernel = np.exp(-0.5 * (offsets / bw) ** 2) / (bw * np.sqrt(2 * np.pi) * x.size)
    return grid, np.convolve(counts, kernel, mode="same")


def prior_quantiles(prior, probs) -> np.ndarray:
    """Quantiles of a positive parameter's prior, from its density on a log grid."""
    grid = np.linspace(-14.0, 6.0, 20001)
    dens = prior.pdf(np.exp(grid)) * np.exp(grid)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))])
    return np.exp(np.interp(np.asarray(probs) * cdf[-1], cdf, grid))


def prior_verdict(overlap: float) -> str:
    """Words for a prior-posterior overlap."""
    if overlap >= OVERLAP_PRIOR_DOMINATED:
        return (f"posterior is essentially the prior (overlap {overlap:.0%}): the data do "
                "not inform it")
    if overlap >= OVERLAP_WEAK:
        return f"weakly informed by the data (overlap {overlap:.0%} with the prior)"
    return f"informed by the data (overlap {overlap:.0%} with the prior)"


def is_prior_bound(verdict) -> bool:
    """Whether a :func:`prior_verdict` says the posterior is essentially the prior."""
    return str(verdict).startswith("posterior is essentially the prior")


def posterior_prior(idata, name: str):
    """The prior a posterior variable records in its ``prior`` attribute (None if none)."""
    import json

    from bayesnma.priors import prior_from_config

    spec = idata.posterior[name].attrs.get("prior")
    if not spec:
        return None
    (kind, _), = json.loads(spec).items()
    return prior_from_config(json.loads(spec), parameter=name, allowed=(kind,))


def _cells(var):
    """``(label, draws)`` of each element of a posterior variable: ``name[coord]``."""
    extra = [d for d in var.dims if d not in SAMPLE_DIMS]
    if not extra:
        return [(var.name, var)]
    return [(f"{var.name}[{c}]", var.sel({extra[0]: c})) for c in var[extra[0]].values]


def key_parameters(idata, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Posterior summary of every key parameter (by role: treatment, class and regression
    effects, heterogeneity and their kin), with its prior and how much the data moved it.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``role`` (in words), ``mean``, ``sd``, ``median``, interval limits,
        ``prior``, ``overlap`` (:func:`prior_overlap`; empty for derived quantities) and
        ``verdict``.
    """
    lo, hi = quantile_columns(ci_prob)
    probs = [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2]
    rows = []
    for name in idata.posterior.data_vars:
        role = role_of(idata, name)
        if not role.key:
            continue
        var = idata.posterior[name]
        prior = posterior_prior(idata, name)
        for label, cell in _cells(var):
            draws = cell.values.ravel()
            q = np.quantile(draws, probs)
            row = {"parameter": label, "role": role.description, "mean": draws.mean(),
                   "sd": draws.std(ddof=1), "median": q[0], lo: q[1], hi: q[2],
                   "prior": str(prior or var.attrs.get("prior_text", "")),
                   "overlap": np.nan, "verdict": ""}
            if prior is not None:
                row["overlap"] = prior_overlap(draws, prior)
                row["verdict"] = prior_verdict(row["overlap"])
            rows.append(row)
    return pd.DataFrame(rows, columns=["parameter", "role", "mean", "sd", "median", lo, hi,
                                       "prior", "overlap", "verdict"])


def heterogeneity(idata, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Posterior and prior of every heterogeneity SD (``tau``; empty for fixed effects).

    Returns
    -------
    pandas.DataFrame
        One row per heterogeneity parameter: ``parameter``, ``mean``, ``sd``, ``median`` and
        the interval limits; its ``prior``, the prior's median and limits
        (``prior_median``, ``prior_<limit>``), the prior-posterior ``overlap``
        (:func:`prior_overlap`) and ``verdict`` in words.
    """
    lo, hi = quantile_columns(ci_prob)
    probs = [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2]
    columns = ["parameter", "mean", "sd", "median", lo, hi, "prior", "prior_median",
               f"prior_{lo}", f"prior_{hi}", "overlap", "verdict"]
    rows = []
    for name in idata.posterior.data_vars:
        if role_of(idata, name).name != "heterogeneity":
            continue
        prior = posterior_prior(idata, name)
        for label, cell in _cells(idata.posterior[name]):
            draws = cell.values.ravel()
            q = np.quantile(draws, probs)
            row = {"parameter": label, "mean": draws.mean(), "sd": draws.std(ddof=1),
                   "median": q[0], lo: q[1], hi: q[2], "prior": str(prior or "")}
            if prior is not None:
                pq = prior_quantiles(prior, probs)
                overlap = prior_overlap(draws, prior)
                row.update({"prior_median": pq[0], f"prior_{lo}": pq[1],
                            f"prior_{hi}": pq[2], "overlap": overlap,
                            "verdict": prior_verdict(overlap)})
            rows.append(row)
    return pd.DataFrame(rows, columns=columns)


#: A treatment effect whose posterior SD is at least this fraction of its prior's SD is set
#: by the prior: the data put no bound on it (zero or full cells that separate the arms).
#: Data that inform an effect shrink its SD far below a vague prior's (a log OR from a
#: small trial: SD about 0.5 against the default prior's 10).
PRIOR_SET_SD_RATIO = 0.25


def prior_set_effects(idata, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Which treatment effects (``d``, each against the reference) the prior sets, and how
    they move with a prior on ``d`` half as wide.

    A treatment whose posterior SD of ``d`` is at least :data:`PRIOR_SET_SD_RATIO` of its
    prior's is flagged ``prior_set``: with zero or full cells separating the arms the
    likelihood does not bound the effect and its size is the prior's. The sensitivity to
    that prior is measured without a refit by importance reweighting of the draws to the
    normal prior with half the SD (Pareto smoothing is not needed for a narrower prior:
    the weights are bounded); ``ess_halved`` is the reweighted draws' effective size.

    Returns
    -------
    pandas.DataFrame
        One row per treatment but the reference: ``treatment``, ``trt_ref``, ``median``,
        ``sd`` (model scale), ``prior``, ``sd_ratio``, ``prior_set``, ``halved_prior``,
        the median and interval limits with it (``median_halved``, ``q2.5_halved``,
        ``q97.5_halved``) and ``ess_halved``. Empty when ``d`` has no fixed normal prior (a
        class model gives ``d`` a hierarchical one).
    """
    from bayesnma.priors import Normal

    lo, hi = quantile_columns(ci_prob)
    columns = ["treatment", "trt_ref", "median", "sd", "prior", "sd_ratio", "prior_set",
               "halved_prior", "median_halved", f"{lo}_halved", f"{hi}_halved", "ess_halved"]
    prior = posterior_prior(idata, "d")
    if not isinstance(prior, Normal) or "d" not in idata.posterior:
        return pd.DataFrame(columns=columns)
    d = idata.posterior["d"].transpose(*SAMPLE_DIMS, "treatment")
    draws = d.values.reshape(-1, d.sizes["treatment"])
    halved = Normal(prior.mean, prior.sd / 2)
    # log N(x; mu, s/2) - log N(x; mu, s) summed over treatments, up to a constant
    z = (draws - prior.mean) / prior.sd
    log_w = -1.5 * (z**2).sum(axis=1)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    probs = [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2]
    sd = draws.std(axis=0, ddof=1)
    rows = []
    for k, trt in enumerate(d["treatment"].values):
        q = _weighted_quantiles(draws[:, k], w, probs)
        rows.append({"treatment": str(trt), "trt_ref": idata.posterior.attrs["trt_ref"],
                     "median": float(np.median(draws[:, k])), "sd": float(sd[k]),
                     "prior": str(prior), "sd_ratio": float(sd[k] / prior.sd),
                     "prior_set": bool(sd[k] >= PRIOR_SET_SD_RATIO * prior.sd),
                     "halved_prior": str(halved), "median_halved": q[0],
                     f"{lo}_halved": q[1], f"{hi}_halved": q[2],
                     "ess_halved": float(1 / (w**2).sum())})
    return pd.DataFrame(rows, columns=columns)


def _weighted_quantiles(x: np.ndarray, w: np.ndarray, probs) -> list[float]:
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    return [float(x[order][min(np.searchsorted(cum, p), len(x) - 1)]) for p in probs]
