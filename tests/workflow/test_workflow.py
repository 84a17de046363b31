"""End-to-end runs of the Snakemake workflow on a user's own data and config."""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bayesnma import io

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.workflow


# A user's data in the documented format: a connected A-B-C triangle (one three-arm study,
# zero events in one arm) plus a separate D-E pair, so the network is disconnected.
DATA = """study,treatment,events,total,prior_therapy
s1,A,0,40,x
s1,B,6,40,x
s2,A,3,60,x
s2,C,12,60,x
s3,A,4,50,y
s3,B,9,50,y
s3,C,14,50,y
s4,B,10,70,y
s4,C,15,70,y
s5,D,5,30,x
s5,E,9,30,x
"""

CONFIG = """
defaults:
  sampler: {{backend: nutpie, chains: 2, draws: 400, tune: 400, random_seed: 7,
            target_accept: 0.99}}
  convergence: {{min_ess_bulk: 100, min_ess_tail: 100, on_failure: flag}}
analyses:
  mine:
    data: {data}
    outcome: Response
    trt_ref: [A, D]
    disconnected: {disconnected}
    excluded: {{s9: "no arm sizes <reported>"}}
    consistency: [consistency, ume, nodesplit]
    influence: true
    sensitivity:
      structured:
        description: prior therapy as covariate; B and C one class
        consistency: [consistency]
        regression: {{covariates: [prior_therapy]}}
        class_effects:
          classes: {{A: control, B: active, C: active, D: control, E: active}}
      bridged:
        description: one model of both parts, placed by exchangeable baselines
        consistency: [consistency]
        disconnected: bridge
        baseline: {{model: exchangeable}}
      same:
        description: the analysis as configured (its consistency model), run in a batch
        consistency: [consistency]
      failing:
        description: too few draws to converge, and on_failure error
        consistency: [consistency]
        sampler: {{draws: 20, tune: 10, retries: 0}}
        convergence: {{on_failure: error}}
"""


def write_config(tmp_path, data_text=DATA, disconnected="split"):
    (tmp_path / "arms.csv").write_text(data_text)
    cfg = tmp_path / "my_config.yaml"
    cfg.write_text(CONFIG.format(data=tmp_path / "arms.csv", disconnected=disconnected))
    return cfg


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, snakemake):
    tmp_path = tmp_path_factory.mktemp("run")
    cfg = write_config(tmp_path)
    result = snakemake(tmp_path, "--configfile", str(cfg))
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp_path, cfg


def test_user_config_runs_end_to_end(finished_run):
    tmp_path, _ = finished_run
    out = tmp_path / "results" / "mine"
    comps = pd.read_csv(out / "network" / "components.csv")
    assert comps["component"].tolist() == ["c1", "c2"]
    assert comps["trt_ref"].tolist() == ["A", "D"]
    for comp in ("c1", "c2"):
        for name in ("posterior.nc", "relative_effects.csv", "league_table.csv", "ranks.csv",
                     "rank_probs.csv", "model_fit.csv", "diagnostics.csv", "forest.png",
                     "league_heatmap.png", "rankogram.png", "cumulative_ranks.png",
                     "trace.png"):
            assert (out / comp / name).stat().st_size > 0, name
        for table in ("relative_effects", "ranks", "league_table", "model_fit", "diagnostics"):
            assert "converged" in pd.read_csv(out / comp / f"{table}.csv").columns
    effects = pd.read_csv(out / "relative_effects.csv")
    cross = effects[(effects["treatment"] == "A") & (effects["comparator"] == "D")]
    assert len(cross) == 2 and not cross["estimable"].any() and cross["mean"].isna().all()
    html = (out / "report.html").read_text()
    assert "Disconnected network" in html and "mixes prior therapies" in html
    # nutpie's progress reaches the analysis' log: a line per chain at each quarter.
    log = (tmp_path / "logs" / "run_analysis" / "mine.log").read_text()
    for chain in (1, 2):
        assert f"chain {chain} of 2: 100% (800 of 800 draws, sampling)" in log
    # Direct estimates above the league table's diagonal.
    direct = pd.read_csv(out / "network" / "direct_effects.csv").set_index(
        ["treatment", "comparator"])
    assert direct.loc[("A", "C"), "n_studies"] == 2  # s2 and the three-arm s3
    league = pd.read_csv(out / "c1" / "league_table.csv").set_index("treatment")
    order = list(league.index)
    upper = [league.loc[a, b] for i, a in enumerate(order) for b in order[i + 1:]]
    assert all(cell == "-" or "(" in cell for cell in upper)
    answer = (tmp_path / "results" / "answer.html").read_text()
    assert "Ranking of treatments" in answer and "mine/report.html" in answer
    assert "forest plots of every outcome side by side" in answer
    assert (tmp_path / "results" / "answer_forest.svg").stat().st_size > 0


