"""Posterior ranks, rank probabilities and SUCRA."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.effects import effect_draws, mcse, quantile_columns, ranked_effects

__all__ = ["posterior_rank_draws", "posterior_rank_probs", "posterior_ranks"]


def posterior_rank_draws(idata, *, lower_better: bool, effects=None
                         ) -> tuple[list[str], np.ndarray]:
    """Rank of each treatment in each posterior draw (1 = best).

    ``effects`` (optional) ranks other draws than the treatment effects of ``idata``
    (:func:`bayesnma.effects.ranked_effects`: treatments at their class mean are not
    ranked), e.g. effects at covariate values or of classes (see
    :func:`bayesnma.effects.relative_effects`).

    Returns
    -------
    treatments : list of str
    ranks : ndarray, shape (n_draws, n_treatments)
    """
    trts, draws = effect_draws(idata, ranked_effects(idata) if effects is None else effects)
    score = draws if lower_better else -draws
    ranks = score.argsort(axis=1, kind="stable").argsort(axis=1, kind="stable") + 1
    return trts, ranks


def posterior_rank_probs(idata, *, lower_better: bool, effects=None) -> pd.DataFrame:
    """Probability that each treatment takes each rank.

    Returns
    -------
    pandas.DataFrame
        Columns ``treatment``, ``rank`` (1 = best), ``probability``,
        ``cumulative_probability`` (probability of rank ``rank`` or better) and their Monte
        Carlo standard errors ``mcse_probability``, ``mcse_cumulative_probability``.
    """
    trts, ranks = posterior_rank_draws(idata, lower_better=lower_better, effects=effects)
    n = len(trts)
    chains = idata.posterior.sizes["chain"]
    by_chain = ranks.reshape(chains, -1, n)
    levels = np.arange(1, n + 1)
    probs = np.stack([(ranks == r).mean(axis=0) for r in levels], axis=1)
    cum = probs.cumsum(axis=1)
    # Indicators (chain, draw, treatment, rank) of each rank and of each rank or better.
    at = mcse(by_chain[..., None] == levels)
    within = mcse(by_chain[..., None] <= levels)
    return pd.DataFrame(
        {
            "treatment": np.repeat(trts, n),
            "rank": np.tile(levels, n),
            "probability": probs.ravel(),
            "cumulative_probability": np.minimum(cum.ravel(), 1.0),
            "mcse_probability": at.ravel(),
            "mcse_cumulative_probability": within.ravel(),
        }
    )


def posterior_ranks(idata, *, lower_better: bool, ci_prob: float = 0.95,
                    effects=None) -> pd.DataFrame:
    """Mean and median rank with credible interval, and SUCRA.

    SUCRA is ``(n - mean rank) / (n - 1)``, the mean of the cumulative rank probabilities
    over ranks 1 to n - 1 (Salanti 2011; Rücker & Schwarzer 2015): 1 for a treatment that
    is surely best, 0 for one that is surely worst.

    Returns
    -------
    pandas.DataFrame
        Columns ``treatment``, ``mean_rank``, ``median_rank``, the rank interval limits
        (``q2.5``, ``q97.5``), ``sucra``, ``p_best`` and the Monte Carlo standard errors
        ``mcse_mean_rank``, ``mcse_sucra`` and ``mcse_p_best``; sorted by SUCRA, best first.
    """
    trts, ranks = posterior_rank_draws(idata, lower_better=lower_better, effects=effects)
    n = len(trts)
    lo, hi = quantile_columns(ci_prob)
    q = np.quantile(ranks, [0.5, (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2], axis=0,
                    method="inverted_cdf")
    mean_rank = ranks.mean(axis=0)
    by_chain = ranks.reshape(idata.posterior.sizes["chain"], -1, n)
    mcse_rank = mcse(by_chain)
    table = pd.DataFrame(
        {
            "treatment": trts,
            "mean_rank": mean_rank,
            "median_rank": q[0].astype(int),
            lo: q[1].astype(int),
            hi: q[2].astype(int),
            "sucra": (n - mean_rank) / (n - 1),
            "p_best": (ranks == 1).mean(axis=0),
            "mcse_mean_rank": mcse_rank,
            "mcse_sucra": mcse_rank / (n - 1),
            "mcse_p_best": mcse(by_chain == 1),
        }
    )
    return table.sort_values(["sucra", "treatment"], ascending=[False, True]).reset_index(drop=True)
