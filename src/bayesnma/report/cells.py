"""Cells and tables as the report shows them: numbers to the digits their Monte Carlo error
justifies, effects with their intervals, figures as data URIs."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bayesnma.effects import mc_decimals, natural_scale

# Columns that repeat one value on every row of a CSV; the report states them once.
_REPEATED = ("better_if", "assumptions")


# Bookkeeping columns of every results table: the report's headings say them.
_BOOKKEEPING = ("analysis", "component", "converged")


#: What SUCRA is, next to every ranking.
SUCRA_MEANING = (
    "SUCRA (surface under the cumulative ranking curve) averages a treatment's probabilities "
    "of being among the best 1, 2, ..., n-1 treatments: 1 if it is certainly the best, 0 if "
    "certainly the worst. It summarises where the treatment's rank lies, not how much better "
    "it is: read it with the rank's 95% credible interval and the relative effects. A "
    "ranking compares the treatments of one model only; rankings of separate components are "
    "never on one scale.")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


# --- numbers and tables for people -------------------------------------------------------


def _num(x: float) -> str:
    """A number as a reader wants it: 2 decimals in the usual range, thousands separated,
    powers of ten for the extremes (``3.8×10⁹``)."""
    x = float(x)
    if not math.isfinite(x):
        return "–" if math.isnan(x) else ("∞" if x > 0 else "-∞")
    a = abs(x)
    if a == 0:
        return "0"
    if a < 0.001 or a >= 1e5:
        mantissa, exponent = f"{x:.1e}".split("e")
        return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if a < 0.01:
        return f"{x:.2g}"
    if a < 100:
        return f"{x:.2f}"
    return f"{x:,.0f}"


def _mc_num(x, mcse=None) -> str:
    """:func:`_num`, with no more decimals than its Monte Carlo error supports (a value
    that rounds to zero prints as ``0``)."""
    text = _num(x)
    decimals = mc_decimals(mcse)
    if decimals is None or not math.isfinite(float(x)):
        return text
    a = abs(float(x))
    # decimals the text shows; a power of ten shows two significant digits
    shown = (len(text.partition(".")[2]) if "×" not in text
             else max(0, 1 - math.floor(math.log10(a))) if a else 0)
    if decimals >= shown:
        return text
    rounded = round(float(x), decimals)
    return "0" if rounded == 0 else f"{rounded:,.{decimals}f}"


def _cell(value, column: str = ""):
    """One table cell: text, or a list of lines."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        col = column.lower()
        if col.startswith(("ess", "min_ess", "n_")) or col in ("total", "events"):
            return f"{round(float(value)):,}"
        if "r_hat" in col:
            return f"{value:.3f}"
        if col.startswith("mcse") and 0.001 <= abs(value) < 100:
            return f"{value:.2g}"
        return _num(value)
    return str(value)


_NUMERIC_CELL = re.compile(r"[-+]?[\d.,]+(×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?( \(.*\))?|–|∞|-∞")


@dataclass
class Table:
    """A table as the templates show it: column names, rows of formatted cells and which
    columns hold numbers (aligned right)."""

    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)


def _table(df: pd.DataFrame, drop=(), keep=()) -> Table:
    """A results table for reading: bookkeeping columns (other than ``keep``) and
    ``drop`` left out, cells formatted by :func:`_cell`, ``_`` in names as spaces. A
    column with a Monte Carlo standard error (``mcse_<column>``) is rounded to the digits
    it supports, and the error itself left out (the CSV keeps it)."""
    df = df.drop(columns=[c for c in (*_BOOKKEEPING, *_REPEATED, *drop) if c not in keep],
                 errors="ignore")
    errors = {c: f"mcse_{c}" for c in df.columns if f"mcse_{c}" in df.columns}
    cols = [c for c in df.columns if c not in set(errors.values()) - set(keep)]

    def cell(row, col):
        value = row[col]
        if col in errors and isinstance(value, float | np.floating):
            return _mc_num(value, row[errors[col]])
        return _cell(value, str(col))

    return _make_table([str(c).replace("_", " ") for c in cols],
                       [[cell(row, c) for c in cols] for row in df.to_dict("records")])


def _make_table(columns: list[str], rows: list[list]) -> Table:
    """A :class:`Table` of formatted cells; a column is numeric (aligned right) when every
    cell is a number or missing and one at least a number (a column of missing text, such
    as an empty ``design``, stays text)."""
    numeric = [any(r[j] != "–" for r in rows)
               and all(isinstance(r[j], str) and _NUMERIC_CELL.fullmatch(r[j]) for r in rows)
               for j in range(len(columns))]
    return Table(columns, rows, numeric)


def _characteristics(table: pd.DataFrame) -> Table:
    """Network characteristics with one column per part (``all``, ``c1``, ...): the long
    form reads down instead of scrolling across."""
    wide = table.drop(columns=["analysis"], errors="ignore").set_index("component")
    cols = list(wide.index)
    return _make_table(["characteristic", *cols],
                       [[name.replace("_", " "), *(_cell(v, name) for v in wide.loc[:, name])]
                        for name in wide.columns])


def _img(png: bytes | None) -> str | None:
    if png is None:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _effect_cell(row) -> str:
    """``median (lower to upper)`` of a row of a relative-effects table, each number to
    the digits its Monte Carlo error supports."""
    median, lo, hi = (_mc_num(row[c], row.get(f"mcse_{c}")) for c in ("median", "q2.5", "q97.5"))
    return f"{median} ({lo} to {hi})"


def _sucra(row) -> str:
    """A row's SUCRA to the digits its Monte Carlo error supports."""
    return _mc_num(row["sucra"], row.get("mcse_sucra"))


def _effects_table(eff: pd.DataFrame) -> Table:
    """Relative effects for reading: natural scale, one ``median (95% CrI)`` column."""
    nat = natural_scale(eff)
    return _table(pd.DataFrame({
        "treatment": nat["treatment"], "vs": nat["comparator"], "scale": nat["scale"],
        "median (95% CrI)": nat.apply(_effect_cell, axis=1) if len(nat) else [],
        "P(better)": nat["p_better"], "mcse_P(better)": nat.get("mcse_p_better")}))


# --- the answer ---------------------------------------------------------------------------
