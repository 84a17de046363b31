from bayesnma.workflow import assess_influence, run_step

run_step(snakemake, assess_influence)  # noqa: F821 (injected by Snakemake)
