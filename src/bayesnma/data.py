"""Trial data: reading, validation and the :class:`NetworkData` container.

Data come as long tables, one row per study arm. Arm-level formats (``ARM_FORMATS``)::

    binary           study,treatment,events,total
    continuous       study,treatment,mean,se        (or mean,sd,total)
    rate             study,treatment,events,person_time
    events_followup  study,treatment,events,total,follow_up
    median           study,treatment,median,lower,upper[,events][,total]

Contrast-level data give each arm's effect relative to the study's baseline arm::

    contrast         study,treatment,diff,se        (or ratio,lower,upper)

The baseline arm's row has an empty ``diff`` (and ``ratio``); its ``se`` is the SE of the
baseline arm, which is the covariance of the contrasts of a multi-arm study (NICE DSU
TSD2). Every other column is carried along unchanged. Validation happens here, once,
before any model is built; each problem raises
:class:`~bayesnma.errors.DataValidationError` naming the file, the row (as a spreadsheet
shows it: header = row 1) and the column. Sources of one analysis are joined with
:func:`combine_data`; each study enters once, in one form.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

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

__all__ = [
    "ARM_FORMATS",
    "FORMATS",
    "LIKELIHOODS",
    "ArmFormat",
    "JUDGEMENT_COLUMNS",
    "JUDGEMENT_LEVELS",
    "NetworkData",
    "arm_label",
    "combine_data",
    "read_arm_data",
    "read_contrast_data",
    "read_data",
    "set_agd_arm",
    "set_agd_contrast",
]

# pandas' reading of a data row i (0-based) sits on spreadsheet row i + 2 (header is row 1).
_FIRST_DATA_ROW = 2
#: Largest count (events, patients) accepted: counts stay exact in floating point and no
#: trial arm comes near it, so anything larger is a typo.
MAX_COUNT = 10**9
#: Largest magnitude of every other number, and smallest of positive ones (SEs, SDs, times,
#: ratios) and of the model-scale SEs derived from them: squares and ratios of squares of
#: such numbers stay finite and non-zero in the likelihood.
MIN_MAGNITUDE, MAX_MAGNITUDE = 1e-50, 1e50
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


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

_ARM_VALUES = ("events", "total", "person_time", "follow_up", "mean", "sd", "median",
               "lower", "upper", "y", "se")
_CONTRAST_VALUES = ("diff", "se", "ratio", "lower", "upper", "total")
#: How each numeric column is parsed (:func:`_numbers`).
_KINDS = {
    "events": "count", "total": "count", "mean": "real", "diff": "real",
    "p_value": "probability",
    **dict.fromkeys(("se", "sd", "person_time", "follow_up", "median", "lower", "upper",
                     "ratio"), "positive"),
}
_WHAT = {
    "se": "a standard error", "sd": "a standard deviation",
    "person_time": "person-time at risk", "follow_up": "follow-up time",
    "median": "a median survival time", "ratio": "a ratio (HR, OR, RR)",
    "lower": "a limit of a ratio's or median's CI (taken on the log scale)",
    "upper": "a limit of a ratio's or median's CI (taken on the log scale)",
}


@dataclass(frozen=True)
class NetworkData:
    """Validated trial data of one outcome, from one or more sources.

    Attributes
    ----------
    arms : pandas.DataFrame
        Arm-level rows: ``study``, ``treatment``, ``format``, the format's values
        (``events``, ``total``, ``person_time``, ``follow_up``, ``mean``, ``sd``,
        ``median``, ``lower``, ``upper``; NaN where a format has none), the model-scale
        ``y`` and ``se`` of normal formats, ``row`` and ``data_file`` (for messages), and the
        carried user columns. Sorted by study, in file order within study.
    contrasts : pandas.DataFrame
        Contrast-level rows: ``study``, ``treatment``, ``diff`` (model scale, vs the study's
        baseline arm; NaN on the baseline row), ``se``, the reported ``ratio``, ``lower``,
        ``upper`` where given, ``total``, ``row``, ``data_file`` and carried columns.
    measure : str
        Effect measure code (``OR``, ``HR``, ``MD``, ...; see :mod:`bayesnma.measures`).
    source : str
        File name(s) or label of the data, used in messages and outputs.
    notes : tuple of str
        What was excluded or assumed when the data were read (shown in every output).
    carried_columns : tuple of str
        User columns carried along (study-level covariates, provenance, ...).
    """

    arms: pd.DataFrame
    contrasts: pd.DataFrame = field(default_factory=lambda: _empty_contrasts())
    measure: str = "OR"
    source: str = "data"
    notes: tuple[str, ...] = ()
    carried_columns: tuple[str, ...] = ()

    @property
    def formats(self) -> list[str]:
        """Formats present: arm-level formats in data order, then ``contrast``."""
        found = list(dict.fromkeys(self.arms["format"]))
        return found + (["contrast"] if len(self.contrasts) else [])

    @cached_property
    def study_arms(self) -> pd.DataFrame:
        """Every arm of every study (arm- and contrast-level): ``study``, ``treatment``,
        ``total`` (NaN where unknown), ``row``, ``data_file``, ``format`` and ``level``."""
        cols = ["study", "treatment", "total", "row", "data_file", "format"]
        contrasts = self.contrasts.assign(format="contrast")
        return pd.concat(
            [self.arms[cols].assign(level="arm"), contrasts[cols].assign(level="contrast")],
            ignore_index=True,
        )

    @cached_property
    def single_arm_studies(self) -> list[str]:
        """Arm-level studies with one arm, in data order."""
        n_arms = self.arms.groupby("study", sort=False).size()
        return [str(s) for s in n_arms.index[n_arms == 1]]

    @cached_property
    def treatments(self) -> list[str]:
        """Treatments, sorted alphabetically."""
        return sorted(self.study_arms["treatment"].unique())

    @cached_property
    def studies(self) -> list[str]:
        """Study labels in order of first appearance (arm-level sources first)."""
        return list(dict.fromkeys(self.study_arms["study"]))

    @property
    def n_patients(self) -> int | None:
        """Patients over all arms whose size is known (None if no arm size is given)."""
        total = self.study_arms["total"]
        return int(total.sum()) if total.notna().any() else None

    def subset(self, studies) -> NetworkData:
        """Return the data of the given studies only (e.g. one connected component)."""
        studies = list(studies)
        return NetworkData(
            arms=self.arms.loc[self.arms["study"].isin(studies)].reset_index(drop=True),
            contrasts=self.contrasts.loc[self.contrasts["study"].isin(studies)]
            .reset_index(drop=True),
            measure=self.measure,
            source=self.source,
            notes=self.notes,
            carried_columns=self.carried_columns,
        )


def _empty_contrasts() -> pd.DataFrame:
    return _EMPTY_CONTRASTS.copy()


_EMPTY_CONTRASTS = pd.DataFrame({c: pd.Series(dtype=float) for c in _CONTRAST_VALUES}).assign(
    study=pd.Series(dtype=object), treatment=pd.Series(dtype=object),
    row=pd.Series(dtype=np.int64), data_file=pd.Series(dtype=object))


# --- reading -----------------------------------------------------------------------------


def _read_csv(path) -> tuple[pd.DataFrame, str]:
    """Read a CSV as text, remembering each row's line in the file (``attrs["lines"]``):
    blank lines are skipped, trailing empty fields (a comma at the end of each line) are
    dropped, and a row with more values than the header is refused with its line."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise DataValidationError("is a directory, not a data file", source=source)
    if not path.is_file():
        raise DataValidationError("file not found", source=source)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, skipinitialspace=True)
            records, last = [], 0
            for fields in reader:
                line, last = last + 1, reader.line_num
                if any(f.strip() for f in fields):
                    records.append((line, fields))
    except (csv.Error, UnicodeDecodeError) as err:
        raise DataValidationError(f"the file is not a readable CSV ({err})", source=source) \
            from None
    if not records:
        raise DataValidationError(
            "the file is empty; expected a header row and one row per arm", source=source)
    (header_line, header), body = records[0], records[1:]
    while header and not header[-1].strip():
        header = header[:-1]
    rows = []
    for line, fields in records:
        for k, value in enumerate(fields):
            if "\n" in value or "\r" in value:  # a value no data file has on purpose
                where = (f"column {header[k]!r}" if line != header_line and k < len(header)
                         else f"value {k + 1}")
                raise DataValidationError(
                    f"{where}: a value opened with a quote (\") runs over "
                    f"{len(value.splitlines())} lines: its closing quote is missing, so the "
                    "rows after it were read as part of it", source=source, row=line)
    for line, fields in body:
        extra = fields[len(header):]
        if any(f.strip() for f in extra):
            raise DataValidationError(
                f"{len(fields)} values but the header (row {header_line}) names "
                f"{len(header)} columns: value {len(header) + 1}, {extra[0]!r}, has no column "
                "(a comma inside a value needs quotes)", source=source, row=line)
        rows.append(fields[:len(header)] + [""] * (len(header) - len(fields)))
    df = pd.DataFrame(rows, columns=header, dtype=str)
    df.attrs["lines"] = [line for line, _ in body]
    return df, source


