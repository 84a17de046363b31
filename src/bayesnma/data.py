"""Trial data: reading, validation and the :class:`NetworkData` container.

Arm-level binary data come as a long table, one row per study arm::

    study,treatment,events,total[,prior_therapy,design,source,...]

Every other column is carried along unchanged. Validation happens here, once, before any
model is built; each problem raises :class:`~bayesnma.errors.DataValidationError` naming the
file, the row (as a spreadsheet shows it: header = row 1) and the column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bayesnma.errors import DataValidationError

__all__ = ["ARM_BINARY_COLUMNS", "NetworkData", "read_arm_data", "set_agd_arm"]

#: Canonical column names of arm-level binary data, in file order.
ARM_BINARY_COLUMNS = ("study", "treatment", "events", "total")

# pandas' reading of a data row i (0-based) sits on spreadsheet row i + 2 (header is row 1).
_FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class NetworkData:
    """Validated trial data for one outcome.

    Attributes
    ----------
    arms : pandas.DataFrame
        One row per arm with the canonical columns (``study``, ``treatment``, ``events``,
        ``total`` for binary data), the carried user columns, and ``row`` (the row of the
        source file, for messages). Sorted by study, in file order within study.
    outcome_type : str
        ``"binary"`` (arm-level events out of total).
    source : str
        File name or label of the data, used in messages and outputs.
    carried_columns : tuple of str
        User columns carried along (study-level covariates, provenance, ...).
    """

    arms: pd.DataFrame
    outcome_type: str = "binary"
    source: str = "data"
    carried_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def treatments(self) -> list[str]:
        """Treatments, sorted alphabetically."""
        return sorted(self.arms["treatment"].unique())

    @property
    def studies(self) -> list[str]:
        """Study labels in order of first appearance."""
        return list(dict.fromkeys(self.arms["study"]))

    @property
    def n_patients(self) -> int:
        """Total number of randomised patients over all arms."""
        return int(self.arms["total"].sum())

    def subset(self, studies) -> NetworkData:
        """Return the data of the given studies only (e.g. one connected component)."""
        keep = self.arms["study"].isin(list(studies))
        return NetworkData(
            arms=self.arms.loc[keep].reset_index(drop=True),
            outcome_type=self.outcome_type,
            source=self.source,
            carried_columns=self.carried_columns,
        )


def read_arm_data(path, *, columns=None) -> NetworkData:
    """Read and validate an arm-level binary CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV file, one row per arm.
    columns : dict, optional
        Map from canonical names (``study``, ``treatment``, ``events``, ``total``) to the
        file's column names, for files that use other names. Defaults to the canonical names.

    Returns
    -------
    NetworkData

    Raises
    ------
    DataValidationError
        If the file is missing, empty, unreadable or fails any check of :func:`set_agd_arm`.
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise DataValidationError("file not found", source=source)
    try:
        df = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DataValidationError(
            "the file is empty; expected a header row and one row per arm", source=source
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise DataValidationError(
            f"the file is not a readable CSV ({err})", source=source
        ) from None
    return set_agd_arm(df, source=source, **(columns or {}))


def set_agd_arm(
    data: pd.DataFrame,
    *,
    study: str = "study",
    treatment: str = "treatment",
    events: str = "events",
    total: str = "total",
    source: str = "data",
) -> NetworkData:
    """Validate arm-level binary data and return a :class:`NetworkData`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per arm. Row *i* (0-based) is reported as row *i + 2*, as in the CSV file.
    study, treatment, events, total : str
        Names of the columns holding the study label, the treatment, the number of events
        and the number of patients in the arm.
    source : str
        File name or label used in error messages.

    Returns
    -------
    NetworkData

    Raises
    ------
    DataValidationError
        Missing columns, no rows, missing study or treatment, non-numeric, non-integer or
        negative counts, ``total`` of 0, ``events > total``, a treatment listed twice in a
        study, or single-arm studies.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"expected a pandas DataFrame, got {type(data).__name__}", source=source
        )
    mapping = {"study": study, "treatment": treatment, "events": events, "total": total}
    missing = [col for col in mapping.values() if col not in data.columns]
    if missing:
        found = ", ".join(f"'{c}'" for c in data.columns) or "none"
        raise DataValidationError(
            f"missing required column(s) {', '.join(repr(c) for c in missing)}; "
            f"arm-level binary data need {', '.join(repr(c) for c in mapping.values())} "
            f"(columns found: {found})",
            source=source,
        )
    if len(data) == 0:
        raise DataValidationError("the file has a header but no data rows", source=source)

    rows = np.arange(len(data)) + _FIRST_DATA_ROW
    out = pd.DataFrame({"row": rows})
    for canon in ("study", "treatment"):
        out[canon] = _labels(data[mapping[canon]], mapping[canon], rows, source)
    for canon in ("events", "total"):
        out[canon] = _counts(data[mapping[canon]], mapping[canon], rows, source)

    zero = out["total"] == 0
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise DataValidationError(
            f"total is 0 in study '{out['study'].iat[i]}'; an arm needs at least one patient",
            source=source, row=int(rows[i]), column=total,
        )
    over = out["events"] > out["total"]
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise DataValidationError(
            f"events ({out['events'].iat[i]}) > total ({out['total'].iat[i]}) in study "
            f"'{out['study'].iat[i]}'",
            source=source, row=int(rows[i]), column=events,
        )

    _check_arms_per_study(out, mapping, source)

    carried = tuple(c for c in data.columns if c not in mapping.values())
    reserved = [c for c in carried if c in ("row", *ARM_BINARY_COLUMNS)]
    if reserved:
        raise DataValidationError(
            f"column(s) {', '.join(repr(c) for c in reserved)} clash with canonical names "
            "after renaming; rename them in the file",
            source=source,
        )
    for col in carried:
        out[col] = data[col].to_numpy()
    # Stable sort keeps file order within each study; studies in order of first appearance.
    order = {s: i for i, s in enumerate(dict.fromkeys(out["study"]))}
    out = out.sort_values("study", key=lambda s: s.map(order), kind="stable")
    return NetworkData(
        arms=out.reset_index(drop=True),
        outcome_type="binary",
        source=source,
        carried_columns=carried,
    )


def _labels(col: pd.Series, name: str, rows, source) -> np.ndarray:
    values = col.astype("string").str.strip()
    bad = values.isna() | (values == "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(
            f"{name} is missing; every arm needs a {name}", source=source, row=int(rows[i]),
            column=name,
        )
    return values.to_numpy(dtype=object)


def _counts(col: pd.Series, name: str, rows, source) -> np.ndarray:
    values = col.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=np.int64)
    for i, raw in enumerate(values):
        text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        text = text.strip()
        if text == "" or text.lower() in ("na", "nan"):
            raise DataValidationError(
                f"{name} is missing; every arm needs a count", source=source, row=int(rows[i]),
                column=name,
            )
        try:
            number = float(text)
        except ValueError:
            raise DataValidationError(
                f"'{text}' is not a number; {name} must be a whole number of patients",
                source=source, row=int(rows[i]), column=name,
            ) from None
        if not np.isfinite(number) or number != np.floor(number):
            raise DataValidationError(
                f"{text} is not a whole number; {name} must be a count of patients "
                "(derive it as round(proportion x total) and record how in the data's notes)",
                source=source, row=int(rows[i]), column=name,
            )
        if number < 0:
            raise DataValidationError(
                f"{text} is negative; {name} must be 0 or more",
                source=source, row=int(rows[i]), column=name,
            )
        out[i] = int(number)
    return out


def _check_arms_per_study(arms: pd.DataFrame, mapping: dict, source) -> None:
    dup = arms.duplicated(["study", "treatment"], keep=False)
    if dup.any():
        first = arms.loc[dup].iloc[0]
        both = arms.loc[
            dup & (arms["study"] == first["study"]) & (arms["treatment"] == first["treatment"]),
            "row",
        ].tolist()
        raise DataValidationError(
            f"study '{first['study']}' lists treatment '{first['treatment']}' twice "
            f"(rows {', '.join(map(str, both))}); an arm-level model needs one row per "
            "treatment in a study: add the arms together (sum events and totals) if they are "
            "the same treatment, or give them distinct treatment names if they differ (e.g. doses)",
            source=source, row=int(both[1]), column=mapping["treatment"],
        )
    n_arms = arms.groupby("study", sort=False)["treatment"].size()
    single = n_arms[n_arms < 2].index.tolist()
    if single:
        rows = arms.set_index("study").loc[single, "row"].tolist()
        listing = ", ".join(f"'{s}' (row {r})" for s, r in zip(single, rows, strict=True))
        raise DataValidationError(
            f"single-arm stud{'y' if len(single) == 1 else 'ies'} {listing}: a study with one "
            "arm has no comparison and cannot inform a contrast-based network meta-analysis; "
            "remove it or add its comparator arm",
            source=source, column=mapping["study"],
        )
