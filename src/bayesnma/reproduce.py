"""Does a results folder match a rerun of its config? Compare two folders of results.

On the same machine type, with the same data, config, seed and locked packages, a rerun
writes byte-identical tables (see the README, "Same inputs, same numbers"). Elsewhere the
draws differ by Monte Carlo error: a number then matches when it is within
:data:`MC_TOLERANCE` combined Monte Carlo standard errors of the original (from its
``mcse_<column>``). Used by ``bayesnma check``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from bayesnma import io

__all__ = ["MC_TOLERANCE", "compare_results", "compare_tables", "fit_records"]

#: A number matches within Monte Carlo error when it differs from the original by at most
#: this many standard errors of the difference, sqrt(mcse_a^2 + mcse_b^2).
MC_TOLERANCE = 3.0

#: Posterior attributes that decide whether a rerun can be byte-identical.
RERUN_ATTRS = ("package_versions", "compile_flags", "machine", "random_seed", "fit_stamp")


def compare_tables(original: pd.DataFrame, rerun: pd.DataFrame) -> pd.DataFrame:
    """Cells of two versions of one results table that differ.

    Columns with a Monte Carlo standard error (``mcse_<column>``) may differ within
    :data:`MC_TOLERANCE` of them; the errors themselves are not compared. Any other
    difference (text, counts, a number without an error) counts.

    Returns
    -------
    pandas.DataFrame
        One row per differing cell: ``row``, ``column``, ``original``, ``rerun``,
        ``allowed`` (the tolerance; NaN where none applies) and ``within_mc_error``. A
        different set of columns or rows is one row with ``column`` ``(shape)``.
    """
    cols = ["row", "column", "original", "rerun", "allowed", "within_mc_error"]
    if list(original.columns) != list(rerun.columns) or len(original) != len(rerun):
        return pd.DataFrame([{"row": np.nan, "column": "(shape)",
                              "original": f"{len(original)} rows: {', '.join(original.columns)}",
                              "rerun": f"{len(rerun)} rows: {', '.join(rerun.columns)}",
                              "allowed": np.nan, "within_mc_error": False}], columns=cols)
    out = []
    for col in original.columns:
        if str(col).startswith("mcse_") and str(col)[5:] in original.columns:
            continue
        a, b = original[col], rerun[col]
        numeric = pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b)
        if numeric:
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            differ = ~((x == y) | (np.isnan(x) & np.isnan(y)))
        else:
            differ = (a.astype(str) != b.astype(str)).to_numpy()
        error = f"mcse_{col}"
        for i in np.flatnonzero(differ):
            allowed = within = np.nan
            if numeric and error in original.columns:
                allowed = MC_TOLERANCE * math.hypot(float(original[error].iat[i]),
                                                    float(rerun[error].iat[i]))
                within = bool(abs(x[i] - y[i]) <= allowed)
            out.append({"row": i, "column": col, "original": a.iat[i], "rerun": b.iat[i],
                        "allowed": allowed, "within_mc_error": within is True})
    return pd.DataFrame(out, columns=cols)


def compare_results(original, rerun) -> pd.DataFrame:
    """Compare every CSV table of a rerun's results folder with the original's.

    Parameters
    ----------
    original, rerun : path
        Results folders (``results/``).

    Returns
    -------
    pandas.DataFrame
        One row per table of either folder: ``table`` (its path in the folder), ``status``
        (``identical``; ``within Monte Carlo error``; ``differs``; ``missing in rerun``;
        ``only in rerun``), ``n_cells`` (differing cells) and ``worst`` (the first
        difference beyond Monte Carlo error, as text).
    """
    original, rerun = Path(original), Path(rerun)
    names = sorted({p.relative_to(root).as_posix() for root in (original, rerun)
                    for p in root.rglob("*.csv")})
    rows = []
    for name in names:
        a, b = original / name, rerun / name
        row = {"table": name, "status": "identical", "n_cells": 0, "worst": ""}
        if not b.exists() or not a.exists():
            row["status"] = "missing in rerun" if not b.exists() else "only in rerun"
        elif a.read_bytes() != b.read_bytes():
            diff = compare_tables(io.read_table(a), io.read_table(b))
            beyond = diff[~diff["within_mc_error"]]
            row["n_cells"] = len(diff)
            if len(beyond):
                d = beyond.iloc[0]
                limit = "" if pd.isna(d["allowed"]) else f" (allowed {d['allowed']:.3g})"
                where = "" if pd.isna(d["row"]) else f"row {int(d['row']) + 2}, "
                row.update(status="differs",
                           worst=f"{where}{d['column']}: {d['original']} vs {d['rerun']}{limit}")
            else:
                row["status"] = "within Monte Carlo error"
        rows.append(row)
    return pd.DataFrame(rows, columns=["table", "status", "n_cells", "worst"])


def fit_records(results) -> pd.DataFrame:
    """What each posterior of a results folder was fitted with (:data:`RERUN_ATTRS`):
    one row per ``posterior.nc``, the path in the folder first."""
    rows = []
    for path in sorted(Path(results).rglob("posterior.nc")):
        attrs = io.read_posterior_attrs(path)
        rows.append({"posterior": path.relative_to(results).as_posix(),
                     **{k: _text(attrs.get(k, "")) for k in RERUN_ATTRS}})
    return pd.DataFrame(rows, columns=["posterior", *RERUN_ATTRS])


def _text(value) -> str:
    if isinstance(value, str):
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return str(value)
