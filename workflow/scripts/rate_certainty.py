from bayesnma.workflow import rate_certainty, run_step

run_step(snakemake, rate_certainty)  # noqa: F821 (injected by Snakemake)
