"""How robust an analysis' ranking is: compared with its sensitivity analyses, and with
each study left out in turn (influence)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

import pandas as pd

from bayesnma import io
from bayesnma.config import SENSITIVITY_SEP, analysis_config
from bayesnma.diagnostics import is_prior_bound
from bayesnma.errors import BayesNMAError
from bayesnma.network import choose_trt_ref
from bayesnma.workflow.keys import fit_stamp
from bayesnma.workflow.plan import (
    Analysis,
    analysis_components,
    analysis_model,
    load_analysis,
)

log = logging.getLogger("bayesnma")


def compare_sensitivity(settings: dict, analysis: str, *, scenario_settings, components_in,
                        effects_in, ranks_in, heterogeneity_in, consistency_in,
                        parameters_in, sensitivity, robustness):
    """Compare an analysis with its sensitivity analyses.

    ``components_in``, ``effects_in`` and ``ranks_in`` hold one file per scenario
    (``results/<scenario>/...``: the analysis, then its sensitivity analyses, whose settings
    are ``scenario_settings``); ``heterogeneity_in`` and ``consistency_in`` (the
    ``consistency`` folders of :func:`check_consistency`) one per scenario and component
    (``results/<scenario>/<component>/...``); scenarios may split the network differently.
    Writes one row per scenario, component and treatment: the effect vs the component's
    reference (natural scale, median and 95% CrI), SUCRA (each with its Monte Carlo
    standard error, ``mcse_``), median rank and its 95% CrI,
    tau's posterior median and the verdict on its prior, the fit of the scenario's
    consistency model (``resdev_mean``, ``pD``, ``DIC``, ``elpd_loo``, ``elpd_loo_se``),
    what the scenario changes and whether it ranks the treatment among the same treatments
    as the main analysis (``same_ranking_set``) and whether the data inform what the
    scenario adds (``identified``: false when a meta-regression interaction's posterior is
    essentially its prior, ``parameters_in``); and the ``robustness`` figure (SUCRA and
    rank 95% CrI per treatment and scenario).
    """
    from bayesnma.plots import plot_robustness

    cfg = analysis_config(analysis, settings)
    scenarios = [(analysis, "main", cfg.description or "the analysis as configured")]
    for child in scenario_settings:
        changed = [f"{k}: {v}" for k, v in child.items()
                   if k not in ("sensitivity", "sensitivity_of", "description", "name")
                   and settings.get(k) != v]
        scenarios.append((child["name"], child["name"].split(SENSITIVITY_SEP, 1)[1],
                          child.get("description") or "; ".join(changed)))

    def by_scenario(paths, depth):
        out: dict[str, list] = {}
        for path in paths:
            out.setdefault(Path(path).parents[depth].name, []).append(path)
        return out

    files = {"components": by_scenario(components_in, 1), "effects": by_scenario(effects_in, 0),
             "ranks": by_scenario(ranks_in, 0), "het": by_scenario(heterogeneity_in, 1),
             "fit": by_scenario(consistency_in, 1), "params": by_scenario(parameters_in, 1)}
    rows = []
    for folder, label, what in scenarios:
        refs = dict(io.read_table(files["components"][folder][0])[["component", "trt_ref"]]
                    .itertuples(index=False, name=None))
        eff = io.read_table(files["effects"][folder][0])
        ranks = io.read_table(files["ranks"][folder][0])
        hets, fits = {}, {}
        for path in files["het"].get(folder, []):
            het = io.read_table(path)
            if len(het):
                hets[het["component"].iat[0]] = het.iloc[0]
        for path in files["fit"].get(folder, []):
            comparison = io.read_table(Path(path) / "model_comparison.csv")
            row = comparison[comparison["model"] == "consistency"].iloc[0]
            fits[row["component"]] = {q: row.get(q, float("nan")) for q in SENSITIVITY_FIT}
        unidentified = {}
        for path in files["params"].get(folder, []):
            params = io.read_table(path)
            prior_bound = params[params["role"].astype(str).str.startswith("interaction")
                                 & params["verdict"].map(is_prior_bound).astype(bool)]
            if len(params) and len(prior_bound):
                unidentified[params["component"].iat[0]] = ", ".join(prior_bound["parameter"])
        natural = eff["scale"].iat[-1]
        for _, rk in ranks.iterrows():
            comp, trt = rk["component"], rk["treatment"]
            row = {"analysis": analysis, "scenario": label, "description": what,
                   "component": comp, "treatment": trt, "reference": refs[comp],
                   "scale": natural, **dict.fromkeys(EFFECT_CELL, float("nan"))}
            hit = eff[(eff["component"] == comp) & (eff["treatment"] == trt)
                      & (eff["comparator"] == refs[comp]) & (eff["scale"] == natural)]
            if len(hit):
                row.update(hit.iloc[0].reindex(EFFECT_CELL).to_dict())
            h = hets.get(comp)
            row.update({"sucra": rk["sucra"], "mcse_sucra": rk.get("mcse_sucra", float("nan")),
                        "median_rank": rk["median_rank"],
                        "rank_q2.5": rk["q2.5"], "rank_q97.5": rk["q97.5"],
                        "tau_median": h["median"] if h is not None else float("nan"),
                        "tau_verdict": h["verdict"] if h is not None else "fixed effects",
                        **fits[comp], "converged": bool(rk["converged"]),
                        "identified": comp not in unidentified,
                        "prior_bound": unidentified.get(comp, "")})
            rows.append(row)
    table = _with_comparable_rankings(pd.DataFrame(rows))
    io.write_table(table, sensitivity)
    io.save_figure(plot_robustness(table, title=f"{cfg.outcome}: ranking under each scenario"),
                   robustness)


def assess_influence(analysis: Analysis, *, posteriors, influence, influence_studies,
                     influence_plot, threads: int | None = None):
    """What drives the analysis' ranking: each study left out in turn and the consistency
    model refitted (same priors, sampler, seed and convergence gate).

    Reads the fits (``posteriors``, one per component) besides the settings and data. Each
    refit is kept in ``influence_fits/`` beside ``influence`` and reused while its model,
    data, priors and sampler settings stay the same (a new label refits nothing). Writes
    ``influence``
    (:func:`bayesnma.influence.influence_table`: every treatment's effect against its
    reference and SUCRA with and without each study), ``influence_studies``
    (:func:`bayesnma.influence.study_influence`: per study, the largest moves) and
    ``influence_plot`` (each treatment's effect without each study).
    """
    from bayesnma import effects, ranking
    from bayesnma import influence as infl
    from bayesnma.plots import plot_influence

    cfg, network = analysis.cfg, analysis.network
    whole = {c.label: (analysis.trt_ref(c), set(c.treatments), set(c.studies))
             for c in analysis.components}
    fits = {Path(path).parent.name: io.read_idata(path) for path in posteriors}
    main_effects = pd.concat([effects.relative_effects(idata, lower_better=cfg.lower_better)
                              .assign(component=label) for label, idata in fits.items()])
    main_ranks = pd.concat([ranking.posterior_ranks(idata, lower_better=cfg.lower_better)
                            .assign(component=label) for label, idata in fits.items()])
    store = Path(influence).parent / "influence_fits"
    refits = [_refit_without(analysis.settings, analysis.name, study, whole, fits, threads,
                             store)
              for study in network.studies]
    kept = {Path(p) for refit in refits for p in refit.pop("kept")}
    for path in (store.glob("*/*.nc") if store.is_dir() else ()):
        if path not in kept:  # a study or part no longer in the analysis
            path.unlink()
    trt_refs = {label: ref for label, (ref, *_) in whole.items()}
    table = infl.influence_table(main_effects, main_ranks, trt_refs, refits)
    io.write_table(table.assign(analysis=analysis.name), influence)
    io.write_table(infl.study_influence(table).assign(analysis=analysis.name),
                   influence_studies)
    measure = next(iter(fits.values())).posterior.attrs["measure"]
    io.save_figure(plot_influence(table, trt_refs=trt_refs, measure=measure,
                                  lower_better=cfg.lower_better), influence_plot)


def _refit_without(settings: dict, analysis: str, study: str, whole: dict, fits: dict,
                   threads: int | None, store: Path) -> dict:
    """The consistency model refitted without ``study``
    (:func:`bayesnma.influence.influence_table`'s ``refits`` entry): for the component of
    the whole analysis that had the study (``whole``: label -> reference, treatments and
    studies; the others do not change) the part of the network left that keeps most of
    it, against the same reference or, if the study was the reference's only one, the
    configured or first other; the whole analysis' fit (``fits``, by component) ranked
    among the same treatments, so that SUCRA compares like with like. ``kept``: the refits
    in ``store`` it used."""
    from bayesnma import effects, ranking
    from bayesnma.diagnostics import check_convergence
    from bayesnma.influence import LEFT_OUT
    from bayesnma.pymc_backend import fit

    had = [label for label, (*_, studies) in whole.items() if study in studies]
    without = {**settings, "leave_out": {**(settings.get("leave_out") or {}), study: LEFT_OUT}}
    try:
        cfg, network = load_analysis(without, analysis)
    except BayesNMAError as err:
        return {"study": study, "components": had, "parts": [],
                "note": f"not analysable without it: {err}", "kept": []}
    listed = [cfg.trt_ref] if isinstance(cfg.trt_ref, str) else list(cfg.trt_ref or ())
    parts, notes, kept = {}, [], []
    stamp = fit_stamp(without, [src.file for src in cfg.sources])
    for comp in sorted(analysis_components(cfg, network), key=lambda c: -len(c.treatments)):
        label = next((k for k in had if whole[k][1] & set(comp.treatments)), None)
        if len(comp.treatments) < 2 or label is None or label in parts:
            continue
        ref = whole[label][0]
        if ref not in comp.treatments:
            ref_without = choose_trt_ref(comp.treatments,
                                         [t for t in listed if t in network.treatments])
            notes.append(f"effects against {ref_without}: the reference {ref} is not in the "
                         "network without it")
            ref = ref_without
        path = store / label / f"{hashlib.sha256(study.encode()).hexdigest()[:16]}.nc"
        key = f"{stamp} {ref}"
        if path.is_file() and io.read_posterior_attrs(path).get("fit_stamp") == key:
            log.info("%s/%s without %s: refit reused", analysis, label, study)
            idata = io.read_idata(path)
        else:
            model = analysis_model(replace(cfg, trt_ref=ref), network, comp)
            log.info("refitting %s/%s without %s", analysis, label, study)
            idata = fit(model, cfg.sampler, cores=threads, criteria=cfg.convergence)
            idata.posterior.attrs["fit_stamp"] = key
            path.parent.mkdir(parents=True, exist_ok=True)
            io.write_idata(idata, path)
        kept.append(path)
        conv = check_convergence(idata, cfg.convergence)
        log.info("without %s: converged %s %s", study, conv.converged, "; ".join(conv.problems))
        ranked = effects.ranked_effects(idata)
        same = effects.ranked_effects(fits[label])
        same = same.sel(treatment=[t for t in same["treatment"].values
                                   if t in set(ranked["treatment"].values)])
        # One treatment has nothing to be ranked against.
        ranks, main_ranks = ((ranking.posterior_ranks(fit_, lower_better=cfg.lower_better,
                                                      effects=draws)
                              for fit_, draws in ((idata, ranked), (fits[label], same)))
                             if same.sizes["treatment"] > 1
                             else (pd.DataFrame(columns=["treatment", "sucra"]),) * 2)
        parts[label] = {"component": label, "trt_ref": ref, "converged": conv.converged,
                        "effects": effects.relative_effects(idata,
                                                            lower_better=cfg.lower_better),
                        "ranks": ranks, "main_ranks": main_ranks}
    return {"study": study, "components": had, "parts": list(parts.values()),
            "note": "; ".join(notes), "kept": kept}


#: The columns of a relative effect the sensitivity table keeps: median (95% CrI) and their
#: Monte Carlo standard errors.
EFFECT_CELL = ("median", "q2.5", "q97.5", "mcse_median", "mcse_q2.5", "mcse_q97.5")


def _with_comparable_rankings(table: pd.DataFrame) -> pd.DataFrame:
    """Mark the rows whose scenario ranks a treatment among the same treatments as the
    main analysis does (``same_ranking_set``): a SUCRA among fewer treatments (e.g. within
    one component when the main analysis bridges them) is on another scale."""
    ranked = table.groupby(["scenario", "component"])["treatment"].agg(frozenset)
    main = table[table["scenario"] == "main"]
    main_set = {t: ranked[("main", c)] for c, t in zip(main["component"], main["treatment"],
                                                        strict=True)}
    same = [main_set.get(t) == ranked[(s, c)]
            for s, c, t in zip(table["scenario"], table["component"], table["treatment"],
                               strict=True)]
    return table.assign(same_ranking_set=same)


#: Fit statistics of each scenario's consistency model in the sensitivity table.
SENSITIVITY_FIT = ("resdev_mean", "n_data_points", "pD", "DIC", "elpd_loo", "elpd_loo_se")
