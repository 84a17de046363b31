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
    """The operating system and CPU type the compiled code targets, e.g. ``"Linux x86_64:
    AMD EPYC (LLVM target znver4, features 31f64895)"``: draws are identical across
    reruns on the same type; another CPU may round differently (vector instructions, libm).
    The LLVM target and a hash of its CPU features are what Numba compiles for."""
    import hashlib

    import llvmlite.binding as llvm

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), "")
    except OSError:  # not Linux
        model = platform.processor()
    features = hashlib.sha256(llvm.get_host_cpu_features().flatten().encode()).hexdigest()[:8]
    return (f"{platform.system()} {platform.machine()}: {model or 'unknown CPU'} (LLVM target "
            f"{llvm.get_host_cpu_name()}, features {features})")