def _data_rows(data: pd.DataFrame) -> np.ndarray:
    """Each row's line in its file, or its spreadsheet row for a frame built in Python."""
    lines = data.attrs.get("lines")
    if lines is not None and len(lines) == len(data):
        return np.asarray(lines, dtype=np.int64)
    return np.arange(len(data)) + _FIRST_DATA_ROW


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


def _check_baselines(table: pd.DataFrame, mapping, source) -> None:
    base = table["diff"].isna()
    for study, grp in table.groupby("study", sort=False):
        is_base = base.loc[grp.index]
        rows = grp["row"].tolist()
        if not is_base.any():
            raise DataValidationError(
                f"study '{study}' (rows {', '.join(map(str, rows))}) has no baseline row: in "
                "contrast-level data one arm of each study has an empty diff (and ratio) and "
                "every other row is its effect relative to that arm",
                source=source, row=rows[0], column=mapping.get("diff", mapping.get("ratio")))
        if is_base.sum() > 1:
            both = grp.loc[is_base, "row"].tolist()
            raise DataValidationError(
                f"study '{study}' has {len(both)} baseline rows (rows "
                f"{', '.join(map(str, both))}, empty diff); a study has exactly one, and "
                "every other row needs its effect vs that arm",
                source=source, row=both[1], column=mapping.get("diff", mapping.get("ratio")))
        if len(grp) > 2:
            b = grp.loc[is_base]
            se_b = float(b["se"].iat[0])
            if np.isnan(se_b):
                raise DataValidationError(
                    f"study '{study}' has {len(grp)} arms, so its baseline row needs se: the "
                    "SE of the baseline arm, which is the covariance of the study's contrasts",
                    source=source, row=int(b["row"].iat[0]), column=mapping.get("se", "se"))
            se = grp.loc[~is_base, "se"].to_numpy()
            cov = np.full((se.size, se.size), se_b**2)
            np.fill_diagonal(cov, se**2)
            if np.any(np.linalg.eigvalsh(cov) <= 0):
                raise DataValidationError(
                    f"the contrasts of study '{study}' have an impossible covariance: each "
                    f"contrast's se must exceed the baseline arm's se ({se_b:g})",
                    source=source, row=int(b["row"].iat[0]), column=mapping.get("se", "se"))


