"""``ipd``: individual patient data, a row per patient: follow-up ``time`` and ``status``
(1 = event, 0 = censored), e.g. reconstructed from a published Kaplan-Meier curve.

Each patient's likelihood is the exponential model's: ``status ~ Poisson(h time)`` (the
same kernel as ``h^status exp(-h time)``), every patient of an arm sharing its linear
predictor ``log h``: a constant hazard per arm, hazard ratios between arms.
"""

from __future__ import annotations

import numpy as np

from bayesnma.data.container import _empty_contrasts
from bayesnma.data.formats.base import ArmFormat
from bayesnma.errors import DataValidationError
from bayesnma.likelihoods import POISSON_LOG

__all__ = ["IPD"]


def _patient_rows(table, mapping, source, allow_single_arm):
    """Check each patient's status; give each row the Poisson's ``events`` (the status)
    and ``person_time`` (the follow-up time)."""
    status = table["status"].to_numpy(float)
    bad = np.flatnonzero(status > 1)
    if bad.size:
        i = bad[0]
        raise DataValidationError(
            f"status is {status[i]:g}; it is 1 for an event and 0 for a censored patient",
            source=source, row=int(table["row"].iat[i]), column=mapping["status"])
    return (table.assign(events=table["status"], person_time=table["time"]),
            _empty_contrasts(), ())


IPD = ArmFormat(
    "ipd", ("time", "status"), (), "HR", "a row per patient: follow-up time and status",
    POISSON_LOG, _patient_rows, events_of_patients=True, several_rows=True,
    arm_values=lambda rows: {"total": float(len(rows)), "events": float(rows["status"].sum()),
                             "person_time": float(rows["time"].sum())},
    kinds={"time": ("positive", "a follow-up time"),
           "status": ("count", "an event indicator (1 event, 0 censored)")},
    show=lambda r: f"{r['events']:g} events over {r['person_time']:.4g} patient-time",
    assumption="constant hazard per arm: patient data under an exponential model")
