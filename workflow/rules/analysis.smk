# Making the analyses: a main analysis is one job, its sensitivity analyses run in batches.


rule run_analysis:
    input:
        data=get_data_files,
    output:
        **get_analysis_files("results/{analysis}", captions=True),
    params:
        key=get_key("all"),
        measure=get_measure,
    threads: get_chains
    resources:
        mem_mb=FIT_MEM_MB,
        runtime=get_fit_runtime,
    log:
        "logs/run_analysis/{analysis}.log",
    conda:
        SOFTWARE
    script:
        "../scripts/run_analysis.py"


# One job per batch of sensitivity analyses (BATCHES), each with its report: they need
# nothing of their main analysis. A changed scenario reruns its batch, which refits only
# what changed (fits are reused by content).
for _batch, _scenarios in BATCHES.items():

    rule:
        name:
            f"run_sensitivity_analyses_{_batch}"
        input:
            sorted({f for s in _scenarios for f in PLAN[s]["data_files"]}),
        output:
            *[f for s in _scenarios for f in get_analysis_files(f"results/{s}").values()],
            *[f"results/{s}/report.html" for s in _scenarios],
        params:
            key=settings_key(*(PLAN[s]["settings"] for s in _scenarios)),
            analyses=_scenarios,
        threads: 1
        # After the main analyses, whose chain of jobs is the longest path.
        priority: -1
        resources:
            mem_mb=FIT_MEM_MB,
            runtime=FIT_RUNTIME * sum(count_fits(s) for s in _scenarios),
        log:
            f"logs/run_sensitivity_analyses/{_batch}.log",
        conda:
            SOFTWARE
        script:
            "../scripts/run_sensitivity_analyses.py"
