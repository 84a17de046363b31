"""Conversions of reported summaries to the model scale.

Formulas (all on the natural log scale, ``z = 1.959964`` for a 95% interval):

* Ratio with CI (HR, OR, RR): ``diff = log(ratio)``,
  ``se = (log(upper) - log(lower)) / (2 z)``. The CI of a ratio is symmetric on the log
  scale, so this recovers the SE the authors used.
* Median survival under an exponential (constant hazard) model: ``S(t) = exp(-h t)`` has
  median ``m = ln 2 / h``, so ``log h = log(ln 2) - log(m)``. The SE of ``log h`` equals the
  SE of ``log m``: ``(log(upper) - log(lower)) / (2 z)`` from the median's CI, or, with
  ``E`` events and no CI, ``1 / sqrt(E)`` (the SE of the log of the exponential rate's
  maximum likelihood estimate). Differences of log hazards between arms of a study are log
  hazard ratios; they are unbiased only if hazards are roughly constant over follow-up.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = ["EXPONENTIAL_ASSUMPTION", "ci_z", "log_ratio_from_ci", "median_to_log_hazard"]

EXPONENTIAL_ASSUMPTION = (
    "Median survival was converted to a log hazard under an exponential (constant hazard) "
    "model: log h = log(ln 2) - log(median), SE = (log upper - log lower) / (2 x 1.96) from "
    "the median's 95% CI, or 1 / sqrt(events) when no CI is given. Differences between arms "
    "are log hazard ratios only if hazards are roughly constant over follow-up (check the "
    "Kaplan-Meier curves: crossing or strongly curved curves break the assumption)."
)


def ci_z(ci_level: float = 0.95) -> float:
    """Standard normal quantile of a two-sided interval (1.959964 for 95%)."""
    return float(norm.ppf(0.5 + ci_level / 2))


def log_ratio_from_ci(ratio, lower, upper, *, ci_level: float = 0.95):
    """Log ratio and its SE from a ratio with its confidence interval.

    Parameters
    ----------
    ratio, lower, upper : float or array-like
        Ratio (HR, OR, RR) and its CI limits, all > 0.
    ci_level : float
        Level of the interval.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``log(ratio)`` and ``(log(upper) - log(lower)) / (2 z)``.
    """
    ratio, lower, upper = (np.asarray(x, dtype=float) for x in (ratio, lower, upper))
    return np.log(ratio), (np.log(upper) - np.log(lower)) / (2 * ci_z(ci_level))


def median_to_log_hazard(median, lower=None, upper=None, events=None, *,
                         ci_level: float = 0.95):
    """Log hazard and its SE from a median survival time (exponential model).

    Parameters
    ----------
    median : float or array-like
        Median survival (> 0), any time unit (used consistently within a study).
    lower, upper : float or array-like, optional
        CI of the median; used when both are given (not NaN).
    events : float or array-like, optional
        Number of events; used for the SE when the CI is missing.
    ci_level : float
        Level of the median's CI.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``log(ln 2) - log(median)`` and its SE (NaN where neither a CI nor events are given).
    """
    median = np.asarray(median, dtype=float)
    nan = np.full(median.shape, np.nan)
    lower = nan if lower is None else np.asarray(lower, dtype=float)
    upper = nan if upper is None else np.asarray(upper, dtype=float)
    events = nan if events is None else np.asarray(events, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_ci = (np.log(upper) - np.log(lower)) / (2 * ci_z(ci_level))
        se_events = 1.0 / np.sqrt(events)
    se = np.where(np.isfinite(se_ci), se_ci, se_events)
    return np.log(np.log(2.0)) - np.log(median), se
