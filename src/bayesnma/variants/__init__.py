"""Model variants: how study-level relative effects are built, one module each.

Every variant says, for each non-baseline arm of every study, the mean of its relative
effect against the study's baseline arm, which parameters that needs (each with its role),
its checks and its own design arrays; and, for the pipeline, the fits it adds beside a
component's consistency model, the tables and figures made from them, and its part of the
report (:class:`~bayesnma.variants.base.ModelVariant`). Everything else is shared and
untouched by a variant: study baselines, the random effects (``tau`` and the 0.5
within-study correlation of multi-arm studies) and the likelihood of every data format.

:data:`VARIANTS` is the registry: planning, the config's ``consistency`` values, the
consistency checks and the report read it; adding a variant is a module here and a line in
it.

- :class:`Consistency`: NICE DSU TSD2, ``d_t - d_b`` with ``d`` vs the reference.
- :class:`UnrelatedMeans`: NICE DSU TSD4 unrelated mean effects (UME), one independent
  effect per observed comparison.
- :class:`NodeSplit`: Dias et al. (2010) node-splitting of one comparison.
"""

from __future__ import annotations

from bayesnma.errors import ConfigError
from bayesnma.variants.base import (
    CheckContext,
    CheckResult,
    ModelVariant,
    ReportSection,
    comparison_label,
)
from bayesnma.variants.consistency import Consistency
from bayesnma.variants.nodesplit import NodeSplit, consistency_verdict, nodesplit_summary
from bayesnma.variants.ume import UnrelatedMeans, ume_effects

__all__ = ["CONSISTENCY_MODELS", "VARIANTS", "CheckContext", "CheckResult", "Consistency",
           "ModelVariant", "NodeSplit", "ReportSection", "UnrelatedMeans", "check_fits",
           "comparison_label", "consistency_verdict", "model_variant", "nodesplit_summary",
           "ume_effects", "variant_by_label"]

#: Every variant by its ``consistency`` name, in the order its fits are run and reported.
VARIANTS: dict[str, type[ModelVariant]] = {
    cls.name: cls for cls in (Consistency, UnrelatedMeans, NodeSplit)}

#: Values of ``consistency`` (as in multinma's ``nma(consistency = )``).
CONSISTENCY_MODELS = tuple(VARIANTS)


def model_variant(consistency, **options) -> ModelVariant:
    """The variant named by ``consistency`` (or ``consistency`` itself if it is a
    :class:`ModelVariant`), built from its options (e.g. ``nodesplit=(trt, comparator)``)."""
    if isinstance(consistency, ModelVariant):
        return consistency
    if consistency not in VARIANTS:
        raise ConfigError(f"consistency must be one of {', '.join(CONSISTENCY_MODELS)}; "
                          f"got {consistency!r}")
    return VARIANTS[consistency].from_options(**options)


def check_fits(model, names=CONSISTENCY_MODELS) -> dict[str, ModelVariant]:
    """The fits of the variants ``names`` beside the consistency model ``model``, by label
    (``consistency``, ``ume``, ``ns1``, ...), in registry order."""
    fits = {}
    for name, cls in VARIANTS.items():
        if name in names:
            fits.update(cls.check_fits(model))
    return fits


def variant_by_label(label: str, model) -> ModelVariant | None:
    """The variant of the fit labelled ``label`` beside the consistency model ``model``
    (None if it has no such fit)."""
    return check_fits(model).get(label)
