"""``median``: median survival with its 95% CI or number of events per arm, or two arms'
medians with the log-rank p-value; normal likelihood on the log hazard under an
exponential model (hazard ratios)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.data.cells import _check_ci
from bayesnma.data.container import _empty_contrasts
from bayesnma.data.formats.base import ArmFormat
from bayesnma.errors import DataValidationError
from bayesnma.likelihoods import NORMAL_LOG_HAZARD
from bayesnma.survival import (
    EXPONENTIAL_ASSUMPTION,
    LOGRANK_METHODS,
    log_hr_from_logrank_p,
    median_to_log_hazard,
)

__all__ = ["MEDIAN"]


def _logrank_contrasts(table: pd.DataFrame, mapping, source):
    """Studies with a log-rank p-value, as contrasts (log HR of the second arm vs the first).

    Returns the studies' contrast rows (canonical contrast columns) and notes on each one
    converted or excluded.
    """
    if "p_value" not in table or table["p_value"].isna().all():
        return _empty_contrasts(), []
    rows, notes = [], []
    col = mapping["p_value"]
    for study, grp in table[table["study"].isin(table.loc[table["p_value"].notna(), "study"])
                            ].groupby("study", sort=False):
        p_values = grp["p_value"].dropna().unique()
        if len(p_values) > 1:
            raise DataValidationError(
                f"study '{study}' has different p-values on its rows "
                f"({', '.join(f'{p:g}' for p in p_values)}); a log-rank p-value belongs to the "
                "study: give it once", source=source, row=int(grp["row"].iat[1]), column=col)
        if len(grp) != 2:
            raise DataValidationError(
                f"study '{study}' has {len(grp)} arms and a p-value; a log-rank p-value "
                "compares two arms", source=source, row=int(grp["row"].iat[0]), column=col)
        ctl, trt = grp.iloc[0], grp.iloc[1]
        try:
            log_hr, se, method = log_hr_from_logrank_p(
                float(p_values[0]), trt["median"], ctl["median"],
                events_trt=trt["events"], events_ctl=ctl["events"],
                total_trt=trt["total"], total_ctl=ctl["total"])
        except ValueError as err:
            notes.append(f"{source}, rows {ctl['row']}-{trt['row']}: study '{study}' "
                         f"excluded: {err}")
            continue
        notes.append(f"{source}, rows {ctl['row']}-{trt['row']}: study '{study}' entered as "
                     f"log HR {log_hr:.3f} (SE {se:.3f}) of {trt['treatment']} vs "
                     f"{ctl['treatment']} from the {LOGRANK_METHODS[method]}")
        for arm, diff, arm_se in ((ctl, np.nan, np.nan), (trt, log_hr, se)):
            rows.append({"row": arm["row"], "data_file": arm["data_file"],
                         "study": study, "treatment": arm["treatment"], "diff": diff,
                         "se": arm_se, "ratio": np.nan, "lower": np.nan, "upper": np.nan,
                         "total": arm["total"], "se_from": f"log-rank p ({method})"})
    return (pd.DataFrame(rows) if rows else _empty_contrasts()), notes


def _median_arms(table: pd.DataFrame, mapping, source, allow_single_arm: bool = False):
    """Check medians and their CIs; turn studies with a log-rank p-value into contrasts;
    convert the other arms to log hazards and exclude arms without an SE.

    Returns the arms, the contrasts (empty without p-values) and notes.
    """
    for i in range(len(table)):
        row = int(table["row"].iat[i])
        med, lo, hi = (table[c].iat[i] for c in ("median", "lower", "upper"))
        if not (np.isnan(lo) or np.isnan(hi)):
            _check_ci(med, lo, hi, "median", source, row, mapping)
    zero = (table["events"] == 0) & table["lower"].isna()
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise DataValidationError(
            "events is 0: with no events the median is not reached and gives no log hazard",
            source=source, row=int(table["row"].iat[i]), column=mapping["events"],
        )
    contrasts, notes = _logrank_contrasts(table, mapping, source)
    p_given = table["p_value"].notna() if "p_value" in table else pd.Series(False, table.index)
    with_p = table["study"].isin(table.loc[p_given, "study"])
    table = table.loc[~with_p].reset_index(drop=True)
    y, se = median_to_log_hazard(table["median"], table["lower"], table["upper"],
                                 table["events"])
    table["y"], table["se"] = y, se
    has_ci = table["lower"].notna() & table["upper"].notna()
    table["se_from"] = np.where(has_ci, "95% CI", np.where(np.isfinite(se), "events", ""))

    drop = ~np.isfinite(se)
    for _, arm in table.loc[drop].iterrows():
        notes.append(
            f"{source}, row {arm['row']}: arm '{arm['treatment']}' of study '{arm['study']}' "
            f"excluded: median {arm['median']:g} has neither a 95% CI nor a number of events, "
            "so its standard error cannot be derived"
        )
    kept = table.loc[~drop]
    n_left = kept.groupby("study", sort=False).size()
    n_arms = table.groupby("study", sort=False).size()
    needed = 1 if allow_single_arm else 2
    lonely = [s for s in table["study"].unique() if n_left.get(s, 0) < needed]
    for study in lonely:
        left = int(n_left.get(study, 0))
        notes.append(f"{source}: study '{study}' excluded: no usable arm left" if left == 0
                     else f"{source}: study '{study}' excluded: 1 usable arm left, and a "
                     "comparison needs two")
    for study in table["study"].unique():
        if study not in lonely and n_left.get(study, 0) == 1 and n_arms[study] > 1:
            notes.append(f"{source}: study '{study}' kept as a single arm: its other arm has "
                         "no standard error")
    kept = kept.loc[~kept["study"].isin(lonely)].reset_index(drop=True)
    if kept.empty and contrasts.empty:
        raise DataValidationError(
            "no study has two median arms with a 95% CI or number of events, or a log-rank "
            "p-value with events or arm sizes; the standard error of a log hazard needs one "
            "of them (" + "; ".join(notes) + ")",
            source=source,
        )
    return kept, contrasts, (*notes, EXPONENTIAL_ASSUMPTION)


def _show_median(row) -> str:
    text = f"median {row['median']:g}"
    if pd.notna(row.get("lower")) and pd.notna(row.get("upper")):
        text += f" ({row['lower']:g}-{row['upper']:g})"
    if pd.notna(row.get("events")):
        text += f", {row['events']:g} events"
    return text


def _own_result(arm) -> str:
    """The arm's median with its CI and size."""
    ci = (f" (95% CI {arm['lower']:g} to {arm['upper']:g})"
          if pd.notna(arm.get("lower")) and pd.notna(arm.get("upper")) else "")
    size = f", {arm['total']:.0f} patients" if pd.notna(arm.get("total")) else ""
    return f"median {arm['median']:g}{ci}{size}"


MEDIAN = ArmFormat(
    "median", ("median",), ("lower", "upper", "events", "total", "p_value"), "HR",
    "median survival with 95% CI, or with number of events; or two arms' medians with the "
    "log-rank p-value", NORMAL_LOG_HAZARD, _median_arms, observed="y",
    events_of_patients=True, show=_show_median, own_result=_own_result,
    assumption="exponential survival: medians converted to log hazards (see "
               "network/data_notes.csv)")
