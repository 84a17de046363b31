"""Priors as data: :class:`Prior` is a family name and its parameters, as bambi's
``Prior(name, **params)``; :data:`FAMILIES` maps each family to its checks, its text, its
``scipy.stats`` distribution (density and quantiles, for prior-posterior summaries) and
its PyMC distribution (built by the backend). This module imports no PyMC, so that
specifications stay cheap to build, compare and print.

``Normal(mean, sd)``, ``HalfNormal(scale)`` and the other capitalised names build the
priors of their family.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bayesnma.errors import ConfigError

__all__ = ["FAMILIES", "HET_PRIORS", "PRIOR_KINDS", "Family", "HalfCauchy", "HalfNormal",
           "LogNormalVariance", "LogTVariance", "Normal", "Prior", "Priors",
           "TruncatedNormal", "Uniform"]


@dataclass(frozen=True)
class Family:
    """A prior family: its parameters with their defaults, the check of their values
    (``check(p)`` returns what is wrong, or None), its text (``text(p)``), its
    ``scipy.stats`` distribution (``scipy(p)``: of the parameter itself, e.g. ``tau``) and
    its PyMC distribution (``pymc(pm, name, p, **kwargs)``); ``p`` is the prior."""

    name: str
    defaults: dict
    check: Callable
    text: Callable
    scipy: Callable
    pymc: Callable
    positive: bool = True


class _ExpT:
    """``exp(X)`` for ``X ~ t_df(loc, scale)``: the distribution of ``tau`` under a log-t
    prior on the variance (scipy has none)."""

    def __init__(self, df, loc, scale):
        from scipy.stats import t

        self._t = t(df, loc, scale)

    def pdf(self, x):
        x = np.asarray(x, dtype=float)
        safe = np.where(x > 0, x, 1.0)
        return np.where(x > 0, self._t.pdf(np.log(safe)) / safe, 0.0)

    def ppf(self, q):
        return np.exp(self._t.ppf(q))


def _log_t_pymc(pm, name, p, **kwargs):
    """``log(tau)`` ~ t_df(location / 2, scale / 2), i.e. ``log(tau^2)`` ~ t_df(location,
    scale), as a density of ``tau`` (sampled on the log scale)."""
    import pytensor.tensor as pt

    def logp(value, location, scale):
        log_tau = pt.log(value)
        return pm.logp(pm.StudentT.dist(nu=p.df, mu=location, sigma=scale), log_tau) - log_tau

    return pm.CustomDist(name, p.location / 2, p.scale / 2, logp=logp,
                         transform=pm.distributions.transforms.log, **kwargs)


def _with_source(text, p):
    return f"{text} [{p.source}]" if p.source else text


def _scipy(name):
    def build(*args, **kwargs):
        import scipy.stats

        return getattr(scipy.stats, name)(*args, **kwargs)
    return build


#: Every prior family by its config name.
FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("normal", {"mean": 0.0, "sd": 10.0},
           lambda p: None if p.sd > 0 else f"Normal prior needs sd > 0, got {p.sd:g}",
           lambda p: f"Normal(mean={p.mean:g}, sd={p.sd:g})",
           lambda p: _scipy("norm")(p.mean, p.sd),
           lambda pm, name, p, **kw: pm.Normal(name, mu=p.mean, sigma=p.sd, **kw),
           positive=False),
    Family("truncated_normal", {"mean": 0.0, "sd": 1.0},
           lambda p: None if p.sd > 0 else f"TruncatedNormal prior needs sd > 0, got {p.sd:g}",
           lambda p: f"Normal(mean={p.mean:g}, sd={p.sd:g}) truncated at 0",
           lambda p: _scipy("truncnorm")(-p.mean / p.sd, np.inf, p.mean, p.sd),
           lambda pm, name, p, **kw: pm.TruncatedNormal(name, mu=p.mean, sigma=p.sd,
                                                        lower=0.0, **kw)),
    Family("half_normal", {"scale": 1.0},
           lambda p: (None if p.scale > 0
                      else f"HalfNormal prior needs scale > 0, got {p.scale:g}"),
           lambda p: f"HalfNormal(scale={p.scale:g})",
           lambda p: _scipy("halfnorm")(scale=p.scale),
           lambda pm, name, p, **kw: pm.HalfNormal(name, sigma=p.scale, **kw)),
    Family("half_cauchy", {"scale": 1.0},
           lambda p: (None if p.scale > 0
                      else f"HalfCauchy prior needs scale > 0, got {p.scale:g}"),
           lambda p: f"HalfCauchy(scale={p.scale:g})",
           lambda p: _scipy("halfcauchy")(scale=p.scale),
           lambda pm, name, p, **kw: pm.HalfCauchy(name, beta=p.scale, **kw)),
    Family("uniform", {"lower": 0.0, "upper": 5.0},
           lambda p: (None if p.upper > p.lower else
                      f"Uniform prior needs upper > lower, got {p.lower:g}, {p.upper:g}"),
           lambda p: f"Uniform(lower={p.lower:g}, upper={p.upper:g})",
           lambda p: _scipy("uniform")(p.lower, p.upper - p.lower),
           lambda pm, name, p, **kw: pm.Uniform(name, lower=p.lower, upper=p.upper, **kw)),
    # Turner et al.'s form: log(tau^2) ~ N(mean, sd^2), i.e. tau ~ LogNormal(mean/2, sd/2).
    Family("log_normal", {"mean": -2.56, "sd": 1.74, "source": ""},
           lambda p: None if p.sd > 0 else f"log_normal prior needs sd > 0, got {p.sd:g}",
           lambda p: _with_source(f"log(tau^2) ~ Normal(mean={p.mean:g}, sd={p.sd:g})", p),
           lambda p: _scipy("lognorm")(p.sd / 2, scale=math.exp(p.mean / 2)),
           lambda pm, name, p, **kw: pm.LogNormal(name, mu=p.mean / 2, sigma=p.sd / 2, **kw)),
    # Rhodes et al.'s form: log(tau^2) ~ t_df(location, scale).
    Family("log_t", {"location": -3.44, "scale": 2.59, "df": 5.0, "source": ""},
           lambda p: (None if p.scale > 0 and p.df > 0 else
                      f"log_t prior needs scale > 0 and df > 0, got {p.scale:g}, {p.df:g}"),
           lambda p: _with_source(f"log(tau^2) ~ Student-t(df={p.df:g}, "
                                  f"location={p.location:g}, scale={p.scale:g})", p),
           lambda p: _ExpT(p.df, p.location / 2, p.scale / 2),
           _log_t_pymc),
)}


class Prior:
    """A prior: a family of :data:`FAMILIES` and its parameters, e.g. ``Prior("normal",
    mean=0, sd=10)``; parameters not given take the family's defaults, and each is an
    attribute (``prior.sd``). Immutable, hashable, equal when family and parameters are.

    Raises
    ------
    ConfigError
        An unknown family or parameter, or a value the family does not allow.
    """

    __slots__ = ("family", "params")

    def __init__(self, family: str, **params):
        if family not in FAMILIES:
            raise ConfigError(f"unknown prior family {family!r}; choose one of "
                              f"{', '.join(FAMILIES)}")
        spec = FAMILIES[family]
        unknown = [k for k in params if k not in spec.defaults]
        if unknown:
            raise ConfigError(f"{family} prior has no parameter {', '.join(unknown)} (its "
                              f"parameters: {', '.join(spec.defaults)})")
        values = {k: (v if isinstance(v, str) else float(v))
                  for k, v in {**spec.defaults, **params}.items()}
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "params", tuple(values.items()))
        problem = spec.check(self)
        if problem:
            raise ConfigError(problem)

    def __getattr__(self, name):
        try:
            return dict(object.__getattribute__(self, "params"))[name]
        except (KeyError, AttributeError):
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("a Prior is immutable")

    def __eq__(self, other):
        return (isinstance(other, Prior) and self.family == other.family
                and self.params == other.params)

    def __hash__(self):
        return hash((self.family, self.params))

    def __reduce__(self):
        return (_prior, (self.family, self.params))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params if k != "source" or v)
        return f"Prior({self.family!r}, {args})"

    def __str__(self):
        return FAMILIES[self.family].text(self)

    @property
    def positive(self) -> bool:
        """Whether the prior is on a positive parameter (an SD)."""
        return FAMILIES[self.family].positive

    def to_config(self) -> dict:
        """The config mapping, e.g. ``{"half_normal": {"scale": 1.0}}``."""
        return {self.family: {k: v for k, v in self.params if k != "source" or v}}

    def distribution(self):
        """The ``scipy.stats`` distribution of the parameter (``pdf``, ``ppf``)."""
        return FAMILIES[self.family].scipy(self)

    def pdf(self, x):
        """Density at ``x``."""
        return self.distribution().pdf(np.asarray(x, dtype=float))

    def ppf(self, q):
        """Quantiles at probabilities ``q``."""
        return self.distribution().ppf(np.asarray(q, dtype=float))

    def to_pymc(self, name: str, **kwargs):
        """The PyMC variable ``name`` with this prior (inside a model context)."""
        import pymc as pm

        return FAMILIES[self.family].pymc(pm, name, self, **kwargs)


def _prior(family, params):
    return Prior(family, **dict(params))


def Normal(mean: float = 0.0, sd: float = 10.0) -> Prior:  # noqa: N802 - a prior's name
    """Normal(mean, sd) prior."""
    return Prior("normal", mean=mean, sd=sd)


def HalfNormal(scale: float = 1.0) -> Prior:  # noqa: N802
    """Half-normal(scale) prior on a positive parameter."""
    return Prior("half_normal", scale=scale)


def HalfCauchy(scale: float = 1.0) -> Prior:  # noqa: N802
    """Half-Cauchy(scale) prior on a positive parameter."""
    return Prior("half_cauchy", scale=scale)


def Uniform(lower: float = 0.0, upper: float = 5.0) -> Prior:  # noqa: N802
    """Uniform(lower, upper) prior."""
    return Prior("uniform", lower=lower, upper=upper)


def TruncatedNormal(mean: float = 0.0, sd: float = 1.0) -> Prior:  # noqa: N802
    """Normal(mean, sd) truncated to positive values, e.g. an informative prior on a SD."""
    return Prior("truncated_normal", mean=mean, sd=sd)


def LogNormalVariance(mean: float = -2.56, sd: float = 1.74,  # noqa: N802
                      source: str = "") -> Prior:
    """Log-normal prior on the variance: ``log(tau^2) ~ Normal(mean, sd^2)``, the form of
    Turner et al.'s (2012, 2015) predictive distributions; ``source`` names the table cell.
    Equivalently ``tau ~ LogNormal(mean / 2, sd / 2)``."""
    return Prior("log_normal", mean=mean, sd=sd, source=source)


def LogTVariance(location: float = -3.44, scale: float = 2.59, df: float = 5.0,  # noqa: N802
                 source: str = "") -> Prior:
    """Log-t prior on the variance: ``log(tau^2) ~ Student-t(df, location, scale)``, the
    form of Rhodes et al.'s (2015) predictive distributions for SMDs (df = 5)."""
    return Prior("log_t", location=location, scale=scale, df=df, source=source)


#: The families a config may name (``{family: {parameters}}``).
PRIOR_KINDS = tuple(FAMILIES)
#: Prior kinds allowed for the heterogeneity SD ``tau``, plus the named tables
#: ``turner`` and ``rhodes`` (:mod:`bayesnma.het_priors`).
HET_PRIORS = ("half_normal", "half_cauchy", "truncated_normal", "uniform", "log_normal",
              "log_t", "turner", "rhodes")


@dataclass(frozen=True)
class Priors:
    """Priors of an NMA model.

    Attributes
    ----------
    intercept : Prior, optional
        Normal prior of the study baselines (e.g. log-odds of the study's baseline arm),
        unrelated across studies.
    trt : Prior, optional
        Normal prior of the relative treatment effects ``d`` versus the reference.
    het : Prior, optional
        Prior of the between-study SD ``tau`` (random effects only); the empirical priors
        of Turner et al. and Rhodes et al. by name come from
        :func:`bayesnma.het_priors.named_het_prior`.
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

    intercept: Prior | None = None
    trt: Prior | None = None
    het: Prior | None = None
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
