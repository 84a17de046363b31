from bayesnma.workflow import check_consistency, run_step

run_step(snakemake, check_consistency)  # noqa: F821 (injected by Snakemake)
