from bayesnma.workflow import run_step, summarise_component

run_step(snakemake, summarise_component)  # noqa: F821 (injected by Snakemake)
