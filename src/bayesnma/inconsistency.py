"""Is the evidence consistent? Summaries of UME and node-split fits (NICE DSU TSD4).

Post-processing only: each function takes fitted posteriors (and tables) and returns
tables; nothing here samples or writes.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from bayesnma.effects import summarise_draws, treatment_effects

__all__ = ["consistency_verdict", "model_comparison", "nodesplit_summary", "ume_effects"]

#: Bayesian p-value below which a node-split is reported as evidence of inconsistency.
P_INCONSISTENT = 0.05


def _pair_draws(idata, trt: str, comparator: str) -> np.ndarray:
    eff = treatment_effects(idata)
    return (eff.sel(treatment=trt) - eff.sel(treatment=comparator)).values.ravel()


def bayesian_p_value(omega: np.ndarray) -> float:
    """Two-sided Bayesian p-value of an inconsistency factor: ``2 min(P(omega > 0),
    P(omega < 0))`` (Dias et al. 2010; as gemtc and multinma)."""
    omega = np.asarray(omega).ravel()
    return float(min(1.0, 2 * min((omega > 0).mean(), (omega < 0).mean())))


def nodesplit_summary(split, consistency=None, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Direct, indirect and network estimates of one node-split comparison.

    Parameters
    ----------
    split : xarray.DataTree
        Posterior of a node-split fit (``consistency="nodesplit"``).
    consistency : xarray.DataTree, optional
        Posterior of the consistency model of the same data (gives the network estimate).

    Returns
    -------
    pandas.DataFrame
        One row per estimate (``network``, ``direct``, ``indirect``, ``difference``; the
        difference is ``omega = direct - indirect``), with ``treatment``, ``comparator``,
        ``mean``, ``sd``, ``median``, the interval limits and ``p_value`` (two-sided
        Bayesian p of the difference, on every row).
    """
    attrs = split.posterior.attrs
    trt, comp = attrs["nodesplit_trt"], attrs["nodesplit_comparator"]
    indirect = _pair_draws(split, trt, comp)
    direct = split.posterior["d_dir"].values.ravel()
    estimates = {"direct": direct, "indirect": indirect, "difference": direct - indirect}
    if consistency is not None:
        estimates = {"network": _pair_draws(consistency, trt, comp), **estimates}
    rows = []
    for name, draws in estimates.items():
        rows.append({"treatment": trt, "comparator": comp, "estimate": name,
                     **{k: float(v) for k, v in summarise_draws(draws, ci_prob).items()}})
    table = pd.DataFrame(rows)
    table["p_value"] = bayesian_p_value(direct - indirect)
    return table


def ume_effects(ume, consistency=None, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Each comparison's unrelated mean effect, beside its consistency estimate.

    Returns
    -------
    pandas.DataFrame
        One row per (comparison, model): ``treatment``, ``comparator``, ``model``
        (``ume``, ``consistency``), ``mean``, ``sd``, ``median`` and the interval limits.
    """
    d_ume = ume.posterior["d_ume"]
    rows = []
    for k, (label, (trt, comp)) in enumerate(zip(d_ume["comparison"].values,
                                                 json.loads(d_ume.attrs["comparisons"]),
                                                 strict=True)):
        models = {"ume": d_ume.isel(comparison=k).values.ravel()}
        if consistency is not None:
            models["consistency"] = _pair_draws(consistency, trt, comp)
        for model, draws in models.items():
            rows.append({"comparison": str(label), "treatment": trt, "comparator": comp,
                         "model": model,
                         **{k2: float(v) for k2, v in summarise_draws(draws, ci_prob).items()}})
    return pd.DataFrame(rows)


def model_comparison(fits: dict[str, pd.DataFrame], loos: dict[str, pd.DataFrame] | None = None
                     ) -> pd.DataFrame:
    """Residual deviance, pD, DIC (and LOO) of fitted variants side by side.

    Parameters
    ----------
    fits : dict
        Variant label -> output of :func:`bayesnma.diagnostics.model_fit`.
    loos : dict, optional
        Variant label -> summary table of :func:`bayesnma.diagnostics.loo`.
    """
    rows = []
    for label, fit in fits.items():
        values = dict(zip(fit["quantity"], fit["value"], strict=True))
        if loos and label in loos:
            values.update(zip(loos[label]["quantity"], loos[label]["value"], strict=True))
        rows.append({"model": label, **values})
    return pd.DataFrame(rows)


def consistency_verdict(splits: pd.DataFrame | None, *, n_loops_possible: int,
                        not_converged: tuple[str, ...] = ()) -> str:
    """One line on whether direct and indirect evidence agree.

    Parameters
    ----------
    splits : pandas.DataFrame or None
        Concatenated :func:`nodesplit_summary` tables of the node-splits that converged
        (``difference`` rows are used).
    n_loops_possible : int
        Number of comparisons that could be split (0: the network has no closed loop).
    not_converged : tuple of str
        Node-split fits (``ns<k>``) that failed the convergence criteria: their
        comparisons are not assessed, and the verdict says so.
    """
    if n_loops_possible == 0:
        return ("no closed loop: every comparison rests on direct or on indirect evidence "
                "only, so consistency cannot be checked; the ranking assumes it")
    if not_converged and (splits is None or not len(splits)):
        return (f"not assessable: the node-split fit(s) {', '.join(not_converged)} did not "
                "converge (see Diagnostics), so direct and indirect evidence were not "
                "compared")
    if splits is None or not len(splits):
        return (f"{n_loops_possible} comparison(s) have both direct and indirect evidence, but "
                "node-splitting was not run (consistency: auto, the default, runs it)")
    diff = splits[splits["estimate"] == "difference"]
    bad = diff[diff["p_value"] < P_INCONSISTENT]
    unassessed = (f"; not assessed: {', '.join(not_converged)} (did not converge)"
                  if not_converged else "")
    if len(bad):
        items = ", ".join(f"{r.treatment} vs {r.comparator} (p = {r.p_value:.3f})"
                          for r in bad.itertuples())
        return f"inconsistency in {items}{unassessed}"
    return (f"no evidence of inconsistency (smallest p = {diff['p_value'].min():.2f}, "
            f"{len(diff)} split{'s' if len(diff) != 1 else ''}){unassessed}")
