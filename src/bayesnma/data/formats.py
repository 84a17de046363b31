"""The data formats: each arm-level format (:data:`ARM_FORMATS`) and the contrast format,
their columns, checks and conversion to the model scale, and reading a file in one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from bayesnma.data.cells import (
    _KINDS,
    MIN_MAGNITUDE,
    _check_arms_per_study,
    _check_baselines,
    _check_ci,
    _mapping,
    _numbers,
    _read_csv,
)
from bayesnma.data.container import _ARM_VALUES, NetworkData, _empty_contrasts, _finish, _start
from bayesnma.errors import ConfigError, DataValidationError
from bayesnma.likelihoods import describe_likelihood
from bayesnma.measures import get_measure
from bayesnma.survival import (
    EXPONENTIAL_ASSUMPTION,
    LOGRANK_METHODS,
    log_hr_from_logrank_p,
    log_ratio_from_ci,
    median_to_log_hazard,
)


@dataclass(frozen=True)
class ArmFormat:
    """An arm-level data format: its columns and effect measure (its likelihood lives in
    :mod:`bayesnma.likelihoods`).

    ``to_model_scale(table, mapping, source, allow_single_arm)`` applies the format's own
    rules once its numbers are parsed and returns ``(arms, contrasts, notes)``: the arms
    with the columns the likelihood uses (``y`` and ``se`` of normal formats), contrasts
    the format yields (median studies with a log-rank p-value) and what was excluded or
    assumed. ``observed`` names the column the likelihood is evaluated on (counts, or the
    model-scale ``y`` of normal formats). ``events_of_patients``: each event is a patient
    (so ``events <= total`` and ``total >= 1``); not for rates, whose recurrent events may
    outnumber the patients. ``show(row)`` writes an arm's data as the paper reports it.
    """

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    measure: str
    description: str
    to_model_scale: Callable
    observed: str = "events"
    events_of_patients: bool = False
    #: How a report shows one arm's data: ``show(row)`` of an arm's canonical columns.
    show: Callable = field(default=lambda row: "")


CONTRAST_REQUIRED = ("study", "treatment")


CONTRAST_OPTIONAL = ("diff", "se", "ratio", "lower", "upper", "total")


def read_data(path, *, format: str = "binary", columns=None, measure=None,
              allow_single_arm: bool = False) -> NetworkData:
    """Read and validate one data file of any format.

    Parameters
    ----------
    path : str or path-like
        CSV file, one row per arm.
    format : str
        One of :data:`FORMATS` (default ``"binary"``).
    columns : dict, optional
        Map from canonical names (``study``, ``treatment``, ``events``, ...) to the file's
        column names, for files that use other names.
    measure : str, optional
        Effect measure of contrast-level data (required for ``format="contrast"``).
    allow_single_arm : bool
        Keep arm-level studies with one arm (usable with exchangeable baselines; see
        :func:`set_agd_arm`).

    Returns
    -------
    NetworkData
    """
    if format == "contrast":
        if measure is None:
            raise ConfigError("contrast-level data need their effect measure (measure: HR, "
                              "OR, RR, IRR, MD or SMD)")
        return read_contrast_data(path, measure=measure, columns=columns)
    return read_arm_data(path, format=format, columns=columns,
                         allow_single_arm=allow_single_arm)


def read_arm_data(path, *, format: str = "binary", columns=None,
                  allow_single_arm: bool = False) -> NetworkData:
    """Read and validate an arm-level CSV file (see :func:`set_agd_arm`).

    Raises
    ------
    DataValidationError
        If the file is missing, empty, unreadable or fails any check of :func:`set_agd_arm`.
    """
    df, source = _read_csv(path)
    return set_agd_arm(df, format=format, source=source, allow_single_arm=allow_single_arm,
                       **(columns or {}))


def read_contrast_data(path, *, measure: str, columns=None) -> NetworkData:
    """Read and validate a contrast-level CSV file (see :func:`set_agd_contrast`)."""
    df, source = _read_csv(path)
    return set_agd_contrast(df, measure=measure, source=source, **(columns or {}))


# --- arm-level data ----------------------------------------------------------------------


def set_agd_arm(data: pd.DataFrame, *, format: str = "binary", source: str = "data",
                allow_single_arm: bool = False, **columns) -> NetworkData:
    """Validate arm-level data and return a :class:`NetworkData`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per arm. Row *i* (0-based) is reported as row *i + 2*, as in the CSV file.
    format : str
        One of :data:`ARM_FORMATS`: ``binary``, ``continuous``, ``rate``,
        ``events_followup`` or ``median``.
    source : str
        File name or label used in error messages.
    allow_single_arm : bool
        Keep studies with one arm. They inform a model only through its baselines
        (exchangeable baselines, :mod:`bayesnma.baselines`); off by default, when a
        single-arm study is an error (usually a missing comparator row).
    **columns : str
        Names of the data's columns for the canonical ones, e.g. ``treatment="trt_name"``.

    Returns
    -------
    NetworkData

    Raises
    ------
    DataValidationError
        Missing columns, no rows, missing study or treatment, values that are not numbers,
        counts that are not whole or negative, SE, SD, person-time, follow-up or median
        <= 0, ``events > total``, CI limits swapped or not containing the estimate, a
        treatment listed twice in a study, or single-arm studies (unless allowed).
    """
    if format not in ARM_FORMATS:
        raise ConfigError(f"unknown data format {format!r}; choose one of {', '.join(FORMATS)}")
    spec = ARM_FORMATS[format]
    mapping = _mapping(columns, ("study", "treatment", *spec.required), spec.optional,
                       format, data)
    table, rows = _start(data, mapping, spec.required, source, format)
    for canon in mapping:
        if canon in _KINDS:
            table[canon] = _numbers(data, mapping, canon, rows, source, kind=_KINDS[canon],
                                    required=canon in spec.required)
    for canon in _ARM_VALUES:
        if canon not in table:
            table[canon] = np.nan
    table["format"] = format

    if spec.events_of_patients and "total" in spec.required:
        zero = table["total"] == 0
        if zero.any():
            i = int(np.flatnonzero(zero)[0])
            raise DataValidationError(
                f"total is 0 in study '{table['study'].iat[i]}'; an arm needs at least one "
                "patient", source=source, row=int(rows[i]), column=mapping["total"],
            )
    over = table["events"] > table["total"]
    if spec.events_of_patients and over.any():
        i = int(np.flatnonzero(over)[0])
        raise DataValidationError(
            f"events ({table['events'].iat[i]:g}) > total ({table['total'].iat[i]:g}) in study "
            f"'{table['study'].iat[i]}'",
            source=source, row=int(rows[i]), column=mapping["events"],
        )
    _check_arms_per_study(table, mapping, source, level="arm",
                          allow_single_arm=allow_single_arm)

    table, contrasts, notes = spec.to_model_scale(table, mapping, source, allow_single_arm)
    measure = get_measure(spec.measure).code
    arms = _finish(data, table, mapping, source, measure, notes, level="arm")
    if len(contrasts):
        from_p = _finish(data, contrasts, mapping, source, measure, (), level="contrast")
        arms = replace(arms, contrasts=from_p.contrasts)
    return arms


def _counts_observed(table, mapping, source, allow_single_arm):
    """Count formats: the likelihood uses the counts as they are."""
    return table, _empty_contrasts(), ()


def _continuous_arms(table, mapping, source, allow_single_arm):
    """Continuous arms: ``y`` is the mean; ``se`` as given, or ``sd / sqrt(total)``."""
    table["y"] = table["mean"]
    table["se"] = _continuous_se(table, mapping, source)
    return table, _empty_contrasts(), ()


def _continuous_se(table, mapping, source) -> np.ndarray:
    se = table["se"].to_numpy(dtype=float)
    sd = table["sd"].to_numpy(dtype=float)
    n = table["total"].to_numpy(dtype=float)
    if "total" in mapping:
        small = n < 1
        if small.any():
            i = int(np.flatnonzero(small)[0])
            raise DataValidationError(
                f"total is {n[i]:g}; an arm needs at least one patient",
                source=source, row=int(table["row"].iat[i]), column=mapping["total"],
            )
    derived = np.where(np.isnan(se), sd / np.sqrt(n), se)
    missing = np.isnan(derived)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        names = ", ".join(repr(mapping.get(c, c)) for c in ("se", "sd", "total"))
        raise DataValidationError(
            f"no standard error: continuous data need se, or sd and total (n) to derive it "
            f"as sd / sqrt(n) (columns {names})",
            source=source, row=int(table["row"].iat[i]), column=mapping.get("se", "se"),
        )
    tiny = derived < MIN_MAGNITUDE
    if tiny.any():
        i = int(np.flatnonzero(tiny)[0])
        raise DataValidationError(
            f"the standard error sd / sqrt(total) = {derived[i]:.3g} is below "
            f"{MIN_MAGNITUDE:g}, too small for the likelihood to use; check sd and total and "
            "their units", source=source, row=int(table["row"].iat[i]),
            column=mapping.get("sd", "sd"))
    return derived


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


# --- the formats --------------------------------------------------------------------------


def _show_median(row) -> str:
    text = f"median {row['median']:g}"
    if pd.notna(row.get("lower")) and pd.notna(row.get("upper")):
        text += f" ({row['lower']:g}-{row['upper']:g})"
    if pd.notna(row.get("events")):
        text += f", {row['events']:g} events"
    return text


def _show_mean(row) -> str:
    spread = (f"SD {row['sd']:g}" if pd.notna(row.get("sd"))
              else f"SE {row['se']:g}" if pd.notna(row.get("se")) else "")
    return f"mean {row['mean']:g}" + (f" ({spread})" if spread else "")


ARM_FORMATS = {
    f.name: f
    for f in (
        ArmFormat("binary", ("events", "total"), (), "OR", "events out of total",
                  _counts_observed, events_of_patients=True,
                  show=lambda r: f"{r['events']:g}/{r['total']:g}"),
        ArmFormat("continuous", ("mean",), ("se", "sd", "total"), "MD",
                  "mean with its SE (or SD and total)", _continuous_arms, observed="y",
                  show=_show_mean),
        ArmFormat("rate", ("events", "person_time"), ("total",), "IRR",
                  "events over person-time at risk", _counts_observed,
                  show=lambda r: f"{r['events']:g} events / {r['person_time']:g} "
                                 "person-time"),
        ArmFormat("events_followup", ("events", "total", "follow_up"), (), "HR",
                  "events out of total over follow-up", _counts_observed,
                  events_of_patients=True,
                  show=lambda r: f"{r['events']:g}/{r['total']:g} over {r['follow_up']:g}"),
        ArmFormat("median", ("median",), ("lower", "upper", "events", "total", "p_value"),
                  "HR", "median survival with 95% CI, or with number of events; or two "
                  "arms' medians with the log-rank p-value", _median_arms, observed="y",
                  events_of_patients=True, show=_show_median),
    )
}


#: Every data format accepted by :func:`read_data`.
FORMATS = (*ARM_FORMATS, "contrast")


#: Likelihood and link of every format.
LIKELIHOODS = {f: describe_likelihood(f) for f in FORMATS}


# --- contrast-level data -----------------------------------------------------------------


def set_agd_contrast(data: pd.DataFrame, *, measure: str, source: str = "data",
                     repeated_arms: bool = False, **columns) -> NetworkData:
    """Validate contrast-level data and return a :class:`NetworkData`.

    Each study has one baseline row (empty ``diff`` and ``ratio``) and one row per other
    arm with its effect vs the baseline: ``diff`` and ``se`` on the model scale (log ratio
    or difference), or a reported ``ratio`` with its 95% CI ``lower``, ``upper``, converted
    by :func:`bayesnma.survival.log_ratio_from_ci`. The baseline row's ``se`` (the SE of the
    baseline arm) is required for studies with three or more arms: it is the covariance of
    their contrasts.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per arm.
    measure : str
        Effect measure of the contrasts (``HR``, ``OR``, ``RR``, ``IRR``, ``MD``, ``SMD``).
    source : str
        File name or label used in error messages.
    repeated_arms : bool
        Allow a treatment in more than one arm of a study (e.g. two doses merged into one
        node, as in published datasets such as social anxiety); each arm keeps its own
        random effect. Off by default: a repeated treatment is usually an entry error.
    **columns : str
        Names of the data's columns for the canonical ones, e.g. ``diff="log_hr"``.

    Raises
    ------
    DataValidationError
        Missing columns or values, SE <= 0, a ratio or CI limit <= 0, lower > upper, a CI
        that does not contain its estimate, both ``diff`` and ``ratio`` on one row, a ratio
        for a difference measure, a study with no or two baseline rows, a multi-arm study
        without the baseline SE, an impossible covariance, or duplicated treatments.
    """
    code = get_measure(measure).code
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"expected a pandas DataFrame, got {type(data).__name__}", source=source)
    mapping = _mapping(columns, CONTRAST_REQUIRED, CONTRAST_OPTIONAL, "contrast", data)
    given = [c for c in ("diff", "ratio") if c in mapping]
    if not given:
        names = ", ".join(repr(c) for c in data.columns)
        raise DataValidationError(
            "contrast-level data need a 'diff' column (with 'se') or a 'ratio' column (with "
            f"'lower' and 'upper'); columns found: {names or 'none'}", source=source)
    table, rows = _start(data, mapping, (), source, "contrast")
    for canon in CONTRAST_OPTIONAL:
        table[canon] = _numbers(data, mapping, canon, rows, source, kind=_KINDS[canon],
                                required=False)
    if table["ratio"].notna().any() and not get_measure(code).ratio:
        i = int(np.flatnonzero(table["ratio"].notna())[0])
        raise DataValidationError(
            f"a ratio is given but the measure is {code}, a difference; give diff and se",
            source=source, row=int(rows[i]), column=mapping["ratio"])

    for i in range(len(table)):
        row = int(rows[i])
        diff, ratio, se, lo, hi = (table[c].iat[i] for c in ("diff", "ratio", "se", "lower",
                                                              "upper"))
        if not np.isnan(diff) and not np.isnan(ratio):
            raise DataValidationError(
                f"both diff ({diff:g}) and ratio ({ratio:g}) are given; give one: diff with se "
                "on the model scale, or ratio with its 95% CI",
                source=source, row=row, column=mapping["ratio"])
        if not np.isnan(diff) and np.isnan(se):
            raise DataValidationError(
                "se is missing; every contrast needs its standard error (or give ratio with "
                "lower and upper)", source=source, row=row, column=mapping.get("se", "se"))
        if not np.isnan(ratio):
            if np.isnan(lo) or np.isnan(hi):
                col = mapping.get("lower" if np.isnan(lo) else "upper", "lower")
                raise DataValidationError(
                    f"ratio {ratio:g} has no complete 95% CI; its SE is derived from lower and "
                    "upper (or give diff and se on the log scale)",
                    source=source, row=row, column=col)
            _check_ci(ratio, lo, hi, "ratio", source, row, mapping)
            table.loc[table.index[i], ["diff", "se"]] = log_ratio_from_ci(ratio, lo, hi)
    _check_arms_per_study(table, mapping, source, level="contrast",
                          repeated_arms=repeated_arms)
    _check_baselines(table, mapping, source)
    return _finish(data, table, mapping, source, code, (), level="contrast")
