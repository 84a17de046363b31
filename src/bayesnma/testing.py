"""Seeded synthetic posteriors and survival studies for tests and examples (no sampling)."""

from __future__ import annotations

import numpy as np

__all__ = ["km_median", "logrank", "simulate_binary_network", "simulate_logrank_studies",
           "synthetic_idata"]


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


def logrank(times: np.ndarray, events: np.ndarray, group: np.ndarray) -> tuple[float, float]:
    """Two-sided log-rank test of ``group == 1`` vs ``group == 0`` (continuous times, no
    ties). Returns ``(z, p)`` with ``z = (O_1 - E_1) / sqrt(V)``."""
    from scipy.stats import norm

    order = np.argsort(times, kind="stable")
    e, g = events[order].astype(bool), group[order].astype(float)
    at_risk = np.arange(len(times), 0, -1, dtype=float)
    at_risk_1 = np.cumsum(g[::-1])[::-1]
    frac = at_risk_1 / at_risk
    z = (g[e].sum() - frac[e].sum()) / np.sqrt((frac * (1 - frac))[e].sum())
    return float(z), float(2 * norm.sf(abs(z)))


def km_median(times: np.ndarray, events: np.ndarray) -> float:
    """Kaplan-Meier median (continuous times, no ties); NaN if not reached."""
    order = np.argsort(times, kind="stable")
    t, e = times[order], events[order].astype(bool)
    at_risk = np.arange(len(t), 0, -1, dtype=float)
    surv = np.cumprod(np.where(e, 1 - 1 / at_risk, 1.0))
    below = np.flatnonzero(surv <= 0.5)
    return float(t[below[0]]) if below.size else float("nan")


def simulate_logrank_studies(n_studies: int, *, log_hr: float, shape: float = 1.0,
                             n_per_arm: int = 100, median_ctl: float = 6.0,
                             follow_up: tuple[float, float] = (12.0, 30.0), seed: int = 0):
    """Two-arm survival studies as papers report them: each arm's Kaplan-Meier median,
    events and size, and the log-rank p-value.

    Event times are Weibull with ``shape`` (1: exponential) and proportional hazards
    ``exp(log_hr)`` (treatment vs control); censoring is administrative, each patient
    followed for a time uniform on ``follow_up`` (staggered entry).

    Returns
    -------
    pandas.DataFrame
        One row per study: ``median_trt``, ``median_ctl``, ``events_trt``, ``events_ctl``,
        ``total_trt``, ``total_ctl``, ``z`` and ``p_value``.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    scale_ctl = median_ctl / np.log(2) ** (1 / shape)
    rows = []
    group = np.repeat([1, 0], n_per_arm)
    for _ in range(n_studies):
        # S(t) = exp(-(t / scale)^shape * HR^group): scale_trt = scale_ctl * HR^(-1/shape)
        scale = np.where(group == 1, scale_ctl * np.exp(-log_hr / shape), scale_ctl)
        event_time = scale * rng.weibull(shape, size=group.size)
        censor = rng.uniform(*follow_up, size=group.size)
        times, events = np.minimum(event_time, censor), event_time <= censor
        z, p = logrank(times, events, group)
        arm = {k: (times[group == k], events[group == k]) for k in (0, 1)}
        rows.append({"median_trt": km_median(*arm[1]), "median_ctl": km_median(*arm[0]),
                     "events_trt": int(arm[1][1].sum()), "events_ctl": int(arm[0][1].sum()),
                     "total_trt": n_per_arm, "total_ctl": n_per_arm, "z": z, "p_value": p})
    return pd.DataFrame(rows)


def simulate_binary_network(n_studies: int, *, n_treatments: int = 20, tau: float = 0.3,
                            multi_arm_share: float = 0.18, seed: int = 0):
    """A connected random-effects network of binary outcomes (arm level, logit scale).

    Treatment ``T01`` is the reference; true ``d`` vs ``T01`` are N(0, 0.5^2), study
    baselines N(-1, 0.5^2), arm sizes uniform on 50-300. The first ``n_treatments - 1``
    studies compare ``T01`` with each other treatment (so the network is connected); the
    rest compare random pairs, a share ``multi_arm_share`` of them random triples. Study
    effects vs the study's first arm are N(d, tau^2) with correlation 0.5 between arms.

    Returns
    -------
    pandas.DataFrame
        ``study``, ``treatment``, ``events``, ``total`` (one row per arm), with the true
        effects in ``attrs["d"]`` (dict) and ``attrs["tau"]``.
    """
    import pandas as pd

    if n_studies < n_treatments - 1:
        raise ValueError(f"{n_studies} studies cannot connect {n_treatments} treatments")
    rng = np.random.default_rng(seed)
    names = [f"T{k + 1:02d}" for k in range(n_treatments)]
    d = np.concatenate([[0.0], rng.normal(0.0, 0.5, n_treatments - 1)])
    rows = []
    for i in range(n_studies):
        if i < n_treatments - 1:
            trts = np.array([0, i + 1])
        else:
            size = 3 if rng.random() < multi_arm_share else 2
            trts = np.sort(rng.choice(n_treatments, size=size, replace=False))
        k = len(trts) - 1
        cov = tau**2 * 0.5 * (np.eye(k) + np.ones((k, k)))
        delta = np.concatenate([[0.0], rng.multivariate_normal(d[trts[1:]] - d[trts[0]], cov)])
        p = 1 / (1 + np.exp(-(rng.normal(-1.0, 0.5) + delta)))
        total = rng.integers(50, 301, size=len(trts))
        for t, n, pr in zip(trts, total, p, strict=True):
            rows.append({"study": f"S{i + 1:04d}", "treatment": names[t],
                         "events": int(rng.binomial(n, pr)), "total": int(n)})
    frame = pd.DataFrame(rows)
    frame.attrs.update({"d": dict(zip(names[1:], d[1:].tolist(), strict=True)), "tau": tau})
    return frame
