"""Structured parts of a model beside its variant: study baselines, meta-regression and
class effects. Each declares, like a variant (:mod:`bayesnma.variants`), its checks, its
design arrays, its parameters and their part in the relative effects; ``NMAModel`` only
collects them (:attr:`~bayesnma.model.NMAModel.terms`).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["ModelTerm"]


class ModelTerm:
    """A structured part of a model (see the module docstring)."""

    #: The ``NMAModel`` field that holds the term.
    name: ClassVar[str] = ""
    #: Whether its parameters are built after the random effects (they depend on them).
    after_random_effects: ClassVar[bool] = False

    def check(self, model) -> None:
        """Raise ``ConfigError``/``NetworkError`` if the term does not fit ``model``."""

    def design(self, model):
        """The term's own arrays over ``model.design`` (None: it needs none)."""
        return None

    def parameters(self, model) -> list:
        """The term's parameters (:class:`~bayesnma.parameters.Parameter`)."""
        return []

    def trt_effect_parameters(self, model) -> list | None:
        """The parameters that build the treatment effects ``d``, if the term builds them
        (class effects); None otherwise."""
        return None

    def arm_means(self, params: dict, model):
        """The term's addition to each non-baseline arm's mean relative effect (None:
        none)."""
        return None

    def attributes(self, model) -> dict[str, str]:
        """Entries of the model's description (posterior attributes) in words."""
        return {}
