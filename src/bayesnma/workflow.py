"""Steps of the Snakemake workflow, one public function per rule.

Each function takes an analysis' settings (the validated config dict), the analysis name,
the component label where relevant, and output paths; it reads and writes files through
:mod:`bayesnma.io`. Rule scripts only unpack ``snakemake`` and call one of these via
:func:`run_step`, which turns a :class:`~bayesnma.errors.BayesNMAError` into a one-line
message and a failed job (Snakemake then removes the job's outputs).
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import json
import logging
import os
import runpy
import shutil
import sys
import time
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from bayesnma import io
from bayesnma.config import SENSITIVITY_SEP, analysis_config, ume_conflict, validate_config
from bayesnma.data import NetworkData, combine_data, read_data
from bayesnma.diagnostics import is_prior_bound, summarise_diagnostics
from bayesnma.errors import BayesNMAError, ConfigError, DataValidationError, NetworkError
from bayesnma.measures import get_measure
from bayesnma.network import (
    build_graph,
    choose_trt_ref,
    connected_components,
    network_characteristics,
    nodesplit_comparisons,
    require_connected,
    sparse_cell_notes,
    study_table,
)
from bayesnma.versions import package_versions

__all__ = [
    "ConvergenceFailure",
    "assess_influence",
    "check_consistency",
    "collect_analysis",
    "compare_sensitivity",
    "describe_plan",
    "fit_component",
    "job_files",
    "load_network",
    "main_analyses",
    "not_converged_analyses",
    "plan_analyses",
    "plot_component",
    "print_run_summary",
    "rate_certainty",
    "render_analysis_report",
    "render_answer",
    "run_summary",
    "StepJobs",
    "run_batch",
    "run_step",
    "scenario_batches",
    "summarise_component",
    "write_network",
]

log = logging.getLogger("bayesnma")


class ConvergenceFailure(BayesNMAError):
    """The sampler did not meet the convergence criteria and ``on_failure`` is ``error``."""


def plan_analyses(config: dict) -> dict[str, dict]:
    """Validate the config and every analysis' data; list the components to fit.

    Called when the workflow is parsed, so that bad configuration or data stop the run
    before any job starts.

    Returns
    -------
    dict
        Analysis name -> ``{"settings": dict, "data_files": [path, ...],
        "components": [label, ...]}``.

    Raises
    ------
    ConfigError, DataValidationError, NetworkError
    """
    plan, seen = {}, {}
    for name, settings in validate_config(config).items():
        cfg, network = _load(settings, name)
        if "sensitivity_of" not in settings:
            seen.update(dict.fromkeys(network.treatments))
        choose_trt_ref(network.treatments, cfg.trt_ref, source=cfg.data)
        if cfg.disconnected == "error":
            require_connected(network)
        if cfg.trt_order:
            unknown = [t for t in cfg.trt_order if t not in network.treatments]
            if unknown:
                raise ConfigError(f"config: analyses.{name}.trt_order: {', '.join(unknown)} "
                                  "not in the data (valid treatments: "
                                  f"{', '.join(network.treatments)})")
        comps = _components(cfg, network)
        if not any(len(c.treatments) > 1 for c in comps):
            raise NetworkError(
                f"{cfg.data}: no two treatments are compared in any study (treatments: "
                f"{', '.join(network.treatments)}), so there is nothing to analyse; single-arm "
                "treatments are placed only by a bridge (disconnected: bridge with "
                "exchangeable baselines) to a network with comparisons")
        conflict = ume_conflict(cfg.regression, cfg.class_effects, cfg.baseline)
        if "ume" in cfg.consistency and conflict:
            raise ConfigError(f"config: analyses.{name}: consistency 'ume' {conflict}; fit it "
                              "in a separate analysis")
        for comp in comps:  # regression and class settings fail here, before any job
            _model(cfg, network, comp).parameters  # noqa: B018
        model_key = settings_key(settings, model_only=True)
        plan[name] = {"settings": settings,
                      "keys": {"model": model_key, "all": settings_key(settings),
                               # refits: the model and the direction, not the labels
                               "influence": settings_key({"model": model_key, "lower_better":
                                                          settings["lower_better"]})},
                      "sensitivity": list(cfg.sensitivity),
                      "influence": bool(settings.get("influence"))
                      and "sensitivity_of" not in settings,
                      "measure": _measure_words(network.measure),
                      "data_files": [src.file for src in cfg.sources],
                      "components": [c.label for c in comps],
                      "variants": {c.label: list(_variants(cfg, network, c)) for c in comps}}
    unknown = [t for t in (config.get("question") or {}).get("treatments", ()) if t not in seen]
    if unknown:
        raise ConfigError(f"config: question.treatments: {', '.join(map(repr, unknown))} not a "
                          f"treatment of any main analysis (treatments: {', '.join(seen)})")
    return plan


def describe_plan(plan: dict) -> str:
    """What a run of a :func:`plan_analyses` plan would do, in words (``bayesnma validate``):
    per analysis the data read, its components and the comparisons whose consistency can
    be checked, the model with its priors (and whether each came from the config or the
    defaults), the fits, the sampler and what is written."""
    from bayesnma.config import default_settings

    default_priors = default_settings()["priors"]
    main = main_analyses(plan)
    n_fits = sum(1 + len(v) for p in plan.values() for v in p["variants"].values())
    lines = [f"valid: {len(main)} analys{'i' if len(main) == 1 else 'e'}s, "
             f"{len(plan) - len(main)} sensitivity analys"
             f"{'i' if len(plan) - len(main) == 1 else 'e'}s, {_count(range(n_fits), 'fit')}"]
    for name, p in plan.items():
        cfg, network = _load(p["settings"], name)
        comps = _components(cfg, network)
        if "sensitivity_of" in p["settings"]:  # one line: its main analysis says the rest
            lines.append(f"{name}: sensitivity analysis of {p['settings']['sensitivity_of']}"
                         f" ({cfg.description or 'as configured'}); components "
                         + ", ".join(f"{c.label} ({_count(c.treatments, 'treatment')}, "
                                     f"{1 + len(p['variants'][c.label])} fit(s))"
                                     for c in comps))
            continue
        arm_studies = network.arms["study"].nunique() if len(network.arms) else 0
        con_studies = network.contrasts["study"].nunique() if len(network.contrasts) else 0
        lines.append(f"{name}: {cfg.outcome}")
        lines.append(f"  data: {'; '.join(src.describe() for src in cfg.sources)}: "
                     f"{_count(network.studies, 'study')} ({arm_studies} at arm level with "
                     f"{len(network.arms)} arms, {con_studies} at contrast level), "
                     f"{_count(network.treatments, 'treatment')}")
        models = [_model(cfg, network, comp) for comp in comps]
        for comp, model in zip(comps, models, strict=True):
            n_splits = len(_splits(model))
            fits = ["consistency", *p["variants"][comp.label]]
            lines.append(f"  component {comp.label}: {_count(comp.treatments, 'treatment')}, "
                         f"{_count(comp.studies, 'study')}, reference {model.trt_ref}; "
                         + (f"{n_splits} comparison(s) with direct and indirect evidence"
                            if n_splits else "no closed loop (consistency cannot be checked)")
                         + f"; fits: {', '.join(fits)}")
        info = models[0].describe()
        lines.append(f"  model: {info['trt_effects']} effects, {info['likelihood']} likelihood, "
                     f"{info['link']} link; {p['measure']['name']} "
                     f"({get_measure(network.measure).better_if(cfg.lower_better)})")
        for key in ("baseline", "regression", "class_effects"):
            if key in info:
                lines.append(f"  {key.replace('_', ' ')}: {info[key]}")
        sources = {label: "config" if p["settings"]["priors"].get(key) != default_priors.get(key)
                   else "default" for label, key in (("mu", "intercept"), ("d", "trt"),
                                                     ("tau", "het"))}
        priors = [f"{k.removeprefix('prior ')} ~ {v} [{sources[k.split()[1]]}]"
                  for k, v in info.items() if k.split()[:2] in (["prior", "mu"],
                                                                 ["prior", "d"],
                                                                 ["prior", "tau"])]
        basis = info.get("prior priors' scale")
        lines.append("  priors: " + "; ".join(priors)
                     + (f" (their scale: {basis})" if basis else ""))
        s, c = cfg.sampler, cfg.convergence
        lines.append(f"  sampler: {s.backend}, {s.chains} chains x {s.draws:,} draws after "
                     f"{s.tune:,} tuning, seed {s.random_seed}, target_accept "
                     f"{s.target_accept:g}, up to {_count(range(s.retries), 'retry')}; "
                     f"converged if R-hat < "
                     f"{c.max_rhat:g}, bulk and tail ESS >= {c.min_ess_bulk:,g}/"
                     f"{c.min_ess_tail:,g}, divergences <= {c.max_divergences} "
                     f"(on_failure: {cfg.on_failure})")
        lines.append(f"  writes: results/{name}/ (report.html, tables and figures per "
                     "component)")
    if main:
        lines.append("and results/answer.html (the ranking of every analysis)")
    return "\n".join(lines)


def _count(items, noun: str) -> str:
    """``1 study``, ``3 studies``, ``2 treatments``."""
    n = len(items)
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def main_analyses(plan: dict) -> list[str]:
    """The analyses of a :func:`plan_analyses` plan that are not sensitivity analyses."""
    return [a for a, p in plan.items() if "sensitivity_of" not in p["settings"]]


#: Resolution of diagnostic figures (trace, rank plots of chains, leverage, ...): they are
#: looked at on screen, not printed, and 300 dpi made each report several times larger.
DIAGNOSTIC_DPI = 120


def _measure_words(code: str) -> dict[str, str]:
    """How reports name an analysis' effect measure (for the Snakemake report captions)."""
    m = get_measure(code)
    return {"code": m.code, "name": m.name,
            "scales": f"{m.model_scale} and {m.code}" if m.ratio else m.code}


