# What comes after a main analysis: its sensitivity comparison and influence analysis, its
# report, and the answer page over every main analysis. Files of an analysis that its job
# does not declare (each component's) are passed as params and read from its folder.


rule compare_sensitivity:
    input:
        components_in=get_scenario_files("network/components.csv"),
        effects_in=get_scenario_files("relative_effects.csv"),
        ranks_in=get_scenario_files("ranks.csv"),
        convergence_in=get_scenario_files("convergence.csv"),
    output:
        sensitivity=report(
            "results/{analysis}/sensitivity.csv",
            caption="../report/sensitivity.rst",
            category="{analysis}",
            subcategory="all components",
        ),
        robustness=report(
            "results/{analysis}/robustness.png",
            caption="../report/sensitivity.rst",
            category="{analysis}",
            subcategory="all components",
        ),
    params:
        key=get_sensitivity_key,
        heterogeneity_in=get_scenario_component_files("heterogeneity.csv"),
        consistency_in=get_scenario_component_files("consistency"),
        parameters_in=get_scenario_component_files("parameters.csv"),
    log:
        "logs/compare_sensitivity/{analysis}.log",
    conda:
        SOFTWARE
    script:
        "../scripts/compare_sensitivity.py"


rule assess_influence:
    input:
        data=get_data_files,
        # After the analysis' fits; its refits are reused while their model, data, priors
        # and sampler settings stay the same (a new label reruns this job, no refit).
        fits="results/{analysis}/convergence.csv",
    output:
        influence=report(
            "results/{analysis}/influence.csv",
            caption="../report/influence.rst",
            category="{analysis}",
            subcategory="all components",
        ),
        influence_studies="results/{analysis}/influence_studies.csv",
        influence_plot=report(
            "results/{analysis}/influence.png",
            caption="../report/influence.rst",
            category="{analysis}",
            subcategory="all components",
        ),
    params:
        key=get_key("influence"),
        posteriors=get_component_files("posterior.nc"),
    # One thread: its chains one at a time, so that it runs beside the other jobs (a
    # batch of sensitivity analyses takes one core too) instead of waiting for every core.
    threads: 1
    resources:
        mem_mb=FIT_MEM_MB,
        runtime=FIT_RUNTIME,
    log:
        "logs/assess_influence/{analysis}.log",
    conda:
        SOFTWARE
    script:
        "../scripts/assess_influence.py"


rule render_report:
    input:
        **get_analysis_files("results/{analysis}"),
        sensitivity=get_sensitivity_table,
        robustness=get_sensitivity_figure,
        influence=get_influence,
    output:
        report=report(
            "results/{analysis}/report.html",
            caption="../report/analysis_report.rst",
            category="{analysis}",
            subcategory="all components",
        ),
    params:
        key=get_key("all"),
        component_dirs=get_component_dirs,
    log:
        "logs/render_report/{analysis}.log",
    conda:
        SOFTWARE
    script:
        "../scripts/render_report.py"


rule render_answer:
    input:
        reports=expand("results/{analysis}/report.html", analysis=MAIN_ANALYSES),
    output:
        answer=report(
            "results/answer.html",
            caption="../report/answer.rst",
            category="Ranking of treatments",
        ),
        forest=report(
            "results/answer_forest.png",
            caption="../report/answer_forest.rst",
            category="Ranking of treatments",
        ),
        forest_svg="results/answer_forest.svg",
    params:
        key=settings_key(*(PLAN[a]["settings"] for a in MAIN_ANALYSES),
                         config.get("question") or {}),
        analyses=MAIN_ANALYSES,
    log:
        "logs/render_answer.log",
    conda:
        SOFTWARE
    script:
        "../scripts/render_answer.py"
