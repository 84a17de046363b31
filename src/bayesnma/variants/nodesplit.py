"""Node-splitting (Dias et al. 2010): direct evidence on one comparison as its own parameter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnma.errors import ConfigError, NetworkError
from bayesnma.network import has_direct_evidence, has_indirect_evidence, nodesplit_comparisons
from bayesnma.parameters import Parameter
from bayesnma.variants.base import (
    CheckResult,
    ModelVariant,
    ReportSection,
    all_effects,
    comparison_label,
)

__all__ = ["NodeSplit", "SplitDesign", "consistency_verdict", "nodesplit_summary"]


@dataclass(frozen=True)
class SplitDesign:
    """Model indices ``(comparator, treatment)`` of the split comparison (``split``) and,
    per study, whether it compares the two (``split_study``)."""

    split: tuple
    split_study: np.ndarray


@dataclass(frozen=True)
class NodeSplit(ModelVariant):
    """Node-split of the comparison of ``trt`` vs ``comparator`` (Dias et al. 2010).

    In every study that compares the two, the effect of ``trt`` vs ``comparator`` is a
    separate parameter ``d_dir`` (direct evidence); the study's other arms follow the
    consistency relations against ``comparator``. All other studies follow the consistency
    model, so ``d[trt] - d[comparator]`` is informed by indirect evidence only. A model
    stores it with the comparator first in model order.
    """

    trt: str
    comparator: str
    name = "nodesplit"
    summary = ("node-splits of every comparison with direct and independent indirect "
               "evidence (Dias et al. 2010)")

    def check(self, model):
        net, known = model.network, model.network.treatments
        pair = (self.trt, self.comparator)
        bad = [t for t in pair if t not in known]
        if bad:
            raise NetworkError(f"{net.source}: node-split treatment(s) {', '.join(bad)} not "
                               f"in the data (valid treatments: {', '.join(known)})")
        if not has_direct_evidence(net, *pair):
            raise NetworkError(f"{net.source}: no study compares {pair[0]} with {pair[1]}, so "
                               "there is no direct evidence to split")
        if not has_indirect_evidence(net, *pair):
            raise NetworkError(
                f"{net.source}: {pair[0]} vs {pair[1]} has no indirect evidence independent "
                "of the studies comparing them, so it cannot be split")
        first, second = sorted(pair, key=model.treatments.index)
        return NodeSplit(second, first)

    def design(self, model):
        des = model.design
        code = {t: i for i, t in enumerate(model.treatments)}
        split = (code[self.comparator], code[self.trt])
        split_study = np.array([set(split) <= set(des.trt_idx[des.study_idx == s].tolist())
                                for s in range(len(model.studies))], dtype=bool)
        return SplitDesign(split, split_study)

    def parameters(self, model):
        return [*model.trt_effect_parameters(),
                Parameter("d_dir", "direct_effect", model.priors.trt)]

    def arm_means(self, params, model):
        design, split = model.design, model.variant_design
        d_all = all_effects(params)
        nb = design.nonbase
        x, y = split.split  # comparator, trt (model indices)
        in_split = split.split_study[design.study_idx[nb]]
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

    def attributes(self, model):
        return {"nodesplit_trt": self.trt, "nodesplit_comparator": self.comparator}

    def options(self):
        return {"nodesplit": (self.trt, self.comparator)}

    @classmethod
    def from_options(cls, nodesplit=None, **options):
        cls._refuse(options)
        if nodesplit is None or len(nodesplit) != 2 or nodesplit[0] == nodesplit[1]:
            raise ConfigError("consistency 'nodesplit' needs nodesplit=(treatment, "
                              f"comparator), two different treatments; got {nodesplit!r}")
        return cls(str(nodesplit[0]), str(nodesplit[1]))

    @classmethod
    def check_fits(cls, model):
        """One fit per splittable comparison, ``ns1``, ``ns2``, ... in model order."""
        return {f"ns{k + 1}": cls(trt, comparator) for k, (comparator, trt)
                in enumerate(nodesplit_comparisons(model.network, model.treatments))}

    @classmethod
    def summarise(cls, fits, context):
        """``nodesplits.csv`` and ``nodesplit.png`` from the splits, and ``verdict.csv``
        (always: it also says when nothing could be split)."""
        from bayesnma.plots import plot_nodesplit

        out = CheckResult()
        splits = [nodesplit_summary(idata, context.consistency).assign(model=label)
                  for label, idata in fits.items()]
        if splits:
            table = pd.concat(splits, ignore_index=True)
            out.tables["nodesplits"] = table
            out.figures["nodesplit"] = (plot_nodesplit(table, measure=context.measure,
                                                       lower_better=context.lower_better,
                                                       title=context.title), False)
        failed = tuple(label for label in context.not_converged if label in fits)
        n_possible = len(cls.check_fits(context.model))
        converged = [t for t in splits if t["model"].iat[0] not in failed]
        verdict = consistency_verdict(
            pd.concat(converged, ignore_index=True) if converged else None,
            n_loops_possible=n_possible, not_converged=failed)
        out.tables["verdict"] = pd.DataFrame([{"n_splittable": n_possible,
                                               "n_split": len(splits), "verdict": verdict}])
        return out

    @classmethod
    def report_section(cls, tables):
        if "nodesplits" not in tables:
            return None
        return ReportSection("Node-splitting (Dias et al. 2010): direct, indirect and network "
                             "estimates on the model scale; difference = direct - indirect, "
                             "with its two-sided Bayesian p-value.",
                             ("nodesplits",), (("nodesplit", "node-splitting"),))


def nodesplit_summary(split, consistency=None, *, ci_prob: float = 0.95) -> pd.DataFrame:
    """Direct, indirect and network estimates of one node-split comparison.

    Parameters
    ----------
    split : xarray.DataTree
        Posterior of a node-split fit (``consistency="nodesplit"``).
    consistency : xarray.DataTree, optional
        Posterior of the consistency model of the same data (gives the network estimate).

    Returns
    -------
    pandas.DataFrame
        One row per estimate (``network``, ``direct``, ``indirect``, ``difference``; the
        difference is ``omega = direct - indirect``), with ``treatment``, ``comparator``,
        ``mean``, ``sd``, ``median``, the interval limits and ``p_value`` (two-sided
        Bayesian p of the difference, on every row).
    """
    from bayesnma.effects import summarise_draws
    from bayesnma.inconsistency import bayesian_p_value, pair_draws

    attrs = split.posterior.attrs
    trt, comp = attrs["nodesplit_trt"], attrs["nodesplit_comparator"]
    indirect = pair_draws(split, trt, comp)
    direct = split.posterior["d_dir"].values.ravel()
    estimates = {"direct": direct, "indirect": indirect, "difference": direct - indirect}
    if consistency is not None:
        estimates = {"network": pair_draws(consistency, trt, comp), **estimates}
    rows = []
    for name, draws in estimates.items():
        rows.append({"treatment": trt, "comparator": comp, "estimate": name,
                     **{k: float(v) for k, v in summarise_draws(draws, ci_prob).items()}})
    table = pd.DataFrame(rows)
    table["p_value"] = bayesian_p_value(direct - indirect)
    return table


def consistency_verdict(splits: pd.DataFrame | None, *, n_loops_possible: int,
                        not_converged: tuple[str, ...] = ()) -> str:
    """One line on whether direct and indirect evidence agree.

    Parameters
    ----------
    splits : pandas.DataFrame or None
        Concatenated :func:`nodesplit_summary` tables of the node-splits that converged
        (``difference`` rows are used).
    n_loops_possible : int
        Number of comparisons that could be split (0: the network has no closed loop).
    not_converged : tuple of str
        Node-split fits (``ns<k>``) that failed the convergence criteria: their
        comparisons are not assessed, and the verdict says so.
    """
    if n_loops_possible == 0:
        return ("no closed loop: every comparison rests on direct or on indirect evidence "
                "only, so consistency cannot be checked; the ranking assumes it")
    if not_converged and (splits is None or not len(splits)):
        return (f"not assessable: the node-split fit(s) {', '.join(not_converged)} did not "
                "converge (see Diagnostics), so direct and indirect evidence were not "
                "compared")
    if splits is None or not len(splits):
        return (f"{n_loops_possible} comparison(s) have both direct and indirect evidence, but "
                "node-splitting was not run (consistency: auto, the default, runs it)")
    from bayesnma.inconsistency import P_INCONSISTENT

    diff = splits[splits["estimate"] == "difference"]
    bad = diff[diff["p_value"] < P_INCONSISTENT]
    unassessed = (f"; not assessed: {', '.join(not_converged)} (did not converge)"
                  if not_converged else "")
    if len(bad):
        items = ", ".join(f"{r.treatment} vs {r.comparator} (p = {r.p_value:.3f})"
                          for r in bad.itertuples())
        return f"inconsistency in {items}{unassessed}"
    return (f"no evidence of inconsistency (smallest p = {diff['p_value'].min():.2f}, "
            f"{len(diff)} split{'s' if len(diff) != 1 else ''}){unassessed}")
