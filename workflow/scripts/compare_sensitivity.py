from bayesnma.workflow import compare_sensitivity, run_step

run_step(snakemake, compare_sensitivity)  # noqa: F821 (injected by Snakemake)
