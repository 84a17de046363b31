"""Model parameters and their roles.

Every variable a model puts in the posterior carries a role (a ``role`` attribute on the
posterior variable). Convergence gating, summaries and reports select variables by role,
so a new model variant's parameters are checked and reported without any list to edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ROLES", "Derived", "Parameter", "Role", "gated_variables", "role_of"]


@dataclass(frozen=True)
class Role:
    """What a parameter is.

    Attributes
    ----------
    name : str
    description : str
        Words for tables and reports.
    gated : bool
        Whether the convergence criteria apply (every sampled parameter; not quantities
        derived from them, such as linear predictors).
    key : bool
        Whether reports show it by default (``d``, ``tau`` and their kin; not the
        per-study nuisance parameters).
    remedy : str
        What to change in the config when it does not converge (empty: nothing specific
        to it).
    """

    name: str
    description: str
    gated: bool = True
    key: bool = True
    remedy: str = ""


#: With one or two studies per comparison the data say little about tau, and tau and the
#: study effects form a funnel the sampler cannot cross at any step size.
_TAU_REMEDY = ("a more informative prior on tau (priors.het, e.g. an empirical one: "
               "{turner: ...} for binary outcomes, {rhodes: ...} for SMDs) or fixed effects "
               "(trt_effects: fixed)")

ROLES = {r.name: r for r in (
    Role("trt_effect", "treatment effect vs the reference (consistency)"),
    Role("heterogeneity", "between-study SD of the relative effects", remedy=_TAU_REMEDY),
    Role("ume_effect", "unrelated mean effect of one observed comparison"),
    Role("direct_effect", "direct evidence on the split comparison"),
    Role("class_effect", "class mean effect vs the reference"),
    Role("class_sd", "SD of treatment effects within a class",
         remedy="a more informative prior on the within-class SD (class_effects.sd_prior) "
         "or a common class model (class_effects.model: common)"),
    Role("regression", "interaction of a covariate with the treatment effects"),
    Role("regression_sd", "SD of exchangeable interactions across treatments",
         remedy="shared interactions (regression.interactions: shared) or a more "
         "informative prior on their SD (regression.sd_prior)"),
    Role("baseline_mean", "mean linear predictor of the reference treatment (exchangeable "
         "baselines)"),
    Role("baseline_sd", "between-study SD of the baselines (exchangeable baselines)",
         remedy="a more informative prior on the baselines' SD (baseline.sd_prior)"),
    Role("baseline_regression", "effect of a study covariate on the baseline"),
    Role("baseline", "study baseline (linear predictor of the baseline arm)", key=False),
    Role("random_effect", "standardised study-specific relative effect", key=False,
         remedy=_TAU_REMEDY),
    Role("derived", "linear predictor derived from the parameters", gated=False, key=False),
    # Safe default for a variable whose role was not recorded: checked and shown.
    Role("unlabelled", "parameter without a recorded role"),
)}


@dataclass(frozen=True)
class Derived:
    """"Prior" of a parameter that is a function of earlier ones (e.g. treatment effects
    built from class means): ``build(params)`` returns its tensor from the dict of the
    parameters declared before it."""

    build: object
    text: str = ""

    def __str__(self):
        return self.text


@dataclass(frozen=True)
class Parameter:
    """A model parameter, declared by the specification and created by the backend.

    Attributes
    ----------
    name : str
        Variable name in the PyMC model and the posterior.
    role : str
        Key of :data:`ROLES`.
    prior : object
        A prior of :mod:`bayesnma.priors`, or :class:`Derived`.
    dims : str or tuple of str, optional
        Name of its dimension; ``coords`` are its labels (a tuple of dims takes the coords
        other parameters declare).
    coords : tuple of str
    attrs : dict
        Extra attributes of the posterior variable (JSON-able values as strings), e.g. the
        treatment and comparator of each UME comparison.
    """

    name: str
    role: str
    prior: object
    dims: str | tuple | None = None
    coords: tuple[str, ...] = ()
    attrs: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown parameter role {self.role!r}")


def role_of(idata, name: str) -> Role:
    """Role of a posterior variable (``unlabelled``, hence gated, when none is recorded)."""
    return ROLES[idata.posterior[name].attrs.get("role", "unlabelled")]


def gated_variables(idata, *, key_only: bool = False) -> list[str]:
    """Posterior variables the convergence criteria apply to (optionally only key ones)."""
    names = []
    for name in idata.posterior.data_vars:
        role = role_of(idata, name)
        if role.gated and (role.key or not key_only):
            names.append(name)
    return names
