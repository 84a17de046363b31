"""The steps that make one analysis: its network, its fits, their summaries, consistency
checks, certainty ratings and figures, and the tables combining its components.

Each function takes the analysis (:class:`~bayesnma.workflow.plan.Analysis`: read and
validated once, with its models), the component label where relevant, and output paths; it
reads and writes files through :mod:`bayesnma.io`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from bayesnma import io
from bayesnma.data import DATA_FORMATS
from bayesnma.diagnostics import summarise_diagnostics
from bayesnma.measures import get_measure
from bayesnma.network import (
    build_graph,
    connected_components,
    network_characteristics,
    study_table,
)
from bayesnma.workflow.plan import (
    Analysis,
    ConvergenceFailure,
)

log = logging.getLogger("bayesnma")


#: Resolution of diagnostic figures (trace, rank plots of chains, leverage, ...): they are
#: looked at on screen, not printed, and 300 dpi made each report several times larger.
DIAGNOSTIC_DPI = 120


def _labelled(table: pd.DataFrame, analysis: str, component: str | None, converged=None):
    front = {"analysis": analysis}
    if component is not None:
        front["component"] = component
    out = table.copy()
    for i, (key, value) in enumerate(front.items()):
        out.insert(i, key, value)
    if converged is not None:
        out["converged"] = bool(converged)
    return out


def write_network(analysis: Analysis, *, characteristics, components, network_plot,
                  network_svg, data_notes, evidence, studies, direct_effects):
    """Write the network characteristics, the component list, the study table, the notes
    on the data (studies left out when the data were curated, exclusions and assumptions
    made when they were read), what places each treatment (``evidence``), the direct
    estimates of every pair compared head to head and the network plot."""
    from bayesnma.pairwise import direct_estimates
    from bayesnma.plots import plot_network

    name, cfg, network = analysis.name, analysis.cfg, analysis.network
    io.write_table(study_table(network).assign(analysis=name), studies)
    io.write_table(direct_estimates(network, trt_effects=cfg.trt_effects)
                   .assign(analysis=name), direct_effects)
    comps = analysis.components
    io.write_table(_treatment_evidence(analysis).assign(analysis=name),
                   evidence)
    io.write_table(_labelled(network_characteristics(network, comps), name, None),
                   characteristics)
    rows = []
    for comp in comps:
        sub = network.subset(comp.studies)
        rows.append({"analysis": name, "component": comp.label,
                     "trt_ref": analysis.trt_ref(comp),
                     "treatments": list(comp.treatments), "studies": list(comp.studies),
                     "measure": network.measure, "formats": list(sub.formats)})
    io.write_table(pd.DataFrame(rows), components)
    curated = [f"study '{study}' left out when the data were curated: {reason}"
               for study, reason in cfg.excluded.items()]
    io.write_table(pd.DataFrame({"analysis": name, "note": [*curated, *network.notes]},
                                columns=["analysis", "note"]), data_notes)
    # The figure shows the parts comparisons connect, whatever the model bridges.
    parts = connected_components(network)
    title = f"{cfg.outcome}: treatment network (edge label: number of studies)"
    io.save_figure(plot_network(build_graph(network), parts,
                                bridges=_class_bridges(cfg, network, parts), title=title),
                   network_plot, network_svg)


def _class_bridges(cfg, network, parts) -> list[tuple[str, str]]:
    """Pairs of treatments, one per pair of connected parts, that the class model joins
    (with ``disconnected: bridge``): where the figure draws the bridge."""
    from bayesnma.classes import class_effects_from_config

    if cfg.disconnected != "bridge" or not cfg.class_effects:
        return []
    spec = class_effects_from_config(cfg.class_effects, network, network.treatments)
    part_of = {t: c.label for c in parts for t in c.treatments}
    out = []
    members: dict[str, list[str]] = {}
    for trt in network.treatments:
        if trt in spec.class_of and trt in part_of:
            members.setdefault(spec.class_of[trt], []).append(trt)
    for trts in members.values():
        first: dict[str, str] = {}
        for trt in trts:
            first.setdefault(part_of[trt], trt)
        reps = list(first.values())
        out += list(zip(reps, reps[1:], strict=False))
    return out


def _treatment_evidence(analysis: Analysis) -> pd.DataFrame:
    """:func:`~bayesnma.network.treatment_evidence` per part of the network, with a row for
    every treatment no part analyses."""
    from bayesnma.classes import class_effects_from_config, class_links
    from bayesnma.network import treatment_evidence

    cfg, network, comps = analysis.cfg, analysis.network, analysis.components
    frames = []
    for comp in comps:
        sub = network.subset(comp.studies)
        ref = analysis.trt_ref(comp)
        links = (class_links(class_effects_from_config(cfg.class_effects, sub, comp.treatments),
                             ref, sub.treatments) if cfg.class_effects else [])
        frames.append(treatment_evidence(sub, ref, class_links=links,
                                         exchangeable_baselines=cfg.baseline.exchangeable)
                      .assign(component=comp.label))
    placed = {t for c in comps for t in c.treatments}
    alone = [t for t in network.treatments if t not in placed]
    if alone:
        arms = network.study_arms
        rest = treatment_evidence(
            network.subset(arms.loc[arms["treatment"].isin(alone), "study"].unique()), alone[0])
        frames.append(rest[rest["treatment"].isin(alone)].assign(
            component="", placed_by="not analysed: no comparison and no bridge"))
    return pd.concat(frames, ignore_index=True)


def fit_component(analysis: Analysis, component: str, *, posterior, diagnostics,
                  variant: str = "consistency", threads: int | None = None):
    """Fit one model variant (``consistency``, ``ume`` or a node-split ``ns<k>``) to one
    connected component, sampling ``threads`` chains at once; write the posterior and its
    diagnostics. Every variant passes the same convergence gate.

    Raises
    ------
    ConvergenceFailure
        If the fit fails the convergence criteria and ``on_failure`` is ``error`` (nothing
        is written).
    """
    from bayesnma.diagnostics import check_convergence, remedies
    from bayesnma.pymc_backend import fit

    name, cfg, stamp = analysis.name, analysis.cfg, analysis.fit_stamp
    attrs = _fitted(posterior, diagnostics, stamp, variant)
    if attrs is not None:
        log.info("%s/%s (%s): fit reused (same model, data, priors and sampler settings)",
                 name, component, variant)
        _gate(analysis, f"{name}/{component} ({variant})", variant, bool(attrs["converged"]),
              attrs["convergence_problems"], attrs["remedies"],
              len(json.loads(attrs["attempts"])))
        return
    model = analysis.model(component, variant)
    log.info("fitting %s/%s (%s): %s effects, reference %s", name, component, variant,
             model.trt_effects, model.trt_ref)
    notes = analysis.model_notes(component, variant)
    for note in notes:
        log.info("%s/%s: %s", name, component, note)
    sampler = cfg.sampler
    log.info("sampling %d chains x %d draws after %d tuning steps (%s, %s chain(s) at a time)",
             sampler.chains, sampler.draws, sampler.tune, sampler.backend, threads or "every")
    idata = fit(model, sampler, cores=threads, criteria=cfg.convergence)
    conv = check_convergence(idata, cfg.convergence)
    n_attempts = len(json.loads(idata.posterior.attrs["attempts"]))
    log.info("sampling %.1f s; converged: %s after %d attempt(s) %s",
             idata.posterior.attrs["sampling_time"], conv.converged, n_attempts,
             "; ".join(conv.problems))
    _gate(analysis, f"{name}/{component} ({variant})", variant, conv.converged,
          "; ".join(conv.problems), remedies(conv), n_attempts)
    idata.posterior.attrs.update({"analysis": name, "component": component,
                                  "variant": variant, "fit_stamp": stamp,
                                  "outcome": cfg.outcome, "converged": int(conv.converged),
                                  "convergence_problems": "; ".join(conv.problems),
                                  "remedies": remedies(conv),
                                  "model_notes": json.dumps(notes)})
    table = conv.table.assign(model=variant, n_divergent=conv.n_divergent)
    io.write_table(_labelled(table, name, component, conv.converged), diagnostics)
    io.write_idata(idata, posterior)


def _fitted(posterior, diagnostics, stamp: str, variant: str) -> dict | None:
    """The attributes of a fit on disk made from the same model, data, priors and sampler
    settings (its stamp, :func:`~bayesnma.workflow.keys.fit_stamp`), or None: fits are
    reused by content, so that a new label or a rerun of the analysis refits nothing."""
    if not (Path(posterior).is_file() and Path(diagnostics).is_file()):
        return None
    attrs = io.read_posterior_attrs(posterior)
    if attrs.get("fit_stamp") != stamp or attrs.get("variant") != variant:
        return None
    return attrs


def _gate(analysis: Analysis, fit: str, variant: str, converged: bool, problems: str,
          remedy: str, n_attempts: int) -> None:
    """Stop the run on a main analysis' consistency fit that did not converge when
    ``on_failure`` is ``error``.

    A check fit (UME, node-split) that fails is written flagged: the verdict then says
    what it could not assess, instead of the whole run failing. So is a sensitivity
    analysis: failing it would take down the scenarios run with it (converged ones
    included) and the main report; the sensitivity table and the run summary flag it, and
    bayesnma run exits non-zero.
    """
    if (not converged and analysis.cfg.on_failure == "error" and variant == "consistency"
            and "sensitivity_of" not in analysis.settings):
        raise ConvergenceFailure(
            f"{fit} did not converge in {n_attempts} attempt(s): {problems}. {remedy} Or "
            "set convergence.on_failure: flag to write results marked as not converged.")


def check_consistency(analysis: Analysis, component: str, *, posterior,
                      variant_posteriors, outdir):
    """Model checking and consistency of one component, written to ``outdir``.

    Always: ``model_comparison.csv`` (residual deviance, pD, DIC and PSIS-LOO of every
    fitted model, with its convergence verdict), ``pointwise.csv`` (residual deviance and
    leverage of every data point under the consistency model and the variants compared
    with it point by point), ``loo_pointwise.csv`` (Pareto k per LOO unit of the
    consistency model) and ``leverage.png``; then each registered variant's tables and
    figures from its fits (:meth:`~bayesnma.variants.ModelVariant.summarise`: with a UME
    fit ``ume_effects.csv`` and ``dev_dev.png``; with node-splits ``nodesplits.csv`` and
    ``nodesplit.png``; always ``verdict.csv``).
    """
    from bayesnma import diagnostics, inconsistency, plots
    from bayesnma.variants import VARIANTS, CheckContext

    name, cfg = analysis.name, analysis.cfg
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    fits = {"consistency": io.read_idata(posterior)}
    for path in variant_posteriors:
        idata = io.read_idata(path)
        fits[idata.posterior.attrs["variant"]] = idata
    kinds = {label: idata.posterior.attrs["consistency"] for label, idata in fits.items()}
    cons = fits["consistency"]
    rows, pointwise, loos = {}, [], {}
    for label, idata in fits.items():
        rows[label] = diagnostics.model_fit(idata)
        loos[label], loo_points = diagnostics.loo(idata)
        if label == "consistency":
            io.write_table(_labelled(loo_points, name, component), out / "loo_pointwise.csv")
        if VARIANTS[kinds[label]].pointwise:
            pointwise.append(diagnostics.residual_deviance(idata).assign(model=label))
    comparison = inconsistency.model_comparison(rows, loos)
    comparison["converged"] = [bool(fits[m].posterior.attrs["converged"])
                               for m in comparison["model"]]
    io.write_table(_labelled(comparison, name, component), out / "model_comparison.csv")
    points = pd.concat(pointwise, ignore_index=True)
    io.write_table(_labelled(points, name, component), out / "pointwise.csv")
    title = f"{cfg.outcome} ({name}, component {component})"
    io.save_figure(plots.plot_leverage(points, title=title + ": leverage"), out / "leverage.png",
                   dpi=DIAGNOSTIC_DPI)
    context = CheckContext(
        model=analysis.model(component), consistency=cons, points=points,
        not_converged=tuple(comparison.loc[~comparison["converged"], "model"]), title=title,
        measure=cons.posterior.attrs["measure"], lower_better=cfg.lower_better)
    for kind, variant in VARIANTS.items():
        own = {label: idata for label, idata in fits.items()
               if kinds[label] == kind and label != "consistency"}
        result = variant.summarise(own, context)
        for table_name, table in result.tables.items():
            io.write_table(_labelled(table, name, component), out / f"{table_name}.csv")
        for fig_name, (fig, diagnostic) in result.figures.items():
            io.save_figure(fig, out / f"{fig_name}.png",
                           **({"dpi": DIAGNOSTIC_DPI} if diagnostic else {}))


def summarise_component(analysis: Analysis, component: str, *, posterior,
                        direct_effects, relative_effects, league_table, ranks, rank_probs,
                        model_fit, parameters, heterogeneity, covariate_effects,
                        covariate_ranks, class_effects, class_ranks, prior_sensitivity):
    """Write relative effects, league table, ranks, rank probabilities, model fit, the key
    parameters (with their priors and how far the data moved them) and heterogeneity.

    With a meta-regression, ``covariate_effects`` and ``covariate_ranks`` hold the
    relative effects (every pair) and rankings at each covariate setting
    (:func:`bayesnma.regression.covariate_settings`); with class effects,
    ``class_effects`` and ``class_ranks`` compare the classes. Otherwise they are empty.
    ``prior_sensitivity``: which effects the prior on ``d`` sets (the data do not bound
    them) and each effect with that prior half as wide
    (:func:`bayesnma.diagnostics.prior_set_effects`).
    """
    from bayesnma import diagnostics, effects, ranking
    from bayesnma.effects import quantile_columns
    from bayesnma.regression import posterior_covariate_settings

    name, cfg = analysis.name, analysis.cfg
    idata = io.read_idata(posterior)
    attrs = idata.posterior.attrs
    converged = bool(attrs["converged"])
    assumptions = "; ".join(a for f in attrs["formats"].split("; ")
                            if (a := DATA_FORMATS[f].assumption))
    eff = effects.relative_effects(idata, lower_better=cfg.lower_better)
    eff["assumptions"] = assumptions
    better_if = eff["better_if"].iat[0]
    rk = ranking.posterior_ranks(idata, lower_better=cfg.lower_better).assign(
        better_if=better_if, assumptions=assumptions)
    probs = ranking.posterior_rank_probs(idata, lower_better=cfg.lower_better)
    fit_stats = diagnostics.model_fit(idata)
    het = diagnostics.heterogeneity(idata)
    lo, hi = quantile_columns()
    het_rows = het[["parameter", "mean", "sd", "median", lo, hi]].melt(
        id_vars="parameter", var_name="stat").assign(
        quantity=lambda t: t["parameter"] + "_" + t["stat"])[["quantity", "value"]]
    stats = pd.concat([het_rows, fit_stats], ignore_index=True)

    io.write_table(_labelled(eff, name, component, converged), relative_effects)
    order = [*rk["treatment"], *effects.at_class_mean(idata)]  # unranked class means last
    league = effects.league_table(eff, order, direct=io.read_table(direct_effects))
    league = league.reset_index().assign(
        cell=f"{attrs['measure']} of row vs column; below the diagonal the network estimate, "
             "median (95% CrI); above it the direct estimate from head-to-head studies "
             "(pairwise meta-analysis), estimate (95% CI), - if none",
        better_if=better_if, assumptions=assumptions)
    io.write_table(_labelled(league, name, component, converged), league_table)
    io.write_table(_labelled(rk, name, component, converged), ranks)
    io.write_table(_labelled(probs, name, component, converged), rank_probs)
    io.write_table(_labelled(stats, name, component, converged), model_fit)
    io.write_table(_labelled(diagnostics.key_parameters(idata), name, component, converged),
                   parameters)
    io.write_table(_labelled(het, name, component, converged), heterogeneity)
    io.write_table(_labelled(diagnostics.prior_set_effects(idata), name, component,
                             converged), prior_sensitivity)

    at = cfg.regression.at if cfg.regression is not None else ()
    by_setting = {label: effects.treatment_effects(idata, at=x)
                  for label, x in posterior_covariate_settings(idata, at)}
    for table, path in zip(_compare_draws(idata, cfg.lower_better, by_setting),
                           (covariate_effects, covariate_ranks), strict=True):
        io.write_table(_labelled(table, name, component, converged), path)
    classes = effects.class_level_effects(idata)
    eff_cls, ranks_cls = (
        t.drop(columns="setting").rename(columns={"treatment": "class"})
        for t in _compare_draws(idata, cfg.lower_better,
                                {} if classes is None else {"": classes}))
    if len(ranks_cls):
        ranks_cls["members"] = ranks_cls["class"].map(_class_members(idata))
    io.write_table(_labelled(eff_cls, name, component, converged), class_effects)
    io.write_table(_labelled(ranks_cls, name, component, converged), class_ranks)


def rate_certainty(analysis: Analysis, component: str, *, posterior,
                   relative_effects, heterogeneity, prior_sensitivity, evidence, consistency,
                   certainty, classification, cinema):
    """Rate the certainty of every relative effect of one component on the CINeMA domains
    and placement (``certainty``), classify the treatments against the reference as
    GRADE's minimally contextualised approach does (``classification``), and export the
    component's data with each study's judgements for CINeMA (``cinema``)."""
    from bayesnma import certainty as rating
    from bayesnma.effects import effect_draws

    name, cfg, network = analysis.name, analysis.cfg, analysis.network
    comp = analysis.component(component)
    sub = network.subset(comp.studies)
    idata = io.read_idata(posterior)
    attrs = idata.posterior.attrs
    measure = get_measure(attrs["measure"])
    ref = attrs["trt_ref"]
    converged = bool(attrs["converged"])
    labels, draws = effect_draws(idata)
    order = [ref, *[t for t in labels if t != ref]]
    pairs = [(t, c) for i, c in enumerate(order) for t in order[i + 1:]]
    tau = idata.posterior.get("tau")
    tau_draws = (tau.transpose("chain", "draw").values.reshape(-1)
                 if tau is not None and tau.ndim == 2 else None)
    predictive = rating.predictive_intervals(draws, labels, tau_draws, pairs,
                                             seed=cfg.sampler.random_seed)
    checks = Path(consistency)
    splits = checks / "nodesplits.csv"
    ev = io.read_table(evidence)
    ev = ev[ev["component"] == component]
    eff = io.read_table(relative_effects)
    placed_by = dict(zip(ev["treatment"], ev["placed_by"], strict=True))
    table = rating.rate_certainty(
        sub, eff, trt_ref=ref, order=order, measure=measure, trt_effects=cfg.trt_effects,
        margin=rating.default_margin(measure, cfg.settings["certainty"]["margin"]),
        heterogeneity=io.read_table(heterogeneity), predictive=predictive,
        splits=io.read_table(splits) if splits.exists() else None,
        verdict=io.read_table(checks / "verdict.csv")["verdict"].iat[0], placed_by=placed_by,
        prior_set=prior_set_treatments(io.read_table(prior_sensitivity)))
    io.write_table(_labelled(table, name, component, converged), certainty)
    classes = rating.classify(eff, table, trt_ref=ref, measure=measure, converged=converged,
                              placed_by=placed_by, network=sub)
    io.write_table(_labelled(classes, name, component, converged), classification)
    io.write_table(_labelled(rating.cinema_export(sub), name, component), cinema)


def prior_set_treatments(table: pd.DataFrame) -> list[str]:
    """Treatments whose effect the prior on ``d`` sets (the data do not bound it), from a
    :func:`bayesnma.diagnostics.prior_set_effects` table."""
    return list(table.loc[table["prior_set"].astype(bool), "treatment"]) if len(table) else []


def _compare_draws(idata, lower_better: bool, draws: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative effects (every pair) and rankings of each labelled set of effect draws,
    stacked with the label in a ``setting`` column (empty tables for no draws)."""
    from bayesnma import effects, ranking

    effs, ranks = [], []
    at_mean = effects.at_class_mean(idata)  # stands for its class: effects, no rank
    # One item (e.g. a single class) has nothing to compare or rank.
    draws = {k: v for k, v in draws.items() if v.sizes[v.dims[-1]] > 1}
    for label, values in draws.items():
        ranked = (values.drop_sel(treatment=at_mean)
                  if at_mean and "treatment" in values.dims else values)
        for out, table, these in ((effs, effects.relative_effects, values),
                                  (ranks, ranking.posterior_ranks, ranked)):
            frame = table(idata, lower_better=lower_better, effects=these)
            frame.insert(0, "setting", label)
            out.append(frame)
    if not effs:
        return pd.DataFrame(columns=["setting", "treatment"]), pd.DataFrame(
            columns=["setting", "treatment"])
    return pd.concat(effs, ignore_index=True), pd.concat(ranks, ignore_index=True)


