"""The interface every model variant declares (see :mod:`bayesnma.variants`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from bayesnma.errors import ConfigError

__all__ = ["CheckContext", "CheckResult", "ModelVariant", "ReportSection", "all_effects",
           "comparison_label"]


def comparison_label(trt: str, comparator: str) -> str:
    """Label of the effect of ``trt`` vs ``comparator``."""
    return f"{trt} vs {comparator}"


def all_effects(params):
    """The treatment effects with the reference's zero in front (index = model order)."""
    import pytensor.tensor as pt

    return pt.concatenate([pt.zeros(1), params["d"]])


@dataclass(frozen=True)
class CheckContext:
    """What a variant's summary of its check fits may use, besides the fits.

    Attributes
    ----------
    model : NMAModel
        The component's consistency model.
    consistency : xarray.DataTree
        Its posterior.
    points : pandas.DataFrame
        Residual deviance and leverage per data point of every fit whose variant has
        ``pointwise`` set (column ``model``: the fit's label).
    not_converged : tuple of str
        Labels of the fits that failed the convergence criteria.
    title, measure : str
        Figure title stem and effect measure code.
    lower_better : bool
        Direction of benefit.
    """

    model: object
    consistency: object
    points: object
    not_converged: tuple
    title: str
    measure: str
    lower_better: bool


@dataclass
class CheckResult:
    """Tables (``<name>.csv``) and figures (``<name>.png``, with their dpi or None for the
    default) a variant adds to a component's ``consistency`` folder."""

    tables: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSection:
    """A variant's part of the report's consistency section: a paragraph, then the named
    tables and figures of its :class:`CheckResult` (``(name, alt text)``)."""

    intro: str
    tables: tuple = ()
    figures: tuple = ()


class ModelVariant:
    """A model variant: how the mean relative effect of each non-baseline arm against its
    study's baseline arm is built, and everything the pipeline does with it.

    Model side (instances): :meth:`check` validates against a model, :meth:`design` builds
    the variant's own index arrays, :meth:`parameters` and :meth:`arm_means` define it,
    :meth:`description` and :meth:`attributes` describe it. Pipeline side (class methods):
    :meth:`from_options` builds it from ``NMAModel`` arguments, :meth:`conflict` says
    which configured models it cannot be fitted beside, :meth:`check_fits` names the fits
    of this variant made beside a component's consistency model, :meth:`summarise` turns
    them into tables and figures and :meth:`report_section` places those in the report.
    """

    #: Value of ``consistency`` (``NMAModel`` argument and config key) naming the variant.
    name: ClassVar[str] = ""
    #: One line for the config reference.
    summary: ClassVar[str] = ""
    #: Whether its fits' residual deviance is compared point by point with the consistency
    #: model's (written in ``pointwise.csv``).
    pointwise: ClassVar[bool] = False

    # -- model side ------------------------------------------------------------------------
    def check(self, model) -> ModelVariant:
        """Raise ``ConfigError``/``NetworkError`` if the variant does not fit ``model``;
        return it in the model's canonical form."""
        return self

    def design(self, model):
        """The variant's own index arrays over ``model.design`` (None: it needs none)."""
        return None

    def parameters(self, model) -> list:
        """Parameters of the relative effects (:class:`~bayesnma.parameters.Parameter`)."""
        raise NotImplementedError

    def arm_means(self, params: dict, model):
        """Mean relative effect of each non-baseline arm vs its study's baseline arm, a
        pytensor vector in the order of ``model.design.nonbase``."""
        raise NotImplementedError

    def description(self, model) -> str:
        """One line for reports and the posterior's attributes."""
        raise NotImplementedError

    def attributes(self, model) -> dict[str, str]:
        """Further entries of the model's description (posterior attributes)."""
        return {}

    def options(self) -> dict:
        """The ``NMAModel`` arguments that rebuild the variant with :meth:`from_options`
        (a model stores them, so that ``dataclasses.replace`` keeps its variant)."""
        return {}

    # -- pipeline side ---------------------------------------------------------------------
    @classmethod
    def from_options(cls, **options) -> ModelVariant:
        """The variant from ``NMAModel``'s variant options (e.g. ``nodesplit``); options
        it does not take must be None."""
        cls._refuse(options)
        return cls()

    @classmethod
    def _refuse(cls, options: dict) -> None:
        given = [k for k, v in options.items() if v is not None]
        if given:
            raise ConfigError(f"{', '.join(given)} is given but consistency is {cls.name!r}")

    @classmethod
    def conflict(cls, *, regression, class_effects, baseline) -> str | None:
        """Why the variant cannot be fitted beside a model with these parts (None: it can)."""
        return None

    @classmethod
    def check_fits(cls, model) -> dict[str, ModelVariant]:
        """The fits of this variant beside the consistency model ``model``, by label."""
        return {cls.name: cls()}

    @classmethod
    def summarise(cls, fits: dict, context: CheckContext) -> CheckResult:
        """Tables and figures from this variant's check fits (``fits``: label -> posterior;
        possibly empty)."""
        return CheckResult()

    @classmethod
    def report_section(cls, tables: dict) -> ReportSection | None:
        """The variant's part of the report, from the consistency folder's tables."""
        return None
