"""bayesnma: Bayesian network meta-analysis with PyMC."""

from importlib.metadata import PackageNotFoundError, version

from bayesnma.data import NetworkData, read_arm_data, set_agd_arm
from bayesnma.errors import BayesNMAError, ConfigError, DataValidationError, NetworkError
from bayesnma.model import NMAModel
from bayesnma.network import (
    build_graph,
    choose_trt_ref,
    connected_components,
    network_characteristics,
)
from bayesnma.priors import HalfNormal, Normal, Priors, Uniform

try:
    __version__ = version("bayesnma")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "BayesNMAError",
    "ConfigError",
    "DataValidationError",
    "HalfNormal",
    "NMAModel",
    "NetworkData",
    "NetworkError",
    "Normal",
    "Priors",
    "Uniform",
    "__version__",
    "build_graph",
    "choose_trt_ref",
    "connected_components",
    "network_characteristics",
    "read_arm_data",
    "set_agd_arm",
]
