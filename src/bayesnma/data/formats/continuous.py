"""``continuous``: a mean with its SE (or SD and total) per arm; normal likelihood,
identity link (mean differences)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.data.cells import MIN_MAGNITUDE
from bayesnma.data.container import _empty_contrasts
from bayesnma.data.formats.base import ArmFormat
from bayesnma.errors import DataValidationError
from bayesnma.likelihoods import NORMAL_IDENTITY

__all__ = ["CONTINUOUS"]


def _continuous_arms(table, mapping, source, allow_single_arm):
    """Continuous arms: ``y`` is the mean; ``se`` as given, or ``sd / sqrt(total)``."""
    table["y"] = table["mean"]
    table["se"] = _continuous_se(table, mapping, source)
    return table, _empty_contrasts(), ()


def _continuous_se(table, mapping, source) -> np.ndarray:
    se = table["se"].to_numpy(dtype=float)
    sd = table["sd"].to_numpy(dtype=float)
    n = table["total"].to_numpy(dtype=float)
    if "total" in mapping:
        small = n < 1
        if small.any():
            i = int(np.flatnonzero(small)[0])
            raise DataValidationError(
                f"total is {n[i]:g}; an arm needs at least one patient",
                source=source, row=int(table["row"].iat[i]), column=mapping["total"],
            )
    derived = np.where(np.isnan(se), sd / np.sqrt(n), se)
    missing = np.isnan(derived)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        names = ", ".join(repr(mapping.get(c, c)) for c in ("se", "sd", "total"))
        raise DataValidationError(
            f"no standard error: continuous data need se, or sd and total (n) to derive it "
            f"as sd / sqrt(n) (columns {names})",
            source=source, row=int(table["row"].iat[i]), column=mapping.get("se", "se"),
        )
    tiny = derived < MIN_MAGNITUDE
    if tiny.any():
        i = int(np.flatnonzero(tiny)[0])
        raise DataValidationError(
            f"the standard error sd / sqrt(total) = {derived[i]:.3g} is below "
            f"{MIN_MAGNITUDE:g}, too small for the likelihood to use; check sd and total and "
            "their units", source=source, row=int(table["row"].iat[i]),
            column=mapping.get("sd", "sd"))
    return derived


def _show_mean(row) -> str:
    spread = (f"SD {row['sd']:g}" if pd.notna(row.get("sd"))
              else f"SE {row['se']:g}" if pd.notna(row.get("se")) else "")
    return f"mean {row['mean']:g}" + (f" ({spread})" if spread else "")


CONTINUOUS = ArmFormat(
    "continuous", ("mean",), ("se", "sd", "total"), "MD",
    "mean with its SE (or SD and total)", NORMAL_IDENTITY, _continuous_arms, observed="y",
    show=_show_mean)