def _class_members(idata) -> dict[str, str]:
    from bayesnma.effects import posterior_classes

    class_of = posterior_classes(idata)
    members: dict[str, list[str]] = {}
    for trt, cls in class_of.items():
        members.setdefault(cls, []).append(trt)
    return {cls: ", ".join(trts) for cls, trts in members.items()}


def plot_component(analysis: Analysis, component: str, *, posterior,
                   direct_effects, relative_effects, ranks, rank_probs, evidence, forest,
                   league_heatmap, rankogram, cumulative_ranks, trace, chain_ranks,
                   heterogeneity, forest_svg, league_heatmap_svg, rankogram_svg,
                   cumulative_ranks_svg):
    """Draw the forest plot, league heatmap, rankogram, cumulative ranking (each as PNG and
    SVG, for papers), trace, chain rank plots and the prior and posterior of the
    heterogeneity SD."""
    from bayesnma import diagnostics, plots
    from bayesnma.effects import at_class_mean

    name, cfg = analysis.name, analysis.cfg
    idata = io.read_idata(posterior)
    attrs = idata.posterior.attrs
    eff, rk, probs = (io.read_table(p) for p in (relative_effects, ranks, rank_probs))
    flag = "" if attrs["converged"] else "  [NOT CONVERGED]"
    title = f"{cfg.outcome} ({name}, component {component}){flag}"
    common = {"measure": attrs["measure"], "lower_better": cfg.lower_better}
    unanchored = unanchored_treatments(io.read_table(evidence), component)
    io.save_figure(plots.plot_forest(eff, trt_ref=attrs["trt_ref"], title=title,
                                     unanchored=unanchored,
                                     class_means=at_class_mean(idata), **common),
                   forest, forest_svg)
    io.save_figure(plots.plot_league_heatmap(eff, [*rk["treatment"], *at_class_mean(idata)],
                                             direct=io.read_table(direct_effects), **common,
                                             title=title), league_heatmap, league_heatmap_svg)
    io.save_figure(plots.plot_rankogram(probs, rk, title=title), rankogram, rankogram_svg)
    io.save_figure(plots.plot_cumulative_ranks(probs, rk, title=title), cumulative_ranks,
                   cumulative_ranks_svg)
    io.save_figure(plots.plot_trace(idata), trace, dpi=DIAGNOSTIC_DPI)
    io.save_figure(plots.plot_chain_ranks(idata), chain_ranks, dpi=DIAGNOSTIC_DPI)
    het = diagnostics.heterogeneity(idata)
    panels = [{"label": row["parameter"], "draws": idata.posterior["tau"].values,
               "prior": diagnostics.posterior_prior(idata, "tau"), "verdict": row["verdict"]}
              for _, row in het.iterrows() if row["parameter"] == "tau"]
    io.save_figure(plots.plot_prior_posterior(panels, title=title), heterogeneity,
                   dpi=DIAGNOSTIC_DPI)


