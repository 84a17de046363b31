"""The pages: an analysis' report (:func:`render_html`) and the answer page over every
main analysis (:func:`render_answer_html`), laid out by the Jinja2 templates."""

from __future__ import annotations

from functools import cache

import pandas as pd

from bayesnma import __version__
from bayesnma.certainty import ANCHORED
from bayesnma.measures import get_measure
from bayesnma.report.cells import (
    SUCRA_MEANING,
    Table,
    _characteristics,
    _effect_cell,
    _img,
    _sucra,
    _table,
)
from bayesnma.report.claims import _answer
from bayesnma.report.sections import (
    _checks_not_converged,
    _component,
    _influence,
    _methods,
    _prior_bound,
    _sensitivity,
)


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("bayesnma", "templates"),
                       autoescape=select_autoescape(["html", "j2"], default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def render_html(cfg, *, characteristics, components, convergence, network_plot: bytes,
                parts: dict, notes=(), sensitivity=None, evidence=None, studies=None,
                robustness: bytes | None = None, influence=None,
                influence_plot: bytes | None = None) -> str:
    """Render the report of one analysis.

    Parameters
    ----------
    cfg : AnalysisConfig
    characteristics, components, convergence : pandas.DataFrame
        Network characteristics, component list (with ``measure`` and ``formats``) and
        per-component convergence summary.
    notes : sequence of str
        Studies left out when the data were curated, and exclusions and assumptions made
        when the data were read.
    sensitivity : pandas.DataFrame, optional
        The sensitivity comparison (:func:`bayesnma.workflow.compare_sensitivity`).
    influence : pandas.DataFrame, optional
        Per study left out, what moves most (:func:`bayesnma.influence.study_influence`),
        with ``influence_plot`` (PNG).
    evidence : pandas.DataFrame, optional
        What places each treatment (:func:`bayesnma.network.treatment_evidence`).
    studies : pandas.DataFrame, optional
        The study table (:func:`bayesnma.network.study_table`).
    network_plot : bytes
        PNG of the network.
    parts : dict
        Component label -> ``{"tables": {name: DataFrame}, "figures": {name: PNG bytes}}``
        with tables ``relative_effects``, ``league_table``, ``ranks``, ``model_fit``,
        ``diagnostics`` and figures ``forest``, ``league_heatmap``, ``rankogram``,
        ``cumulative_ranks``, ``trace``, ``chain_ranks``; ``versions`` (JSON of the
        package versions the fit ran on).

    Returns
    -------
    str
        A complete HTML document.
    """
    measure = get_measure(str(components["measure"].iat[0]))
    formats = list(dict.fromkeys(f for fs in components["formats"] for f in fs))
    bad = convergence[~convergence["converged"].astype(bool)]
    comps = components.set_index("component")
    conv = convergence.set_index("component")
    prior_lines = []
    if "prior_therapy" in characteristics.columns:
        regressed = cfg.regression is not None and "prior_therapy" in cfg.regression.covariates
        for _, row in characteristics.iloc[1:].iterrows():
            lines = list(row["prior_therapy"])
            if len(lines) > 1:
                prior_lines.append({"component": row["component"], "lines": "; ".join(lines),
                                    "regressed": regressed})
    return _render(
        "report.html.j2",
        cfg=cfg, measure=measure, better_if=measure.better_if(cfg.lower_better),
        not_converged=", ".join(bad["component"]),
        checks_not_converged=_checks_not_converged(parts),
        remedies=[f"{label}: {part['remedies']}" for label, part in parts.items()
                  if part.get("remedies")],
        prior_bound=_prior_bound(parts),
        answer=_answer(parts, components, evidence, sensitivity, measure, cfg,
                       influence=influence),
        sucra_meaning=SUCRA_MEANING,
        network_plot=_img(network_plot),
        characteristics=_characteristics(characteristics),
        components_table=_table(components, keep=("component",)),
        n_components=len(components),
        prior_lines=prior_lines,
        studies=_table(studies) if studies is not None else None,
        evidence=_table(evidence) if evidence is not None and len(evidence) else None,
        notes=list(notes),
        components=[_component(label, part, comps.loc[label], conv.loc[label])
                    for label, part in parts.items()],
        sensitivity=(_sensitivity(sensitivity, robustness)
                     if sensitivity is not None and len(sensitivity) else None),
        influence=(_influence(influence, influence_plot, measure.model_scale)
                   if influence is not None and len(influence) else None),
        methods=_methods(cfg, measure, formats, parts),
    )


def _placed_short(placed: str) -> str:
    """What places a treatment, in a word or two."""
    if placed in ("", ANCHORED[1]):
        return "comparisons"
    return placed.split(":")[0]


def _summary(sections: list[dict], treatments) -> dict:
    """The question's treatments by outcome: each cell the treatment's classification
    against the outcome's reference (worded by its certainty), the certainty and what
    places it."""
    columns, cells = ["treatment"], {t: [t] for t in treatments}
    refs = []
    for sec in sections:
        found = {}
        for label, part in sec["parts"].items():
            classes = part["tables"].get("classification")
            if classes is None:
                continue
            ref = sec["components"].set_index("component").loc[label, "trt_ref"]
            refs.append(f"{sec['cfg'].outcome}: {ref}")
            for _, row in classes.iterrows():
                found.setdefault(row["treatment"], (row, ref))
        columns.append(sec["cfg"].outcome)
        for trt in treatments:
            if trt not in found:
                why = _notes_about(sec.get("notes", ()), trt)
                elsewhere = list(dict.fromkeys(
                    _placing_scenarios(sec.get("sensitivity"), trt)["scenario"]))
                cells[trt].append(["not in this analysis", why[0] if why else
                                   "no study of it reports this outcome in the data",
                                   *([f"placed only in: {', '.join(elsewhere)} (see below)"]
                                     if elsewhere else [])])
                continue
            row, ref = found[trt]
            if trt == ref:
                cells[trt].append(["the reference", "the others are classified against it"])
                continue
            cells[trt].append([row["statement"], f"certainty: {row['certainty']}",
                               f"placed by: {_placed_short(row['placed_by'])}"])
    return {"table": Table(columns, [cells[t] for t in treatments], [False] * len(columns)),
            "references": "; ".join(refs)}


def _unanchored(parts: dict) -> list[dict]:
    """Treatments placed by an assumption, with their own results."""
    out = []
    for part in parts.values():
        classes = part["tables"].get("classification")
        if classes is None:
            continue
        for _, row in classes[~classes["anchored"].astype(bool)].iterrows():
            out.append({"treatment": row["treatment"], "placed_by": row["placed_by"],
                        "statement": row["statement"],
                        "own_results": row["own_results"] if isinstance(row["own_results"], str)
                        else ""})
    return out


def _placed_elsewhere(sensitivity: pd.DataFrame | None, trt: str) -> list[str]:
    """Where a treatment the main analysis leaves out is placed by a sensitivity analysis
    that converged: its effect vs that scenario's reference and its SUCRA."""
    return [f"sensitivity analysis {r['scenario']} ({r['description']}) places it: "
            f"{r['scale']} vs {r['reference']} {_effect_cell(r)}, SUCRA {_sucra(r)}"
            for _, r in _placing_scenarios(sensitivity, trt).iterrows()]


def _placing_scenarios(sensitivity: pd.DataFrame | None, trt: str) -> pd.DataFrame:
    """The rows of the sensitivity table where a converged scenario places ``trt``."""
    if sensitivity is None or not len(sensitivity):
        return pd.DataFrame(columns=["scenario"])
    return sensitivity[(sensitivity["treatment"] == trt)
                       & sensitivity.get("converged", True).astype(bool)]


def _notes_about(notes, trt: str) -> list[str]:
    """The data notes that name treatment ``trt``."""
    return [n for n in notes if f"'{trt}'" in n]


#: The methods the answer rests on, with the reference a methods section cites.
_CITATIONS = {
    "nma": "Dias S, Sutton AJ, Ades AE, Welton NJ. Evidence synthesis for decision making 2: "
           "a generalized linear modeling framework for pairwise and network meta-analysis "
           "of randomized controlled trials. Med Decis Making 2013;33:607-17 (NICE DSU TSD2)",
    "tsd3": "Dias S, et al. NICE DSU TSD3: heterogeneity (subgroups, meta-regression, bias "
            "and bias-adjustment), 2011",
    "tsd4": "Dias S, et al. NICE DSU TSD4: inconsistency in networks of evidence based on "
            "randomised controlled trials, 2011",
    "tsd5": "Dias S, et al. NICE DSU TSD5: evidence synthesis in the baseline natural history "
            "model, 2011",
    "tsd18": "Phillippo DM, et al. NICE DSU TSD18: methods for population-adjusted indirect "
             "comparisons in submissions to NICE, 2016",
    "turner": "Turner RM, Jackson D, Wei Y, Thompson SG, Higgins JPT. Predictive distributions "
              "for between-study heterogeneity and simple methods for their application in "
              "Bayesian meta-analysis. Stat Med 2015;34:984-98",
    "parmar": "Parmar MKB, Torri V, Stewart L. Extracting summary statistics to perform "
              "meta-analyses of the published literature for survival endpoints. Stat Med "
              "1998;17:2815-34; Tierney JF, et al. Trials 2007;8:16",
    "cinema": "Nikolakopoulou A, et al. CINeMA: an approach for assessing confidence in the "
              "results of a network meta-analysis. PLoS Med 2020;17:e1003082",
    "grade": "Brignardello-Petersen R, et al. GRADE approach to drawing conclusions from a "
             "network meta-analysis using a minimally contextualised framework. BMJ "
             "2020;371:m3900",
    "chaimani": "Chaimani A, Higgins JPT, Mavridis D, Spyridonos P, Salanti G. Graphical "
                "tools for network meta-analysis in STATA. PLoS ONE 2013;8:e76654",
}


def _methods_paragraph(sections: list[dict]) -> tuple[str, list[str]]:
    """A methods paragraph for a paper, from the analyses' settings, and the references it
    cites, in the order of their numbers ([1], [2], ...)."""
    cited: list[str] = []

    def cite(*keys):
        for k in keys:
            if k not in cited:
                cited.append(k)
        return "[" + ", ".join(str(cited.index(k) + 1) for k in keys) + "]"

    words = [f"Treatments were compared by Bayesian network meta-analysis within the "
             f"generalised linear model framework {cite('nma')}, fitted with bayesnma "
             f"{__version__} (PyMC, NUTS); each outcome's model is stated below."]
    for sec in sections:
        cfg = sec["cfg"]
        parts = [f"{cfg.trt_effects} effects"]
        if cfg.trt_effects == "random":
            het = str(cfg.priors.het or "")
            parts.append(f"heterogeneity prior {het}" + (f" {cite('turner')}"
                                                         if "Turner" in het else ""))
        if cfg.class_effects:
            parts.append(f"exchangeable class effects {cite('tsd3')}")
        if cfg.baseline is not None and cfg.baseline.exchangeable:
            parts.append(f"exchangeable study baselines {cite('tsd5')}")
        if any(src.format == "median" for src in cfg.sources):
            parts.append(f"medians converted to log hazards under an exponential model and "
                         f"log-rank p-values to log hazard ratios {cite('parmar')}")
        words.append(f"{cfg.outcome}: " + "; ".join(parts) + ".")
    words.append(
        f"Consistency was checked by node-splitting and unrelated mean effects where a loop "
        f"allowed it {cite('tsd4')}. Treatments placed by an assumption rather than by "
        f"comparisons (class bridge, exchangeable baselines) are unanchored "
        f"{cite('tsd18')} and reported apart. The certainty of every relative effect was "
        f"rated on the CINeMA domains {cite('cinema')}, with study contributions from the "
        f"hat matrix {cite('chaimani')}, and treatments were classified against the "
        f"reference by GRADE's minimally contextualised approach {cite('grade')}; sensitivity "
        "analyses refitted each assumption and data reading.")
    return " ".join(words), [f"{_CITATIONS[k]}." for k in cited]


def render_answer_html(sections: list[dict], *, forest: bytes | None = None,
                       title: str = "Ranking of treatments", treatments=None,
                       provenance: str = "") -> str:
    """One page with the ranking of every analysis, each as its report opens with it.

    Parameters
    ----------
    sections : list of dict
        Per analysis: ``cfg`` (AnalysisConfig), ``parts`` (as :func:`render_html`),
        ``components``, ``evidence``, ``sensitivity`` (or None), ``influence`` (optional:
        :func:`bayesnma.influence.study_influence`), ``notes`` (the data notes) and
        ``report`` (relative link to the analysis' full report). A treatment
        ranked for one outcome but absent from another is listed there with the data
        notes that concern it.
    forest : bytes, optional
        PNG of the effects of every outcome side by side, shown first.
    treatments : sequence of str, optional
        The question's treatments, in order, for the summary (default: every treatment).
    provenance : str
        Version, code and inputs the page comes from, and its date.
    """
    everywhere = list(dict.fromkeys(t for sec in sections
                                    for t in sec["evidence"]["treatment"]))
    outcomes = []
    for sec in sections:
        cfg = sec["cfg"]
        measure = get_measure(str(sec["components"]["measure"].iat[0]))
        absent = []
        for trt in [t for t in everywhere if t not in set(sec["evidence"]["treatment"])]:
            why = _notes_about(sec.get("notes", ()), trt)
            absent.append((trt, "; ".join(why + _placed_elsewhere(sec["sensitivity"], trt))
                           if why else "no study of it reports this outcome in the data"))
        outcomes.append({"outcome": cfg.outcome, "report": sec["report"], "absent": absent,
                         "unanchored": _unanchored(sec["parts"]),
                         "answer": _answer(sec["parts"], sec["components"], sec["evidence"],
                                           sec["sensitivity"], measure, cfg,
                                           influence=sec.get("influence"))})
    methods, references = _methods_paragraph(sections)
    return _render("answer.html.j2", title=title, outcomes=outcomes, forest=_img(forest),
                   sucra_meaning=SUCRA_MEANING, provenance=provenance, methods=methods,
                   references=references,
                   summary=_summary(sections, list(treatments or everywhere)))
