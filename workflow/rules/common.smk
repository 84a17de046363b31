from jsonschema import ValidationError
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from bayesnma.config import load_config_file, validation_message
from bayesnma.errors import BayesNMAError
from bayesnma.workflow import (
    analysis_files,
    main_analyses,
    name_clone_for_conda,
    plan_analyses,
    print_run_summary,
    remove_stale_results,
    scenario_batches,
    settings_key,
)

# Validate the config (each file also for keys given twice, which Snakemake's reading keeps
# silently; then against the schema, whose defaults the analyses take in plan_analyses) and
# every data file before any job runs. Errors are one line naming the key, not a schema dump.
try:
    for path in workflow.configfiles:
        load_config_file(path)
    try:
        validate(config, "../schemas/config.schema.yaml", set_default=False)
    except WorkflowError as err:
        if not isinstance(err.__context__, ValidationError):
            raise
        raise WorkflowError(validation_message(err.__context__)) from None
    PLAN = plan_analyses(config)
except BayesNMAError as err:
    raise WorkflowError(str(err)) from None


onstart:
    # Results of fits this run redoes are removed first, so that a failed run leaves
    # nothing that looks current.
    remove_stale_results(PLAN)


onsuccess:
    # What the run found: per analysis converged or not, its ranking's claim, its report.
    print_run_summary(PLAN)


# The software of every rule (used with --sdm conda).
SOFTWARE = "../envs/bayesnma.yaml"
name_clone_for_conda(workflow.basedir)


# A main analysis is one job (rules/analysis.smk: run_analysis), its report another (after
# its sensitivity and influence analyses); sensitivity analyses run in batches, one job
# making up to SCENARIOS_PER_JOB of them with their reports in one process.
MAIN_ANALYSES = main_analyses(PLAN)
SCENARIOS_PER_JOB = 4
BATCHES = scenario_batches(PLAN, SCENARIOS_PER_JOB)


wildcard_constraints:
    analysis="|".join(MAIN_ANALYSES),


def get_key(kind):
    """Params of a step: a hash of the settings it uses (``model``: without labels and
    direction; ``all``) and of the package's code, so that a change reruns it. The steps
    read their settings from the config; no user text goes into params."""

    def key(wildcards):
        return PLAN[wildcards.analysis]["keys"][kind]

    return key


def get_measure(wildcards):
    """The analysis' effect measure in words (code, name, scales), for report captions;
    our own fixed text, never the user's."""
    return PLAN[wildcards.analysis]["measure"]


def get_chains(wildcards):
    """Threads of a fit: one per chain (nutpie samples chains in parallel threads);
    Snakemake lowers it to --cores when that is smaller."""
    return PLAN[wildcards.analysis]["settings"]["sampler"]["chains"]


# What a fit or a batch of sensitivity analyses asks a cluster for (profiles/slurm);
# --set-resources overrides it. The largest process of the default HCC run (a batch)
# peaked at 1.1 GB, a fit of a simulated 1000-study network at 0.9 GB
# (benchmarks/engines.md).
FIT_MEM_MB = 2000
FIT_RUNTIME = 60  # minutes


def count_fits(analysis):
    """The fits of an analysis: per component its consistency model and check variants."""
    return sum(1 + len(v) for v in PLAN[analysis]["variants"].values())


def get_fit_runtime(wildcards):
    return FIT_RUNTIME * count_fits(wildcards.analysis)


def get_sensitivity_key(wildcards):
    """Params of the comparison of an analysis with its sensitivity analyses."""
    return settings_key(*(PLAN[s]["settings"] for s in get_scenarios(wildcards)))


def get_data_files(wildcards):
    """Every data file of the wildcard's analysis (a change reruns it)."""
    return PLAN[wildcards.analysis]["data_files"]


def get_component_files(name):
    """Input function: one file per component of the wildcard's analysis."""

    def inputs(wildcards):
        return [
            f"results/{wildcards.analysis}/{c}/{name}"
            for c in PLAN[wildcards.analysis]["components"]
        ]

    return inputs


def get_component_dirs(wildcards):
    return [
        f"results/{wildcards.analysis}/{c}"
        for c in PLAN[wildcards.analysis]["components"]
    ]


def get_scenarios(wildcards):
    """The analysis and its sensitivity analyses, in config order."""
    return [wildcards.analysis, *PLAN[wildcards.analysis]["sensitivity"]]


def get_scenario_files(name):
    """Input function: one file per scenario (``results/<scenario>/<name>``)."""

    def inputs(wildcards):
        return [f"results/{s}/{name}" for s in get_scenarios(wildcards)]

    return inputs


def get_scenario_component_files(name):
    """Input function: one file per scenario and component."""

    def inputs(wildcards):
        return [
            f"results/{s}/{c}/{name}"
            for s in get_scenarios(wildcards)
            for c in PLAN[s]["components"]
        ]

    return inputs


def get_sensitivity_table(wildcards):
    """The sensitivity comparison of an analysis that has sensitivity analyses."""
    if PLAN[wildcards.analysis]["sensitivity"]:
        return [f"results/{wildcards.analysis}/sensitivity.csv"]
    return []


def get_final_output(main=None):
    """Every analysis' report and the answer page; with ``main``, that analysis and its
    sensitivity analyses only."""
    out = [f"results/{analysis}/report.html" for analysis, plan in PLAN.items()
           if main in (None, analysis, plan["settings"].get("sensitivity_of"))]
    return out + (["results/answer.html"] if main is None else [])


#: The captions of Snakemake's report (--report) for the files of a main analysis.
CAPTIONS = {"characteristics": "characteristics", "data_notes": "data_notes",
            "evidence": "evidence", "network_plot": "network", "studies": "studies",
            "direct_effects": "direct_effects", "relative_effects": "relative_effects_all",
            "convergence": "diagnostics"}


def get_analysis_files(folder, *, captions=False):
    """The files a job making an analysis declares (``bayesnma.workflow.analysis_files``);
    with ``captions``, those with a caption marked for Snakemake's report."""
    files = analysis_files(folder)
    if captions:
        for name, caption in CAPTIONS.items():
            files[name] = report(files[name], caption=f"../report/{caption}.rst",
                                 category="{analysis}",
                                 subcategory="network" if "/network/" in files[name]
                                 else "all components")
    return files


def get_influence(wildcards):
    """The influence analysis of a main analysis that asks for one (``influence: true``):
    its study table and figure."""
    if PLAN[wildcards.analysis]["influence"]:
        return [
            f"results/{wildcards.analysis}/influence_studies.csv",
            f"results/{wildcards.analysis}/influence.png",
        ]
    return []


def get_sensitivity_figure(wildcards):
    """The robustness figure of an analysis that has sensitivity analyses."""
    if PLAN[wildcards.analysis]["sensitivity"]:
        return [f"results/{wildcards.analysis}/robustness.png"]
    return []
