"""Planning: every analysis of a config validated with its data, its components and the
model variants each fits, before any job runs; and :class:`Analysis`, one analysis read and
validated once, with its models, as every step receives it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from bayesnma.config import analysis_config, validate_config
from bayesnma.data import NetworkData, combine_data, read_data
from bayesnma.errors import BayesNMAError, ConfigError, DataValidationError, NetworkError
from bayesnma.measures import get_measure
from bayesnma.network import (
    choose_trt_ref,
    connected_components,
    nodesplit_comparisons,
    require_connected,
    sparse_cell_notes,
)
from bayesnma.variants import VARIANTS, check_fits, variant_by_label
from bayesnma.workflow.keys import fit_stamp, settings_key


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
        cfg, network = load_analysis(settings, name)
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
        comps = analysis_components(cfg, network)
        if not any(len(c.treatments) > 1 for c in comps):
            raise NetworkError(
                f"{cfg.data}: no two treatments are compared in any study (treatments: "
                f"{', '.join(network.treatments)}), so there is nothing to analyse; single-arm "
                "treatments are placed only by a bridge (disconnected: bridge with "
                "exchangeable baselines) to a network with comparisons")
        for variant in cfg.consistency:
            conflict = VARIANTS[variant].conflict(regression=cfg.regression,
                                                  class_effects=cfg.class_effects,
                                                  baseline=cfg.baseline)
            if conflict:
                raise ConfigError(f"config: analyses.{name}: consistency '{variant}' {conflict}"
                                  "; fit it in a separate analysis")
        for comp in comps:  # regression and class settings fail here, before any job
            analysis_model(cfg, network, comp).parameters  # noqa: B018
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
                      "variants": {c.label: list(analysis_variants(cfg, network, c))
                                   for c in comps}}
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
        cfg, network = load_analysis(p["settings"], name)
        comps = analysis_components(cfg, network)
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
        models = [analysis_model(cfg, network, comp) for comp in comps]
        for comp, model in zip(comps, models, strict=True):
            n_splits = len(nodesplit_comparisons(model.network, model.treatments))
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


def _measure_words(code: str) -> dict[str, str]:
    """How reports name an analysis' effect measure (for the Snakemake report captions)."""
    m = get_measure(code)
    return {"code": m.code, "name": m.name,
            "scales": f"{m.model_scale} and {m.code}" if m.ratio else m.code}


def analysis_model(cfg, network, comp, variant: str = "consistency"):
    """The model of one fit of one component, by its label (``consistency``, or a check
    fit's label from :func:`bayesnma.variants.check_fits`, e.g. ``ume``, ``ns2``)."""
    from bayesnma.classes import class_effects_from_config
    from bayesnma.model import NMAModel
    from bayesnma.regression import estimable_regression

    sub = network.subset(comp.studies)
    order = [t for t in (cfg.trt_order or ()) if t in comp.treatments] or None
    common = {"trt_effects": cfg.trt_effects, "trt_ref": component_trt_ref(cfg, network, comp),
              "priors": cfg.priors, "trt_order": order, "baseline": cfg.baseline}
    if cfg.regression is not None:
        common["regression"] = estimable_regression(cfg.regression, sub)[0]
    if cfg.class_effects:
        common["class_effects"] = class_effects_from_config(cfg.class_effects, sub,
                                                            comp.treatments)
    model = NMAModel(sub, **common)
    if variant == "consistency":
        return model
    kind = variant_by_label(variant, model)
    if kind is None:
        raise BayesNMAError(f"{cfg.data}: no model variant {variant!r} in component "
                            f"{comp.label}; the data changed since the workflow was planned: "
                            "rerun snakemake")
    return NMAModel(sub, consistency=kind, **common)


def model_notes(cfg, network, comp, variant: str = "consistency") -> list[str]:
    """What the model of a component leaves out of the configured one, and why."""
    from bayesnma.regression import estimable_regression

    if cfg.regression is None:
        return []
    return estimable_regression(cfg.regression, network.subset(comp.studies))[1]


