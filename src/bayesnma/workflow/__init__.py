"""The workflow's library side, along its seams: :mod:`~bayesnma.workflow.plan` (what a
config asks for, validated with its data before any job), :mod:`~bayesnma.workflow.keys`
(what each result depends on, and removing what is out of date),
:mod:`~bayesnma.workflow.steps` (the steps making one analysis),
:mod:`~bayesnma.workflow.layout` (where results go), :mod:`~bayesnma.workflow.run` (one
analysis, or a batch of sensitivity analyses, in one process),
:mod:`~bayesnma.workflow.robustness` (sensitivity and influence analyses),
:mod:`~bayesnma.workflow.reports` (report pages and the run summary) and
:mod:`~bayesnma.workflow.adapter` (running a step under Snakemake)."""

from bayesnma.workflow.adapter import name_clone_for_conda, run_step
from bayesnma.workflow.keys import remove_stale_results, settings_key
from bayesnma.workflow.layout import analysis_files
from bayesnma.workflow.plan import (
    ConvergenceFailure,
    describe_plan,
    load_network,
    main_analyses,
    plan_analyses,
    scenario_batches,
)
from bayesnma.workflow.reports import (
    not_converged_analyses,
    print_run_summary,
    render_answer,
    render_report,
    run_summary,
)
from bayesnma.workflow.robustness import assess_influence, compare_sensitivity
from bayesnma.workflow.run import run_analysis, run_sensitivity_analyses
from bayesnma.workflow.steps import (
    check_consistency,
    collect_analysis,
    fit_component,
    plot_component,
    rate_certainty,
    summarise_component,
    write_network,
)

__all__ = [
    "ConvergenceFailure",
    "analysis_files",
    "assess_influence",
    "check_consistency",
    "collect_analysis",
    "compare_sensitivity",
    "describe_plan",
    "fit_component",
    "load_network",
    "main_analyses",
    "name_clone_for_conda",
    "not_converged_analyses",
    "plan_analyses",
    "plot_component",
    "print_run_summary",
    "rate_certainty",
    "remove_stale_results",
    "render_report",
    "render_answer",
    "run_analysis",
    "run_sensitivity_analyses",
    "run_step",
    "run_summary",
    "scenario_batches",
    "settings_key",
    "summarise_component",
    "write_network",
]
