# bayesnma: the workflow is workflow/Snakefile (Snakemake's standard layout; the installed
# `bayesnma run` command runs the same file from inside the package). This file lets
# `snakemake --cores 4` run it from the top of a clone.


include: "workflow/Snakefile"
