from bayesnma.workflow import fit_component, run_step

run_step(snakemake, fit_component)  # noqa: F821 (injected by Snakemake)
