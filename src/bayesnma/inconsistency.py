"""What the consistency checks share: fits side by side, and effects between two
treatments from a fit. Each variant's own summaries live with it (:mod:`bayesnma.variants`).

Post-processing only: each function takes fitted posteriors (and tables) and returns
tables; nothing here samples or writes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.effects import treatment_effects

__all__ = ["P_INCONSISTENT", "bayesian_p_value", "model_comparison", "pair_draws"]

#: Bayesian p-value below which a node-split is reported as evidence of inconsistency.
P_INCONSISTENT = 0.05


def pair_draws(idata, trt: str, comparator: str) -> np.ndarray:
    """Posterior draws of the effect of ``trt`` vs ``comparator`` in a fit."""
    eff = treatment_effects(idata)
    return (eff.sel(treatment=trt) - eff.sel(treatment=comparator)).values.ravel()


def bayesian_p_value(omega: np.ndarray) -> float:
    """Two-sided Bayesian p-value of an inconsistency factor: ``2 min(P(omega > 0),
    P(omega < 0))`` (Dias et al. 2010; as gemtc and multinma)."""
    omega = np.asarray(omega).ravel()
    return float(min(1.0, 2 * min((omega > 0).mean(), (omega < 0).mean())))


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
