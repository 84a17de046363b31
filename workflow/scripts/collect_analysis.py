from bayesnma.workflow import collect_analysis, run_step

run_step(snakemake, collect_analysis)  # noqa: F821 (snakemake is injected by the script directive)
