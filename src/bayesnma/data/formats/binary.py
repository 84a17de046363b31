"""``binary``: events out of total per arm; binomial likelihood, logit link (odds ratios)."""

from __future__ import annotations

from bayesnma.data.formats.base import ArmFormat
from bayesnma.likelihoods import BINOMIAL_LOGIT

__all__ = ["BINARY"]


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def _own_result(arm) -> str:
    """The arm's rate with its exact (Clopper-Pearson) 95% CI."""
    from scipy.stats import binomtest

    r, n = int(arm["events"]), int(arm["total"])
    ci = binomtest(r, n).proportion_ci(method="exact")
    return (f"{r}/{n} = {_percent(r / n)} (95% CI {_percent(ci.low)} to "
            f"{_percent(ci.high)}, exact)")


BINARY = ArmFormat(
    "binary", ("events", "total"), (), "OR", "events out of total", BINOMIAL_LOGIT,
    events_of_patients=True, show=lambda r: f"{r['events']:g}/{r['total']:g}",
    own_result=_own_result)
