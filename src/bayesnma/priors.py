"""Prior distributions as small value objects.

The backend turns them into PyMC distributions; this module imports no PyMC so that
specifications stay cheap to build, compare and print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bayesnma.errors import ConfigError

__all__ = ["HET_PRIORS", "PRIOR_KINDS", "HalfCauchy", "HalfNormal", "LogNormalVariance",
           "LogTVariance", "Normal", "Priors", "TruncatedNormal", "Uniform"]


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

    def pdf(self, x):
        """Density at ``x`` (numpy)."""
        z = (np.asarray(x, dtype=float) - self.mean) / self.sd
        return np.exp(-0.5 * z**2) / (self.sd * math.sqrt(2 * math.pi))


@dataclass(frozen=True)
class HalfNormal:
    """Half-normal(scale) prior on a positive parameter."""

    scale: float = 1.0

    def __post_init__(self):
        if not self.scale > 0:
            raise ConfigError(f"HalfNormal prior needs scale > 0, got {self.scale}")

    def __str__(self):
        return f"HalfNormal(scale={self.scale:g})"

    def pdf(self, x):
        """Density at ``x`` (numpy)."""
        x = np.asarray(x, dtype=float)
        return np.where(x >= 0, 2 * np.exp(-0.5 * (x / self.scale) ** 2)
                        / (self.scale * math.sqrt(2 * math.pi)), 0.0)


@dataclass(frozen=True)
class HalfCauchy:
    """Half-Cauchy(scale) prior on a positive parameter."""

    scale: float = 1.0

    def __post_init__(self):
        if not self.scale > 0:
            raise ConfigError(f"HalfCauchy prior needs scale > 0, got {self.scale}")

    def __str__(self):
        return f"HalfCauchy(scale={self.scale:g})"

    def pdf(self, x):
        """Density at ``x`` (numpy)."""
        x = np.asarray(x, dtype=float)
        return np.where(x >= 0, 2 / (math.pi * self.scale * (1 + (x / self.scale) ** 2)), 0.0)


@dataclass(frozen=True)
class LogNormalVariance:
    """Log-normal prior on the variance: ``log(tau^2) ~ Normal(mean, sd^2)``, the form of
    Turner et al.'s (2012, 2015) predictive distributions; ``source`` names the table cell.

    Equivalently ``tau ~ LogNormal(mean / 2, sd / 2)``.
    """

    mean: float = -2.56
    sd: float = 1.74
    source: str = ""

    def __post_init__(self):
        if not self.sd > 0:
            raise ConfigError(f"log_normal prior needs sd > 0, got {self.sd}")

    def __str__(self):
        text = f"log(tau^2) ~ Normal(mean={self.mean:g}, sd={self.sd:g})"
        return f"{text} [{self.source}]" if self.source else text

    def pdf(self, x):
        """Density of ``tau`` at ``x`` (numpy)."""
        x = np.asarray(x, dtype=float)
        safe = np.where(x > 0, x, 1.0)
        m, s = self.mean / 2, self.sd / 2
        dens = np.exp(-0.5 * ((np.log(safe) - m) / s) ** 2) / (safe * s * math.sqrt(2 * math.pi))
        return np.where(x > 0, dens, 0.0)


@dataclass(frozen=True)
class LogTVariance:
    """Log-t prior on the variance: ``log(tau^2) ~ Student-t(df, location, scale)``, the
    form of Rhodes et al.'s (2015) predictive distributions for SMDs (df = 5)."""

    location: float = -3.44
    scale: float = 2.59
    df: float = 5.0
    source: str = ""

    def __post_init__(self):
        if not (self.scale > 0 and self.df > 0):
            raise ConfigError(f"log_t prior needs scale > 0 and df > 0, got {self.scale}, "
                              f"{self.df}")

    def __str__(self):
        text = (f"log(tau^2) ~ Student-t(df={self.df:g}, location={self.location:g}, "
                f"scale={self.scale:g})")
        return f"{text} [{self.source}]" if self.source else text

    def pdf(self, x):
        """Density of ``tau`` at ``x`` (numpy): the t density of ``2 log tau`` times
        ``2 / tau``."""
        from scipy.stats import t

        x = np.asarray(x, dtype=float)
        safe = np.where(x > 0, x, 1.0)
        dens = t.pdf(2 * np.log(safe), self.df, self.location, self.scale) * 2 / safe
        return np.where(x > 0, dens, 0.0)


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

    def pdf(self, x):
        """Density at ``x`` (numpy)."""
        x = np.asarray(x, dtype=float)
        inside = (x >= self.lower) & (x <= self.upper)
        return np.where(inside, 1 / (self.upper - self.lower), 0.0)


