"""Where an analysis' results go: the files a job declares to Snakemake
(:data:`ANALYSIS_FILES`) and those of each component (:func:`component_files`)."""

from __future__ import annotations

__all__ = ["ANALYSIS_FILES", "COMPONENT_FIGURES", "COMPONENT_TABLES", "NETWORK_FILES",
           "analysis_files", "component_files", "variant_files"]

#: The tables of a component (``results/<analysis>/<component>/<name>.csv``) the report
#: shows, besides ``rank_probs``.
COMPONENT_TABLES = ("relative_effects", "league_table", "ranks", "model_fit", "diagnostics",
                    "parameters", "heterogeneity", "covariate_effects", "covariate_ranks",
                    "class_effects", "class_ranks", "certainty", "classification",
                    "prior_sensitivity")
#: The figures of a component (``<name>.png``).
COMPONENT_FIGURES = ("forest", "league_heatmap", "rankogram", "cumulative_ranks", "trace",
                     "chain_ranks", "heterogeneity")

#: The files of an analysis other analyses and its report read, by name, under
#: ``results/<analysis>/``: what a job of :func:`~bayesnma.workflow.run.run_analysis`
#: declares to Snakemake.
ANALYSIS_FILES = {
    "characteristics": "network/characteristics.csv",
    "components": "network/components.csv",
    "data_notes": "network/data_notes.csv",
    "evidence": "network/evidence.csv",
    "studies": "network/studies.csv",
    "direct_effects": "network/direct_effects.csv",
    "network_plot": "network/network.png",
    "network_svg": "network/network.svg",
    "relative_effects": "relative_effects.csv",
    "ranks": "ranks.csv",
    "convergence": "convergence.csv",
}
NETWORK_FILES = ("characteristics", "components", "data_notes", "evidence", "studies",
                 "direct_effects", "network_plot", "network_svg")


def analysis_files(folder) -> dict[str, str]:
    """:data:`ANALYSIS_FILES` under ``folder`` (``results/<analysis>``, or a pattern)."""
    return {name: f"{folder}/{path}" for name, path in ANALYSIS_FILES.items()}


def component_files(folder, variants=()) -> dict[str, object]:
    """The files of one component (``results/<analysis>/<component>``), by the names the
    steps take them by; a figure and a table of the same name (heterogeneity) get
    ``_plot``."""
    files: dict[str, object] = {name: f"{folder}/{name}.csv"
                                for name in (*COMPONENT_TABLES, "rank_probs")}
    files.update({("heterogeneity_plot" if name == "heterogeneity" else name):
                  f"{folder}/{name}.png" for name in COMPONENT_FIGURES})
    files.update({f"{name}_svg": f"{folder}/{name}.svg"
                  for name in ("forest", "league_heatmap", "rankogram", "cumulative_ranks")})
    files.update(posterior=f"{folder}/posterior.nc", diagnostics=f"{folder}/diagnostics.csv",
                 cinema=f"{folder}/cinema_data.csv", consistency=f"{folder}/consistency",
                 variant_posteriors=[variant_files(folder, v)["posterior"] for v in variants])
    return files


def variant_files(folder, variant: str) -> dict[str, str]:
    """The fit of a check variant (``ume``, ``ns<k>``) of the component in ``folder``."""
    return {"posterior": f"{folder}/variants/{variant}/posterior.nc",
            "diagnostics": f"{folder}/variants/{variant}/diagnostics.csv"}