def test_consistency_checks_every_split_and_says_when_there_is_no_loop(finished_run):
    tmp_path, _ = finished_run
    out = tmp_path / "results" / "mine"
    # c1: the A-B-C triangle with a three-arm study; every comparison has independent
    # indirect evidence, so three node-splits run beside the UME model.
    checks = out / "c1" / "consistency"
    comparison = pd.read_csv(checks / "model_comparison.csv")
    assert comparison["model"].tolist() == ["consistency", "ume", "ns1", "ns2", "ns3"]
    assert {"DIC", "pD", "resdev_mean", "elpd_loo", "converged"} <= set(comparison.columns)
    splits = pd.read_csv(checks / "nodesplits.csv")
    assert set(splits["estimate"]) == {"network", "direct", "indirect", "difference"}
    assert splits["p_value"].between(0, 1).all()
    for name in ("pointwise.csv", "loo_pointwise.csv", "ume_effects.csv", "leverage.png",
                 "dev_dev.png", "nodesplit.png"):
        assert (checks / name).stat().st_size > 0, name
    for variant in ("ume", "ns1", "ns2", "ns3"):  # every variant passed the same gate
        diag = pd.read_csv(out / "c1" / "variants" / variant / "diagnostics.csv")
        assert {"converged", "r_hat", "role"} <= set(diag.columns)
    verdict = pd.read_csv(checks / "verdict.csv")
    assert verdict["n_split"].iat[0] == 3
    # c2: one D-E study, no loop: the verdict says consistency cannot be checked.
    no_loop = pd.read_csv(out / "c2" / "consistency" / "verdict.csv")["verdict"].iat[0]
    assert no_loop.startswith("no closed loop")
    html = (out / "report.html").read_text()
    assert "Consistency and model checking" in html and "no closed loop" in html


def test_sensitivity_with_regression_and_classes(finished_run):
    tmp_path, _ = finished_run
    out = tmp_path / "results" / "mine--structured"
    # c1 has both prior therapies: effects and rankings at each level.
    ranks = pd.read_csv(out / "c1" / "covariate_ranks.csv")
    assert list(dict.fromkeys(ranks["setting"])) == ["prior_therapy = x", "prior_therapy = y"]
    assert ranks.groupby("setting")["treatment"].apply(sorted).map(tuple).unique().tolist() == [
        ("A", "B", "C")]
    effects = pd.read_csv(out / "c1" / "covariate_effects.csv")
    assert set(effects["scale"]) == {"log OR", "OR"} and len(effects) == 2 * 2 * 6
    classes = pd.read_csv(out / "c1" / "class_ranks.csv")
    assert classes["class"].tolist()[0] in ("control", "active")
    assert set(classes["members"]) == {"A", "B, C"}  # members in this component
    # c2 has one prior therapy: fitted without the covariate, and the report says so.
    assert pd.read_csv(out / "c2" / "covariate_ranks.csv").empty
    html = (out / "report.html").read_text()
    assert "covariate prior_therapy has one value (x) in every study here" in html
    assert "effects and rankings at covariate values" in html
    assert "<h4>Class effects</h4>" in html
    assert "Parameters that rest on their prior" in html
    table = pd.read_csv(tmp_path / "results" / "mine" / "sensitivity.csv")
    assert set(table["scenario"]) == {"main", "structured", "bridged", "same", "failing"}
    assert table[["DIC", "pD", "elpd_loo"]].notna().all().all()
    main_html = (tmp_path / "results" / "mine" / "report.html").read_text()
    assert "Sensitivity analyses" in main_html and "PSIS-LOO elpd" in main_html