def unanchored_treatments(evidence: pd.DataFrame, component: str) -> list[str]:
    """Treatments of a component placed by an assumption rather than by comparisons."""
    from bayesnma.certainty import ANCHORED

    rows = evidence[evidence["component"] == component]
    return list(rows.loc[~rows["placed_by"].isin(ANCHORED), "treatment"])


def collect_analysis(analysis: Analysis, *, components, relative_effects_in,
                     ranks_in, diagnostics_in, relative_effects, ranks, convergence):
    """Combine the components of an name.

    ``relative_effects`` gets every ordered pair of treatments in the data; pairs in
    different components get ``estimable = False`` and no estimates: no evidence links
    them.
    """
    name = analysis.name
    comps = io.read_table(components)
    eff = pd.concat([io.read_table(p) for p in relative_effects_in], ignore_index=True)
    eff["estimable"] = True
    member = {t: row["component"] for _, row in comps.iterrows()
              for t in row["treatments"]}
    scales = list(dict.fromkeys(eff["scale"]))
    missing = [
        {"analysis": name, "component": f"{member[a]} x {member[b]}", "treatment": a,
         "comparator": b, "scale": s, "estimable": False}
        for a in member for b in member if member[a] != member[b] for s in scales
    ]
    missing = pd.DataFrame(missing, columns=eff.columns)
    for col in ("better_if", "assumptions"):  # one value per analysis: say it on every row
        if col in eff and len(eff):
            missing[col] = eff[col].iat[0]
    eff = pd.concat([eff, missing], ignore_index=True)
    eff["estimable"] = eff["estimable"].astype(bool)
    io.write_table(eff, relative_effects)
    io.write_table(pd.concat([io.read_table(p) for p in ranks_in], ignore_index=True), ranks)
    conv = []
    for path in diagnostics_in:
        d = io.read_table(path)
        conv.append({"analysis": name, "component": d["component"].iat[0],
                     **summarise_diagnostics(d, converged=d["converged"].iat[0],
                                             n_divergent=d["n_divergent"].iat[0])})
    io.write_table(pd.DataFrame(conv), convergence)
