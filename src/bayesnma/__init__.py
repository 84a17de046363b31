"""bayesnma: Bayesian network meta-analysis with PyMC."""

from importlib.metadata import PackageNotFoundError, version

from bayesnma.data import (
    NetworkData,
    combine_data,
    read_arm_data,
    read_contrast_data,
    read_data,
    set_agd_arm,
    set_agd_contrast,
)
from bayesnma.diagnostics import (
    Convergence,
    ConvergenceCriteria,
    check_convergence,
    heterogeneity,
    loo,
    model_fit,
    residual_deviance,
)
from bayesnma.effects import league_table, relative_effects, treatment_effects
from bayesnma.errors import BayesNMAError, ConfigError, DataValidationError, NetworkError
from bayesnma.inconsistency import model_comparison
from bayesnma.model import NMAModel
from bayesnma.network import (
    build_graph,
    choose_trt_ref,
    connected_components,
    network_characteristics,
    nodesplit_comparisons,
)
from bayesnma.priors import HalfNormal, Normal, Priors, Uniform
from bayesnma.pymc_backend import SamplerSettings, SamplingProgress, build_pymc_model, fit
from bayesnma.ranking import posterior_rank_probs, posterior_ranks
from bayesnma.variants import (
    Consistency,
    NodeSplit,
    UnrelatedMeans,
    consistency_verdict,
    nodesplit_summary,
    ume_effects,
)

try:
    __version__ = version("bayesnma")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "BayesNMAError",
    "ConfigError",
    "Consistency",
    "Convergence",
    "ConvergenceCriteria",
    "DataValidationError",
    "HalfNormal",
    "NMAModel",
    "NetworkData",
    "NetworkError",
    "NodeSplit",
    "Normal",
    "Priors",
    "SamplerSettings",
    "SamplingProgress",
    "Uniform",
    "UnrelatedMeans",
    "__version__",
    "build_graph",
    "build_pymc_model",
    "check_convergence",
    "combine_data",
    "choose_trt_ref",
    "connected_components",
    "consistency_verdict",
    "fit",
    "heterogeneity",
    "loo",
    "model_comparison",
    "nodesplit_comparisons",
    "nodesplit_summary",
    "league_table",
    "model_fit",
    "network_characteristics",
    "posterior_rank_probs",
    "posterior_ranks",
    "read_arm_data",
    "read_contrast_data",
    "read_data",
    "relative_effects",
    "residual_deviance",
    "set_agd_arm",
    "set_agd_contrast",
    "treatment_effects",
    "ume_effects",
]
