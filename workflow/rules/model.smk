rule fit_model:
    input:
        data=get_data_files,
    output:
        posterior="results/{analysis}/{component}/posterior.nc",
        diagnostics=report(
            "results/{analysis}/{component}/diagnostics.csv",
            caption="../report/diagnostics.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
    params:
        key=get_key("model"),
    threads: get_chains
    log:
        "logs/fit_model/{analysis}/{component}.log",
    script:
        "../scripts/fit_model.py"


rule summarise_posterior:
    input:
        posterior="results/{analysis}/{component}/posterior.nc",
    output:
        relative_effects=report(
            "results/{analysis}/{component}/relative_effects.csv",
            caption="../report/relative_effects.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        league_table=report(
            "results/{analysis}/{component}/league_table.csv",
            caption="../report/league_table.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        ranks=report(
            "results/{analysis}/{component}/ranks.csv",
            caption="../report/ranks.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        rank_probs="results/{analysis}/{component}/rank_probs.csv",
        parameters="results/{analysis}/{component}/parameters.csv",
        heterogeneity="results/{analysis}/{component}/heterogeneity.csv",
        covariate_effects="results/{analysis}/{component}/covariate_effects.csv",
        covariate_ranks=report(
            "results/{analysis}/{component}/covariate_ranks.csv",
            caption="../report/covariate_ranks.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        class_effects="results/{analysis}/{component}/class_effects.csv",
        class_ranks=report(
            "results/{analysis}/{component}/class_ranks.csv",
            caption="../report/class_ranks.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        model_fit=report(
            "results/{analysis}/{component}/model_fit.csv",
            caption="../report/model_fit.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
    params:
        key=get_key("all"),
    log:
        "logs/summarise_posterior/{analysis}/{component}.log",
    script:
        "../scripts/summarise_posterior.py"


rule plot_posterior:
    input:
        posterior="results/{analysis}/{component}/posterior.nc",
        relative_effects="results/{analysis}/{component}/relative_effects.csv",
        ranks="results/{analysis}/{component}/ranks.csv",
        rank_probs="results/{analysis}/{component}/rank_probs.csv",
    output:
        forest=report(
            "results/{analysis}/{component}/forest.png",
            caption="../report/forest.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        league_heatmap=report(
            "results/{analysis}/{component}/league_heatmap.png",
            caption="../report/league_table.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        rankogram=report(
            "results/{analysis}/{component}/rankogram.png",
            caption="../report/ranks.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        cumulative_ranks=report(
            "results/{analysis}/{component}/cumulative_ranks.png",
            caption="../report/ranks.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        trace=report(
            "results/{analysis}/{component}/trace.png",
            caption="../report/diagnostics.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        chain_ranks=report(
            "results/{analysis}/{component}/chain_ranks.png",
            caption="../report/diagnostics.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
        heterogeneity=report(
            "results/{analysis}/{component}/heterogeneity.png",
            caption="../report/heterogeneity.rst",
            category="{analysis}",
            subcategory="{component}",
        ),
    params:
        key=get_key("all"),
    log:
        "logs/plot_posterior/{analysis}/{component}.log",
    script:
        "../scripts/plot_posterior.py"


rule fit_variant:
    input:
        data=get_data_files,
    output:
        posterior="results/{analysis}/{component}/variants/{variant}/posterior.nc",
        diagnostics="results/{analysis}/{component}/variants/{variant}/diagnostics.csv",
    params:
        key=get_key("model"),
    threads: get_chains
    log:
        "logs/fit_variant/{analysis}/{component}/{variant}.log",
    script:
        "../scripts/fit_model.py"


rule check_consistency:
    input:
        posterior="results/{analysis}/{component}/posterior.nc",
        variant_posteriors=get_variant_files("posterior.nc"),
    output:
        outdir=directory("results/{analysis}/{component}/consistency"),
    params:
        key=get_key("all"),
    log:
        "logs/check_consistency/{analysis}/{component}.log",
    script:
        "../scripts/check_consistency.py"
