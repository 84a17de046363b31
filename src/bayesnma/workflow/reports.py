"""Reports: each analysis' report page, the answer page over every main analysis, and the
run's summary for the terminal."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from bayesnma import io
from bayesnma.config import analysis_config
from bayesnma.workflow.keys import code_version
from bayesnma.workflow.layout import COMPONENT_FIGURES, COMPONENT_TABLES
from bayesnma.workflow.plan import Analysis, main_analyses
from bayesnma.workflow.steps import prior_set_treatments, unanchored_treatments


def render_report(analysis: Analysis, *, characteristics, components, data_notes,
                  network_plot, convergence, component_dirs, report, evidence, studies,
                  sensitivity=(), influence=()):
    """Render the self-contained HTML report of one analysis.

    ``component_dirs`` are the ``results/<analysis>/<component>`` folders holding the
    tables (``<name>.csv``) and figures (``<name>.png``) of each component;
    ``sensitivity`` the sensitivity table (its figure beside it) and ``influence`` the
    influence analysis' study table and figure (:func:`assess_influence`), if any.
    """
    from bayesnma.report import render_html

    cfg = analysis.cfg  # with the priors the fits used
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
                       "unanchored": unanchored_treatments(sections[-1]["evidence"],
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

    # the inputs alone: the code has its own hash beside it
    digest = hashlib.sha256(json.dumps([list(settings.values()), question or {}],
                                       sort_keys=True, default=str).encode())
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
    return dict.fromkeys(prior_set_treatments(io.read_table(path)), PRIOR_SET_PLACEMENT)


def _read_folder(folder: Path) -> dict:
    """Tables (``<name>.csv``) and figures (``<name>.png``) of a results folder, by name."""
    return {"tables": {p.stem: io.read_table(p) for p in sorted(folder.glob("*.csv"))},
            "figures": {p.stem: p.read_bytes() for p in sorted(folder.glob("*.png"))}}
