from bayesnma.workflow import render_answer, run_step

run_step(snakemake, render_answer)  # noqa: F821 (injected by the script directive)