def test_a_batched_scenario_writes_what_the_single_steps_write(finished_run):
    """Sensitivity analyses run in one job per batch; a scenario that repeats the analysis
    gets the same tables, draw for draw (its chains are sampled one at a time)."""
    tmp_path, _ = finished_run
    main, same = (tmp_path / "results" / name for name in ("mine", "mine--same"))
    batch = (tmp_path / "logs" / "run_sensitivity_analyses" / "mine_2.log").read_text()
    assert "sensitivity analysis 1 of 2: mine--same" in batch
    assert "fitting mine--same/c1 (consistency)" in batch
    for table in ("c1/relative_effects.csv", "c1/ranks.csv", "c2/league_table.csv",
                  "c1/diagnostics.csv", "network/studies.csv", "relative_effects.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(same / table).drop(columns="analysis"),
                                      pd.read_csv(main / table).drop(columns="analysis"))
    assert (same / "report.html").stat().st_size > 0
    assert (same / "c1" / "consistency" / "verdict.csv").exists()


def test_bridged_scenario_ranks_both_parts_together(finished_run):
    tmp_path, _ = finished_run
    out = tmp_path / "results" / "mine--bridged"
    comps = io.read_table(out / "network" / "components.csv")
    assert comps["component"].tolist() == ["c1"] and comps["treatments"].iat[0] == list("ABCDE")
    assert sorted(pd.read_csv(out / "c1" / "ranks.csv")["treatment"]) == list("ABCDE")
    evidence = pd.read_csv(out / "network" / "evidence.csv").set_index("treatment")
    assert evidence.loc["D", "placed_by"].startswith("exchangeable baselines")
    assert evidence.loc["B", "placed_by"] == "comparisons connected to the reference"
    params = pd.read_csv(out / "c1" / "parameters.csv")["parameter"].tolist()
    assert "baseline_mean" in params and "baseline_sd" in params
    html = (out / "report.html").read_text()
    assert '<section id="summary">' in html and "exchangeable baselines" in html
    robustness = tmp_path / "results" / "mine" / "robustness.png"
    assert robustness.stat().st_size > 0


def test_influence_refits_the_part_that_had_each_study_without_it(finished_run):
    tmp_path, _ = finished_run
    out = tmp_path / "results" / "mine"
    table = io.read_table(out / "influence.csv")
    assert list(dict.fromkeys(table["study"])) == ["s1", "s2", "s3", "s4", "s5"]
    assert set(table["analysis"]) == {"mine"}
    # s1-s4 are in the A-B-C part only: the D-E part does not change and gets no rows
    assert set(table.loc[table["study"] != "s5", "component"]) == {"c1"}
    assert table.loc[table["study"] != "s5", "converged"].astype(bool).all()
    without_s1 = table[table["study"] == "s1"].set_index("treatment")
    assert without_s1.loc[["B", "C"], "median_without"].notna().all()
    assert np.isfinite(without_s1.loc[["B", "C"], "shift_in_sd"]).all()
    # s5 is the D-E part's only study: nothing is left to refit
    s5 = table[table["study"] == "s5"]
    assert set(s5["component"]) == {"c2"} and s5["median_without"].isna().all()
    assert (s5["note"] == "no comparison left in its part of the network without this "
            "study").all()
    studies = io.read_table(out / "influence_studies.csv")
    assert sorted(studies["study"]) == ["s1", "s2", "s3", "s4", "s5"]
    assert (out / "influence.png").stat().st_size > 0
    html = (out / "report.html").read_text()
    assert "What drives the ranking:</b> Each study left out in turn" in html
    # sensitivity analyses have none of their own
    assert not (tmp_path / "results" / "mine--same" / "influence.csv").exists()


def test_arviz_loo_works_on_every_saved_posterior(finished_run):
    import arviz as az
    import xarray as xr

    tmp_path, _ = finished_run
    posteriors = sorted((tmp_path / "results" / "mine").glob("**/posterior.nc"))
    assert len(posteriors) == 2 + 2 + 3  # consistency and UME per component, 3 splits
    for path in posteriors:
        with xr.open_datatree(path, engine="h5netcdf") as tree, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # high Pareto k on 9 data points
            assert np.isfinite(az.loo(tree.load()).elpd), path


def test_rerun_does_nothing_and_report_builds(finished_run, snakemake):
    tmp_path, cfg = finished_run
    dry = snakemake(tmp_path, "--configfile", str(cfg), "-n")
    assert "Nothing to be done" in dry.stdout + dry.stderr
    report = snakemake(tmp_path, "--configfile", str(cfg), "--report", "report.html")
    assert report.returncode == 0, report.stderr[-2000:]
    assert (tmp_path / "report.html").stat().st_size > 100_000


