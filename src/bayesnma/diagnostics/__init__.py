"""Diagnostics of a fit: :mod:`~bayesnma.diagnostics.convergence` (R-hat, ESS, divergences
against the criteria), :mod:`~bayesnma.diagnostics.fit` (residual deviance, pD, DIC, LOO)
and :mod:`~bayesnma.diagnostics.prior_posterior` (how much the data inform each parameter).

Posteriors are ArviZ 1.x ``DataTree`` objects; R-hat, ESS and MCSE come from
``arviz-stats``.
"""

from bayesnma.diagnostics.convergence import (
    Convergence,
    ConvergenceCriteria,
    check_convergence,
    failing_parameters,
    remedies,
    summarise_diagnostics,
)
from bayesnma.diagnostics.fit import loo, model_fit, pointwise_log_likelihood, residual_deviance
from bayesnma.diagnostics.prior_posterior import (
    heterogeneity,
    is_prior_bound,
    key_parameters,
    posterior_prior,
    prior_overlap,
    prior_quantiles,
    prior_set_effects,
    prior_verdict,
)

__all__ = [
    "Convergence",
    "ConvergenceCriteria",
    "check_convergence",
    "failing_parameters",
    "heterogeneity",
    "is_prior_bound",
    "key_parameters",
    "loo",
    "model_fit",
    "pointwise_log_likelihood",
    "posterior_prior",
    "prior_overlap",
    "prior_quantiles",
    "prior_set_effects",
    "prior_verdict",
    "remedies",
    "residual_deviance",
    "summarise_diagnostics",
]