# --- shared checks -----------------------------------------------------------------------


def _mapping(columns: dict, required, optional, format, data) -> dict:
    """Canonical name -> data column: required ones, and optional ones that are mapped or
    present under their canonical name."""
    known = (*required, *optional)
    unknown = [k for k in columns if k not in known]
    if unknown:
        raise ConfigError(
            f"unknown column key(s) {', '.join(map(repr, unknown))} for {format} data; "
            f"expected some of {', '.join(known)}"
        )
    mapping = {c: columns.get(c, c) for c in required}
    present = data.columns if isinstance(data, pd.DataFrame) else ()
    mapping.update({c: columns.get(c, c) for c in optional if c in columns or c in present})
    return mapping


def _start(data, mapping, required, source, format):
    """Check the frame and its columns; return the canonical table and spreadsheet rows."""
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"expected a pandas DataFrame, got {type(data).__name__}", source=source
        )
    dup = data.columns[data.columns.duplicated()]
    if len(dup):
        where = [i + 1 for i, c in enumerate(data.columns) if c == dup[0]]
        raise DataValidationError(
            f"column {dup[0]!r} appears {len(where)} times in the header (columns "
            f"{', '.join(map(str, where))}); give each column one name", source=source)
    needed = [mapping[c] for c in ("study", "treatment", *required)]
    missing = [col for col in mapping.values() if col not in data.columns]
    if missing:
        found = ", ".join(f"'{c}'" for c in data.columns) or "none"
        raise DataValidationError(
            f"missing required column(s) {', '.join(repr(c) for c in missing)}; "
            f"{format} data need {', '.join(repr(c) for c in needed)} "
            f"(columns found: {found})",
            source=source,
        )
    if len(data) == 0:
        raise DataValidationError("the file has a header but no data rows", source=source)
    rows = _data_rows(data)
    table = pd.DataFrame({"row": rows})
    table["data_file"] = source
    for canon in ("study", "treatment"):
        table[canon] = _labels(data[mapping[canon]], mapping[canon], rows, source)
    return table, rows


