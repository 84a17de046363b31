"""The consistency model (NICE DSU TSD2): the effect of ``t`` vs ``b`` is ``d_t - d_b``."""

from __future__ import annotations

from dataclasses import dataclass

from bayesnma.variants.base import ModelVariant, all_effects

__all__ = ["Consistency"]


@dataclass(frozen=True)
class Consistency(ModelVariant):
    """Consistency model: the effect of ``t`` vs ``b`` is ``d_t - d_b`` (TSD2)."""

    name = "consistency"
    summary = "the consistency model (the effects and rankings)"
    pointwise = True

    def parameters(self, model):
        return model.trt_effect_parameters()

    def arm_means(self, params, model):
        design = model.design
        d_all = all_effects(params)
        nb = design.nonbase
        return d_all[design.trt_idx[nb]] - d_all[design.base_idx[nb]]

    def description(self, model):
        return "consistency model (NICE DSU TSD2): effect of t vs b is d[t] - d[b]"
