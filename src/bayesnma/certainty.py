"""How certain is each relative effect? CINeMA / GRADE-NMA domains computed from the analysis.

Each relative effect (every pair of treatments of a component) is rated on the domains of
CINeMA (Nikolakopoulou et al. 2020, PLoS Med 17:e1003082), each ``no concerns``, ``some
concerns`` or ``major concerns`` with its reason, plus one domain of our own, placement
(an effect that no chain of comparisons makes, placed by a class bridge or exchangeable
baselines, is unanchored in NICE DSU TSD18's sense). The overall certainty starts at high
and goes down one level per domain with some concerns and two per domain with major
concerns; an unanchored effect is very low whatever else holds. These are rules, applied
the same way to every effect: a review team revisits them (the CINeMA export carries the
data and the per-study judgements to CINeMA, where the rating can be finished).

Then GRADE's minimally contextualised classification (Brignardello-Petersen et al. 2020,
BMJ 371:m3900): treatments grouped against the reference by their 95% credible intervals,
each with the certainty of its comparison with the reference.

Post-processing only: functions take tables and draws and return tables.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd

from bayesnma.data import JUDGEMENT_LEVELS, NetworkData
from bayesnma.diagnostics import is_prior_bound
from bayesnma.inconsistency import P_INCONSISTENT
from bayesnma.measures import Measure
from bayesnma.network import (
    anchored_groups,
    has_direct_evidence,
    has_indirect_evidence,
    is_randomised,
    study_values,
)
from bayesnma.pairwise import direct_estimates, study_contrasts

__all__ = ["ANCHORED", "CERTAINTY_LEVELS", "DOMAINS", "JUDGEMENTS", "RATING_COLUMNS",
           "STUDY_LEVELS", "classify", "cinema_export", "contributions", "default_margin",
           "own_results", "predictive_intervals", "rate_certainty", "study_judgements"]

#: A domain's judgement, and how many levels it takes off the certainty.
JUDGEMENTS = {"no concerns": 0, "some concerns": 1, "major concerns": 2}
#: Overall certainty, from high down.
CERTAINTY_LEVELS = ("high", "moderate", "low", "very low")
#: The per-study judgements of the ``rob`` and ``indirectness`` data columns.
STUDY_LEVELS = {level: i for i, level in enumerate(JUDGEMENT_LEVELS)}
#: The domains, in CINeMA's order, then placement.
DOMAINS = ("within_study_bias", "reporting_bias", "indirectness", "imprecision",
           "heterogeneity", "incoherence", "placement")
RATING_COLUMNS = ["treatment", "comparator", "scale", "median", "q2.5", "q97.5",
                  *[c for d in DOMAINS for c in (d, f"{d}_reason")], "certainty",
                  "certainty_reason"]
#: GRADE's "appreciable benefit or harm" for ratio measures (a relative change of 25%):
#: the margin of clinical importance when the config sets none.
GRADE_RATIO_MARGIN = 1.25

_NOT_ASSESSED = "not assessed"
#: What places a treatment by comparisons (:func:`bayesnma.network.treatment_evidence`);
#: anything else is an assumption.
ANCHORED = ("reference treatment", "comparisons connected to the reference")


def default_margin(measure: Measure, margin: float | None) -> float | None:
    """The margin of clinical importance on the natural scale: the configured one, else
    :data:`GRADE_RATIO_MARGIN` for ratio measures and none (the null only) for
    differences."""
    if margin is not None:
        return float(margin)
    return GRADE_RATIO_MARGIN if measure.ratio else None


def _thresholds(measure: Measure, margin: float | None) -> np.ndarray:
    """Thresholds on the model scale: the limits of the range of equivalence around the
    null, or the null alone without a margin."""
    if margin is None:
        return np.array([0.0])
    m = np.log(margin) if measure.ratio else abs(margin)
    return np.array([-m, m])


def _crossed(lower: float, upper: float, thresholds) -> int:
    """How many thresholds lie strictly inside an interval (model scale)."""
    return int(sum(lower < t < upper for t in thresholds))


def study_judgements(network: NetworkData, column: str) -> dict[str, tuple[str, str]]:
    """Each study's judgement from a data column (``rob`` or ``indirectness``), or the
    default: for ``rob``, low for randomised studies and high for non-randomised
    comparisons (confounding is not controlled by design: GRADE starts such evidence at
    low certainty); for ``indirectness``, low. Returns study -> (level, where from)."""
    given = study_values(network, column)
    design = study_values(network, "design")
    studies = dict.fromkeys(network.study_arms["study"])
    out = {}
    for study in studies:
        values = [] if given is None else given.get(study, [])
        if values:
            out[study] = (values[0].strip().lower(), f"{column} column")
        elif column == "rob":
            randomised = design is not None and is_randomised((design.get(study) or [""])[0])
            out[study] = (("low", "design: randomised") if randomised else
                          ("high", "design: non-randomised comparison"))
        else:
            out[study] = ("low", f"no {column} column")
    return out


def contributions(network: NetworkData, a: str, b: str, *, trt_effects: str,
                  tau: float = 0.0, direct: pd.DataFrame | None = None,
                  per_study: pd.DataFrame | None = None) -> dict[str, float]:
    """Share of each study in the estimate of ``a`` vs ``b`` from comparisons.

    The percentage contribution of Chaimani et al. 2013 (PLoS ONE 8:e76654), as CINeMA
    first computed it: the row of the hat matrix of a two-stage network meta-analysis of
    the direct estimates (inverse-variance weights, ``tau`` squared added for random
    effects) gives each direct comparison's weight; its absolute values, normalised, are
    the comparisons' shares, divided among each comparison's studies by their
    inverse-variance weights. Empty when ``a`` and ``b`` are not joined by comparisons.
    ``direct`` and ``per_study`` (the network's :func:`~bayesnma.pairwise.direct_estimates`
    and :func:`~bayesnma.pairwise.study_contrasts`) save recomputing them for every pair.
    """
    if direct is None:
        direct = direct_estimates(network, trt_effects=trt_effects)
    if per_study is None:
        per_study = study_contrasts(network)
    direct = direct[direct["treatment"] < direct["comparator"]]
    graph = nx.Graph()
    graph.add_edges_from(zip(direct["treatment"], direct["comparator"], strict=True))
    if a not in graph or b not in graph or not nx.has_path(graph, a, b):
        return {}
    nodes = sorted(nx.node_connected_component(graph, a))
    edges = direct[direct["treatment"].isin(nodes)].reset_index(drop=True)
    index = {t: i for i, t in enumerate(nodes[1:])}  # nodes[0]: the basic parameters' base
    x = np.zeros((len(edges), len(index)))
    for row, (t, c) in enumerate(zip(edges["treatment"], edges["comparator"], strict=True)):
        if t in index:
            x[row, index[t]] += 1
        if c in index:
            x[row, index[c]] -= 1
    w = np.diag(1 / (edges["se"].to_numpy(float) ** 2 + tau ** 2))
    target = np.zeros(len(index))
    if a in index:
        target[index[a]] += 1
    if b in index:
        target[index[b]] -= 1
    h = np.abs(target @ np.linalg.pinv(x.T @ w @ x) @ x.T @ w)
    share = h / h.sum()
    out: dict[str, float] = {}
    for (t, c, studies), s in zip(edges[["treatment", "comparator", "studies"]].itertuples(
            index=False), share, strict=True):
        own = per_study[(per_study["treatment"] == t) & (per_study["comparator"] == c)
                        & per_study["study"].isin(studies)]
        weights = 1 / (own["var"].to_numpy(float) + tau ** 2)
        for study, wi in zip(own["study"], weights / weights.sum(), strict=True):
            out[study] = out.get(study, 0.0) + float(s * wi)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _weighted(share: dict[str, float], levels: dict[str, tuple[str, str]], what: str):
    """Judgement of a domain rated per study (bias, indirectness): the contribution-weighted
    average of the studies' levels (low 0, some concerns 1, high 2), rounded (CINeMA's
    "average" rule)."""
    if not share:
        return _NOT_ASSESSED, ("no study's own contrast informs the estimate (zero events in "
                               "both arms)")
    score = sum(s * STUDY_LEVELS[levels[study][0]] for study, s in share.items())
    judgement = list(JUDGEMENTS)[int(np.floor(score + 0.5))]
    parts = [f"{study} {levels[study][0]} ({100 * s:.0f}%, {levels[study][1]})"
             for study, s in share.items() if s >= 0.005]
    return judgement, (f"{what} weighted by each study's contribution (average "
                       f"{score:.1f} on 0 low - 2 high): " + "; ".join(parts))


def predictive_intervals(effect_draws: np.ndarray, labels, tau_draws: np.ndarray | None,
                         pairs, *, seed: int, ci_prob: float = 0.95) -> dict:
    """95% predictive interval of each pair's effect in a new study, ``d + tau z``, from the
    posterior draws (``effect_draws``: draws x treatments, ``tau_draws`` matched to them);
    ``z`` is drawn with ``seed``, so the same posterior gives the same intervals. Returns
    (treatment, comparator) -> (lower, upper) on the model scale; empty without tau."""
    if tau_draws is None:
        return {}
    z = np.random.default_rng(seed).standard_normal(len(tau_draws))
    pos = {t: i for i, t in enumerate(labels)}
    probs = [(1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2]
    out = {}
    for t, c in pairs:
        new = effect_draws[:, pos[t]] - effect_draws[:, pos[c]] + tau_draws * z
        out[(t, c)] = tuple(float(q) for q in np.quantile(new, probs))
    return out


def _limits(n: int, thresholds, margin_text: str) -> str:
    """``n`` thresholds of :func:`_thresholds` in words."""
    if len(thresholds) == 1:
        return margin_text
    return ("both limits" if n == 2 else "one limit") + f" of {margin_text}"


def _imprecision(lower, upper, thresholds, margin_text):
    n = _crossed(lower, upper, thresholds)
    judgement = list(JUDGEMENTS)[min(n, 2)]
    if n == 0:
        why = (f"the 95% CrI does not cross {margin_text}" if len(thresholds) == 1 else
               f"the 95% CrI crosses no limit of {margin_text}")
    else:
        why = (f"the 95% CrI crosses {_limits(n, thresholds, margin_text)}: it includes "
               + ("clinically important effects in both directions" if n == 2 else
                  "effects on both sides of it" if len(thresholds) == 1 else
                  "clinically important and unimportant effects"))
    return judgement, why


def _heterogeneity(lower, upper, pi, thresholds, tau_verdict, trt_effects, margin_text):
    if trt_effects == "fixed":
        return _NOT_ASSESSED, ("fixed effects: between-study variation is assumed away; the "
                               "random-effects sensitivity analyses show its effect")
    extra = _crossed(*pi, thresholds) - _crossed(lower, upper, thresholds)
    judgement = list(JUDGEMENTS)[min(max(extra, 0), 2)]
    why = (f"the 95% predictive interval crosses "
           f"{_limits(extra, thresholds, margin_text)}, which the 95% CrI does not"
           if extra > 0 else
           "the 95% predictive interval leads to the same conclusion as the 95% CrI")
    if is_prior_bound(tau_verdict):
        why += "; tau's posterior is essentially its prior (the data do not inform it)"
    return judgement, why


def _incoherence(network, t, c, splits, verdict):
    """From the node-split of the pair if there is one, else from where its evidence
    comes from."""
    row = None
    if splits is not None and len(splits):
        diff = splits[(splits["estimate"] == "difference")
                      & (((splits["treatment"] == t) & (splits["comparator"] == c))
                         | ((splits["treatment"] == c) & (splits["comparator"] == t)))]
        row = diff.iloc[0] if len(diff) else None
    if row is not None:
        p = float(row["p_value"])
        judgement = ("major concerns" if p < P_INCONSISTENT else "some concerns" if p < 0.10
                     else "no concerns")
        return judgement, f"node-split of this comparison: Bayesian p = {p:.2f}"
    direct = has_direct_evidence(network, t, c)
    indirect = has_indirect_evidence(network, t, c)
    if direct and not indirect:
        return "no concerns", "direct evidence only: nothing for it to be incoherent with"
    if direct and indirect:
        return "some concerns", ("direct and indirect evidence, but this comparison was not "
                                 "split (" + (verdict or "no consistency check") + ")")
    loops = verdict is not None and not str(verdict).startswith(("no closed loop",
                                                                 "not assessable"))
    if loops:
        consistent = "no evidence of inconsistency" in str(verdict)
        return ("no concerns" if consistent else "some concerns",
                f"indirect evidence only; the network's check: {verdict}")
    return "some concerns", ("indirect evidence only, and no closed loop in which the "
                             "transitivity it rests on could be checked")


def _overall(judgements: dict[str, str]) -> tuple[str, str]:
    if judgements["placement"] == "major concerns":
        return "very low", "unanchored: placed by an assumption, very low by rule (TSD18)"
    down = {d: JUDGEMENTS[j] for d, j in judgements.items() if j in JUDGEMENTS and
            JUDGEMENTS[j]}
    level = CERTAINTY_LEVELS[min(sum(down.values()), 3)]
    if not down:
        return level, "no domain with concerns"
    return level, "down " + ", ".join(f"{n} for {d.replace('_', ' ')}" for d, n in
                                      down.items())


def rate_certainty(network: NetworkData, effects: pd.DataFrame, *, trt_ref: str,
                   order, measure: Measure, trt_effects: str, margin: float | None,
                   heterogeneity: pd.DataFrame | None = None, predictive: dict | None = None,
                   splits: pd.DataFrame | None = None, verdict: str | None = None,
                   placed_by: dict | None = None, prior_set=()) -> pd.DataFrame:
    """Rate every pair of treatments of a component on the CINeMA domains and placement.

    Parameters
    ----------
    network : NetworkData
        The component's data.
    effects : pandas.DataFrame
        Its :func:`bayesnma.effects.relative_effects` (model-scale rows are used).
    trt_ref : str
        Reference; ``order`` the treatments in the order pairs are written (each pair once,
        the earlier treatment as comparator: every treatment vs the reference first).
    measure, trt_effects
        The analysis' measure and treatment-effects model.
    margin : float or None
        Margin of clinical importance on the natural scale (:func:`default_margin`).
    heterogeneity : pandas.DataFrame, optional
        :func:`bayesnma.diagnostics.heterogeneity` (tau's posterior median and verdict).
    predictive : dict, optional
        :func:`predictive_intervals` of the pairs (random effects).
    splits, verdict
        The component's node-split table and consistency verdict, if checked.
    placed_by : dict, optional
        Treatment -> what places it (:func:`bayesnma.network.treatment_evidence`).
    prior_set : sequence of str
        Treatments whose effect the prior on ``d`` sets, the data not bounding it (zero or
        full cells, :func:`bayesnma.diagnostics.prior_set_effects`): every comparison with
        one has major concerns for imprecision, however narrow its interval looks.

    Returns
    -------
    pandas.DataFrame
        :data:`RATING_COLUMNS`: the effect (model scale), each domain's judgement and
        reason, and the overall certainty with the downgrades that set it.
    """
    model = effects[effects["scale"] == measure.model_scale].set_index(
        ["treatment", "comparator"])
    thresholds = _thresholds(measure, margin)
    margin_text = (f"the null ({measure.code} {measure.null:g})" if margin is None else
                   f"the range of equivalence {1 / margin:.3g}-{margin:.3g} ({measure.code})"
                   if measure.ratio else f"the range of equivalence -{margin:g} to {margin:g}")
    het = heterogeneity if heterogeneity is not None else pd.DataFrame()
    tau_row = het[het["parameter"] == "tau"] if len(het) else het
    tau = float(tau_row["median"].iat[0]) if len(tau_row) else 0.0
    tau_verdict = tau_row["verdict"].iat[0] if len(tau_row) else ""
    rob = study_judgements(network, "rob")
    indirect = study_judgements(network, "indirectness")
    groups = anchored_groups(network)
    direct = direct_estimates(network, trt_effects=trt_effects)
    per_study = study_contrasts(network)
    placed_by = placed_by or {}
    rank = {t: i for i, t in enumerate(order)}
    rows = []
    for c, t in combinations(sorted(order, key=rank.__getitem__), 2):
        est = model.loc[(t, c)]
        lo, hi = float(est["q2.5"]), float(est["q97.5"])
        anchored = any(t in g and c in g for g in groups)
        judged = {}
        if anchored:
            share = contributions(network, t, c, trt_effects=trt_effects, tau=tau,
                                  direct=direct, per_study=per_study)
            judged["within_study_bias"] = _weighted(share, rob, "risk of bias")
            judged["indirectness"] = _weighted(share, indirect, "indirectness")
            judged["placement"] = ("no concerns",
                                   "anchored: joined by a chain of comparisons")
        else:
            why = "no chain of comparisons joins them: judged under placement"
            judged["within_study_bias"] = (_NOT_ASSESSED, why)
            judged["indirectness"] = (_NOT_ASSESSED, why)
            assumption = "; ".join(dict.fromkeys(
                placed_by[x] for x in (t, c) if x in placed_by and placed_by[x] not in ANCHORED))
            judged["placement"] = ("major concerns", "unanchored: placed by "
                                   + (assumption or "an assumption, not by comparisons"))
        judged["reporting_bias"] = (_NOT_ASSESSED, "needs the review's search and registry "
                                    "checks (and 10 or more studies for a funnel plot)")
        unbounded = [x for x in (t, c) if x in set(prior_set)]
        judged["imprecision"] = (
            ("major concerns", f"the effect of {', '.join(unbounded)} is set by the prior on d: "
             "the data do not bound it (zero or full cells), so its interval is the prior's")
            if unbounded else _imprecision(lo, hi, thresholds, margin_text))
        judged["heterogeneity"] = _heterogeneity(
            lo, hi, (predictive or {}).get((t, c), (lo, hi)), thresholds, tau_verdict,
            trt_effects, margin_text)
        judged["incoherence"] = (
            _incoherence(network, t, c, splits, verdict) if anchored else
            (_NOT_ASSESSED, "no evidence from comparisons to check: judged under placement"))
        level, why = _overall({d: j for d, (j, _) in judged.items()})
        row = {"treatment": t, "comparator": c, "scale": measure.model_scale,
               "median": float(est["median"]), "q2.5": lo, "q97.5": hi}
        for d in DOMAINS:
            row[d], row[f"{d}_reason"] = judged[d]
        rows.append({**row, "certainty": level, "certainty_reason": why})
    return pd.DataFrame(rows, columns=RATING_COLUMNS)


def _worded(group: str, certainty: str) -> str:
    """A classification in words for its certainty (GRADE: "may be" for low, "very
    uncertain" for very low; Brignardello-Petersen et al. 2020, table 2)."""
    if certainty in ("high", "moderate"):
        return group
    if certainty == "low":
        return f"may be {group}"
    return f"very uncertain (95% CrI: {group})"


def classify(effects: pd.DataFrame, certainty: pd.DataFrame, *, trt_ref: str,
             measure: Measure, converged: bool = True, placed_by: dict | None = None,
             network: NetworkData | None = None) -> pd.DataFrame:
    """GRADE's minimally contextualised classification against the reference, with the
    null as the decision threshold (Brignardello-Petersen et al. 2020).

    A treatment whose 95% CrI against ``trt_ref`` lies wholly on the side of benefit is
    better than the reference; of those, one better (95% CrI) than at least one other of
    them is among the most effective and the rest intermediate (with none such, all are
    among the most effective); a treatment whose CrI lies wholly on the side of harm is
    worse than the reference; the others are not convincingly different from it. Each
    carries the certainty of its comparison with the reference. A fit that did not converge
    classifies nothing (its statements say so).

    Returns
    -------
    pandas.DataFrame
        ``treatment``, ``group`` (order 1 = best group), ``classification`` (the group in
        words), ``certainty``, ``statement`` (the classification worded by certainty),
        ``placed_by`` (from ``placed_by``), ``anchored`` (placed by comparisons, or the
        reference) and ``own_results`` (its arms' own results, from ``network``).
    """
    model = effects[effects["scale"] == measure.model_scale]
    vs_ref = model[model["comparator"] == trt_ref].set_index("treatment")
    # p_better carries the direction of benefit: >= 0.975 means the CrI excludes the null
    # on the side of benefit.
    better = [t for t in vs_ref.index if vs_ref.loc[t, "p_better"] >= 0.975]
    worse = [t for t in vs_ref.index if vs_ref.loc[t, "p_better"] <= 0.025]
    pair = model.set_index(["treatment", "comparator"])["p_better"]
    top = [t for t in better if any(pair.get((t, o), 0) >= 0.975 for o in better if o != t)]
    rate = {}
    for _, r in certainty.iterrows():
        if trt_ref in (r["treatment"], r["comparator"]):
            other = r["comparator"] if r["treatment"] == trt_ref else r["treatment"]
            rate[other] = r["certainty"]
    rows = []
    for trt in [trt_ref, *vs_ref.index]:
        if trt in top or (trt in better and not top):
            group, words = 1, "among the most effective"
        elif trt in better:
            group, words = 2, f"intermediate: better than {trt_ref}"
        elif trt in worse:
            group, words = 4, f"worse than {trt_ref}"
        else:
            group = 3 if better else 1
            words = ("the reference" if trt == trt_ref else
                     f"not convincingly different from {trt_ref}")
        level = rate.get(trt, "")
        statement = (words if trt == trt_ref else _worded(words, level) if converged else
                     "not classified: the fit did not converge")
        placed = (placed_by or {}).get(trt, "")
        rows.append({"treatment": trt, "group": group, "classification": words,
                     "certainty": level, "statement": statement, "placed_by": placed,
                     "anchored": placed in ("", *ANCHORED),
                     "own_results": own_results(network, trt) if network is not None else ""})
    out = pd.DataFrame(rows)
    # Groups numbered from the best one present.
    out["group"] = out["group"].map({g: i + 1 for i, g in enumerate(sorted(out["group"]
                                                                           .unique()))})
    return out.sort_values(["group", "treatment"], kind="stable").reset_index(drop=True)


def own_results(network: NetworkData, trt: str) -> str:
    """What the treatment's own arms show, in words: each format's own summary of an arm
    (:attr:`~bayesnma.data.ArmFormat.own_result`; e.g. a binary arm's rate with its exact
    95% CI, a median with its CI), or the data's form."""
    from bayesnma.data import ARM_FORMATS

    out = []
    for _, arm in network.arms[network.arms["treatment"] == trt].iterrows():
        size = f", {arm['total']:.0f} patients" if pd.notna(arm.get("total")) else ""
        own = ARM_FORMATS[arm["format"]].own_result(arm)
        out.append(f"{arm['study']}: {own or arm['format'] + ' arm' + size}")
    return "; ".join(out)


def cinema_export(network: NetworkData) -> pd.DataFrame:
    """The data in the long layout CINeMA reads (``id``, ``t``, ``r``, ``n`` for binary
    arms; ``id``, ``t``, ``y``, ``sd``, ``n`` for continuous arms; contrast rows as
    ``id``, ``t1``, ``t2``, ``effect``, ``se``), with each study's ``rob`` and
    ``indirectness`` coded 1 low, 2 some concerns, 3 high (:func:`study_judgements`)."""
    rob = study_judgements(network, "rob")
    ind = study_judgements(network, "indirectness")
    code = {level: i + 1 for level, i in STUDY_LEVELS.items()}
    rows = []
    for _, arm in network.arms.iterrows():
        row = {"id": arm["study"], "t": arm["treatment"]}
        if "events" in arm and pd.notna(arm.get("events")):
            row.update(r=arm["events"], n=arm["total"])
        elif "mean" in arm and pd.notna(arm.get("mean")):
            row.update(y=arm["mean"], sd=arm.get("sd"), n=arm["total"])
        rows.append(row)
    for study, cons in network.contrasts.groupby("study", sort=False):
        base = cons[cons["diff"].isna()]
        for _, r in cons[cons["diff"].notna()].iterrows():
            rows.append({"id": study, "t1": r["treatment"],
                         "t2": base["treatment"].iat[0] if len(base) else "",
                         "effect": r["diff"], "se": r["se"]})
    out = pd.DataFrame(rows)
    out["rob"] = out["id"].map(lambda s: code[rob[s][0]] if s in rob else np.nan)
    out["indirectness"] = out["id"].map(lambda s: code[ind[s][0]] if s in ind else np.nan)
    return out
