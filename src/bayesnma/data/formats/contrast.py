"""``contrast``: each arm's effect vs its study's baseline arm (a log ratio or difference
with its SE, or a ratio with its 95% CI); multivariate normal likelihood per study."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.data.cells import (
    _KINDS,
    _check_arms_per_study,
    _check_baselines,
    _check_ci,
    _mapping,
    _numbers,
)
from bayesnma.data.container import NetworkData, _finish, _start
from bayesnma.data.formats.base import ContrastFormat
from bayesnma.errors import DataValidationError
from bayesnma.likelihoods import CONTRAST_LIKELIHOOD
from bayesnma.measures import get_measure
from bayesnma.survival import log_ratio_from_ci

__all__ = ["CONTRAST", "CONTRAST_OPTIONAL", "CONTRAST_REQUIRED", "set_agd_contrast"]

CONTRAST_REQUIRED = ("study", "treatment")
CONTRAST_OPTIONAL = ("diff", "se", "ratio", "lower", "upper", "total")


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


CONTRAST = ContrastFormat(
    "contrast", CONTRAST_REQUIRED, CONTRAST_OPTIONAL,
    "each arm's effect vs the study's baseline arm", CONTRAST_LIKELIHOOD, set_agd_contrast)
