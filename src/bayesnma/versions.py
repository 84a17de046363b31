"""Versions of the software that produced a result (recorded in posteriors and reports)."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

__all__ = ["PACKAGES", "machine_type", "package_versions"]

# The packages whose versions can change a number or a figure.
PACKAGES = ("bayesnma", "pymc", "pytensor", "nutpie", "numba", "arviz-base", "arviz-stats",
            "arviz-plots", "numpy", "scipy", "pandas", "xarray", "networkx", "matplotlib",
            "snakemake")


def package_versions() -> dict[str, str]:
    """Python and package versions, ``{"python": "3.13.0", "pymc": "6.4.0", ...}``.

    A package that is not installed is reported as ``"not installed"``.
    """
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine_type() -> str:
    """The CPU type, e.g. ``"x86_64: AMD EPYC 7B13"``: draws are identical across reruns
    on the same type; another CPU may round differently (vector instructions, libm)."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), "")
    except OSError:  # not Linux
        model = platform.processor()
    return f"{platform.machine()}: {model}" if model else platform.machine()
