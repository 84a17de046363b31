"""Prior against posterior: how much the data inform each parameter (overlap, verdict),
the key parameters and heterogeneity with their priors, and effects the prior sets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.effects import SAMPLE_DIMS, quantile_columns
from bayesnma.parameters import role_of

#: Prior-posterior overlap above which a parameter counts as essentially its prior, and
#: above which it counts as weakly identified (Garrett & Zeger 2000 suggest 35%).
OVERLAP_PRIOR_DOMINATED = 0.75


OVERLAP_WEAK = 0.35


def prior_overlap(draws, prior) -> float:
    """Overlap of a parameter's posterior with its prior, ``int min(p, q)``.

    1 means the data left the prior unchanged, 0 that they moved it completely. The
    posterior density is a Gaussian kernel density estimate of the draws with Scott's
    bandwidth (as ``scipy.stats.gaussian_kde``), computed by ArviZ's binned KDE on a grid
    over the draws and 5 bandwidths either side (exact kernel sums cost draws x grid
    points, seconds per parameter); a positive parameter is handled on the log scale (the
    overlap does not depend on the scale; there the posterior density has no boundary).
    ``min(p, q)`` is zero wherever the posterior is zero, so the grid need not cover the
    rest of the prior.
    """
    draws = np.asarray(draws, dtype=float).ravel()
    if not prior.positive:
        grid, post = _kde_on_grid(draws)
        return float(np.trapezoid(np.minimum(post, prior.pdf(grid)), grid))
    grid, post = _kde_on_grid(np.log(draws))
    prior_dens = prior.pdf(np.exp(grid)) * np.exp(grid)
    return float(np.trapezoid(np.minimum(post, prior_dens), grid))


def _kde_on_grid(x: np.ndarray, n_grid: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian KDE of ``x`` with Scott's bandwidth (ArviZ's KDE, no boundary correction)
    on a regular grid covering the draws and 5 bandwidths either side."""
    from arviz_stats.base import array_stats

    bw = float(np.std(x, ddof=1)) * x.size ** (-1 / 5)
    if not bw > 0:
        bw = max(abs(float(x[0])), 1.0) * 1e-6
    grid, density, _ = array_stats.kde(x, grid_len=n_grid, bw=bw, bound_correction=False,
                                       custom_lims=(x.min() - 5 * bw, x.max() + 5 * bw))
    return np.asarray(grid), np.asarray(density)


def prior_quantiles(prior, probs) -> np.ndarray:
    """Quantiles of a prior (its ``scipy.stats`` distribution's ``ppf``)."""
    return np.asarray(prior.ppf(probs), dtype=float)


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

    from bayesnma.prior_config import prior_from_config

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
    if prior is None or prior.positive or "d" not in idata.posterior:
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
