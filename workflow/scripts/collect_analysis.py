from bayesnma.workflow import collect_analysis, run_step

run_step(snakemake, collect_analysis)  # noqa: F821 (injected by Snakemake)