def test_a_dry_run_lint_and_report_write_nothing(finished_run, snakemake, tmp_path):
    """Parsing the workflow reads and checks the config and data, and writes nothing."""
    run_dir, cfg = finished_run

    def tree(root):
        return {p: p.stat().st_mtime_ns for p in root.rglob("*")
                if ".snakemake" not in p.parts and p.name != "parsed.html"}

    before = tree(run_dir)
    for args in (["-n"], ["--lint"], ["--report", "parsed.html"]):
        assert snakemake(run_dir, "--configfile", str(cfg), *args).returncode == 0, args
    assert tree(run_dir) == before
    fresh = write_config(tmp_path)
    for args in (["-n"], ["--lint"]):
        assert snakemake(tmp_path, "--configfile", str(fresh), *args).returncode == 0, args
    assert not (tmp_path / "results").exists()


def _jobs(result) -> dict[str, int]:
    """Rule -> number of jobs, from the job stats of a (dry) run."""
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-2000:]
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}


def test_reruns_follow_what_each_step_uses(finished_run, snakemake):
    """Labels and direction rerun the analysis with its fits reused; priors and data refit;
    a change of bayesnma's code reruns everything."""
    import yaml

    from bayesnma.workflow import plan_analyses
    from bayesnma.workflow.keys import fit_stamp
    from bayesnma.workflow.steps import _fitted

    tmp_path, cfg = finished_run
    base = cfg.read_text()
    fit = tmp_path / "results" / "mine" / "c1"
    changes = {
        "label": (base.replace("outcome: Response", "outcome: Response rate"), False),
        "direction": (base.replace("outcome: Response",
                                   "outcome: Response\n    lower_better: true"), False),
        "prior": (base.replace("trt_ref: [A, D]", "trt_ref: [A, D]\n    priors: "
                               "{het: {half_normal: {scale: 0.5}}}"), True),
    }
    for name, (text, refit) in changes.items():
        alt = tmp_path / f"{name}.yaml"
        alt.write_text(text)
        jobs = _jobs(snakemake(tmp_path, "--configfile", str(alt), "-n"))
        assert jobs.get("run_analysis") == 1, (name, jobs)
        plan = plan_analyses(yaml.safe_load(text))["mine"]
        stamp = fit_stamp(plan["settings"], plan["data_files"])
        reused = _fitted(fit / "posterior.nc", fit / "diagnostics.csv", stamp, "consistency")
        assert (reused is None) == refit, name
    data = tmp_path / "arms.csv"
    before, stat = data.read_text(), data.stat()
    data.write_text(before.replace("s5,E,9,30", "s5,E,10,30"))
    try:
        jobs = _jobs(snakemake(tmp_path, "--configfile", str(cfg), "-n"))
        plan = plan_analyses(yaml.safe_load(base))["mine"]
        stamp = fit_stamp(plan["settings"], plan["data_files"])
    finally:
        data.write_text(before)
        os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert jobs.get("run_analysis") and jobs.get("assess_influence"), jobs
    assert _fitted(fit / "posterior.nc", fit / "diagnostics.csv", stamp, "consistency") is None
    assert _jobs(snakemake(tmp_path, "--configfile", str(cfg), "-n")) == {}
    # The package's code changes: a copy with one line added, first on the path.
    copy = tmp_path / "changed_package"
    shutil.copytree(REPO / "src" / "bayesnma", copy / "bayesnma",
                    ignore=shutil.ignore_patterns("__pycache__"))
    ranking = copy / "bayesnma" / "ranking.py"
    ranking.write_text(ranking.read_text() + "\n# a change in how ranks are computed\n")
    jobs = _jobs(snakemake(tmp_path, "--configfile", str(cfg), "-n",
                           env={**os.environ, "PYTHONPATH": str(copy)}))
    for rule in ("run_analysis", "render_report", "assess_influence", "render_answer"):
        assert jobs.get(rule), (rule, jobs)
    assert any(rule.startswith("run_sensitivity_analyses_") for rule in jobs), jobs


