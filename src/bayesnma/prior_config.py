"""Priors in a config: a mapping such as ``{"half_normal": {"scale": 1}}`` to a prior and
back, the named heterogeneity priors (``turner``, ``rhodes``) included. Above
:mod:`bayesnma.priors` and :mod:`bayesnma.het_priors`, so that neither imports the other.
"""

from __future__ import annotations

import json

from bayesnma.errors import ConfigError
from bayesnma.het_priors import named_het_prior
from bayesnma.priors import Prior

__all__ = ["prior_attrs", "prior_from_config", "prior_to_config"]


def prior_from_config(spec: dict, *, parameter: str, allowed=("normal",)):
    """Build a prior from a config mapping such as ``{"half_normal": {"scale": 1}}``.

    Raises
    ------
    ConfigError
        If the mapping names no, several or an unknown distribution, or bad arguments.
    """
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ConfigError(
            f"prior for {parameter} must name one distribution, e.g. "
            f"{{{allowed[0]}: {{...}}}}; got {spec!r}"
        )
    (kind, args), = spec.items()
    if kind not in allowed:
        raise ConfigError(
            f"prior for {parameter}: '{kind}' is not allowed; choose one of {', '.join(allowed)}"
        )
    if kind in ("turner", "rhodes"):
        return named_het_prior(kind, **(args or {}))
    try:
        return Prior(kind, **(args or {}))
    except (TypeError, ConfigError) as err:
        raise ConfigError(f"prior for {parameter}: {err}") from None


def prior_to_config(prior) -> dict:
    """The config mapping of a prior (inverse of :func:`prior_from_config`; a named
    heterogeneity prior comes back as the distribution it resolved to)."""
    return prior.to_config()


def prior_attrs(prior) -> dict[str, str]:
    """Attributes that record a parameter's prior on its posterior variable: ``prior``
    (the config mapping as JSON, read back by :func:`bayesnma.diagnostics.posterior_prior`)
    and ``prior_text``."""
    return {"prior": json.dumps(prior_to_config(prior)), "prior_text": str(prior)}
