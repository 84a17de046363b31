"""How study-level relative effects are built: the one seam where model variants differ.

Every variant says, for each non-baseline arm of every study, the mean of its relative
effect against the study's baseline arm (:meth:`ModelVariant.arm_means`), and which
parameters that needs (:meth:`ModelVariant.parameters`, each with its role). Everything
else is shared and untouched by a variant: study baselines, the random effects (``tau``
and the 0.5 within-study correlation of multi-arm studies) and the likelihood of every
data format (:mod:`bayesnma.likelihoods`).

- :class:`Consistency`: NICE DSU TSD2, ``d_t - d_b`` with ``d`` vs the reference.
- :class:`UnrelatedMeans`: NICE DSU TSD4 unrelated mean effects (UME), one independent
  effect per observed comparison.
- :class:`NodeSplit`: Dias et al. (2010) node-splitting of one comparison.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from bayesnma.errors import ConfigError
from bayesnma.parameters import Parameter

__all__ = ["CONSISTENCY_MODELS", "Consistency", "NodeSplit", "ModelVariant",
           "UnrelatedMeans", "comparison_label"]

#: Values of ``consistency`` (as in multinma's ``nma(consistency = )``).
CONSISTENCY_MODELS = ("consistency", "ume", "nodesplit")


def comparison_label(trt: str, comparator: str) -> str:
    """Label of the effect of ``trt`` vs ``comparator``."""
    return f"{trt} vs {comparator}"


class ModelVariant:
    """Interface of a model variant (see the module docstring)."""

    name = ""

    def parameters(self, model) -> list[Parameter]:
        """Parameters of the relative effects (treatment effects and their kin)."""
        raise NotImplementedError

    def arm_means(self, params: dict, design):
        """Mean relative effect of each non-baseline arm vs its study's baseline arm
        (a pytensor vector in the order of ``design.nonbase``)."""
        raise NotImplementedError

    def description(self, model) -> str:
        """One line for reports and the posterior's attributes."""
        raise NotImplementedError


def _all_effects(params):
    import pytensor.tensor as pt

    return pt.concatenate([pt.zeros(1), params["d"]])




@dataclass(frozen=True)
class Consistency(ModelVariant):
    """Consistency model: the effect of ``t`` vs ``b`` is ``d_t - d_b`` (TSD2)."""

    name = "consistency"

    def parameters(self, model):
        return model.trt_effect_parameters()

    def arm_means(self, params, design):
        d_all = _all_effects(params)
        nb = design.nonbase
        return d_all[design.trt_idx[nb]] - d_all[design.base_idx[nb]]

    def description(self, model):
        return "consistency model (NICE DSU TSD2): effect of t vs b is d[t] - d[b]"


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

    @staticmethod
    def labels(model) -> tuple[str, ...]:
        """``"treatment vs comparator"`` of each parameter, comparator first in model order."""
        trts = model.treatments
        return tuple(comparison_label(trts[t], trts[b]) for b, t in model.design.ume_pairs)

    def parameters(self, model):
        trts = model.treatments
        pairs = [[trts[t], trts[b]] for b, t in model.design.ume_pairs]
        return [Parameter("d_ume", "ume_effect", model.priors.trt, dims="comparison",
                          coords=self.labels(model),
                          attrs={"comparisons": json.dumps(pairs)})]

    def arm_means(self, params, design):
        nb = design.nonbase
        sign = np.where(design.base_idx[nb] < design.trt_idx[nb], 1.0, -1.0)
        return sign * params["d_ume"][design.ume_index]

    def description(self, model):
        return ("unrelated mean effects (NICE DSU TSD4): one independent effect per observed "
                "comparison, contrasts vs each study's baseline arm")


@dataclass(frozen=True)
class NodeSplit(ModelVariant):
    """Node-split of the comparison of ``trt`` vs ``comparator`` (Dias et al. 2010).

    In every study that compares the two, the effect of ``trt`` vs ``comparator`` is a
    separate parameter ``d_dir`` (direct evidence); the study's other arms follow the
    consistency relations against ``comparator``. All other studies follow the consistency
    model, so ``d[trt] - d[comparator]`` is informed by indirect evidence only.
    """

    trt: str
    comparator: str
    name = "nodesplit"

    def parameters(self, model):
        return [*model.trt_effect_parameters(),
                Parameter("d_dir", "direct_effect", model.priors.trt)]

    def arm_means(self, params, design):
        d_all = _all_effects(params)
        nb = design.nonbase
        x, y = design.split  # comparator, trt (model indices)
        in_split = design.split_study[design.study_idx[nb]]
        # Node value of an arm: d[t], except arm y of a split study: d[x] + d_dir.
        shift = d_all[x] + params["d_dir"] - d_all[y]
        trt_is_y = (in_split & (design.trt_idx[nb] == y)).astype(float)
        base_is_y = (in_split & (design.base_idx[nb] == y)).astype(float)
        return (d_all[design.trt_idx[nb]] + trt_is_y * shift
                - d_all[design.base_idx[nb]] - base_is_y * shift)

    def description(self, model):
        return (f"node-split of {comparison_label(self.trt, self.comparator)} (Dias et al. "
                "2010): direct evidence d_dir from the studies comparing them, consistency "
                "model elsewhere")


def model_variant(consistency: str, nodesplit=None) -> ModelVariant:
    """The variant named by ``consistency`` (``nodesplit``: ``(trt, comparator)``)."""
    if consistency not in CONSISTENCY_MODELS:
        raise ConfigError(f"consistency must be one of {', '.join(CONSISTENCY_MODELS)}; "
                          f"got {consistency!r}")
    if consistency == "nodesplit":
        if nodesplit is None or len(nodesplit) != 2 or nodesplit[0] == nodesplit[1]:
            raise ConfigError("consistency 'nodesplit' needs nodesplit=(treatment, "
                              f"comparator), two different treatments; got {nodesplit!r}")
        return NodeSplit(str(nodesplit[0]), str(nodesplit[1]))
    if nodesplit is not None:
        raise ConfigError(f"nodesplit is given but consistency is {consistency!r}")
    return Consistency() if consistency == "consistency" else UnrelatedMeans()
