from bayesnma.workflow import write_network, run_step

run_step(snakemake, write_network)  # noqa: F821 (snakemake is injected by the script directive)
