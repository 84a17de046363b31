from snakemake.exceptions import WorkflowError

from bayesnma.errors import BayesNMAError
from bayesnma.workflow import plan_analyses

# Validate the config and every data file before any job runs.
try:
    PLAN = plan_analyses(config)
except BayesNMAError as err:
    raise WorkflowError(str(err)) from None


wildcard_constraints:
    analysis="|".join(PLAN),
    component=r"c\d+",
    variant=r"ume|ns\d+",


def get_settings(wildcards):
    """Complete settings of the wildcard's analysis (reruns it when they change)."""
    return PLAN[wildcards.analysis]["settings"]


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


def get_variant_files(name):
    """Input function: one file per model variant of the wildcard's component."""

    def inputs(wildcards):
        variants = PLAN[wildcards.analysis]["variants"][wildcards.component]
        return [
            f"results/{wildcards.analysis}/{wildcards.component}/variants/{v}/{name}"
            for v in variants
        ]

    return inputs


def get_component_dirs(wildcards):
    return [
        f"results/{wildcards.analysis}/{c}"
        for c in PLAN[wildcards.analysis]["components"]
    ]


def get_final_output():
    return [f"results/{a}/report.html" for a in PLAN]
