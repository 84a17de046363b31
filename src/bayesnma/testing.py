"""Seeded synthetic posteriors for tests and examples (no sampling)."""

from __future__ import annotations

import numpy as np

__all__ = ["synthetic_idata"]


def synthetic_idata(effects: dict[str, float], *, trt_ref: str = "A", sd: float = 0.1,
                    chains: int = 2, draws: int = 500, seed: int = 0, measure: str = "OR"):
    """Posterior (ArviZ ``DataTree``) whose ``d`` draws are Normal(effect, sd) for each
    non-reference treatment.

    Parameters
    ----------
    effects : dict
        True effect vs ``trt_ref`` of each non-reference treatment.
    """
    from arviz_base import from_dict

    rng = np.random.default_rng(seed)
    names = list(effects)
    d = np.stack([rng.normal(effects[t], sd, size=(chains, draws)) for t in names], axis=-1)
    idata = from_dict(
        {"posterior": {"d": d},
         "sample_stats": {"diverging": np.zeros((chains, draws), dtype=bool)}},
        coords={"treatment": names},
        dims={"d": ["treatment"]},
    )
    idata.posterior.attrs.update({"trt_ref": trt_ref, "measure": measure})
    return idata