#: Settings that only label results, orient the ranking or add an analysis after the fit
#: (influence): a change reruns summaries, figures and reports, not the fits.
PRESENTATION_KEYS = ("outcome", "description", "lower_better", "sensitivity",
                     "sensitivity_of", "excluded", "influence")


@cache
def code_version() -> str:
    """Hash of the installed package (version, code, schemas, bundled data)."""
    from importlib.resources import files

    from bayesnma import __version__

    digest = hashlib.sha256(__version__.encode())
    root = Path(str(files("bayesnma")))
    for path in sorted(p for p in root.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts and p.suffix != ".pyc"):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_key(*settings: dict, model_only: bool = False) -> str:
    """What a workflow step depends on besides its input files, as a short hash: the
    settings it uses (without :data:`PRESENTATION_KEYS` for ``model_only``) and
    :func:`code_version`. Rules carry it in ``params``, so Snakemake reruns a step when it
    changes; user text never reaches the params (``snakemake --report`` shows them raw)."""
    used = [{k: v for k, v in s.items() if not (model_only and k in PRESENTATION_KEYS)}
            for s in settings]
    if model_only:  # what a run does with a fit that failed does not change the fit
        used = [{**s, "convergence": {k: v for k, v in s["convergence"].items()
                                      if k != "on_failure"}} if "convergence" in s else s
                for s in used]
    text = json.dumps([code_version(), used], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _model(cfg, network, comp, variant: str = "consistency"):
    """The model of one variant of one component: ``consistency``, ``ume`` or ``ns<k>``
    (the k-th splittable comparison in model order)."""
    from bayesnma.classes import class_effects_from_config
    from bayesnma.model import NMAModel
    from bayesnma.regression import estimable_regression

    sub = network.subset(comp.studies)
    order = [t for t in (cfg.trt_order or ()) if t in comp.treatments] or None
    common = {"trt_effects": cfg.trt_effects, "trt_ref": _component_ref(cfg, network, comp),
              "priors": cfg.priors, "trt_order": order, "baseline": cfg.baseline}
    if variant == "ume":
        return NMAModel(sub, consistency=variant, **common)
    if cfg.regression is not None:
        common["regression"] = estimable_regression(cfg.regression, sub)[0]
    if cfg.class_effects:
        common["class_effects"] = class_effects_from_config(cfg.class_effects, sub,
                                                            comp.treatments)
    if variant == "consistency":
        return NMAModel(sub, consistency=variant, **common)
    splits = _splits(NMAModel(sub, **common))
    k = int(variant[2:]) - 1 if variant[:2] == "ns" and variant[2:].isdigit() else -1
    if not 0 <= k < len(splits):
        raise BayesNMAError(f"{cfg.data}: no model variant {variant!r} in component "
                            f"{comp.label}; the data changed since the workflow was planned: "
                            "rerun snakemake")
    comparator, trt = splits[k]
    return NMAModel(sub, consistency="nodesplit", nodesplit=(trt, comparator), **common)


def _model_notes(cfg, network, comp, variant: str = "consistency") -> list[str]:
    """What the model of a component leaves out of the configured one, and why."""
    from bayesnma.regression import estimable_regression

    if variant == "ume" or cfg.regression is None:
        return []
    return estimable_regression(cfg.regression, network.subset(comp.studies))[1]


def _splits(model) -> list[tuple[str, str]]:
    return nodesplit_comparisons(model.network, model.treatments)


def _variants(cfg, network, comp):
    """Labels of the variants fitted beside the consistency model of one component."""
    if cfg.consistency == ("consistency",):
        return
    n_splits = len(_splits(_model(cfg, network, comp)))
    if cfg.consistency_auto and not n_splits:
        return
    if "ume" in cfg.consistency:
        yield "ume"
    if "nodesplit" in cfg.consistency:
        for k in range(n_splits):
            yield f"ns{k + 1}"


def load_network(cfg) -> NetworkData:
    """Read and validate every data source of an analysis and join them.

    Single-arm studies (``allow_single_arm``) stay only with exchangeable baselines, which
    use them; otherwise each is dropped with the reason in the data notes.
    """
    network = combine_data(*(read_data(src.file, format=src.format, columns=src.columns,
                                       measure=src.measure,
                                       allow_single_arm=cfg.allow_single_arm)
                             for src in cfg.sources))
    present = [s for s in cfg.excluded if s in set(network.studies)]
    if present:
        raise ConfigError(
            f"config: analyses.{cfg.name}.excluded lists {', '.join(map(repr, present))}, "
            f"but {'it is' if len(present) == 1 else 'they are'} in the data ({cfg.data}): "
            "remove the rows from the data or the study from excluded")
    absent = [s for s in cfg.leave_out if s not in set(network.studies)]
    if absent:
        raise ConfigError(
            f"config: analyses.{cfg.name}.leave_out lists {', '.join(map(repr, absent))}, "
            f"but {'it is' if len(absent) == 1 else 'they are'} not in the data ({cfg.data}); "
            f"studies in the data: {', '.join(network.studies)}")
    if cfg.leave_out:
        left = [f"study '{s}' left out of this analysis: {why}"
                for s, why in cfg.leave_out.items()]
        network = replace(network.subset([s for s in network.studies
                                          if s not in cfg.leave_out]),
                          notes=(*network.notes, *left))
    single = network.single_arm_studies
    if single and not cfg.baseline.exchangeable:
        arms = network.arms
        notes = [f"{network.source}: single-arm study '{s}' ("
                 + ", ".join(f"'{t}'" for t in arms.loc[arms["study"] == s, "treatment"])
                 + ") dropped: with independent baselines a study with one arm informs no "
                 "relative effect (exchangeable baselines would use it: baseline: {model: "
                 "exchangeable})" for s in single]
        kept = [s for s in network.studies if s not in single]
        if not kept:
            raise DataValidationError(
                f"every study is single-arm ({', '.join(map(repr, single))}): with "
                "independent baselines they inform no relative effect; use exchangeable "
                "baselines (baseline: {model: exchangeable}) or add comparator arms",
                source=network.source)
        network = replace(network.subset(kept), notes=(*network.notes, *notes))
    cautions = [*_unplaced(cfg, network), *sparse_cell_notes(network)]
    if cautions:
        network = replace(network, notes=(*network.notes, *cautions))
    return network


def _unplaced(cfg, network) -> list[str]:
    """Notes on treatments with no comparison and no bridge: not analysed."""
    if cfg.disconnected == "bridge":
        return []
    placed = {t for c in connected_components(network) for t in c.treatments}
    return [f"treatment '{t}' is in no comparison (single-arm evidence only) and is not "
            "analysed: placing it needs disconnected: bridge with exchangeable baselines"
            for t in network.treatments if t not in placed]


def _load(settings: dict, analysis: str):
    """An analysis' typed settings, with its default priors set from its whole network
    (the same for every component), and its network."""
    cfg = analysis_config(analysis, settings)
    network = load_network(cfg)
    return replace(cfg, priors=cfg.priors.for_data(network)), network


def _components(cfg, network) -> list:
    """The parts of the network fitted separately: its connected components, or with
    ``disconnected: bridge`` the whole network as one part (``c1``)."""
    from bayesnma.network import Component

    if cfg.disconnected == "bridge":
        return [Component("c1", tuple(network.treatments), tuple(network.studies))]
    return connected_components(network)


def _component(cfg, network, label: str):
    for comp in _components(cfg, network):
        if comp.label == label:
            return comp
    raise BayesNMAError(f"{network.source}: no component {label!r}; the data changed since "
                        "the workflow was planned: rerun snakemake")


def _component_ref(cfg, network, comp) -> str:
    return choose_trt_ref(comp.treatments, cfg.trt_ref, all_treatments=network.treatments,
                          source=cfg.data)


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


def write_network(settings: dict, analysis: str, *, characteristics, components, network_plot,
                  network_svg, data_notes, evidence, studies, direct_effects):
    """Write the network characteristics, the component list, the study table, the notes
    on the data (studies left out when the data were curated, exclusions and assumptions
    made when they were read), what places each treatment (``evidence``), the direct
    estimates of every pair compared head to head and the network plot."""
    from bayesnma.pairwise import direct_estimates
    from bayesnma.plots import plot_network

    cfg, network = _load(settings, analysis)
    io.write_table(study_table(network).assign(analysis=analysis), studies)
    io.write_table(direct_estimates(network, trt_effects=cfg.trt_effects)
                   .assign(analysis=analysis), direct_effects)
    comps = _components(cfg, network)
    io.write_table(_treatment_evidence(cfg, network, comps).assign(analysis=analysis),
                   evidence)
    io.write_table(_labelled(network_characteristics(network, comps), analysis, None),
                   characteristics)
    rows = []
    for comp in comps:
        sub = network.subset(comp.studies)
        rows.append({"analysis": analysis, "component": comp.label,
                     "trt_ref": _component_ref(cfg, network, comp),
                     "treatments": list(comp.treatments), "studies": list(comp.studies),
                     "measure": network.measure, "formats": list(sub.formats)})
    io.write_table(pd.DataFrame(rows), components)
    curated = [f"study '{study}' left out when the data were curated: {reason}"
               for study, reason in cfg.excluded.items()]
    io.write_table(pd.DataFrame({"analysis": analysis, "note": [*curated, *network.notes]},
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


def _treatment_evidence(cfg, network, comps) -> pd.DataFrame:
    """:func:`~bayesnma.network.treatment_evidence` per part of the network, with a row for
    every treatment no part analyses."""
    from bayesnma.classes import class_effects_from_config, class_links
    from bayesnma.network import treatment_evidence

    frames = []
    for comp in comps:
        sub = network.subset(comp.studies)
        ref = _component_ref(cfg, network, comp)
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


def _fit_stamp(settings: dict, data_files) -> str:
    """What a fit depends on: its settings key and the content of its data files."""
    digest = hashlib.sha256(settings_key(settings, model_only=True).encode())
    for path in data_files:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def name_clone_for_conda(basedir) -> None:
    """Tell the conda environment's post-deploy script (``workflow/envs``), which Snakemake
    runs from a copy in ``.snakemake/conda``, where the clone of bayesnma is: the
    ``BAYESNMA_CLONE`` variable of this process, empty when the workflow (``basedir``, the
    directory of its Snakefile) is not in a clone but in an installed package."""
    base = Path(basedir)
    os.environ["BAYESNMA_CLONE"] = next(
        (str(d) for d in (base, base.parent)
         if (d / "src" / "bayesnma").is_dir() and (d / "pyproject.toml").is_file()), "")


def write_fit_stamps(plan: dict, results="results") -> None:
    """Write each analysis' fit stamp to ``results/<analysis>/fit_stamp.txt`` when it
    changed. The file is an input of the fits: its newer time makes Snakemake refit even
    when the metadata it keeps on params are missing (after a crash, or for outputs it did
    not write), so that Snakemake and :func:`remove_stale_results` agree on what is out of
    date."""
    for analysis, entry in plan.items():
        stamp = _fit_stamp(entry["settings"], entry["data_files"])
        path = Path(results) / analysis / "fit_stamp.txt"
        if not path.exists() or path.read_text() != stamp:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(stamp)


#: The settings keys an analysis' results on disk were made with: all its settings (labels
#: included), then those of its influence analysis.
SETTINGS_STAMP = "settings_stamp.txt"
#: What a component keeps when only its presentation is out of date: the fits.
FIT_FILES = ("posterior.nc", "diagnostics.csv", "variants")


def remove_stale_results(plan: dict, results="results") -> None:
    """Remove every result a run will redo, so that a failed or killed run leaves nothing
    that looks current: for a fit that is out of date (its settings, data or bayesnma's
    code changed since, see :func:`_fit_stamp`), the component's fit and everything
    computed from it; for an analysis whose other settings changed (a label, the
    direction, the certainty margin: :data:`SETTINGS_STAMP`), everything but its fits
    (and its influence analysis, when only labels changed).
    With either, its analysis' combined tables, influence analysis and report, the
    sensitivity comparison and report of the analysis it belongs to, and the answer page
    go too. Then records each analysis' settings. Called when a run starts (not in dry
    runs): a successful run rebuilds them all."""
    root = Path(results)
    for analysis, entry in plan.items():
        stamp = _fit_stamp(entry["settings"], entry["data_files"])
        folders = [root / analysis / c for c in entry["components"]]
        stale = [f for f in folders if not (f / "posterior.nc").exists()
                 or io.read_posterior_attrs(f / "posterior.nc").get("fit_stamp") != stamp]
        recorded = root / analysis / SETTINGS_STAMP
        keys = [entry["keys"]["all"], entry["keys"]["influence"]]
        before = recorded.read_text().split("\n") if recorded.is_file() else keys
        if stale:
            _remove_stale(root, analysis, stale, keep=("variants",))
        if before[0] != keys[0]:  # the influence refits depend on the fits and direction only
            _remove_stale(root, analysis, [f for f in folders if f not in stale],
                          keep=FIT_FILES, keep_influence=before[1:] == keys[1:])
        recorded.parent.mkdir(parents=True, exist_ok=True)
        recorded.write_text("\n".join(keys))


def _remove_stale(results: Path, analysis: str, folders, *, keep,
                  keep_influence: bool = False) -> None:
    stale = [p for folder in folders if folder.is_dir()
             for p in folder.iterdir() if p.name not in keep]
    stale += [results / analysis / n for n in ("relative_effects.csv", "ranks.csv",
                                               "convergence.csv", "report.html")]
    if not keep_influence:
        stale += [results / analysis / n for n in ("influence.csv", "influence_studies.csv",
                                                   "influence.png")]
    main = analysis.split(SENSITIVITY_SEP, 1)[0]
    stale += [results / main / n for n in ("sensitivity.csv", "robustness.png", "report.html")]
    stale += [results / n for n in ("answer.html", "answer_forest.png", "answer_forest.svg")]
    for path in (p for p in stale if p.exists()):
        _remove([path])
        log.info("removed %s (computed from out-of-date settings or fits)", path)


def fit_component(settings: dict, analysis: str, component: str, *, posterior, diagnostics,
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

    cfg, network = _load(settings, analysis)
    comp = _component(cfg, network, component)
    model = _model(cfg, network, comp, variant)
    stamp = _fit_stamp(settings, [src.file for src in cfg.sources])
    log.info("fitting %s/%s (%s): %s effects, reference %s", analysis, component, variant,
             model.trt_effects, model.trt_ref)
    notes = _model_notes(cfg, network, comp, variant)
    for note in notes:
        log.info("%s/%s: %s", analysis, component, note)
    sampler = cfg.sampler
    log.info("sampling %d chains x %d draws after %d tuning steps (%s, %s chain(s) at a time)",
             sampler.chains, sampler.draws, sampler.tune, sampler.backend, threads or "every")
    idata = fit(model, sampler, cores=threads, criteria=cfg.convergence)
    conv = check_convergence(idata, cfg.convergence)
    n_attempts = len(json.loads(idata.posterior.attrs["attempts"]))
    log.info("sampling %.1f s; converged: %s after %d attempt(s) %s",
             idata.posterior.attrs["sampling_time"], conv.converged, n_attempts,
             "; ".join(conv.problems))
    # A check fit (UME, node-split) that fails is written flagged: the verdict then says
    # what it could not assess, instead of the whole run failing. So is a sensitivity
    # analysis: failing it would take down its batch (the scenarios run with it, converged
    # ones included) and the main report; the sensitivity table and the run summary flag
    # it, and bayesnma run exits non-zero.
    if (not conv.converged and cfg.on_failure == "error" and variant == "consistency"
            and "sensitivity_of" not in settings):
        raise ConvergenceFailure(
            f"{analysis}/{component} ({variant}) did not converge in {n_attempts} "
            f"attempt(s): {'; '.join(conv.problems)}. {remedies(conv)} Or set "
            "convergence.on_failure: flag to write results marked as not converged."
        )
    idata.posterior.attrs.update({"analysis": analysis, "component": component,
                                  "variant": variant, "fit_stamp": stamp,
                                  "outcome": cfg.outcome, "converged": int(conv.converged),
                                  "convergence_problems": "; ".join(conv.problems),
                                  "remedies": remedies(conv),
                                  "model_notes": json.dumps(notes)})
    table = conv.table.assign(model=variant, n_divergent=conv.n_divergent)
    io.write_table(_labelled(table, analysis, component, conv.converged), diagnostics)
    io.write_idata(idata, posterior)


def check_consistency(settings: dict, analysis: str, component: str, *, posterior,
                      variant_posteriors, outdir):
    """Model checking and consistency of one component, written to ``outdir``.

    Always: ``model_comparison.csv`` (residual deviance, pD, DIC and PSIS-LOO of every
    fitted model, with its convergence verdict), ``pointwise.csv`` (residual deviance and
    leverage of every data point under every model), ``loo_pointwise.csv`` (Pareto k per
    LOO unit of the consistency model), ``verdict.csv`` (the one-line verdict and the
    number of comparisons with direct and indirect evidence) and ``leverage.png``. With a
    UME fit: ``ume_effects.csv`` and ``dev_dev.png``; with node-splits: ``nodesplits.csv``
    and ``nodesplit.png``.
    """
    from bayesnma import diagnostics, inconsistency, plots

    cfg, network = _load(settings, analysis)
    comp = _component(cfg, network, component)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    fits = {"consistency": io.read_idata(posterior)}
    for path in variant_posteriors:
        idata = io.read_idata(path)
        fits[idata.posterior.attrs["variant"]] = idata
    cons = fits["consistency"]
    rows, pointwise, loos = {}, [], {}
    for label, idata in fits.items():
        rows[label] = diagnostics.model_fit(idata)
        loos[label], loo_points = diagnostics.loo(idata)
        if label == "consistency":
            io.write_table(_labelled(loo_points, analysis, component), out / "loo_pointwise.csv")
        if label in ("consistency", "ume"):
            pointwise.append(diagnostics.residual_deviance(idata).assign(model=label))
    comparison = inconsistency.model_comparison(rows, loos)
    comparison["converged"] = [bool(fits[m].posterior.attrs["converged"])
                               for m in comparison["model"]]
    io.write_table(_labelled(comparison, analysis, component), out / "model_comparison.csv")
    points = pd.concat(pointwise, ignore_index=True)
    io.write_table(_labelled(points, analysis, component), out / "pointwise.csv")
    title = f"{cfg.outcome} ({analysis}, component {component})"
    io.save_figure(plots.plot_leverage(points, title=title + ": leverage"), out / "leverage.png",
                   dpi=DIAGNOSTIC_DPI)
    if "ume" in fits:
        io.write_table(_labelled(inconsistency.ume_effects(fits["ume"], cons), analysis,
                                 component), out / "ume_effects.csv")
        io.save_figure(plots.plot_dev_dev(points, title=title + ": consistency vs UME"),
                       out / "dev_dev.png", dpi=DIAGNOSTIC_DPI)
    failed = tuple(comparison.loc[~comparison["converged"], "model"])
    splits = [inconsistency.nodesplit_summary(idata, cons).assign(model=label)
              for label, idata in fits.items() if label.startswith("ns")]
    split_table = pd.concat(splits, ignore_index=True) if splits else None
    if split_table is not None:
        io.write_table(_labelled(split_table, analysis, component), out / "nodesplits.csv")
        io.save_figure(plots.plot_nodesplit(split_table, measure=cons.posterior.attrs["measure"],
                                            lower_better=cfg.lower_better, title=title),
                       out / "nodesplit.png")
    n_possible = len(_splits(_model(cfg, network, comp)))
    converged_splits = [t for t in splits if t["model"].iat[0] not in failed]
    verdict = inconsistency.consistency_verdict(
        pd.concat(converged_splits, ignore_index=True) if converged_splits else None,
        n_loops_possible=n_possible,
        not_converged=tuple(f for f in failed if f.startswith("ns")))
    io.write_table(pd.DataFrame([{"analysis": analysis, "component": component,
                                  "n_splittable": n_possible,
                                  "n_split": len(splits), "verdict": verdict}]),
                   out / "verdict.csv")


def summarise_component(settings: dict, analysis: str, component: str, *, posterior,
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

    cfg = analysis_config(analysis, settings)
    idata = io.read_idata(posterior)
    attrs = idata.posterior.attrs
    converged = bool(attrs["converged"])
    assumptions = ("exponential survival: medians converted to log hazards (see "
                   "network/data_notes.csv)" if "median" in attrs["formats"].split("; ") else "")
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

    io.write_table(_labelled(eff, analysis, component, converged), relative_effects)
    order = [*rk["treatment"], *effects.at_class_mean(idata)]  # unranked class means last
    league = effects.league_table(eff, order, direct=io.read_table(direct_effects))
    league = league.reset_index().assign(
        cell=f"{attrs['measure']} of row vs column; below the diagonal the network estimate, "
             "median (95% CrI); above it the direct estimate from head-to-head studies "
             "(pairwise meta-analysis), estimate (95% CI), - if none",
        better_if=better_if, assumptions=assumptions)
    io.write_table(_labelled(league, analysis, component, converged), league_table)
    io.write_table(_labelled(rk, analysis, component, converged), ranks)
    io.write_table(_labelled(probs, analysis, component, converged), rank_probs)
    io.write_table(_labelled(stats, analysis, component, converged), model_fit)
    io.write_table(_labelled(diagnostics.key_parameters(idata), analysis, component, converged),
                   parameters)
    io.write_table(_labelled(het, analysis, component, converged), heterogeneity)
    io.write_table(_labelled(diagnostics.prior_set_effects(idata), analysis, component,
                             converged), prior_sensitivity)

    at = cfg.regression.at if cfg.regression is not None else ()
    by_setting = {label: effects.treatment_effects(idata, at=x)
                  for label, x in posterior_covariate_settings(idata, at)}
    for table, path in zip(_compare_draws(idata, cfg.lower_better, by_setting),
                           (covariate_effects, covariate_ranks), strict=True):
        io.write_table(_labelled(table, analysis, component, converged), path)
    classes = effects.class_level_effects(idata)
    eff_cls, ranks_cls = (
        t.drop(columns="setting").rename(columns={"treatment": "class"})
        for t in _compare_draws(idata, cfg.lower_better,
                                {} if classes is None else {"": classes}))
    if len(ranks_cls):
        ranks_cls["members"] = ranks_cls["class"].map(_class_members(idata))
    io.write_table(_labelled(eff_cls, analysis, component, converged), class_effects)
    io.write_table(_labelled(ranks_cls, analysis, component, converged), class_ranks)


def rate_certainty(settings: dict, analysis: str, component: str, *, posterior,
                   relative_effects, heterogeneity, prior_sensitivity, evidence, consistency,
                   certainty, classification, cinema):
    """Rate the certainty of every relative effect of one component on the CINeMA domains
    and placement (``certainty``), classify the treatments against the reference as
    GRADE's minimally contextualised approach does (``classification``), and export the
    component's data with each study's judgements for CINeMA (``cinema``)."""
    from bayesnma import certainty as rating
    from bayesnma.effects import effect_draws

    cfg, network = _load(settings, analysis)
    comp = _component(cfg, network, component)
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
        prior_set=_prior_set(io.read_table(prior_sensitivity)))
    io.write_table(_labelled(table, analysis, component, converged), certainty)
    classes = rating.classify(eff, table, trt_ref=ref, measure=measure, converged=converged,
                              placed_by=placed_by, network=sub)
    io.write_table(_labelled(classes, analysis, component, converged), classification)
    io.write_table(_labelled(rating.cinema_export(sub), analysis, component), cinema)


def _prior_set(table: pd.DataFrame) -> list[str]:
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


def plot_component(settings: dict, analysis: str, component: str, *, posterior,
                   direct_effects, relative_effects, ranks, rank_probs, evidence, forest,
                   league_heatmap, rankogram, cumulative_ranks, trace, chain_ranks,
                   heterogeneity, forest_svg, league_heatmap_svg, rankogram_svg,
                   cumulative_ranks_svg):
    """Draw the forest plot, league heatmap, rankogram, cumulative ranking (each as PNG and
    SVG, for papers), trace, chain rank plots and the prior and posterior of the
    heterogeneity SD."""
    from bayesnma import diagnostics, plots
    from bayesnma.effects import at_class_mean

    cfg = analysis_config(analysis, settings)
    idata = io.read_idata(posterior)
    attrs = idata.posterior.attrs
    eff, rk, probs = (io.read_table(p) for p in (relative_effects, ranks, rank_probs))
    flag = "" if attrs["converged"] else "  [NOT CONVERGED]"
    title = f"{cfg.outcome} ({analysis}, component {component}){flag}"
    common = {"measure": attrs["measure"], "lower_better": cfg.lower_better}
    io.save_figure(plots.plot_forest(eff, trt_ref=attrs["trt_ref"], title=title,
                                     unanchored=_unanchored(io.read_table(evidence), component),
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


def _unanchored(evidence: pd.DataFrame, component: str) -> list[str]:
    """Treatments of a component placed by an assumption rather than by comparisons."""
    from bayesnma.certainty import ANCHORED

    rows = evidence[evidence["component"] == component]
    return list(rows.loc[~rows["placed_by"].isin(ANCHORED), "treatment"])


def collect_analysis(settings: dict, analysis: str, *, components, relative_effects_in,
                     ranks_in, diagnostics_in, relative_effects, ranks, convergence):
    """Combine the components of an analysis.

    ``relative_effects`` gets every ordered pair of treatments in the data; pairs in
    different components get ``estimable = False`` and no estimates: no evidence links
    them.
    """
    comps = io.read_table(components)
    eff = pd.concat([io.read_table(p) for p in relative_effects_in], ignore_index=True)
    eff["estimable"] = True
    member = {t: row["component"] for _, row in comps.iterrows()
              for t in row["treatments"]}
    scales = list(dict.fromkeys(eff["scale"]))
    missing = [
        {"analysis": analysis, "component": f"{member[a]} x {member[b]}", "treatment": a,
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
        conv.append({"analysis": analysis, "component": d["component"].iat[0],
                     **summarise_diagnostics(d, converged=d["converged"].iat[0],
                                             n_divergent=d["n_divergent"].iat[0])})
    io.write_table(pd.DataFrame(conv), convergence)


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


def assess_influence(settings: dict, analysis: str, *, posteriors, influence,
                     influence_studies, influence_plot, threads: int | None = None):
    """What drives the analysis' ranking: each study left out in turn and the consistency
    model refitted (same priors, sampler, seed and convergence gate).

    Reads only the fits (``posteriors``, one per component) besides the settings and data,
    so that a new label reruns none of the refits. Writes ``influence``
    (:func:`bayesnma.influence.influence_table`: every treatment's effect against its
    reference and SUCRA with and without each study), ``influence_studies``
    (:func:`bayesnma.influence.study_influence`: per study, the largest moves) and
    ``influence_plot`` (each treatment's effect without each study).
    """
    from bayesnma import effects, ranking
    from bayesnma import influence as infl
    from bayesnma.plots import plot_influence

    cfg, network = _load(settings, analysis)
    whole = {c.label: (_component_ref(cfg, network, c), set(c.treatments), set(c.studies))
             for c in _components(cfg, network)}
    fits = {Path(path).parent.name: io.read_idata(path) for path in posteriors}
    main_effects = pd.concat([effects.relative_effects(idata, lower_better=cfg.lower_better)
                              .assign(component=label) for label, idata in fits.items()])
    main_ranks = pd.concat([ranking.posterior_ranks(idata, lower_better=cfg.lower_better)
                            .assign(component=label) for label, idata in fits.items()])
    refits = [_refit_without(settings, analysis, study, whole, fits, threads)
              for study in network.studies]
    trt_refs = {label: ref for label, (ref, *_) in whole.items()}
    table = infl.influence_table(main_effects, main_ranks, trt_refs, refits)
    io.write_table(table.assign(analysis=analysis), influence)
    io.write_table(infl.study_influence(table).assign(analysis=analysis), influence_studies)
    measure = next(iter(fits.values())).posterior.attrs["measure"]
    io.save_figure(plot_influence(table, trt_refs=trt_refs, measure=measure,
                                  lower_better=cfg.lower_better), influence_plot)


def _refit_without(settings: dict, analysis: str, study: str, whole: dict, fits: dict,
                   threads: int | None) -> dict:
    """The consistency model refitted without ``study``
    (:func:`bayesnma.influence.influence_table`'s ``refits`` entry): for the component of
    the whole analysis that had the study (``whole``: label -> reference, treatments and
    studies; the others do not change) the part of the network left that keeps most of
    it, against the same reference or, if the study was the reference's only one, the
    configured or first other; the whole analysis' fit (``fits``, by component) ranked
    among the same treatments, so that SUCRA compares like with like."""
    from bayesnma import effects, ranking
    from bayesnma.diagnostics import check_convergence
    from bayesnma.influence import LEFT_OUT
    from bayesnma.pymc_backend import fit

    had = [label for label, (*_, studies) in whole.items() if study in studies]
    without = {**settings, "leave_out": {**(settings.get("leave_out") or {}), study: LEFT_OUT}}
    try:
        cfg, network = _load(without, analysis)
    except BayesNMAError as err:
        return {"study": study, "components": had, "parts": [],
                "note": f"not analysable without it: {err}"}
    listed = [cfg.trt_ref] if isinstance(cfg.trt_ref, str) else list(cfg.trt_ref or ())
    parts, notes = {}, []
    for comp in sorted(_components(cfg, network), key=lambda c: -len(c.treatments)):
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
        model = _model(replace(cfg, trt_ref=ref), network, comp)
        log.info("refitting %s/%s without %s", analysis, label, study)
        idata = fit(model, cfg.sampler, cores=threads, criteria=cfg.convergence)
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
            "note": "; ".join(notes)}


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

COMPONENT_TABLES = ("relative_effects", "league_table", "ranks", "model_fit", "diagnostics",
                    "parameters", "heterogeneity", "covariate_effects", "covariate_ranks",
                    "class_effects", "class_ranks", "certainty", "classification",
                    "prior_sensitivity")
COMPONENT_FIGURES = ("forest", "league_heatmap", "rankogram", "cumulative_ranks", "trace",
                     "chain_ranks", "heterogeneity")


def render_analysis_report(settings: dict, analysis: str, *, characteristics, components,
                           data_notes, network_plot, convergence, component_dirs, report,
                           evidence, studies, sensitivity=(), influence=()):
    """Render the self-contained HTML report of one analysis.

    ``component_dirs`` are the ``results/<analysis>/<component>`` folders holding the
    tables (``<name>.csv``) and figures (``<name>.png``) of each component;
    ``sensitivity`` the sensitivity table (its figure beside it) and ``influence`` the
    influence analysis' study table and figure (:func:`assess_influence`), if any.
    """
    from bayesnma.report import render_html

    cfg, _ = _load(settings, analysis)  # with the priors the fits used
    parts = {}
    for folder in map(Path, component_dirs):
        attrs = io.read_posterior_attrs(folder / "posterior.nc")
        parts[folder.name] = {
            "tables": {t: io.read_table(folder / f"{t}.csv") for t in COMPONENT_TABLES},
            "figures": {f: (folder / f"{f}.png").read_bytes() for f in COMPONENT_FIGURES},
            "versions": attrs.get("package_versions", "{}"),
            "fitted_on": (attrs.get("machine", ""), attrs.get("compile_flags", "")),
            "model_notes": json.loads(attrs.get("model_notes", "[]")),
            "attempts": json.loads(attrs.get("attempts", "[]")),
            "remedies": attrs.get("remedies", ""),
            "consistency": _read_folder(folder / "consistency"),
        }
    html = render_html(
        cfg,
        characteristics=io.read_table(characteristics),
        components=io.read_table(components),
        notes=list(io.read_table(data_notes)["note"].dropna()),
        convergence=io.read_table(convergence),
        network_plot=Path(network_plot).read_bytes(),
        parts=parts,
        sensitivity=io.read_table(sensitivity[0]) if sensitivity else None,
        robustness=(Path(sensitivity[0]).with_name("robustness.png").read_bytes()
                    if sensitivity else None),
        evidence=io.read_table(evidence),
        studies=io.read_table(studies),
        influence=io.read_table(influence[0]) if influence else None,
        influence_plot=Path(influence[1]).read_bytes() if influence else None,
    )
    Path(report).parent.mkdir(parents=True, exist_ok=True)
    Path(report).write_text(html)


def render_answer(settings: dict, *, reports, answer, forest, forest_svg, question=None):
    """One page with the ranking of every main analysis (``settings``: analysis name ->
    settings; ``reports``: their ``results/<analysis>/report.html``, in the same order),
    each with its evidence, cautions and sensitivity range, opened by a summary of the
    ``question``'s treatments (config ``question``) by outcome and the forest plots of
    every outcome side by side (also written to ``forest`` and ``forest_svg``; of each
    analysis the part with the most treatments)."""
    from bayesnma.plots import plot_forest_outcomes
    from bayesnma.report import render_answer_html

    sections, panels = [], []
    for (analysis, analysis_settings), report in zip(settings.items(), reports, strict=True):
        root = Path(report).parent
        components = io.read_table(root / "network" / "components.csv")
        parts = {c: {"tables": {t: io.read_table(root / c / f"{t}.csv")
                                for t in ("ranks", "relative_effects", "certainty",
                                          "classification", "prior_sensitivity")},
                     "consistency": {"tables": {
                         "verdict": io.read_table(root / c / "consistency" / "verdict.csv")}}}
                 for c in components["component"]}
        sens = root / "sensitivity.csv"
        cfg = analysis_config(analysis, analysis_settings)
        influence = (io.read_table(root / "influence_studies.csv")
                     if analysis_settings.get("influence") else None)
        sections.append({"cfg": cfg, "parts": parts,
                         "components": components,
                         "evidence": io.read_table(root / "network" / "evidence.csv"),
                         "sensitivity": io.read_table(sens) if sens.exists() else None,
                         "influence": influence,
                         "notes": list(io.read_table(root / "network" / "data_notes.csv")
                                       ["note"].dropna()),
                         "report": str(Path(report).relative_to(Path(answer).parent))})
        widest = components.loc[components["treatments"].map(len).idxmax()]
        tables = parts[widest["component"]]["tables"]
        ranked = {widest["trt_ref"], *tables["ranks"]["treatment"]}
        panels.append({"label": cfg.outcome, "trt_ref": widest["trt_ref"],
                       "effects": tables["relative_effects"],
                       # a node with effects and no rank is fixed at its class mean
                       "class_means": sorted(set(tables["relative_effects"]["treatment"])
                                             - ranked),
                       "converged": bool(tables["ranks"]["converged"].astype(bool).all()),
                       "measure": widest["measure"], "lower_better": cfg.lower_better,
                       "unanchored": _unanchored(sections[-1]["evidence"],
                                                 widest["component"])})
    io.save_figure(plot_forest_outcomes(panels), forest, forest_svg)
    Path(answer).parent.mkdir(parents=True, exist_ok=True)
    Path(answer).write_text(render_answer_html(
        sections, forest=Path(forest).read_bytes(),
        treatments=(question or {}).get("treatments"),
        provenance=_provenance(settings, question)))


def _provenance(settings: dict, question) -> str:
    """What identifies the answer: the package version and a hash of its code, a hash of
    the inputs (every main analysis' settings, the question and the data files' bytes) and
    the date it was written (UTC)."""
    import datetime

    from bayesnma import __version__

    digest = hashlib.sha256(settings_key(*settings.values(), question or {}).encode())
    for name, analysis_settings in settings.items():
        for src in analysis_config(name, analysis_settings).sources:
            digest.update(Path(src.file).read_bytes())
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return (f"bayesnma {__version__} (code {code_version()[:12]}); inputs (config and data) "
            f"{digest.hexdigest()[:12]}; written {today}")


def _not_converged(folder: Path) -> bool:
    """Whether an analysis' results on disk are marked not converged."""
    conv = folder / "convergence.csv"
    return conv.is_file() and not io.read_table(conv)["converged"].astype(bool).all()


def not_converged_analyses(plan: dict, results="results", *, only=None,
                           scenarios: bool = False) -> list[str]:
    """The main analyses of a plan (of ``only``, if given) whose results on disk are
    marked not converged; with ``scenarios``, their sensitivity analyses instead."""
    mains = [a for a in main_analyses(plan) if only is None or a in only]
    names = ([s for a in mains for s in plan[a]["sensitivity"]] if scenarios else mains)
    return [a for a in names if _not_converged(Path(results) / a)]


def run_summary(plan: dict, results="results") -> str:
    """What the results of a plan's analyses say, in words for the terminal.

    Reads what exists: an analysis whose report was not made (another target, a failed
    job) is listed as not run.
    """
    from bayesnma.report import run_summary_text

    root = Path(results)
    analyses = []
    for name in main_analyses(plan):
        folder = root / name
        made = (folder / "report.html").is_file() and (folder / "convergence.csv").is_file()
        comps = []
        if made:
            conv = io.read_table(folder / "convergence.csv").set_index("component")
            ranks = io.read_table(folder / "ranks.csv")
            placed = folder / "network" / "evidence.csv"
            evidence = (io.read_table(placed) if placed.is_file()
                        else pd.DataFrame(columns=["treatment", "placed_by"]))
            for label in conv.index:
                verdict = folder / label / "consistency" / "verdict.csv"
                rating = folder / label / "certainty.csv"
                comps.append({
                    "label": label, "converged": bool(conv.loc[label, "converged"]),
                    "diagnostics": conv.loc[label],
                    "ranks": ranks[ranks["component"] == label],
                    "placed_by": {**dict(zip(evidence["treatment"], evidence["placed_by"],
                                             strict=True)),
                                  **_prior_set_placement(folder / label)},
                    "verdict": (io.read_table(verdict)["verdict"].iat[0]
                                if verdict.is_file() else None),
                    "certainty": io.read_table(rating) if rating.is_file() else None})
        analyses.append({"name": name, "outcome": analysis_config(name, plan[name][
            "settings"]).outcome, "report": str(folder / "report.html") if made else None,
            "components": comps})
    scenarios = [a for a in plan if a not in main_analyses(plan)]
    made = [a for a in scenarios if (root / a / "convergence.csv").is_file()]
    answer = root / "answer.html"
    return run_summary_text(analyses, answer=str(answer) if answer.is_file() else None,
                            not_converged_scenarios=[a for a in made
                                                     if _not_converged(root / a)],
                            n_scenarios=len(scenarios), n_scenarios_made=len(made))


def print_run_summary(plan: dict, results="results") -> None:
    """Print :func:`run_summary` (the workflow's ``onsuccess`` hook)."""
    print("\n" + run_summary(plan, results), flush=True)


def _prior_set_placement(folder: Path) -> dict[str, str]:
    """What places each treatment of a component whose effect the prior on d sets, for the
    headline's rules (as the report's: :data:`bayesnma.report.PRIOR_SET_PLACEMENT`)."""
    from bayesnma.report import PRIOR_SET_PLACEMENT

    path = folder / "prior_sensitivity.csv"
    if not path.is_file():
        return {}
    return dict.fromkeys(_prior_set(io.read_table(path)), PRIOR_SET_PLACEMENT)


def _read_folder(folder: Path) -> dict:
    """Tables (``<name>.csv``) and figures (``<name>.png``) of a results folder, by name."""
    return {"tables": {p.stem: io.read_table(p) for p in sorted(folder.glob("*.csv"))},
            "figures": {p.stem: p.read_bytes() for p in sorted(folder.glob("*.png"))}}


def _route_logger(logger: logging.Logger, handlers) -> None:
    """Send ``logger``'s INFO and above to ``handlers`` only (closing its earlier ones)."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def run_step(snakemake, step) -> None:
    """Run one workflow step from a Snakemake ``script:`` and report errors in one line.

    The package's logging (only its own logger) goes to the rule's log file and stderr.
    A :class:`BayesNMAError` is written without a traceback; any other exception is a bug
    and is written with its traceback. Either way the job fails (Snakemake deletes its
    outputs).
    """
    # Only our logger: other libraries' INFO lines (e.g. arviz_base's notes on optional
    # packages) read like errors in a rule's log.
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w"))
    _route_logger(logging.getLogger("bayesnma"), handlers)
    import matplotlib

    matplotlib.use("Agg")  # a job draws to files only: no display, whatever the machine has
    accepted = inspect.signature(step).parameters
    named = [*snakemake.input.items(), *snakemake.output.items(),
             *snakemake.params.items(), *snakemake.wildcards.items()]
    kwargs = {k: v for k, v in named if k in accepted and k not in ("settings", "key")}
    try:
        every = validate_config(snakemake.config)
        analysis = dict(snakemake.wildcards.items()).get("analysis")
        if analysis is None:  # a step over every main analysis
            settings = {a: s for a, s in every.items() if "sensitivity_of" not in s}
        else:
            settings = every[analysis]
        if "threads" in accepted:
            kwargs["threads"] = snakemake.threads
        if "question" in accepted:
            kwargs["question"] = snakemake.config.get("question") or {}
        if "scenario_settings" in accepted:
            kwargs["scenario_settings"] = [{**every[s], "name": s}
                                           for s in settings["sensitivity"]]
        step(settings, **kwargs)
    except BayesNMAError as err:
        log.error("%s", err)
        sys.exit(1)
    except Exception:
        log.exception("%s stopped on an unexpected error, a bug in bayesnma; please report it "
                      "with this log", step.__name__)
        sys.exit(1)
    _end_job(snakemake)


def _end_job(snakemake) -> None:
    """End a job's own process once its step has written and closed its outputs, without
    the interpreter's teardown (unloading PyMC, PyTensor and ArviZ takes most of a second
    per job; benchmarks/engines.md). Only under Snakemake's script directive: a step
    run inside a batch, or called from Python, returns."""
    from snakemake.iocontainers import Snakemake

    if not isinstance(snakemake, Snakemake):
        return
    logging.shutdown()  # flushes and closes the log files
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def scenario_batches(plan: dict, size: int) -> dict[str, list[str]]:
    """Sensitivity analyses in batches of at most ``size``, in config order, per main
    analysis: ``{"<main>_<k>": [scenario, ...]}`` (``k`` from 1); two or more scenarios
    make two batches at least, so that they run side by side.

    Each batch is one workflow job that runs every step of its scenarios in one process
    (:func:`run_batch`): a scenario's steps cost seconds, and a process per step paid the
    imports again each time.
    """
    batches = {}
    for main in main_analyses(plan):
        scenarios = plan[main]["sensitivity"]
        # two batches at least, so that two cores share a few scenarios
        per = min(size, max(1, -(-len(scenarios) // 2)))
        for k, start in enumerate(range(0, len(scenarios), per), start=1):
            batches[f"{main}_{k}"] = scenarios[start:start + per]
    return batches


def job_files(named: dict) -> list[str]:
    """The paths of a job's named inputs or outputs (each a path or a list of paths)."""
    return [f for v in named.values() for f in ([v] if isinstance(v, str) else v)]


def order_jobs(jobs: list[dict]) -> list[dict]:
    """Jobs (dicts with ``input`` and ``output``: name -> path or list of paths) in an
    order that runs each after the jobs making its inputs; otherwise as given.

    Raises
    ------
    ValueError
        If the jobs' files form a cycle.
    """
    maker = {f: i for i, job in enumerate(jobs) for f in job_files(job["output"])}
    needs = [{maker[f] for f in job_files(job["input"]) if f in maker} - {i}
             for i, job in enumerate(jobs)]
    done: list[int] = []
    pending = list(range(len(jobs)))
    while pending:
        ready = [i for i in pending if needs[i] <= set(done)]
        if not ready:
            raise ValueError(f"jobs {[jobs[i]['rule'] for i in pending]} depend on each other")
        done += ready
        pending = [i for i in pending if i not in ready]
    return [jobs[i] for i in done]


class StepJobs(list):
    """The steps of a batch (see :func:`run_batch`), passed to its job in ``params``.

    Not a plain list, so that Snakemake does not keep a copy of it in the metadata of
    every output (megabytes per batch, read on every run); the batch's ``key`` param, a
    hash of the steps, is what tells Snakemake they changed.
    """

    def key(self) -> str:
        return hashlib.sha256(json.dumps(list(self), sort_keys=True, default=str)
                              .encode()).hexdigest()[:16]


#: Where a batch keeps the outputs of its steps, by step, to reuse them (see run_batch).
STEP_STORE = Path(".bayesnma") / "steps"


def run_batch(snakemake) -> None:
    """Run the steps of a batch of sensitivity analyses in this one process.

    ``snakemake.params.jobs`` lists the steps as the workflow's rules would run them (rule,
    script, wildcards, input, output, params and log of each, see
    ``workflow/rules/sensitivity.smk``); each rule's own script is run here with them, in
    an order that makes every input first. The steps therefore write the same files as
    one job per step, with the imports paid once. The first failing step fails the batch
    (Snakemake removes all its outputs).

    A batch reruns when any of its steps would; within it, a step whose rule, script,
    wildcards, params, outputs, input files and package versions are those of its last
    run is not run again: its outputs and log are restored (outputs as hard links) from
    ``.bayesnma/steps/<analysis>/``, which keeps each step's last ones. So, as with one
    job per step, a changed label re-summarises but does not refit, and a changed scenario
    refits only itself. Delete ``.bayesnma/steps`` to redo every step.
    """
    from snakemake.iocontainers import Namedlist

    batch = logging.getLogger("bayesnma.batch")
    _route_logger(batch, [logging.FileHandler(p, mode="w") for p in snakemake.log[:1]])
    scripts = Path(snakemake.scriptdir)
    versions = json.dumps(package_versions(), sort_keys=True)
    jobs = order_jobs(list(snakemake.params.jobs))
    kept: dict[Path, set[str]] = {}
    for n, job in enumerate(jobs, start=1):
        where = ", ".join(f"{k}={v}" for k, v in job["wildcards"].items())
        store = STEP_STORE / job["wildcards"]["analysis"]
        key = _step_key(job, versions)
        kept.setdefault(store, set()).add(key)
        if _restore(job, store / key):
            batch.info("step %d of %d: %s (%s): unchanged, outputs reused", n, len(jobs),
                       job["rule"], where)
            continue
        batch.info("step %d of %d: %s (%s)", n, len(jobs), job["rule"], where)
        start = time.perf_counter()
        _remove(job_files(job["output"]))  # a hard link to a kept output is not written
        job_snakemake = SimpleNamespace(
            input=Namedlist(fromdict=job["input"]), output=Namedlist(fromdict=job["output"]),
            params=Namedlist(fromdict=job["params"]),
            wildcards=Namedlist(fromdict=job["wildcards"]), threads=snakemake.threads,
            resources=snakemake.resources, log=list(job["log"]), config=snakemake.config,
            rule=job["rule"], scriptdir=str(scripts))
        runpy.run_path(str(scripts / job["script"]), init_globals={"snakemake": job_snakemake},
                       run_name="__main__")
        _keep(job, store / key)
        gc.collect()  # a posterior (an xarray DataTree) has reference cycles
        batch.info("step %d done in %.1f s", n, time.perf_counter() - start)
    for store, keys in kept.items():  # only the current run's steps are kept
        for entry in store.iterdir():
            if entry.name not in keys:
                shutil.rmtree(entry)
    _end_job(snakemake)


def _step_key(job: dict, versions: str) -> str:
    """What a step's outputs depend on: the job as planned (rule, script and its hash,
    wildcards, inputs, outputs, params, log), the package versions, and the content of
    its input files (folders: of every file in them)."""
    digest = hashlib.sha256()

    def add(data: bytes) -> None:  # length first, so that no two sequences run together
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    add(json.dumps(job, sort_keys=True, default=str).encode())
    add(versions.encode())
    for name in sorted(job_files(job["input"])):
        path = Path(name)
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                add(str(file).encode())
                with file.open("rb") as handle:
                    add(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:24]


def _link(src: Path, dst: Path, *, copy: bool = False) -> None:
    """Hard-link (or copy) a file or folder tree; copy where links are not possible."""
    def link_file(a, b):
        if not copy:
            try:
                return os.link(a, b)
            except OSError:
                pass
        return shutil.copy2(a, b)

    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, copy_function=link_file, dirs_exist_ok=True)
    else:
        link_file(src, dst)


def _keep(job: dict, entry: Path) -> None:
    """Keep a step's outputs (hard links) and log (a copy) under ``entry``; ``complete``
    marks a whole entry."""
    if entry.exists():
        shutil.rmtree(entry)
    for path in job_files(job["output"]):
        _link(Path(path), entry / "outputs" / path)
    for path in job["log"]:
        if Path(path).exists():
            _link(Path(path), entry / "logs" / path, copy=True)
    (entry / "complete").touch()


def _restore(job: dict, entry: Path) -> bool:
    """Restore a step's kept outputs and log; False (nothing restored) if any output is
    not kept."""
    kept = [entry / "outputs" / path for path in job_files(job["output"])]
    if not (entry / "complete").exists() or not all(k.exists() for k in kept):
        return False
    _remove(job_files(job["output"]))
    for path, source in zip(job_files(job["output"]), kept, strict=True):
        _link(source, Path(path))
    for path in job["log"]:
        if (entry / "logs" / path).exists():
            Path(path).unlink(missing_ok=True)
            _link(entry / "logs" / path, Path(path), copy=True)
    return True


def _remove(paths) -> None:
    for path in map(Path, paths):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
