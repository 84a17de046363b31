"""Reading and writing results: tidy CSV tables, NetCDF posteriors, figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["read_idata", "read_table", "save_figure", "write_idata", "write_table"]


def _parent(path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_table(table: pd.DataFrame, path, *, index: bool = False) -> None:
    """Write a table as CSV (floats with 6 significant digits)."""
    table.to_csv(_parent(path), index=index, float_format="%.6g")


def read_table(path) -> pd.DataFrame:
    """Read a CSV table written by :func:`write_table`."""
    return pd.read_csv(path)


def write_idata(idata, path) -> None:
    """Save an InferenceData as NetCDF (h5netcdf engine)."""
    idata.to_netcdf(str(_parent(path)), engine="h5netcdf")


def read_idata(path):
    """Load an InferenceData saved by :func:`write_idata` into memory."""
    import arviz as az

    idata = az.from_netcdf(str(path), engine="h5netcdf")
    idata.load()
    return idata


def save_figure(fig, path) -> None:
    """Save a figure (format from the file extension) and close it."""
    import matplotlib.pyplot as plt

    fig.savefig(_parent(path), dpi=110, bbox_inches="tight")
    plt.close(fig)