def analysis_variants(cfg, network, comp):
    """Labels of the variants fitted beside the consistency model of one component."""
    if cfg.consistency == ("consistency",):
        return
    model = analysis_model(cfg, network, comp)
    # consistency: auto checks only a network with a loop of independent evidence
    if cfg.consistency_auto and not nodesplit_comparisons(model.network, model.treatments):
        return
    yield from (label for label in check_fits(model, cfg.consistency) if label != "consistency")


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


def load_analysis(settings: dict, analysis: str):
    """An analysis' typed settings, with its default priors set from its whole network
    (the same for every component), and its network."""
    cfg = analysis_config(analysis, settings)
    network = load_network(cfg)
    return replace(cfg, priors=cfg.priors.for_data(network)), network


def analysis_components(cfg, network) -> list:
    """The parts of the network fitted separately: its connected components, or with
    ``disconnected: bridge`` the whole network as one part (``c1``)."""
    from bayesnma.network import Component

    if cfg.disconnected == "bridge":
        return [Component("c1", tuple(network.treatments), tuple(network.studies))]
    return connected_components(network)


def component_trt_ref(cfg, network, comp) -> str:
    return choose_trt_ref(comp.treatments, cfg.trt_ref, all_treatments=network.treatments,
                          source=cfg.data)


@dataclass(frozen=True, eq=False)
class Analysis:
    """One analysis of a config with its data, read and validated once (:meth:`load`) and
    handed to every step: its settings (``settings``, the validated dict; ``cfg``, typed,
    with the default priors set from the whole network), its network, its components and
    the models it fits (built once each, by component label and variant)."""

    name: str
    settings: dict
    cfg: object
    network: NetworkData
    _models: dict = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def load(cls, settings: dict, name: str) -> Analysis:
        cfg, network = load_analysis(settings, name)
        return cls(name, settings, cfg, network)

    @cached_property
    def components(self) -> list:
        """The parts of the network fitted separately (:func:`analysis_components`)."""
        return analysis_components(self.cfg, self.network)

    def component(self, label: str):
        """The component labelled ``label``."""
        for comp in self.components:
            if comp.label == label:
                return comp
        raise BayesNMAError(f"{self.network.source}: no component {label!r}; the data changed "
                            "since the workflow was planned: rerun snakemake")

    def trt_ref(self, comp) -> str:
        """The reference treatment of a component."""
        return component_trt_ref(self.cfg, self.network, comp)

    def model(self, label: str, variant: str = "consistency"):
        """The model of one variant of one component (:func:`analysis_model`)."""
        if (label, variant) not in self._models:
            self._models[label, variant] = analysis_model(self.cfg, self.network,
                                                          self.component(label), variant)
        return self._models[label, variant]

    def variants(self, label: str) -> list[str]:
        """The variants fitted beside a component's consistency model."""
        return list(analysis_variants(self.cfg, self.network, self.component(label)))

    def model_notes(self, label: str, variant: str = "consistency") -> list[str]:
        """What a component's model leaves out of the configured one (:func:`model_notes`)."""
        return model_notes(self.cfg, self.network, self.component(label), variant)

    @cached_property
    def fit_stamp(self) -> str:
        """What its fits depend on (:func:`~bayesnma.workflow.keys.fit_stamp`)."""
        return fit_stamp(self.settings, [src.file for src in self.cfg.sources])


def scenario_batches(plan: dict, size: int) -> dict[str, list[str]]:
    """Sensitivity analyses in batches of at most ``size``, in config order, per main
    analysis: ``{"<main>_<k>": [scenario, ...]}`` (``k`` from 1); two or more scenarios
    make two batches at least, so that they run side by side.

    Each batch is one workflow job that makes its scenarios in one process
    (:func:`~bayesnma.workflow.run.run_sensitivity_analyses`): a scenario costs seconds,
    and a process per scenario would pay the imports again for each.
    """
    batches = {}
    for main in main_analyses(plan):
        scenarios = plan[main]["sensitivity"]
        # two batches at least, so that two cores share a few scenarios
        per = min(size, max(1, -(-len(scenarios) // 2)))
        for k, start in enumerate(range(0, len(scenarios), per), start=1):
            batches[f"{main}_{k}"] = scenarios[start:start + per]
    return batches
