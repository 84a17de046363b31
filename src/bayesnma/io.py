"""Reading and writing results: tidy CSV tables, NetCDF posteriors, figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["read_idata", "read_posterior_attrs", "read_table", "save_figure", "write_idata",
           "write_table"]


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


def save_figure(fig, path) -> None:
    """Save a figure (format from the file extension) and close it."""
    import matplotlib.pyplot as plt

    fig.savefig(_parent(path), dpi=110, bbox_inches="tight")
    plt.close(fig)
