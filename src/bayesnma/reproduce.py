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

__all__ = ["MC_TOLERANCE", "UNJUDGED", "compare_results", "compare_tables", "fit_records",
           "same_fitting_setup"]

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
        One row per differing cell: ``row`` (its key columns' values, e.g. ``treatment B``,
        or its line in the file), ``column``, ``original``, ``rerun``,
        ``allowed`` (the tolerance; NaN where none applies) and ``within_mc_error`` (True,
        False, or None for a cell without a Monte Carlo error to judge by: text, counts,
        numbers with no ``mcse_`` column). A different set of columns or rows is one row
        with ``column`` ``(shape)`` and ``within_mc_error`` False.
    """
    cols = ["row", "column", "original", "rerun", "allowed", "within_mc_error"]
    original, rerun = _aligned(original, rerun)
    if list(original.columns) != list(rerun.columns) or len(original) != len(rerun):
        return pd.DataFrame([{"row": None, "column": "(shape)",
                              "original": f"{len(original)} rows: {', '.join(original.columns)}",
                              "rerun": f"{len(rerun)} rows: {', '.join(rerun.columns)}",
                              "allowed": np.nan, "within_mc_error": False}],
                            columns=cols).astype({"within_mc_error": object})
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
            allowed, within = np.nan, None
            if numeric and error in original.columns:
                allowed = MC_TOLERANCE * math.hypot(float(original[error].iat[i]),
                                                    float(rerun[error].iat[i]))
                within = bool(abs(x[i] - y[i]) <= allowed) if np.isfinite(allowed) else None
            out.append({"row": _row_name(original, i), "column": col, "original": a.iat[i],
                        "rerun": b.iat[i], "allowed": allowed, "within_mc_error": within})
    return pd.DataFrame(out, columns=cols).astype({"within_mc_error": object})


#: Columns that name a row of a results table (in the order they are sorted by).
ROW_KEYS = ("analysis", "scenario", "setting", "component", "variant", "model", "class",
            "treatment", "comparator", "scale", "rank", "parameter", "quantity", "study",
            "loo_unit")


def _row_name(table: pd.DataFrame, i: int) -> str:
    """A row of a results table by its key columns, or its line in the CSV file."""
    keys = [k for k in ROW_KEYS if k in table.columns]
    return (", ".join(f"{k} {table[k].iat[i]}" for k in keys) if keys else f"line {i + 2}")


def _aligned(original: pd.DataFrame, rerun: pd.DataFrame):
    """Both tables with their rows in one order (by their :data:`ROW_KEYS`) and the rerun's
    columns in the original's order: tables written best SUCRA first (ranks, league tables)
    may list treatments whose SUCRA is within Monte Carlo error in the other order."""
    if set(original.columns) != set(rerun.columns) or len(original) != len(rerun):
        return original, rerun
    rerun = rerun[list(original.columns)]
    keys = [k for k in ROW_KEYS if k in original.columns]
    if not keys:
        return original, rerun

    def ordered(t):
        return t.sort_values(keys, key=lambda c: c.astype(str), kind="stable").reset_index(
            drop=True)

    a, b = ordered(original), ordered(rerun)
    same_rows = all((a[k].astype(str) == b[k].astype(str)).all() for k in keys)
    return (a, b) if same_rows else (original, rerun)


def compare_results(original, rerun, analyses=None) -> pd.DataFrame:
    """Compare every CSV table of a rerun's results folder with the original's.

    Parameters
    ----------
    original, rerun : path
        Results folders (``results/``).
    analyses : sequence of str, optional
        Compare only these analyses' folders (``<analysis>/...``) and the tables at the top
        of the folder; default every table of both.

    Returns
    -------
    pandas.DataFrame
        One row per table of either folder: ``table`` (its path in the folder), ``status``
        (``identical``; ``within Monte Carlo error``: every differing cell has an MCSE and
        is within it; ``differs``: a cell beyond its Monte Carlo error; ``differs, no MCSE
        to judge by``: differing cells without one (text, counts, numbers with no
        ``mcse_`` column), none beyond; ``missing in rerun``; ``only in rerun``),
        ``n_cells`` (differing cells) and ``worst`` (the first difference of the worst
        kind, as text).
    """
    original, rerun = Path(original), Path(rerun)
    names = sorted({p.relative_to(root).as_posix() for root in (original, rerun)
                    for p in root.rglob("*.csv")})
    if analyses is not None:
        names = [n for n in names if "/" not in n or n.split("/")[0] in set(analyses)]
    rows = []
    for name in names:
        a, b = original / name, rerun / name
        row = {"table": name, "status": "identical", "n_cells": 0, "worst": ""}
        if not b.exists() or not a.exists():
            row["status"] = "missing in rerun" if not b.exists() else "only in rerun"
        elif a.read_bytes() != b.read_bytes():
            diff = compare_tables(io.read_table(a), io.read_table(b))
            beyond = diff[diff["within_mc_error"].map(lambda v: v is False)]
            unjudged = diff[diff["within_mc_error"].isna()]
            row["n_cells"] = len(diff)
            if len(beyond):
                row.update(status="differs", worst=_describe(beyond.iloc[0]))
            elif len(unjudged):
                row.update(status=UNJUDGED, worst=_describe(unjudged.iloc[0]))
            else:
                row["status"] = "within Monte Carlo error"
        rows.append(row)
    return pd.DataFrame(rows, columns=["table", "status", "n_cells", "worst"])


#: Status of a table whose differing cells have no Monte Carlo error to judge them by.
UNJUDGED = "differs, no MCSE to judge by"


def _describe(cell) -> str:
    """One differing cell as text: where, the two values and the tolerance."""
    limit = "" if pd.isna(cell["allowed"]) else f" (allowed {cell['allowed']:.3g})"
    where = "" if pd.isna(cell["row"]) else f"{cell['row']}: "
    return f"{where}{cell['column']}: {cell['original']} vs {cell['rerun']}{limit}"


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


def same_fitting_setup(before: pd.DataFrame, now: pd.DataFrame) -> bool:
    """Whether every fit of the rerun ran on the same machine type, packages and compile
    flags as the original's fit of the same posterior (:func:`fit_records` of each): then
    every table must be byte-identical."""
    keys = ["posterior", "package_versions", "compile_flags", "machine"]
    both = before[keys].merge(now[keys], on="posterior", suffixes=("", "_rerun"))
    return len(both) == len(now) > 0 and all(
        (both[k] == both[f"{k}_rerun"]).all() for k in keys[1:])
