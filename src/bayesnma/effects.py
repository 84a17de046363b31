"""Relative effects and league tables from a fitted model's posterior."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from bayesnma.measures import get_measure

__all__ = ["at_class_mean", "class_level_effects", "effect_draws", "league_table",
           "mc_decimals", "mcse", "natural_scale", "posterior_classes", "quantile_columns",
           "ranked_effects", "relative_effects", "summarise_draws", "treatment_effects"]

SAMPLE_DIMS = ("chain", "draw")


def quantile_columns(ci_prob: float = 0.95) -> tuple[str, str]:
    """Names of the equal-tailed interval columns, e.g. ``("q2.5", "q97.5")``."""
    tail = 100 * (1 - ci_prob) / 2
    return f"q{tail:g}", f"q{100 - tail:g}"


def treatment_effects(idata, at: Mapping[str, float] | None = None) -> xr.DataArray:
    """Posterior draws of every treatment's effect vs the reference (0 for the reference).

    Parameters
    ----------
    idata : xarray.DataTree
    at : mapping, optional
        Meta-regression only: centred value of each regression term (missing terms: 0,
        the centring value or reference level, where ``d`` itself applies); see
        :func:`bayesnma.regression.covariate_settings`.

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, treatment)``, treatments in model order (reference first).
    """
    d = idata.posterior["d"]
    if at:
        beta = idata.posterior["beta_trt"]
        terms = [str(t) for t in beta["regression_term"].values]
        unknown = sorted(set(at) - set(terms))
        if unknown:
            raise ValueError(f"not regression terms of this model: {', '.join(unknown)} "
                             f"(terms: {', '.join(terms)})")
        x = xr.DataArray([float(at.get(t, 0.0)) for t in terms], dims="regression_term",
                         coords={"regression_term": beta["regression_term"].values})
        d = d + (beta * x).sum("regression_term")
    ref_name = idata.posterior.attrs["trt_ref"]
    ref = xr.zeros_like(d.isel(treatment=0)).expand_dims(treatment=[ref_name])
    return xr.concat([ref, d], dim="treatment").transpose(*SAMPLE_DIMS, "treatment")


def posterior_classes(idata) -> dict[str, str] | None:
    """Class of every treatment of a fitted class model (None without one)."""
    attrs = idata.posterior["d"].attrs
    return json.loads(attrs["classes"]) if "classes" in attrs else None


def at_class_mean(idata) -> list[str]:
    """Treatments a class model fixes at their class mean (``at_class_mean``: an arm of a
    mixed or unspecified member of the class). Such a node stands for its class, not a
    treatment one could choose: it has effects but no rank."""
    return json.loads(idata.posterior["d"].attrs.get("at_class_mean", "[]"))


def ranked_effects(idata) -> xr.DataArray:
    """The treatment effects a ranking compares: every treatment but those at their class
    mean (:func:`at_class_mean`)."""
    eff = treatment_effects(idata)
    drop = at_class_mean(idata)
    return eff.drop_sel(treatment=drop) if drop else eff


def class_level_effects(idata) -> xr.DataArray | None:
    """Posterior draws of each treatment class's effect vs the reference treatment (None
    without a class model).

    A class's effect is its class mean ``d_class``; a class without one is the reference
    treatment's class (0) or a singleton with its own effect (that treatment's ``d``).

    Returns
    -------
    xarray.DataArray or None
        Dims ``(chain, draw, class)``, the reference treatment's class first.
    """
    post = idata.posterior
    class_of = posterior_classes(idata)
    if class_of is None:
        return None
    trts = treatment_effects(idata)
    ref = post.attrs["trt_ref"]
    order = list(dict.fromkeys(class_of[str(t)] for t in trts["treatment"].values))
    means = [str(c) for c in post["d_class"]["class"].values] if "d_class" in post else []
    parts = []
    for c in order:
        if c in means:
            parts.append(post["d_class"].sel({"class": c}, drop=True))
        elif c == class_of[ref]:
            parts.append(xr.zeros_like(trts.isel(treatment=0, drop=True)))
        else:
            (member,) = [t for t in map(str, trts["treatment"].values) if class_of[t] == c]
            parts.append(trts.sel(treatment=member, drop=True))
    out = xr.concat(parts, dim=pd.Index(order, name="class"))
    return out.transpose(*SAMPLE_DIMS, "class")


def effect_draws(idata, effects: xr.DataArray | None = None) -> tuple[list[str], np.ndarray]:
    """Labels and draws ``(n_draws, n_items)`` of ``effects`` (default: the treatment
    effects of ``idata``)."""
    eff = treatment_effects(idata) if effects is None else effects
    dim = eff.dims[-1]
    labels = [str(t) for t in eff[dim].values]
    return labels, eff.transpose(*SAMPLE_DIMS, dim).values.reshape(-1, len(labels))


def summarise_draws(draws: np.ndarray, ci_prob: float = 0.95, *,
                    chains: int | None = None) -> dict[str, np.ndarray]:
    """Mean, SD, median and equal-tailed interval of draws (over the first axis).

    With ``chains`` (the draws chain after chain, as :func:`effect_draws` gives them), also
    the Monte Carlo standard error of each: ``mcse_mean``, ``mcse_sd``, ``mcse_median``,
    ``mcse_q2.5``, ``mcse_q97.5`` (ArviZ's ESS-based estimates).
    """
    lo, hi = quantile_columns(ci_prob)
    probs = {"median": 0.5, lo: (1 - ci_prob) / 2, hi: 1 - (1 - ci_prob) / 2}
    q = np.quantile(draws, list(probs.values()), axis=0)
    out = {"mean": draws.mean(axis=0), "sd": draws.std(axis=0, ddof=1),
           **dict(zip(probs, q, strict=True))}
    if chains is not None:
        by_chain = draws.reshape(chains, -1, *draws.shape[1:])
        out |= {"mcse_mean": mcse(by_chain, "mean"), "mcse_sd": mcse(by_chain, "sd"),
                **{f"mcse_{name}": mcse(by_chain, "quantile", prob)
                   for name, prob in probs.items()}}
    return out


def mcse(by_chain: np.ndarray, method: str = "mean", prob: float | None = None) -> np.ndarray:
    """Monte Carlo standard error of a summary of draws ``(chain, draw, ...)``: ``mean``
    (of an indicator: a probability), ``sd`` or the ``quantile`` ``prob``; 0 where the
    draws are constant."""
    from arviz_stats.base import array_stats

    values = np.moveaxis(np.asarray(by_chain, dtype=float), (0, 1), (-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.asarray(array_stats.mcse(values, method=method, prob=prob))
    return np.where(np.ptp(values, axis=(-2, -1)) == 0, 0.0, out)


def mc_decimals(error) -> int | None:
    """Decimals a number with Monte Carlo standard error ``error`` supports: the most for
    which one unit of the last printed digit is at least twice the error (the half-width
    of its 95% Monte Carlo interval); None without an error (0 or missing: exact)."""
    if error is None or not np.isfinite(error) or error <= 0:
        return None
    return max(0, math.floor(-math.log10(2 * float(error))))


def relative_effects(idata, *, lower_better: bool, ci_prob: float = 0.95,
                     effects: xr.DataArray | None = None) -> pd.DataFrame:
    """Relative effects for every ordered pair of treatments.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`bayesnma.pymc_backend.fit`.
    lower_better : bool
        Direction of benefit; sets ``p_better``.
    ci_prob : float
        Probability of the equal-tailed credible interval. Defaults to 0.95.
    effects : xarray.DataArray, optional
        Draws ``(chain, draw, <items>)`` of each item's effect vs a common reference;
        defaults to :func:`treatment_effects`. Pass effects at covariate values or of
        treatment classes to compare those instead (the ``treatment`` column then holds
        their labels).

    Returns
    -------
    pandas.DataFrame
        One row per (treatment, comparator, scale) with ``scale`` the model scale (e.g.
        ``log HR``, ``MD``) and, for ratio measures, the natural scale (``HR``); columns
        ``mean`` and ``sd`` (on the model scale only: a ratio's mean and SD are dominated
        by its tail and mean nothing), ``median``, the interval limits (``q2.5``, ``q97.5``),
        ``p_better`` (the posterior probability that ``treatment`` is better than
        ``comparator``), ``better_if`` (the direction of benefit, e.g. ``HR < 1 favours
        the treatment``) and the Monte Carlo standard error of each number (``mcse_mean``,
        ``mcse_sd``, ``mcse_median``, ``mcse_q2.5``, ``mcse_q97.5``, ``mcse_p_better``).
    """
    measure = get_measure(idata.posterior.attrs.get("measure", "OR"))
    trts, draws = effect_draws(idata, effects)
    pairs = [(a, b) for a in range(len(trts)) for b in range(len(trts)) if a != b]
    first, second = (np.array([p[i] for p in pairs], dtype=int) for i in (0, 1))
    diff = draws[:, first] - draws[:, second]
    better = (diff < 0) if lower_better else (diff > 0)
    scales = [(measure.model_scale, diff)]
    if measure.ratio:
        scales.append((measure.code, np.exp(diff)))
    chains = idata.posterior.sizes["chain"]
    mcse_better = mcse(better.reshape(chains, -1, len(pairs)))
    frames = []
    for scale, values in scales:
        summary = summarise_draws(values, ci_prob, chains=chains)
        if scale != measure.model_scale:
            summary.update(mean=np.nan, sd=np.nan, mcse_mean=np.nan, mcse_sd=np.nan)
        stats = {k: v for k, v in summary.items() if not k.startswith("mcse_")}
        frame = pd.DataFrame(
            {"treatment": [trts[a] for a, _ in pairs], "comparator": [trts[b] for _, b in pairs],
             "scale": scale, **stats, "p_better": better.mean(axis=0),
             "better_if": measure.better_if(lower_better),
             **{k: v for k, v in summary.items() if k.startswith("mcse_")},
             "mcse_p_better": mcse_better}
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def natural_scale(effects: pd.DataFrame) -> pd.DataFrame:
    """Rows of a :func:`relative_effects` table on the natural scale (``HR``, ``OR``, ...
    or ``MD``): the log-scale duplicates of ratio measures left out."""
    return effects[~effects["scale"].astype(str).str.startswith("log ")]


def league_table(effects: pd.DataFrame, order, *, direct: pd.DataFrame | None = None,
                 ci_prob: float = 0.95, digits: int = 2):
    """League table on the natural scale (``HR``, ``OR``, ``MD``, ...): each
    cell is row vs column; below the diagonal the network estimate, median (CrI); above it
    the direct estimate from the studies comparing the pair head to head (``direct``, from
    :func:`bayesnma.pairwise.direct_estimates`), estimate (CI), or ``-`` without such
    studies.

    Parameters
    ----------
    effects : pandas.DataFrame
        Output of :func:`relative_effects`.
    order : sequence of str
        Treatments in display order (usually best first by SUCRA).
    direct : pandas.DataFrame, optional
        Direct estimates (model scale); without them the upper triangle holds the network
        estimates too.
    ci_prob : float
        Interval probability used in ``effects``.
    digits : int
        Decimal places.

    Returns
    -------
    pandas.DataFrame
        Square table indexed by treatment; diagonal cells hold the treatment name.
    """
    from bayesnma.pairwise import natural_direct

    lo, hi = quantile_columns(ci_prob)
    cells = natural_scale(effects).set_index(["treatment", "comparator"])
    pairs = (natural_direct(direct).set_index(["treatment", "comparator"])
             if direct is not None else None)
    order = list(order)
    table = pd.DataFrame("", index=pd.Index(order, name="treatment"), columns=order, dtype=object)

    def text(row, cols):
        return "{} ({}, {})".format(*(f"{row[c]:.{digits}f}" for c in cols))

    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if i == j:
                table.loc[a, b] = a
            elif i > j or pairs is None:
                table.loc[a, b] = text(cells.loc[(a, b)], ("median", lo, hi))
            else:
                table.loc[a, b] = (text(pairs.loc[(a, b)], ("estimate", "lower", "upper"))
                                   if (a, b) in pairs.index else "-")
    return table
