"""Direct evidence: a pairwise meta-analysis of every pair of treatments compared head to
head, for the upper triangle of the league table.

Each study gives its own estimate of each pair of its arms on the model scale (log OR,
log HR, MD, ...). Arm-level data: from each arm's own estimate of its linear predictor
(:meth:`bayesnma.likelihoods.ArmLikelihood.empirical`), with 0.5 added to every cell of a
study with a zero cell; a pair with no events in either arm (or only events) says nothing
about the pair and is left out, as R's meta and netmeta do. Contrast-level data: as
reported, a pair of two non-baseline arms of a multi-arm study with the covariance its
baseline SE implies. The studies of a pair are pooled by inverse variance: fixed effects,
or random effects with the DerSimonian-Laird estimate of the pair's own tau^2 (zero with
one study). These are frequentist estimates from the direct evidence alone, a check beside
the Bayesian network estimates, not part of the model.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy.stats import norm

from bayesnma.data import ARM_FORMATS, NetworkData
from bayesnma.measures import get_measure

__all__ = ["DIRECT_COLUMNS", "direct_estimates", "natural_direct", "study_contrasts"]

DIRECT_COLUMNS = ["treatment", "comparator", "studies", "n_studies", "estimate", "se",
                  "lower", "upper", "tau", "trt_effects", "measure"]


def study_contrasts(network: NetworkData) -> pd.DataFrame:
    """Each study's estimate of each pair of its arms, on the model scale. Arms given as
    several rows (intervals, patients) have no single observed value and are left out.

    Returns
    -------
    pandas.DataFrame
        ``study``, ``treatment``, ``comparator`` (names in sorted order), ``y`` (treatment
        vs comparator) and ``var``.
    """
    rows = []
    for study, arms in network.arms.groupby("study", sort=False):
        if len(arms) < 2 or ARM_FORMATS[arms["format"].iloc[0]].several_rows:
            continue
        lik = ARM_FORMATS[arms["format"].iloc[0]].likelihood
        observed = arms[ARM_FORMATS[arms["format"].iloc[0]].observed]
        correct = np.repeat(lik.needs_correction(observed, arms).any(), 2)
        for i, j in combinations(range(len(arms)), 2):
            if _uninformative(lik, observed.iloc[[i, j]], arms.iloc[[i, j]]):
                continue
            pair = arms.iloc[[i, j]]
            eta, var = lik.empirical(observed.iloc[[i, j]], pair, correct)
            rows.append(_oriented(study, pair["treatment"].iloc[0], pair["treatment"].iloc[1],
                                  eta[0] - eta[1], var[0] + var[1]))
    for study, cons in network.contrasts.groupby("study", sort=False):
        base = cons[cons["diff"].isna()]
        others = cons[cons["diff"].notna()]
        if base.empty or others.empty:
            continue
        base_trt, base_var = base["treatment"].iloc[0], base["se"].iloc[0] ** 2
        for _, row in others.iterrows():
            rows.append(_oriented(study, row["treatment"], base_trt, row["diff"],
                                  row["se"] ** 2))
        for (_, a), (_, b) in combinations(others.iterrows(), 2):
            rows.append(_oriented(study, a["treatment"], b["treatment"], a["diff"] - b["diff"],
                                  a["se"] ** 2 + b["se"] ** 2 - 2 * base_var))
    return pd.DataFrame(rows, columns=["study", "treatment", "comparator", "y", "var"])


def _uninformative(lik, observed, arms) -> bool:
    """Both arms without events (or, binomial, both with only events)."""
    r = observed.to_numpy(dtype=float)
    if lik.family == "normal":
        return False
    if (r == 0).all():
        return True
    return lik.family == "binomial" and bool((r == arms["total"].to_numpy(float)).all())


def _oriented(study, a, b, y, var) -> dict:
    a, b = str(a), str(b)
    if a > b:
        a, b, y = b, a, -y
    return {"study": study, "treatment": a, "comparator": b, "y": float(y),
            "var": float(var)}


def direct_estimates(network: NetworkData, *, trt_effects: str = "random",
                     ci_prob: float = 0.95) -> pd.DataFrame:
    """Pooled direct estimate of every pair compared head to head, both orientations.

    Parameters
    ----------
    network : NetworkData
    trt_effects : {"random", "fixed"}
        DerSimonian-Laird random effects (each pair its own tau) or fixed effects.
    ci_prob : float
        Probability of the confidence interval.

    Returns
    -------
    pandas.DataFrame
        :data:`DIRECT_COLUMNS`: ``estimate``, ``se``, ``lower``, ``upper`` and ``tau`` on
        the model scale, ``studies`` the list of the studies' names.
    """
    contrasts = study_contrasts(network)
    z = norm.ppf(0.5 + ci_prob / 2)
    rows = []
    for (a, b), grp in contrasts.groupby(["treatment", "comparator"], sort=True):
        y, v = grp["y"].to_numpy(), grp["var"].to_numpy()
        w = 1 / v
        fixed = np.sum(w * y) / np.sum(w)
        tau2 = 0.0
        if trt_effects == "random" and len(y) > 1:
            q = np.sum(w * (y - fixed) ** 2)
            tau2 = max(0.0, (q - (len(y) - 1)) / (np.sum(w) - np.sum(w ** 2) / np.sum(w)))
        w = 1 / (v + tau2)
        est, se = np.sum(w * y) / np.sum(w), np.sqrt(1 / np.sum(w))
        common = {"studies": [str(x) for x in grp["study"]], "n_studies": len(grp),
                  "se": se, "tau": np.sqrt(tau2), "trt_effects": trt_effects,
                  "measure": network.measure}
        rows.append({"treatment": a, "comparator": b, "estimate": est, "lower": est - z * se,
                     "upper": est + z * se, **common})
        rows.append({"treatment": b, "comparator": a, "estimate": -est, "lower": -est - z * se,
                     "upper": -est + z * se, **common})
    return pd.DataFrame(rows, columns=DIRECT_COLUMNS)


def natural_direct(direct: pd.DataFrame) -> pd.DataFrame:
    """Direct estimates on the natural scale (ratios exponentiated)."""
    out = direct.copy()
    ratio = out["measure"].map(lambda code: get_measure(code).ratio).astype(bool)
    for col in ("estimate", "lower", "upper"):
        out.loc[ratio, col] = np.exp(out.loc[ratio, col])
    return out
