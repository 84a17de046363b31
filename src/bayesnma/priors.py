"""Prior distributions as small value objects.

The backend turns them into PyMC distributions; this module imports no PyMC so that
specifications stay cheap to build, compare and print.
"""

from __future__ import annotations

from dataclasses import dataclass

from bayesnma.errors import ConfigError

__all__ = ["HalfNormal", "Normal", "Priors", "Uniform", "prior_from_config"]


@dataclass(frozen=True)
class Normal:
    """Normal(mean, sd) prior."""

    mean: float = 0.0
    sd: float = 10.0

    def __post_init__(self):
        if not self.sd > 0:
            raise ConfigError(f"Normal prior needs sd > 0, got {self.sd}")

    def __str__(self):
        return f"Normal(mean={self.mean:g}, sd={self.sd:g})"


@dataclass(frozen=True)
class HalfNormal:
    """Half-normal(scale) prior on a positive parameter."""

    scale: float = 1.0

    def __post_init__(self):
        if not self.scale > 0:
            raise ConfigError(f"HalfNormal prior needs scale > 0, got {self.scale}")

    def __str__(self):
        return f"HalfNormal(scale={self.scale:g})"


@dataclass(frozen=True)
class Uniform:
    """Uniform(lower, upper) prior."""

    lower: float = 0.0
    upper: float = 5.0

    def __post_init__(self):
        if not self.upper > self.lower:
            raise ConfigError(f"Uniform prior needs upper > lower, got {self.lower}, {self.upper}")

    def __str__(self):
        return f"Uniform(lower={self.lower:g}, upper={self.upper:g})"


_KINDS = {"normal": Normal, "half_normal": HalfNormal, "uniform": Uniform}


@dataclass(frozen=True)
class Priors:
    """Priors of an NMA model.

    Attributes
    ----------
    intercept : Normal
        Study baselines (log-odds of the study's baseline arm), unrelated across studies.
    trt : Normal
        Relative treatment effects ``d`` versus the reference.
    het : HalfNormal or Uniform
        Between-study SD ``tau`` (random effects only).

    Notes
    -----
    Defaults: ``intercept = trt = Normal(0, 10)`` and ``het = HalfNormal(1)`` on the log-odds
    scale. An SD of 10 on a log odds ratio is vague over every plausible effect while keeping
    the sampler away from the extreme values that N(0, 100^2) allows when arms have zero
    events. A half-normal(1) on tau has median 0.67 and puts 5% above 1.96: heterogeneity
    larger than that (odds ratios varying 50-fold across studies) is implausible, whereas
    the TSD2 Uniform(0, 5) puts 80% of its mass there and dominates the posterior when, as
    in sparse networks, most comparisons have one study. :meth:`tsd` gives the NICE DSU
    TSD2 priors (Normal(0, 100), Uniform(0, 5)) used to reproduce published analyses.
    """

    intercept: Normal = Normal(0.0, 10.0)
    trt: Normal = Normal(0.0, 10.0)
    het: HalfNormal | Uniform = HalfNormal(1.0)

    @classmethod
    def tsd(cls) -> Priors:
        """NICE DSU TSD2 priors: N(0, 100^2) for baselines and effects, tau ~ U(0, 5)."""
        return cls(Normal(0.0, 100.0), Normal(0.0, 100.0), Uniform(0.0, 5.0))

    def describe(self) -> dict[str, str]:
        """Human-readable priors by parameter."""
        return {"mu (study baselines)": str(self.intercept), "d (treatment effects)": str(
            self.trt), "tau (heterogeneity SD)": str(self.het)}


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
    try:
        return _KINDS[kind](**(args or {}))
    except TypeError as err:
        raise ConfigError(f"prior for {parameter}: {err}") from None
