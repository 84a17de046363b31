# bayesnma workflow: Bayesian network meta-analysis from arm-level data.
#
# results/<analysis>/network/      characteristics.csv, components.csv, network.png/.svg
# results/<analysis>/<component>/  posterior.nc, diagnostics.csv, relative_effects.csv,
#                                  league_table.csv, ranks.csv, rank_probs.csv, model_fit.csv,
#                                  forest, league_heatmap, rankogram and cumulative_ranks
#                                  (.png and .svg), trace.png
# results/<analysis>/              relative_effects.csv (all pairs), ranks.csv,
#                                  convergence.csv, report.html
# logs/<rule>/<analysis>[/<component>].log

from snakemake.utils import min_version

min_version("9.0")


# The bundled analyses, unless config files are given on the command line: those replace
# it (Snakemake would otherwise merge them, and the HCC analyses would run as well). To
# add analyses to the bundled ones, give both: --configfile config/config.yaml mine.yaml
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/network.smk"
include: "workflow/rules/model.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