def test_a_failing_scenario_does_not_take_its_batch_or_the_report_down(finished_run):
    """With on_failure: error, a sensitivity analysis that does not converge is written
    marked; the scenarios of its batch and the main report are kept (the run succeeded)."""
    tmp_path, _ = finished_run
    results = tmp_path / "results"
    batch = (tmp_path / "logs" / "run_sensitivity_analyses" / "mine_2.log").read_text()
    assert "fitting mine--failing/c1" in batch and "fitting mine--same/c1" in batch
    assert not io.read_table(results / "mine--failing" / "convergence.csv")["converged"].all()
    for scenario in ("mine--structured", "mine--bridged", "mine--same"):
        assert io.read_table(results / scenario / "convergence.csv")["converged"].all()
    table = io.read_table(results / "mine" / "sensitivity.csv")
    assert not table.loc[table["scenario"] == "failing", "converged"].any()
    assert "[NOT CONVERGED]" in (results / "mine" / "report.html").read_text()
    assert (results / "answer.html").exists()


PAYLOAD = "</script><script>document.title='pwned'</script>"


SECTIONS = ["summary", "network", "exclusions", "effects", "certainty", "rankings",
            "heterogeneity", "fit", "diagnostics", "sensitivity", "influence", "methods"]


def test_report_renders_in_chromium_answer_first_with_every_section(finished_run, rendered_dom,
                                                                   screenshot):
    import matplotlib.image

    tmp_path, _ = finished_run
    report = tmp_path / "results" / "mine" / "report.html"
    dom = rendered_dom(report)
    assert re.findall(r'<section id="([^"]+)"', dom) == SECTIONS
    summary = dom[dom.index('<section id="summary"'):dom.index('<section id="network"')]
    # the answer with its certainty, for the ranked triangle; the D-E pair gets its effect
    assert re.search(r"(is very likely the best|is probably the best|No treatment is likely "
                     r"the best|No treatment is clearly the best)", summary)
    assert "Two treatments only: E vs D, OR " in summary
    assert len(re.findall(r"<th[^>]*>SUCRA</th>", summary)) == 1
    network = dom[dom.index('<section id="network"'):dom.index('<section id="exclusions"')]
    for header in ("design", "evidence", "prior therapy", "arms"):
        assert f"<th>{header}</th>" in network
    assert "A: 0/40<br>B: 6/40" in network
    left_out = dom[dom.index('<section id="exclusions"'):dom.index('<section id="effects"')]
    assert "study 's9' left out when the data were curated: no arm sizes &lt;reported&gt;" in (
        left_out.replace("&#39;", "'"))
    rankings = dom[dom.index('<section id="rankings"'):dom.index('<section id="heterogeneity"')]
    assert "SUCRA (surface under the cumulative ranking curve)" in rankings
    assert "Two treatments: no ranking" in rankings
    png = tmp_path / "report.png"
    assert screenshot(report, png, height=2000) == (1200, 2000)
    pixels = matplotlib.image.imread(png)
    assert pixels.std() > 0.05, "the page's first screen is blank"


def test_headless_chromium_sees_a_payload_in_raw_params(tmp_path, rendered_title):
    """The check below can fail: Snakemake's report runs a payload in a rule's params."""
    (tmp_path / "Snakefile").write_text(
        f'rule make:\n    output: report("out.txt")\n    params: label="{PAYLOAD}"\n'
        '    shell: "echo hi > {output}"\n')
    for extra in ([], ["--report", "raw.html"]):
        cmd = [sys.executable, "-m", "snakemake", "--directory", str(tmp_path),
               "-s", str(tmp_path / "Snakefile"), "--cores", "1", *extra]
        assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    assert rendered_title(tmp_path / "raw.html") == "pwned"


