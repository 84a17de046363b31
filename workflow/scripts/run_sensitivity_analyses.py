from bayesnma.workflow import run_sensitivity_analyses, run_step

run_step(snakemake, run_sensitivity_analyses)  # noqa: F821 (injected by the script directive)
