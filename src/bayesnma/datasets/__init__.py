"""Bundled published datasets and their published results (see ``README.md`` here)."""

from __future__ import annotations

from importlib.resources import files

import pandas as pd

__all__ = ["DATASETS", "load_dataset", "reference_values"]

DATASETS = ("smoking", "thrombolytics", "parkinsons_arm", "parkinsons_contrast")


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled dataset by name (one of :data:`DATASETS`)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    with files(__name__).joinpath(f"{name}.csv").open() as fh:
        return pd.read_csv(fh)


def reference_values(dataset: str | None = None) -> pd.DataFrame:
    """Published posterior summaries (NICE DSU TSD2/TSD4), optionally for one dataset."""
    with files(__name__).joinpath("reference_values.csv").open() as fh:
        ref = pd.read_csv(fh)
    return ref if dataset is None else ref[ref["dataset"] == dataset].reset_index(drop=True)
