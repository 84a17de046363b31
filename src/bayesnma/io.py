"""Reading and writing results: tidy CSV tables, NetCDF posteriors, figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

__all__ = ["LABEL_COLUMNS", "LIST_COLUMNS", "format_list", "parse_list", "read_idata",
           "read_posterior_attrs", "read_table", "save_figure", "write_idata", "write_table"]

#: Columns of our tables that hold names (of treatments, studies, ...): always text, never
#: numbers or missing values, whatever the name (``1``, ``NA``, ``True``).
LABEL_COLUMNS = ("analysis", "scenario", "component", "treatment", "comparator", "reference",
                 "trt_ref", "study", "class", "parameter", "members")

#: Columns of our tables that hold lists of names: written as JSON (so that any name, with
#: "; " or quotes in it, round-trips) and read back as Python lists.
LIST_COLUMNS = ("treatments", "studies", "formats", "prior_therapy", "randomised",
                "observational", "single_arm", "arms")

# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection); it
# is written with a leading apostrophe, which read_table removes. Signed numbers and
# estimates such as "-0.42 (-0.90 to 0.10)" are left alone: no formula runs from them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_SIGNED_NUMBER = re.compile(r"[+-]\d[\d.eE+-]*( \([\d.eE+ -]+to[\d.eE+ -]+\))?")


def format_list(items) -> str:
    """A list of names as one table cell (JSON: round-trips any name)."""
    return json.dumps([str(x) for x in items], ensure_ascii=False)


def parse_list(cell) -> list[str]:
    """The names of a cell written by :func:`format_list` (empty cell: none)."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or cell == "":
        return []
    return [str(x) for x in json.loads(cell)]


def _escape(value):
    # A lone "-" (no direct evidence) runs nothing.
    if (isinstance(value, str) and value.startswith(_FORMULA_START) and value != "-"
            and not _SIGNED_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def _unescape(value):
    return value[1:] if isinstance(value, str) and value.startswith("'") else value


def _parent(path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_table(table: pd.DataFrame, path, *, index: bool = False) -> None:
    """Write a table as CSV (floats with 6 significant digits); text that a spreadsheet
    would run as a formula gets a leading apostrophe, in the header too (a league table's
    columns are treatment names)."""
    out = table.copy()
    out.columns = [_escape(c) for c in out.columns]
    for col in out.select_dtypes(include=["object", "str"]).columns:
        out[col] = out[col].map(lambda v: _escape(format_list(v) if isinstance(v, (list, tuple))
                                                  else v))
    out.to_csv(_parent(path), index=index, float_format="%.6g")


def read_table(path) -> pd.DataFrame:
    """Read a CSV table written by :func:`write_table`, with the same types: names in
    :data:`LABEL_COLUMNS` stay text, :data:`LIST_COLUMNS` are lists."""
    header = pd.read_csv(path, nrows=0).columns
    labels = {c: str for c in header if c in LABEL_COLUMNS}
    table = pd.read_csv(path, dtype=labels, keep_default_na=False,
                        na_values={c: _NA for c in header if c not in labels})
    table.columns = [_unescape(c) for c in table.columns]
    for col in table.select_dtypes(include=["object", "str"]).columns:
        table[col] = table[col].map(_unescape)
    for col in table.columns.intersection(LIST_COLUMNS):
        table[col] = table[col].map(parse_list)
    return table


# pandas' default missing-value strings, for the columns that are not names
_NA = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
       "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]


def write_idata(idata, path) -> None:
    """Save a posterior (ArviZ ``DataTree``) as NetCDF, one group per node (h5netcdf)."""
    idata.to_netcdf(str(_parent(path)), engine="h5netcdf")


def read_idata(path):
    """Load a posterior saved by :func:`write_idata` into memory (an ArviZ ``DataTree``)."""
    import xarray as xr

    idata = xr.open_datatree(str(path), engine="h5netcdf")
    idata.load()
    idata.close()
    return idata


def read_posterior_attrs(path) -> dict:
    """Attributes of the ``posterior`` group of a saved posterior, without loading draws."""
    import xarray as xr

    with xr.open_datatree(str(path), engine="h5netcdf") as tree:
        return dict(tree["posterior"].attrs)


def save_figure(fig, *paths, dpi: int = 300) -> None:
    """Save a figure to each path (format from the extension: PNG at ``dpi``, 300 for
    print; SVG with text kept as text so that journals' tools can edit it) and close it."""
    import matplotlib

    from bayesnma.plots import PLAIN_TEXT

    with matplotlib.rc_context({**PLAIN_TEXT, "svg.fonttype": "none"}):
        for path in paths:
            fig.savefig(_parent(path), dpi=dpi, bbox_inches="tight")
    if fig.canvas.manager is not None:  # made through pyplot (ArviZ's figures): release it
        import matplotlib.pyplot as plt

        plt.close(fig)
