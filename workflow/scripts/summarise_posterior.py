from bayesnma.workflow import summarise_component, run_step

run_step(snakemake, summarise_component)  # noqa: F821 (snakemake is injected by the script directive)
