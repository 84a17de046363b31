"""The workflow's library side, along its seams: :mod:`~bayesnma.workflow.plan` (what a
config asks for, validated with its data before any job), :mod:`~bayesnma.workflow.keys`
(what each result depends on, and removing what is out of date),
:mod:`~bayesnma.workflow.steps` (the steps making one analysis),
:mod:`~bayesnma.workflow.robustness` (sensitivity and influence analyses),
:mod:`~bayesnma.workflow.reports` (report pages and the run summary) and
:mod:`~bayesnma.workflow.adapter` (running a step under Snakemake)."""

from bayesnma.workflow.adapter import StepJobs, job_files, name_clone_for_conda, run_batch, run_step
from bayesnma.workflow.keys import remove_stale_results, settings_key, write_fit_stamps
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
    render_analysis_report,
    render_answer,
    run_summary,
)
from bayesnma.workflow.robustness import assess_influence, compare_sensitivity
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
    "StepJobs",
    "assess_influence",
    "check_consistency",
    "collect_analysis",
    "compare_sensitivity",
    "describe_plan",
    "fit_component",
    "job_files",
    "load_network",
    "main_analyses",
    "name_clone_for_conda",
    "not_converged_analyses",
    "plan_analyses",
    "plot_component",
    "print_run_summary",
    "rate_certainty",
    "remove_stale_results",
    "render_analysis_report",
    "render_answer",
    "run_batch",
    "run_step",
    "run_summary",
    "scenario_batches",
    "settings_key",
    "summarise_component",
    "write_fit_stamps",
    "write_network",
]