def test_snakemake_report_carries_no_user_text_in_params(finished_run, snakemake,
                                                        rendered_title):
    """Snakemake writes rule params raw into a <script> block of its report: a hostile
    outcome label must not reach them. (Last test of the finished run: it relabels it.)"""
    tmp_path, cfg = finished_run
    alt = tmp_path / "hostile.yaml"
    # Without the sensitivity analyses: their batch is left out of Snakemake's report, and
    # rerunning it would only cost time.
    text = cfg.read_text()
    alt.write_text(text[:text.index("    sensitivity:")].replace(
        "outcome: Response", f"outcome: \"{PAYLOAD} Response\""))
    run = snakemake(tmp_path, "--configfile", str(alt))
    assert _jobs(run).get("run_analysis") == 1
    log = (tmp_path / "logs" / "run_analysis" / "mine.log").read_text()
    assert "fit reused" in log and "fitting" not in log  # a new label reruns no fit
    refits = (tmp_path / "logs" / "assess_influence" / "mine.log").read_text()
    assert "refit reused" in refits and "refitting" not in refits
    report = snakemake(tmp_path, "--configfile", str(alt), "--report", "hostile.html")
    assert report.returncode == 0, report.stderr[-2000:]
    assert "document.title='pwned'" not in (tmp_path / "hostile.html").read_text()
    assert rendered_title(tmp_path / "hostile.html") == "Snakemake Report"
    ours = tmp_path / "results" / "mine" / "report.html"
    assert PAYLOAD not in ours.read_text()
    assert "&lt;script&gt;document.title" in ours.read_text()
    title = rendered_title(ours)  # the label shown as text, not run
    assert title != "pwned" and "document.title='pwned'&lt;/script&gt; Response" in title


def test_a_changed_label_removes_what_the_rerun_redoes_before_it_starts(finished_run,
                                                                       tmp_path):
    """A run killed early after a label change leaves no report, table or figure with the
    old label (the fits, which a label does not change, are kept)."""
    import yaml

    from bayesnma.workflow import plan_analyses, remove_stale_results

    run_dir, cfg = finished_run
    results = tmp_path / "results"
    shutil.copytree(run_dir / "results", results)
    answer = [results / n for n in ("answer.html", "answer_forest.png", "answer_forest.svg")]
    # the main analysis only: earlier tests left its scenarios in other states
    text = cfg.read_text()
    main = text[:text.index("    sensitivity:")]
    plan = plan_analyses(yaml.safe_load(main))
    (results / "mine" / "settings_stamp.txt").write_text(
        "\n".join(plan["mine"]["keys"][k] for k in ("all", "influence")))
    remove_stale_results(plan, results)  # as made: nothing goes
    assert (results / "mine" / "report.html").exists() and all(p.exists() for p in answer)
    relabelled = yaml.safe_load(main.replace("outcome: Response", "outcome: Response rate"))
    remove_stale_results(plan_analyses(relabelled), results)
    mine = results / "mine"
    for gone in (mine / "report.html", mine / "ranks.csv", mine / "sensitivity.csv",
                 mine / "c1" / "relative_effects.csv", mine / "c1" / "forest.png", *answer):
        assert not gone.exists(), gone
    assert (mine / "influence.csv").exists()  # refits a label does not change
    for kept in ("posterior.nc", "diagnostics.csv", "variants"):
        assert (mine / "c1" / kept).exists(), kept


def test_a_failed_refit_leaves_no_result_that_looks_current(finished_run, snakemake):
    """A refit that fails the convergence gate removes what the previous fit produced.
    (After the other tests of the finished run: it leaves it failed.)"""
    tmp_path, cfg = finished_run
    out = tmp_path / "results" / "mine"
    assert (out / "report.html").exists() and (out / "c1" / "ranks.csv").exists()
    alt = tmp_path / "failing.yaml"
    alt.write_text(cfg.read_text().replace("draws: 400, tune: 400", "draws: 20, tune: 10")
                   .replace("on_failure: flag", "on_failure: error"))
    run = snakemake(tmp_path, "--configfile", str(alt))
    assert run.returncode != 0 and "did not converge" in run.stderr
    left = [p.relative_to(out) for p in out.rglob("*") if p.is_file()
            and not {"variants", "influence_fits"} & set(p.parts)
            and p.name != "settings_stamp.txt"]
    assert left == [], left
    assert not (tmp_path / "results" / "answer.html").exists()


@pytest.mark.parametrize(
    ("data", "disconnected", "message"),
    [
        (DATA.replace("s1,B,6,40", "s1,B,60,40"), "split",
         "arms.csv, row 3, column 'events': events (60) > total (40) in study 's1'"),
        (DATA, "error", "the network is disconnected into 2 components (c1: {A, B, C}"),
        (DATA + "s6,F,1,10\n", "split", "single-arm study 's6' (row 13)"),
    ],
    ids=["events-over-total", "disconnected-error", "single-arm"],
)
def test_bad_input_stops_before_any_job(tmp_path, snakemake, data, disconnected, message):
    cfg = write_config(tmp_path, data, disconnected)
    result = snakemake(tmp_path, "--configfile", str(cfg))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


