"""``events_followup``: events out of total over a follow-up time per arm; binomial
likelihood, cloglog link with a log follow-up offset (hazard ratios, TSD2)."""

from __future__ import annotations

from bayesnma.data.formats.base import ArmFormat
from bayesnma.likelihoods import BINOMIAL_CLOGLOG

__all__ = ["EVENTS_FOLLOWUP"]

EVENTS_FOLLOWUP = ArmFormat(
    "events_followup", ("events", "total", "follow_up"), (), "HR",
    "events out of total over follow-up", BINOMIAL_CLOGLOG, events_of_patients=True,
    show=lambda r: f"{r['events']:g}/{r['total']:g} over {r['follow_up']:g}")
