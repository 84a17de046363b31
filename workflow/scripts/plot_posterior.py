from bayesnma.workflow import plot_component, run_step

run_step(snakemake, plot_component)  # noqa: F821 (injected by Snakemake)