def _finish(data, table, mapping, source, measure, notes, *, level) -> NetworkData:
    carried = tuple(c for c in data.columns if c not in mapping.values())
    reserved = [c for c in carried if c in table.columns]
    for col in reserved:
        if col in mapping:  # the config reads this quantity from another column
            raise DataValidationError(
                f"column {col!r} is not read: the config's columns maps {col} to "
                f"{mapping[col]!r}; remove that mapping or rename the column {col!r}",
                source=source)
        raise DataValidationError(
            f"column {col!r} has the name of a quantity bayesnma computes for this format "
            f"and would be overwritten; rename it in the file (e.g. '{col}_reported')",
            source=source)
    extra = data.iloc[pd.Index(_data_rows(data)).get_indexer(table["row"])][list(carried)]
    for col in carried:
        table[col] = extra[col].to_numpy()
    for col in JUDGEMENT_COLUMNS:
        if col in carried:
            table[col] = _judgements(table, col, source)
    # Stable sort keeps file order within each study; studies in order of first appearance.
    order = {s: i for i, s in enumerate(dict.fromkeys(table["study"]))}
    table = table.sort_values("study", key=lambda s: s.map(order), kind="stable")
    table = table.reset_index(drop=True)
    if level == "arm":
        return NetworkData(arms=table, measure=measure, source=source, notes=tuple(notes),
                           carried_columns=carried)
    empty = pd.DataFrame(columns=["study", "treatment", "format", "total", "row", "data_file"])
    return NetworkData(arms=empty, contrasts=table, measure=measure, source=source,
                       notes=tuple(notes), carried_columns=carried)


#: Per-study judgements the certainty rating reads (:mod:`bayesnma.certainty`): risk of
#: bias and indirectness, each low, some concerns or high (empty: the rating's default).
JUDGEMENT_COLUMNS = ("rob", "indirectness")
JUDGEMENT_LEVELS = ("low", "some concerns", "high")


