"""Unrelated mean effects (NICE DSU TSD4): one independent effect per observed comparison."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnma.errors import ConfigError
from bayesnma.parameters import Parameter
from bayesnma.variants.base import CheckResult, ModelVariant, ReportSection, comparison_label

__all__ = ["UmeDesign", "UnrelatedMeans", "ume_effects"]


@dataclass(frozen=True)
class UmeDesign:
    """Observed ``(comparator, treatment)`` index pairs of non-baseline arms with their
    study's baseline arm, comparator first in model order (``pairs``: the parameters), and
    each non-baseline arm's position in ``pairs`` (``index``)."""

    pairs: list
    index: np.ndarray


@dataclass(frozen=True)
class UnrelatedMeans(ModelVariant):
    """Unrelated mean effects (NICE DSU TSD4): each observed comparison ``(b, t)`` of a
    non-baseline arm ``t`` with its study's baseline arm ``b`` has its own effect, with no
    consistency relation between comparisons. Contrasts are taken against each study's
    baseline arm (the treatment first in model order), so a multi-arm study informs its
    baseline comparisons only, as in TSD4's code; under random effects the study's
    contrasts stay correlated 0.5.
    """

    name = "ume"
    summary = "unrelated mean effects (NICE DSU TSD4)"
    pointwise = True

    def check(self, model):
        if model.baseline.exchangeable:
            raise ConfigError("UME compares each study's arms with its own baseline arm; "
                              "fit it with independent baselines")
        if model.regression is not None or model.class_effects is not None:
            raise ConfigError("regression and class effects apply to the consistency model "
                              "and node-splits, not to unrelated mean effects")
        return self

    def design(self, model):
        des = model.design
        nb = des.nonbase
        observed = [(min(b, t), max(b, t)) for b, t in
                    zip(des.base_idx[nb], des.trt_idx[nb], strict=True)]
        pairs = sorted(set(observed))
        return UmeDesign(pairs, np.array([pairs.index(p) for p in observed], dtype=np.int64))

    @staticmethod
    def labels(model) -> tuple[str, ...]:
        """``"treatment vs comparator"`` of each parameter, comparator first in model order."""
        trts = model.treatments
        return tuple(comparison_label(trts[t], trts[b]) for b, t in model.variant_design.pairs)

    def parameters(self, model):
        trts = model.treatments
        pairs = [[trts[t], trts[b]] for b, t in model.variant_design.pairs]
        return [Parameter("d_ume", "ume_effect", model.priors.trt, dims="comparison",
                          coords=self.labels(model),
                          attrs={"comparisons": json.dumps(pairs)})]

    def arm_means(self, params, model):
        design = model.design
        nb = design.nonbase
        sign = np.where(design.base_idx[nb] < design.trt_idx[nb], 1.0, -1.0)
        return sign * params["d_ume"][model.variant_design.index]

    def description(self, model):
        return ("unrelated mean effects (NICE DSU TSD4): one independent effect per observed "
                "comparison, contrasts vs each study's baseline arm")

    @classmethod
    def conflict(cls, *, regression, class_effects, baseline):
        if regression or class_effects:
            return ("cannot be combined with regression or class_effects (UME has no "
                    "treatment effects to regress or group)")
        if baseline is not None and baseline.exchangeable:
            return ("compares each study's arms with its own baseline arm and needs "
                    "independent baselines")
        return None

    @classmethod
    def summarise(cls, fits, context):
        from bayesnma.plots import plot_dev_dev

        if not fits:
            return CheckResult()
        (label, ume), = fits.items()
        return CheckResult(
            tables={"ume_effects": ume_effects(ume, context.consistency)},
            figures={"dev_dev": (plot_dev_dev(context.points, y_model=label,
                                              title=context.title + ": consistency vs UME"),
                                 True)})

    @classmethod
    def report_section(cls, tables):
        if "ume_effects" not in tables:
            return None
        return ReportSection("Unrelated mean effects (UME) beside the consistency estimates.",
                             ("ume_effects",), (("dev_dev", "dev-dev plot"),))


def ume_effects(ume, consistency=None, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Each comparison's unrelated mean effect, beside its consistency estimate.

    Returns
    -------
    pandas.DataFrame
        One row per (comparison, model): ``treatment``, ``comparator``, ``model``
        (``ume``, ``consistency``), ``mean``, ``sd``, ``median`` and the interval limits.
    """
    from bayesnma.effects import summarise_draws
    from bayesnma.inconsistency import pair_draws

    d_ume = ume.posterior["d_ume"]
    rows = []
    for k, (label, (trt, comp)) in enumerate(zip(d_ume["comparison"].values,
                                                 json.loads(d_ume.attrs["comparisons"]),
                                                 strict=True)):
        models = {"ume": d_ume.isel(comparison=k).values.ravel()}
        if consistency is not None:
            models["consistency"] = pair_draws(consistency, trt, comp)
        for model, draws in models.items():
            rows.append({"comparison": str(label), "treatment": trt, "comparator": comp,
                         "model": model,
                         **{k2: float(v) for k2, v in summarise_draws(draws, ci_prob).items()}})
    return pd.DataFrame(rows)
