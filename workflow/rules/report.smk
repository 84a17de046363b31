rule collect_analysis:
    input:
        components="results/{analysis}/network/components.csv",
        relative_effects_in=get_component_files("relative_effects.csv"),
        ranks_in=get_component_files("ranks.csv"),
        diagnostics_in=get_component_files("diagnostics.csv"),
    output:
        relative_effects=report(
            "results/{analysis}/relative_effects.csv",
            caption="../report/relative_effects_all.rst",
            category="{analysis}",
            subcategory="all components",
        ),
        ranks="results/{analysis}/ranks.csv",
        convergence=report(
            "results/{analysis}/convergence.csv",
            caption="../report/diagnostics.rst",
            category="{analysis}",
            subcategory="all components",
        ),
    params:
        key=get_key("all"),
    log:
        "logs/collect_analysis/{analysis}.log",
    conda:
        SOFTWARE
    script:
        "../scripts/collect_analysis.py"


rule render_report:
    input:
        characteristics="results/{analysis}/network/characteristics.csv",
        components="results/{analysis}/network/components.csv",
        data_notes="results/{analysis}/network/data_notes.csv",
        evidence="results/{analysis}/network/evidence.csv",
        studies="results/{analysis}/network/studies.csv",
        network_plot="results/{analysis}/network/network.png",
        convergence="results/{analysis}/convergence.csv",
        posteriors=get_component_files("posterior.nc"),
        consistency=get_component_files("consistency"),
        certainty=get_component_files("certainty.csv"),
        tables=get_component_files("model_fit.csv"),
        figures=get_component_files("trace.png"),
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


rule compare_sensitivity:
    input:
        components_in=get_scenario_files("network/components.csv"),
        effects_in=get_scenario_files("relative_effects.csv"),
        ranks_in=get_scenario_files("ranks.csv"),
        heterogeneity_in=get_scenario_component_files("heterogeneity.csv"),
        consistency_in=get_scenario_component_files("consistency"),
        parameters_in=get_scenario_component_files("parameters.csv"),
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
    log:
        "logs/compare_sensitivity/{analysis}.log",
    conda:
        SOFTWARE
    script:
        "../scripts/compare_sensitivity.py"


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
    log:
        "logs/render_answer.log",
    conda:
        SOFTWARE
    script:
        "../scripts/render_answer.py"


rule assess_influence:
    input:
        posteriors=get_component_files("posterior.nc"),
        data=get_data_files,
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
    # One thread: its chains one at a time, so that it runs beside the other jobs (a
    # sensitivity batch takes one core too) instead of waiting for every core.
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
