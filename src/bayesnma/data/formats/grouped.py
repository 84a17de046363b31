"""``grouped``: events and numbers at risk in time intervals per arm (grouped survival
data, e.g. read off a Kaplan-Meier curve and its numbers at risk, as gemtcPlus takes them).

Each row is an interval ``[t_start, t_end)`` of one arm: ``events`` in it out of
``at_risk`` at its start (optional ``censored``). The likelihood is binomial with a
complementary log-log link and the interval's length as offset, ``events ~ Bin(at_risk,
1 - exp(-h (t_end - t_start)))`` (as gemtcPlus), every interval of an arm sharing its
linear predictor: a constant hazard per arm, hazard ratios between arms.
"""

from __future__ import annotations

import numpy as np

from bayesnma.data.container import _empty_contrasts
from bayesnma.data.formats.base import ArmFormat
from bayesnma.errors import DataValidationError
from bayesnma.likelihoods import BINOMIAL_CLOGLOG

__all__ = ["GROUPED"]


def _fail(message, table, i, mapping, column, source):
    raise DataValidationError(message, source=source, row=int(table["row"].iat[i]),
                              column=mapping.get(column, column))


def _grouped_rows(table, mapping, source, allow_single_arm):
    """Check each arm's intervals; give each row the binomial's ``total`` (at risk) and
    ``follow_up`` (the interval's length)."""
    start, end = table["t_start"].to_numpy(float), table["t_end"].to_numpy(float)
    events, at_risk = table["events"].to_numpy(float), table["at_risk"].to_numpy(float)
    for i in np.flatnonzero(start < 0)[:1]:
        _fail(f"t_start is {start[i]:g}; an interval starts at time 0 or later", table, i,
              mapping, "t_start", source)
    for i in np.flatnonzero(end <= start)[:1]:
        _fail(f"t_end ({end[i]:g}) is not after t_start ({start[i]:g}); an interval needs a "
              "positive length", table, i, mapping, "t_end", source)
    for i in np.flatnonzero(events > at_risk)[:1]:
        _fail(f"events ({events[i]:g}) > at_risk ({at_risk[i]:g}) in study "
              f"'{table['study'].iat[i]}'", table, i, mapping, "events", source)
    table = table.assign(_order=np.arange(len(table))).sort_values(
        ["study", "treatment", "t_start"], kind="stable")
    censored = "censored" in mapping
    for _, arm in table.groupby(["study", "treatment"], sort=False):
        s, e = arm["t_start"].to_numpy(float), arm["t_end"].to_numpy(float)
        overlap = np.flatnonzero(s[1:] < e[:-1])
        if overlap.size:
            k = overlap[0] + 1
            _fail(f"the interval from {s[k]:g} overlaps the one before it (to {e[k - 1]:g}) "
                  f"in arm '{arm['treatment'].iat[k]}' of study '{arm['study'].iat[k]}'; an "
                  "arm's intervals do not overlap", arm, k, mapping, "t_start", source)
        if censored:
            n, r, c = (arm[col].to_numpy(float) for col in ("at_risk", "events", "censored"))
            expected = n[:-1] - r[:-1] - c[:-1]
            off = np.flatnonzero((s[1:] == e[:-1]) & (n[1:] != expected))
            if off.size:
                k = off[0] + 1
                _fail(f"at_risk is {n[k]:g}, but the interval before it leaves {expected[k - 1]:g}"
                      f" ({n[k - 1]:g} at risk - {r[k - 1]:g} events - {c[k - 1]:g} censored) "
                      f"in arm '{arm['treatment'].iat[k]}' of study '{arm['study'].iat[k]}'",
                      arm, k, mapping, "at_risk", source)
    table = table.sort_values("_order").drop(columns="_order")
    table = table.assign(total=table["at_risk"], follow_up=table["t_end"] - table["t_start"])
    return table, _empty_contrasts(), ()


GROUPED = ArmFormat(
    "grouped", ("t_start", "t_end", "events", "at_risk"), ("censored",), "HR",
    "events and numbers at risk per time interval", BINOMIAL_CLOGLOG, _grouped_rows,
    events_of_patients=True, several_rows=True,
    arm_values=lambda rows: {"total": float(rows.loc[rows["t_start"].idxmin(), "at_risk"]),
                             "events": float(rows["events"].sum()),
                             "t_start": float(rows["t_start"].min()),
                             "t_end": float(rows["t_end"].max())},
    kinds={"t_start": ("real", "the start of an interval"),
           "t_end": ("positive", "the end of an interval"),
           "at_risk": ("count", "the number at risk"),
           "censored": ("count", "the number censored")},
    show=lambda r: f"{r['events']:g} events over {r['t_start']:g}-{r['t_end']:g}",
    assumption="constant hazard per arm: interval data under an exponential model")