def test_bad_config_names_the_key(tmp_path, snakemake):
    cfg = write_config(tmp_path)
    cfg.write_text(cfg.read_text().replace("chains: 2", "chains: 0"))
    result = snakemake(tmp_path, "--configfile", str(cfg))
    assert result.returncode != 0
    assert "config: defaults.sampler.chains: 0 is less than the minimum of 2" in result.stderr


def test_a_killed_run_leaves_a_lock_the_cli_names_and_removes(tmp_path):
    import time

    def bayesnma(*args):
        return subprocess.run([sys.executable, "-m", "bayesnma", *args, "config/config.yaml",
                               "-d", str(tmp_path)], capture_output=True, text=True,
                              timeout=300)

    subprocess.run([sys.executable, "-m", "bayesnma", "init", str(tmp_path)], check=True,
                   capture_output=True)
    run = subprocess.Popen([sys.executable, "-m", "bayesnma", "run", "config/config.yaml",
                            "-d", str(tmp_path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    locks = tmp_path / ".snakemake" / "locks"
    log = tmp_path / "logs" / "run_analysis" / "example.log"
    deadline = time.monotonic() + 120
    while (not log.exists() or "sampling" not in log.read_text()) and (
            time.monotonic() < deadline):
        time.sleep(0.2)
    run.kill()  # as kill -9 during a fit: its lock and a half-done job are left
    run.wait()
    assert any(locks.iterdir())
    locked = bayesnma("run")  # a dry run takes no lock, so it does not check them
    assert locked.returncode == 1
    assert "is locked: a run in it stopped without finishing" in locked.stderr
    assert "bayesnma run config/config.yaml -d" in locked.stderr and "--unlock" in locked.stderr
    assert "Traceback" not in locked.stderr
    unlocked = bayesnma("run", "--unlock")
    assert unlocked.returncode == 0 and "unlocked" in unlocked.stderr
    assert bayesnma("run", "-n").returncode == 0


def test_a_yte_config_is_refused_on_the_snakemake_route_too(tmp_path, snakemake):
    cfg = write_config(tmp_path)
    cfg.write_text("__use_yte__: true\n" + cfg.read_text())
    result = snakemake(tmp_path, "--configfile", str(cfg), "-n")
    out = result.stdout + result.stderr  # a dry run prints its errors to stdout
    assert result.returncode != 0
    assert "uses YTE templating (__use_yte__: true)" in out
    assert "snakemake itself evaluates YTE when it reads --configfile" in out


def test_a_configfile_replaces_the_bundled_analyses_unless_both_are_given(tmp_path, snakemake):
    (tmp_path / "arms.csv").write_text("study,treatment,events,total\ns1,A,5,50\ns1,B,9,50\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text(f"analyses:\n  mine: {{data: {tmp_path / 'arms.csv'}}}\n")
    alone = snakemake(REPO, "--configfile", str(mine), "-n")
    assert alone.returncode == 0, alone.stderr[-2000:]
    assert "results/mine/" in alone.stdout and "results/hcc_" not in alone.stdout
    both = snakemake(REPO, "--configfile", str(REPO / "config" / "config.yaml"), str(mine),
                     "-n")
    assert both.returncode == 0, both.stderr[-2000:]
    assert "results/mine/" in both.stdout and "results/hcc_orr/" in both.stdout


def test_snakemake_lint_finds_nothing(tmp_path, snakemake):
    result = snakemake(tmp_path, "--configfile", str(write_config(tmp_path)), "--lint")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Lints for" not in result.stdout + result.stderr
    assert "your workflow is in a good condition" in result.stdout + result.stderr


def test_the_slurm_profile_gives_fits_a_cpu_per_chain_and_their_resources(tmp_path, snakemake):
    # Everything of the profile but its executor (the SLURM plugin is not installed here).
    result = snakemake(tmp_path, "--configfile", str(write_config(tmp_path)),
                       "--profile", str(REPO / "profiles" / "slurm"), "--executor", "local",
                       "-n", "analysis_mine")
    assert result.returncode == 0, result.stderr[-2000:]
    fit = result.stdout[result.stdout.index("rule run_analysis:"):]
    fit = fit[:fit.index("\n\n")]
    assert "threads: 2" in fit
    # 60 minutes per fit: per part its consistency model and UME, and 3 splits in c1
    assert "mem_mb=2000" in fit and f"runtime={60 * 7}" in fit
