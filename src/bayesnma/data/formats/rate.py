"""``rate``: events over person-time per arm; Poisson likelihood, log link with a
person-time offset (incidence rate ratios)."""

from __future__ import annotations

from bayesnma.data.formats.base import ArmFormat
from bayesnma.likelihoods import POISSON_LOG

__all__ = ["RATE"]

RATE = ArmFormat(
    "rate", ("events", "person_time"), ("total",), "IRR", "events over person-time at risk",
    POISSON_LOG,
    show=lambda r: f"{r['events']:g} events / {r['person_time']:g} person-time")
