# bayesnma: the workflow is workflow/Snakefile (Snakemake's standard layout; the installed
# `bayesnma run` command runs the same file from inside the package). This file lets
# `snakemake --cores 4` run it from the top of a clone. The `include:` directive would drop
# the included file's default target (`all`); Snakemake's own include keeps it this way.

workflow.include("workflow/Snakefile", overwrite_default_target=True)
