"""Reading a data file in any format, and the checks every arm-level format shares."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from bayesnma.data.cells import _KINDS, _check_arms_per_study, _mapping, _numbers, _read_csv
from bayesnma.data.container import _ARM_VALUES, NetworkData, _finish, _start
from bayesnma.data.formats.registry import ARM_FORMATS, DATA_FORMATS, FORMATS
from bayesnma.errors import ConfigError, DataValidationError
from bayesnma.measures import get_measure

__all__ = ["read_arm_data", "read_contrast_data", "read_data", "set_agd_arm"]


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
    spec = DATA_FORMATS.get(format)
    if spec is not None and spec.level == "contrast":
        if measure is None:
            raise ConfigError(f"{format}-level data need their effect measure (measure: HR, "
                              "OR, RR, IRR, MD or SMD)")
        df, source = _read_csv(path)
        return spec.reader(df, measure=measure, source=source, **(columns or {}))
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
    """Read and validate a contrast-level CSV file (see
    :func:`~bayesnma.data.formats.contrast.set_agd_contrast`)."""
    return read_data(path, format="contrast", measure=measure, columns=columns)


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
    kinds = {**_KINDS, **{c: kind for c, (kind, _) in spec.kinds.items()}}
    for canon in mapping:
        if canon in kinds:
            table[canon] = _numbers(data, mapping, canon, rows, source, kind=kinds[canon],
                                    required=canon in spec.required,
                                    what=spec.kinds.get(canon, (None, None))[1])
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
    _check_arms_per_study(table.drop_duplicates(["study", "treatment"]) if spec.several_rows
                          else table, mapping, source, level="arm",
                          allow_single_arm=allow_single_arm)

    table, contrasts, notes = spec.to_model_scale(table, mapping, source, allow_single_arm)
    measure = get_measure(spec.measure).code
    arms = _finish(data, table, mapping, source, measure, notes, level="arm")
    if spec.several_rows:
        arms = _one_row_per_arm(arms, spec)
    if len(contrasts):
        from_p = _finish(data, contrasts, mapping, source, measure, (), level="contrast")
        arms = replace(arms, contrasts=from_p.contrasts)
    return arms


def _one_row_per_arm(network: NetworkData, spec) -> NetworkData:
    """Keep a several-row format's rows as observations and give the network one row per
    arm (see :class:`~bayesnma.data.formats.base.ArmFormat`)."""
    obs = network.arms
    keys = ["study", "treatment"]
    arms = obs.drop_duplicates(keys).reset_index(drop=True)
    for col in _ARM_VALUES:
        arms[col] = np.nan
    values = pd.DataFrame([spec.arm_values(rows) for _, rows in obs.groupby(keys, sort=False)])
    for col in values.columns:
        arms[col] = values[col].to_numpy()
    return replace(network, arms=arms, observations=obs)
