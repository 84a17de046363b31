"""One analysis in one process: its network, fits, summaries, checks, certainty, figures
and combined tables, as the workflow's job :func:`run_analysis`; and a batch of
sensitivity analyses, each with its report, as :func:`run_sensitivity_analyses`.

Fits are reused by content (:func:`~bayesnma.workflow.steps.fit_component`): a rerun after a
new label, a new direction or a changed sensitivity analysis elsewhere refits nothing it
does not have to. Where each result goes: :mod:`bayesnma.workflow.layout`.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from bayesnma.workflow.keys import FIT_FILES, remove_paths
from bayesnma.workflow.layout import (
    ANALYSIS_FILES,
    NETWORK_FILES,
    analysis_files,
    component_files,
    variant_files,
)
from bayesnma.workflow.plan import Analysis
from bayesnma.workflow.reports import render_report
from bayesnma.workflow.steps import (
    check_consistency,
    collect_analysis,
    fit_component,
    plot_component,
    rate_certainty,
    summarise_component,
    write_network,
)

__all__ = ["run_analysis", "run_sensitivity_analyses"]

log = logging.getLogger("bayesnma")

def _clear(folder: Path, components) -> None:
    """Remove what a run of the analysis makes but its fits (reused by content) and the
    report, influence and sensitivity files other jobs make."""
    remove_paths([folder / "network", *(folder / p for p in ANALYSIS_FILES.values()
                                        if "/" not in p)])
    for label in components:
        if (folder / label).is_dir():
            remove_paths([p for p in (folder / label).iterdir() if p.name not in FIT_FILES])


def run_analysis(analysis: Analysis, *, threads: int | None = None,
                 results="results") -> list[str]:
    """Make one analysis under ``results/<analysis>/``: its network, every fit of every
    component (consistency model and check variants, reused when one on disk was made
    from the same model, data, priors and sampler settings), their summaries, consistency
    checks, certainty ratings and figures, and the tables combining the components
    (:data:`ANALYSIS_FILES`). Not its report, which for a main analysis waits for its
    sensitivity and influence analyses.

    What an earlier run made is removed first, and what this one made if it fails, fits
    aside, so that a failed run leaves nothing that looks current. Returns the labels of
    the analysis' components.
    """
    folder = Path(results) / analysis.name
    files = analysis_files(folder)
    variants = {c.label: analysis.variants(c.label) for c in analysis.components}
    _clear(folder, variants)
    try:
        write_network(analysis, **{k: files[k] for k in NETWORK_FILES})
        for label, labels in variants.items():
            each = component_files(folder / label, labels)
            fit_component(analysis, label, posterior=each["posterior"],
                          diagnostics=each["diagnostics"], threads=threads)
            for variant in labels:
                fit_component(analysis, label, variant=variant, threads=threads,
                              **variant_files(folder / label, variant))
                gc.collect()  # a posterior (an xarray DataTree) has reference cycles
        for label, labels in variants.items():
            _summarise(analysis, label, component_files(folder / label, labels), files)
        collect_analysis(
            analysis, components=files["components"],
            relative_effects_in=[f"{folder}/{c}/relative_effects.csv" for c in variants],
            ranks_in=[f"{folder}/{c}/ranks.csv" for c in variants],
            diagnostics_in=[f"{folder}/{c}/diagnostics.csv" for c in variants],
            relative_effects=files["relative_effects"], ranks=files["ranks"],
            convergence=files["convergence"])
    except BaseException:
        _clear(folder, variants)
        raise
    return list(variants)


def _summarise(analysis: Analysis, component: str, each: dict, files: dict) -> None:
    """Every step after the fits of one component."""
    tables = ("relative_effects", "league_table", "ranks", "rank_probs", "model_fit",
              "parameters", "heterogeneity", "covariate_effects", "covariate_ranks",
              "class_effects", "class_ranks", "prior_sensitivity")
    summarise_component(analysis, component, posterior=each["posterior"],
                        direct_effects=files["direct_effects"],
                        **{k: each[k] for k in tables})
    check_consistency(analysis, component, posterior=each["posterior"],
                      variant_posteriors=each["variant_posteriors"],
                      outdir=each["consistency"])
    rate_certainty(analysis, component, evidence=files["evidence"],
                   **{k: each[k] for k in ("posterior", "relative_effects", "heterogeneity",
                                           "prior_sensitivity", "consistency", "certainty",
                                           "classification", "cinema")})
    figures = ("forest", "league_heatmap", "rankogram", "cumulative_ranks", "trace",
               "chain_ranks", "forest_svg", "league_heatmap_svg", "rankogram_svg",
               "cumulative_ranks_svg")
    plot_component(analysis, component, direct_effects=files["direct_effects"],
                   evidence=files["evidence"], heterogeneity=each["heterogeneity_plot"],
                   **{k: each[k] for k in ("posterior", "relative_effects", "ranks",
                                           "rank_probs", *figures)})
    gc.collect()


def run_sensitivity_analyses(settings: dict[str, dict], *, threads: int | None = None,
                             results="results") -> None:
    """Make each sensitivity analysis of ``settings`` (name -> settings) in this one
    process, as :func:`run_analysis` with its report: one process per analysis would pay
    the imports again for each."""
    for n, (analysis, each) in enumerate(settings.items(), start=1):
        log.info("sensitivity analysis %d of %d: %s", n, len(settings), analysis)
        loaded = Analysis.load(each, analysis)
        labels = run_analysis(loaded, threads=threads, results=results)
        folder = Path(results) / analysis
        files = analysis_files(folder)
        render_report(
            loaded, report=f"{folder}/report.html",
            component_dirs=[f"{folder}/{label}" for label in labels],
            **{k: files[k] for k in ("characteristics", "components", "data_notes",
                                     "network_plot", "convergence", "evidence", "studies")})
