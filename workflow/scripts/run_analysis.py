from bayesnma.workflow import run_analysis, run_step

run_step(snakemake, run_analysis)  # noqa: F821 (injected by the script directive)
