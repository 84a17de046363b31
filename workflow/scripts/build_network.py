from bayesnma.workflow import run_step, write_network

run_step(snakemake, write_network)  # noqa: F821 (injected by Snakemake)
