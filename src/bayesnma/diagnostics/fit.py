"""Model fit: residual deviance, pD and DIC (NICE DSU TSD2), pointwise log-likelihood and
PSIS-LOO."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from bayesnma.data import ARM_FORMATS
from bayesnma.likelihoods import CONTRAST_LIKELIHOOD


def _arm_data(const, pick, prefix: str = ""):
    return {c: const[prefix + c].values[pick] for c in ("total", "follow_up", "person_time",
                                                        "se")}


def _arm_level(const):
    """Yield ``(format, likelihood, pick, arm positions, data, prefix)`` of each arm-level
    format: per arm (``pick`` over dim ``arm``) or, for formats given as
    several rows per arm, per row (``pick`` over dim ``observation``; ``arm positions``
    index ``eta``)."""
    for prefix, name in (("", "arm_format"), ("obs_", "obs_format")):
        if name not in const:
            continue
        fmts = const[name].values
        for fmt in dict.fromkeys(fmts):
            spec = ARM_FORMATS[fmt]
            if spec.several_rows != bool(prefix):  # such arms' values are their rows'
                continue
            pick = fmts == fmt
            arm = const["obs_arm"].values[pick] if prefix else np.flatnonzero(pick)
            yield fmt, spec.likelihood, pick, arm, _arm_data(const, pick, prefix), prefix


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
        for fmt, lik, pick, arm, data, prefix in _arm_level(const):
            observed = obs[f"y_{fmt}"].values.astype(float)
            eta = eta_all[..., arm]
            points = (const["observation"] if prefix else post["arm"]).values[pick]
            yield {"data_point": points,
                   "study": const["obs_study" if prefix else "study"].values[pick],
                   "treatment": const[f"{prefix or 'arm_'}treatment"].values[pick],
                   "format": fmt, "observed": observed, "fitted": lik.fitted(eta, data),
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
        for fmt, lik, _, arm, data, prefix in _arm_level(const):
            ll = lik.loglik(obs[f"y_{fmt}"].values.astype(float), eta_all[..., arm], data)
            if prefix:  # rows of one arm: the arm is the LOO unit
                ll = np.stack([ll[..., arm == k].sum(axis=-1) for k in dict.fromkeys(arm)],
                              axis=-1)
                arm = np.array(list(dict.fromkeys(arm)))
            values.append(ll)
            labels += list(post["arm"].values[arm])
            studies += list(const["study"].values[arm])
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
