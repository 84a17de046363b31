from bayesnma.workflow import run_batch

run_batch(snakemake)  # noqa: F821 (injected by the script directive)
