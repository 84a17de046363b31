from bayesnma.workflow import render_report, run_step

run_step(snakemake, render_report)  # noqa: F821 (injected by the script directive)
