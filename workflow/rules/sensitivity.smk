# Sensitivity analyses in batches: one job per batch runs, in one process, the same steps
# (the rules below, with their scripts, inputs, outputs, params and logs) that would make a
# main analysis, one job per step. A grid of scenarios costs seconds per scenario instead
# of a process per step; a changed scenario reruns its batch.
import functools
import hashlib
import os

from snakemake.io import apply_wildcards, is_flagged
from snakemake.iocontainers import Wildcards

from bayesnma.workflow import StepJobs, job_files

# The rules that make one analysis, in the order they run (each for every component and
# variant it has a wildcard for).
ANALYSIS_STEPS = [
    "build_network",
    "fit_model",
    "fit_variant",
    "summarise_posterior",
    "check_consistency",
    "rate_certainty",
    "plot_posterior",
    "collect_analysis",
    "render_report",
]


def _wildcard_sets(step_rule, scenario):
    """Wildcards of every job of ``step_rule`` for ``scenario``."""
    plan = PLAN[scenario]
    sets = [{"analysis": scenario}]
    if "component" in step_rule.wildcard_names:
        sets = [{**w, "component": c} for w in sets for c in plan["components"]]
    if "variant" in step_rule.wildcard_names:
        sets = [
            {**w, "variant": v}
            for w in sets
            for v in plan["variants"][w["component"]]
        ]
    return sets


def _named(items, wildcards, namespace):
    """A rule's named inputs, outputs, params or logs for one job: patterns filled in,
    input functions called (their values are paths already)."""
    assert len(items) == len(items._names), "every item of a batched rule must be named"
    out = {}
    for name in items._names:
        value = getattr(items, name)
        if callable(value):
            out[name] = value(namespace)
        elif isinstance(value, str):
            out[name] = apply_wildcards(value, wildcards)
        else:
            out[name] = value
    return out


def _outputs(step_rule, job):
    """A job's outputs, folders flagged as such. Not marked for Snakemake's report
    (--report), whose captions need the job's own wildcards: it shows the main analyses;
    each sensitivity analysis has its report.html."""
    return [
        directory(path) if is_flagged(pattern, "directory") else path
        for pattern, path in zip(step_rule.output, job_files(job["output"]), strict=True)
    ]


@functools.cache
def _script_sha(step_rule):
    """Hash of a rule's script: a change reruns the batches that run it."""
    path = step_rule.basedir.join(step_rule.script).get_path_or_uri(secret_free=True)
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def scenario_jobs(scenario):
    """Every step of ``scenario`` as a job of its rule: ``(job, outputs)``."""
    jobs = []
    for name in ANALYSIS_STEPS:
        step_rule = getattr(rules, name).rule
        for wildcards in _wildcard_sets(step_rule, scenario):
            namespace = Wildcards(fromdict=wildcards)
            job = {
                "rule": name,
                "script": os.path.basename(step_rule.script),
                "script_sha": _script_sha(step_rule),
                "wildcards": wildcards,
                "input": _named(step_rule.input, wildcards, namespace),
                "output": _named(step_rule.output, wildcards, namespace),
                "params": _named(step_rule.params, wildcards, namespace),
                "log": [apply_wildcards(p, wildcards) for p in step_rule.log],
            }
            jobs.append((job, _outputs(step_rule, job)))
    return jobs


for _batch, _scenarios in BATCHES.items():
    _jobs = [j for s in _scenarios for j in scenario_jobs(s)]
    _made = {f for job, _ in _jobs for f in job_files(job["output"])}
    _steps = StepJobs(job for job, _ in _jobs)
    _fits = sum(job["rule"] in ("fit_model", "fit_variant") for job in _steps)

    rule:
        name:
            f"sensitivity_{_batch}"
        input:
            sorted({f for job, _ in _jobs for f in job_files(job["input"]) if f not in _made}),
        output:
            [path for _, outputs in _jobs for path in outputs],
        params:
            key=_steps.key(),
            jobs=_steps,
        threads: 1
        # After the steps of main analyses: their chain of single steps is the longest path.
        priority: -1
        resources:
            mem_mb=FIT_MEM_MB,
            runtime=FIT_RUNTIME * _fits,
        log:
            f"logs/sensitivity/{_batch}.log",
            *[path for job, _ in _jobs for path in job["log"]],
        conda:
            SOFTWARE
        script:
            "../scripts/run_batch.py"
