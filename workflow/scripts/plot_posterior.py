from bayesnma.workflow import plot_component, run_step

run_step(snakemake, plot_component)  # noqa: F821 (snakemake is injected by the script directive)