def _judgements(table: pd.DataFrame, column: str, source) -> pd.Series:
    """A judgement column, lower case, checked: one of :data:`JUDGEMENT_LEVELS` (or empty),
    the same on every row of a study."""
    values = table[column].astype("string").str.strip().str.lower()
    values = values.mask(values == "")
    seen: dict = {}
    for study, value, row in zip(table["study"], values, table["row"], strict=True):
        if pd.isna(value):
            continue
        if value not in JUDGEMENT_LEVELS:
            raise DataValidationError(
                f"{value!r} is not a judgement: use {', '.join(JUDGEMENT_LEVELS)} (or leave it "
                "empty for the default from the study's design)", source=source,
                row=int(row), column=column)
        first = seen.setdefault(study, (value, row))
        if first[0] != value:
            raise DataValidationError(
                f"study '{study}' is judged {first[0]!r} on row {first[1]} and {value!r} here; "
                f"{column} is a judgement of the whole study: give every row the same",
                source=source, row=int(row), column=column)
    return values.astype(object).where(values.notna(), np.nan)


def arm_label(study, treatment) -> str:
    """The label of one arm in posteriors and tables: ``"study | treatment"``."""
    return f"{study} | {treatment}"


def _labels(col: pd.Series, name: str, rows, source) -> np.ndarray:
    """Study or treatment names: text, stripped, with no invisible characters, and no two
    spellings of one name (see :func:`_check_spellings`)."""
    values = col.astype("string").str.strip()
    bad = values.isna() | (values == "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(
            f"{name} is missing; every arm needs a {name}", source=source, row=int(rows[i]),
            column=name,
        )
    values = values.to_numpy(dtype=object)
    for i, text in enumerate(values):
        odd = next((c for c in text if c != " " and (
            unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Zs"))), None)
        if odd is not None:
            kind = ("a space other than the plain space"
                    if unicodedata.category(odd) == "Zs" else "an invisible character")
            raise DataValidationError(
                f"{name} {text!r} contains {kind}, U+{ord(odd):04X} "
                f"({unicodedata.name(odd, 'control character')}), which makes it a different "
                f"name from the same name typed plainly; retype it with plain spaces",
                source=source, row=int(rows[i]), column=name)
    _check_spellings(values, rows, name, [source] * len(values))
    return values


def _spelling_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _check_spellings(names, rows, column, files) -> None:
    """Refuse two spellings of one name (letter case, runs of spaces): they would silently
    become two treatments (or studies). ``files``: each row's data file."""
    first: dict[str, tuple] = {}
    for name, row, file in zip(names, rows, files, strict=True):
        other = first.setdefault(_spelling_key(name), (name, int(row), file))
        if other[0] != name:
            where = f"row {other[1]}" + ("" if other[2] == file else f" of {other[2]}")
            raise DataValidationError(
                f"{column} {name!r} and {other[0]!r} ({where}) differ only in letter case or "
                f"spacing, so they would be two different {column}s; spell them the same way "
                "(or, if they really differ, name them so)",
                source=file, row=int(row), column=column)


def _check_arm_labels(table: pd.DataFrame, column) -> None:
    """Refuse two arms whose ``study | treatment`` labels coincide (names with " | ")."""
    seen: dict[str, tuple] = {}
    for study, trt, row, file in table[["study", "treatment", "row", "data_file"]].itertuples(
            index=False):
        label = arm_label(study, trt)
        s0, t0, r0, f0 = seen.setdefault(label, (study, trt, row, file))
        if (s0, t0) != (study, trt):
            where = f"row {r0}" + ("" if f0 == file else f" of {f0}")
            raise DataValidationError(
                f"arm ({study!r}, {trt!r}) and arm ({s0!r}, {t0!r}) ({where}) both get the "
                f"label {label!r} in the outputs; rename one so that ' | ' does not join them "
                "into the same text", source=file, row=int(row), column=column)


def _numbers(data, mapping, canon, rows, source, *, kind: str, required: bool) -> np.ndarray:
    """Parse a numeric column: ``count`` (whole, >= 0), ``positive`` (> 0) or ``real``."""
    name = mapping.get(canon)
    if name is None or name not in data:
        return np.full(len(rows), np.nan)
    out = np.full(len(rows), np.nan)
    for i, raw in enumerate(data[name].to_numpy(dtype=object)):
        text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        text = text.strip()
        if text == "" or text.lower() in ("na", "nan", "n/a"):
            if required:
                raise DataValidationError(
                    f"{name} is missing; every arm needs a value", source=source,
                    row=int(rows[i]), column=name)
            continue
        if text.lower().lstrip("+-") in ("inf", "infinity"):
            raise DataValidationError(f"{text} is not a finite number", source=source,
                                      row=int(rows[i]), column=name)
        if not _NUMBER.fullmatch(text):
            what = "a whole number of patients" if kind == "count" else "a number"
            raise DataValidationError(
                f"'{text}' is not a number; {name} must be {what}, written with the digits "
                "0-9, a decimal point and no thousands separators (e.g. 1000.5 or 2.5e-3)",
                source=source, row=int(rows[i]), column=name,
            )
        number = float(text)
        if not np.isfinite(number) or abs(number) > MAX_MAGNITUDE or (
                kind == "positive" and 0 < number < MIN_MAGNITUDE):
            raise DataValidationError(
                f"{text} is outside the range the model computes with (magnitudes up to "
                f"{MAX_MAGNITUDE:g}; positive values such as SEs from {MIN_MAGNITUDE:g}); "
                "check the value and its units", source=source, row=int(rows[i]),
                column=name)
        if kind == "count":
            if number != np.floor(number):
                raise DataValidationError(
                    f"{text} is not a whole number; {name} must be a count "
                    "(derive it as round(proportion x total) and record how in the data's "
                    "notes)", source=source, row=int(rows[i]), column=name)
            if number < 0:
                raise DataValidationError(
                    f"{text} is negative; {name} must be 0 or more",
                    source=source, row=int(rows[i]), column=name)
            if number > MAX_COUNT:
                raise DataValidationError(
                    f"{text} is more than {MAX_COUNT:,} ({name}); no trial arm is that large, "
                    "so the value is probably mistyped", source=source, row=int(rows[i]),
                    column=name)
        elif kind == "probability" and not 0 < number < 1:
            raise DataValidationError(
                f"{name} is {text}; a p-value must be between 0 and 1 (exclusive; enter "
                "'p < 0.001' as 0.001)", source=source, row=int(rows[i]), column=name)
        elif kind == "positive" and number <= 0:
            raise DataValidationError(
                f"{name} is {text}; {_WHAT[canon]} must be greater than 0",
                source=source, row=int(rows[i]), column=name)
        out[i] = number
    return out


def _check_ci(estimate, lower, upper, what, source, row, mapping) -> None:
    if lower > upper:
        raise DataValidationError(
            f"lower ({lower:g}) > upper ({upper:g}); the limits of the 95% CI are swapped or "
            "mistyped", source=source, row=row, column=mapping["lower"])
    if lower == upper:
        raise DataValidationError(
            f"lower equals upper ({lower:g}); a CI of zero width gives SE = 0",
            source=source, row=row, column=mapping["lower"])
    if not lower <= estimate <= upper:
        raise DataValidationError(
            f"the 95% CI ({lower:g}, {upper:g}) does not contain the {what} {estimate:g}; "
            "check the row against its source",
            source=source, row=row, column=mapping[what])


def _check_arms_per_study(table: pd.DataFrame, mapping: dict, source, *, level,
                          repeated_arms: bool = False, allow_single_arm: bool = False) -> None:
    dup = table.duplicated(["study", "treatment"], keep=False)
    if dup.any() and not repeated_arms:
        first = table.loc[dup].iloc[0]
        both = table.loc[
            dup & (table["study"] == first["study"]) & (table["treatment"] == first["treatment"]),
            "row",
        ].tolist()
        raise DataValidationError(
            f"study '{first['study']}' lists treatment '{first['treatment']}' twice "
            f"(rows {', '.join(map(str, both))}); a study has one row per treatment: combine "
            "the arms if they are the same treatment (sum events and totals for counts), or "
            "give them distinct treatment names "
            "if they differ (e.g. doses)",
            source=source, row=int(both[1]), column=mapping["treatment"],
        )
    _check_arm_labels(table, mapping["treatment"])
    n_arms = table.groupby("study", sort=False)["treatment"].size()
    single = n_arms[n_arms < 2].index.tolist()
    if single and not allow_single_arm:
        rows = table.set_index("study").loc[single, "row"].tolist()
        listing = ", ".join(f"'{s}' (row {r})" for s, r in zip(single, rows, strict=True))
        what = ("a study with one arm has no comparison and cannot inform a contrast-based "
                "network meta-analysis; remove it or add its comparator arm"
                if level == "arm" else
                "a contrast-level study needs its baseline row and at least one contrast")
        raise DataValidationError(
            f"single-arm stud{'y' if len(single) == 1 else 'ies'} {listing}: {what}"
            + (" (or allow single-arm studies with exchangeable baselines: allow_single_arm: "
               "true, baseline: {model: exchangeable})" if level == "arm" else ""),
            source=source, column=mapping["study"],
        )


# --- combining sources -------------------------------------------------------------------


def combine_data(*networks: NetworkData) -> NetworkData:
    """Join the sources of one analysis (e.g. arm-level data and contrasts) into one network.

    Raises
    ------
    DataValidationError
        If the sources use different effect measures, or a study appears in more than one
        source (each study enters once, in one form).
    """
    if not networks:
        raise ValueError("combine_data needs at least one NetworkData")
    if len(networks) == 1:
        return networks[0]
    measures = {n.measure for n in networks}
    if len(measures) > 1:
        listing = "; ".join(f"{n.source}: {get_measure(n.measure).model_scale} "
                            f"({', '.join(n.formats)})" for n in networks)
        raise DataValidationError(
            f"the sources estimate different effect measures ({listing}); one analysis "
            "combines evidence on one scale")
    seen: dict[str, NetworkData] = {}
    for net in networks:
        for study in net.studies:
            if study in seen:
                first = seen[study]
                rows_a = first.study_arms.query("study == @study")["row"].tolist()
                rows_b = net.study_arms.query("study == @study")["row"].tolist()
                raise DataValidationError(
                    f"study '{study}' is given in two forms: {first.source} (rows "
                    f"{', '.join(map(str, rows_a))}, {'/'.join(first.formats)}) and "
                    f"{net.source} (rows {', '.join(map(str, rows_b))}, "
                    f"{'/'.join(net.formats)}); each study enters once, in one form: remove "
                    "it from one of the files", source=net.source, row=rows_b[0])
            seen[study] = net
    joined = pd.concat([n.study_arms for n in networks], ignore_index=True)
    for column in ("study", "treatment"):
        _check_spellings(joined[column], joined["row"], column, joined["data_file"])
    _check_arm_labels(joined, "treatment")
    arms = [n.arms for n in networks if len(n.arms)]
    contrasts = [n.contrasts for n in networks if len(n.contrasts)]
    return NetworkData(
        arms=pd.concat(arms, ignore_index=True) if arms else networks[0].arms.iloc[:0],
        contrasts=(pd.concat(contrasts, ignore_index=True) if contrasts
                   else _empty_contrasts()),
        measure=measures.pop(),
        source=" + ".join(n.source for n in networks),
        notes=tuple(dict.fromkeys(note for n in networks for note in n.notes)),
        carried_columns=tuple(dict.fromkeys(c for n in networks for c in n.carried_columns)),
    )