@dataclass(frozen=True)
class TruncatedNormal:
    """Normal(mean, sd) truncated to positive values, e.g. an informative prior on a SD."""

    mean: float = 0.0
    sd: float = 1.0

    def __post_init__(self):
        if not self.sd > 0:
            raise ConfigError(f"TruncatedNormal prior needs sd > 0, got {self.sd}")

    def __str__(self):
        return f"Normal(mean={self.mean:g}, sd={self.sd:g}) truncated at 0"

    def pdf(self, x):
        """Density at ``x`` (numpy)."""
        from scipy.stats import truncnorm

        x = np.asarray(x, dtype=float)
        return truncnorm.pdf(x, -self.mean / self.sd, np.inf, self.mean, self.sd)


PRIOR_KINDS = {"normal": Normal, "truncated_normal": TruncatedNormal, "half_normal": HalfNormal,
          "half_cauchy": HalfCauchy,
          "uniform": Uniform, "log_normal": LogNormalVariance, "log_t": LogTVariance}
#: Prior kinds allowed for the heterogeneity SD ``tau``, plus the named tables
#: ``turner`` and ``rhodes`` (:mod:`bayesnma.het_priors`).
HET_PRIORS = ("half_normal", "half_cauchy", "truncated_normal", "uniform", "log_normal",
              "log_t", "turner", "rhodes")


