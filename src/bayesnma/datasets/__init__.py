"""Bundled published datasets and their published results (see ``README.md`` here)."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd

__all__ = ["DATASETS", "inconsistency_reference", "load_dataset", "reference_values"]

DATASETS = ("smoking", "thrombolytics", "parkinsons_arm", "parkinsons_contrast",
            "grouped_tte", "keynote189_ipd", "keynote189_km", "keynote189_at_risk")


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled dataset by name (one of :data:`DATASETS`; a first line starting with
    ``#`` names the source and is skipped)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    path = files(__name__).joinpath(f"{name}.csv")
    with path.open() as fh:
        skip = 1 if fh.readline().startswith("#") else 0
    with path.open() as fh:
        return pd.read_csv(fh, skiprows=skip)


def reference_values(dataset: str | None = None) -> pd.DataFrame:
    """Published posterior summaries (NICE DSU TSD2/TSD4), optionally for one dataset."""
    with files(__name__).joinpath("reference_values.csv").open() as fh:
        ref = pd.read_csv(fh)
    return ref if dataset is None else ref[ref["dataset"] == dataset].reset_index(drop=True)


def inconsistency_reference() -> pd.DataFrame:
    """Published UME and node-split results (NICE DSU TSD4; Dias et al. 2010), one row per
    value: ``dataset, model, parameter, stat, value, source, notes`` (see ``README.md``)."""
    with files(__name__).joinpath("inconsistency_reference.csv").open() as fh:
        return pd.read_csv(fh, comment=None, skiprows=1)