@dataclass(frozen=True)
class Priors:
    """Priors of an NMA model.

    Attributes
    ----------
    intercept : Normal, optional
        Study baselines (e.g. log-odds of the study's baseline arm), unrelated across
        studies.
    trt : Normal, optional
        Relative treatment effects ``d`` versus the reference.
    het : HalfNormal, HalfCauchy, Uniform, LogNormalVariance or LogTVariance, optional
        Between-study SD ``tau`` (random effects only); the empirical priors of Turner et
        al. and Rhodes et al. by name come from :func:`bayesnma.het_priors.named_het_prior`.
    basis : str
        How defaults were set from the data (empty when none was).

    Notes
    -----
    A prior left as None is the default for the data (:meth:`for_data`, applied when a
    model is built). On the scales where effects are unitless (log odds, log hazard, log
    rate ratios, SMD) the defaults are ``intercept = trt = Normal(0, 10)`` and ``het =
    HalfNormal(1)``. An SD of 10 on a log odds ratio is vague over every plausible effect
    while keeping the sampler away from the extreme values that N(0, 100^2) allows when
    arms have zero events. A half-normal(1) on tau has median 0.67 and puts 5% above 1.96:
    heterogeneity larger than that (odds ratios varying 50-fold across studies) is
    implausible, whereas the TSD2 Uniform(0, 5) puts 80% of its mass there and dominates
    the posterior when, as in sparse networks, most comparisons have one study.

    Mean differences are in the data's units (mmHg, points on a scale), so fixed defaults
    would be vague for one outcome and shrink another (Normal(0, 10) pulls a baseline of
    140 mmHg towards 0 and with it the effects). Their defaults scale with the data, as
    gemtc's ``om.scale`` does: with ``s`` the largest difference between arms of a study
    (or contrast) and ``m`` the largest absolute arm mean, ``trt ~ Normal(0, 10 s)``,
    ``intercept ~ Normal(0, 10 max(m, s))`` and ``tau ~ HalfNormal(s)``, each rounded up to
    two significant digits; on the log-odds scale, where ``s`` is typically about 1, these
    are the defaults above. :meth:`tsd` gives the NICE DSU TSD2 priors (Normal(0, 100),
    Uniform(0, 5)) used to reproduce published analyses.
    """

    intercept: Normal | None = None
    trt: Normal | None = None
    het: HalfNormal | HalfCauchy | Uniform | LogNormalVariance | LogTVariance | None = None
    basis: str = ""

    @classmethod
    def tsd(cls) -> Priors:
        """NICE DSU TSD2 priors: N(0, 100^2) for baselines and effects, tau ~ U(0, 5)."""
        return cls(Normal(0.0, 100.0), Normal(0.0, 100.0), Uniform(0.0, 5.0))

    def for_data(self, network) -> Priors:
        """These priors with every unset one replaced by the default for ``network``'s
        effect measure and, for mean differences, its scale (see the class notes)."""
        unset = [k for k in ("intercept", "trt", "het") if getattr(self, k) is None]
        if not unset:
            return self
        basis = ""
        if network.measure == "MD":
            largest_mean, largest_diff = _md_scale(network)
            base = max(largest_mean, largest_diff)
            defaults = {"intercept": Normal(0.0, _round_up(10 * base)),
                        "trt": Normal(0.0, _round_up(10 * largest_diff)),
                        "het": HalfNormal(_round_up(largest_diff))}
            basis = (f"default {', '.join(unset)} prior(s) scaled to the data's units: "
                     f"largest difference between arms {largest_diff:.3g}, largest absolute "
                     f"arm mean {largest_mean:.3g}")
        else:
            defaults = {"intercept": Normal(0.0, 10.0), "trt": Normal(0.0, 10.0),
                        "het": HalfNormal(1.0)}
        return Priors(**{k: getattr(self, k) or defaults[k] for k in defaults},
                      basis=self.basis or basis)

    def describe(self) -> dict[str, str]:
        """Human-readable priors by parameter."""
        def text(prior):
            return str(prior) if prior is not None else "default for the data"

        out = {"mu (study baselines)": text(self.intercept),
               "d (treatment effects)": text(self.trt),
               "tau (heterogeneity SD)": text(self.het)}
        if self.basis:
            out["priors' scale"] = self.basis
        return out


def _md_scale(network) -> tuple[float, float]:
    """Largest absolute arm mean and largest within-study difference (arms and contrasts)
    of mean-difference data; the largest SE stands in for a difference when all are 0."""
    arms = network.arms
    y = arms["y"].to_numpy(dtype=float) if "y" in arms and len(arms) else np.array([])
    largest_mean = float(np.nanmax(np.abs(y))) if y.size else 0.0
    diffs = [np.abs(network.contrasts["diff"].dropna().to_numpy(dtype=float))]
    if y.size:
        spread = arms.groupby("study", sort=False)["y"].agg(lambda v: v.max() - v.min())
        diffs.append(spread.to_numpy(dtype=float))
    diffs = np.concatenate(diffs)
    largest_diff = float(diffs.max()) if diffs.size else 0.0
    if largest_diff == 0:
        ses = np.concatenate([arms["se"].to_numpy(dtype=float) if "se" in arms else [],
                              network.contrasts["se"].to_numpy(dtype=float)])
        largest_diff = float(np.nanmax(ses)) if np.isfinite(ses).any() else 1.0
    return largest_mean, largest_diff


def _round_up(x: float) -> float:
    """``x`` rounded up to two significant digits (100.3 -> 110, 0.0123 -> 0.013)."""
    if x <= 0:
        return 1.0
    step = 10.0 ** (math.floor(math.log10(x)) - 1)
    return float(f"{math.ceil(x / step - 1e-9) * step:.2g}")
