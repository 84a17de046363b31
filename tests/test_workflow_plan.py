"""Fast checks of bayesnma.workflow's planning steps (no sampling); end-to-end runs are in
tests/workflow/."""

import os

import pandas as pd
import pytest

from bayesnma import ConfigError, DataValidationError, NetworkError
from bayesnma.config import analysis_config, validate_config
from bayesnma.workflow import load_network, plan_analyses, scenario_batches
from bayesnma.workflow.plan import analysis_components, analysis_variants

DATA = """study,treatment,events,total
s1,A,5,50
s1,B,9,50
s2,B,8,40
s2,C,12,40
s3,C,20,60
s4,H,7,20
"""


def _cfg(tmp_path, **spec):
    path = tmp_path / "arms.csv"
    path.write_text(DATA)
    settings = validate_config({"analyses": {"a": {"data": str(path), **spec}}})["a"]
    return analysis_config("a", settings)


def test_single_arm_studies_are_dropped_with_the_reason_under_independent_baselines(tmp_path):
    cfg = _cfg(tmp_path, allow_single_arm=True)
    network = load_network(cfg)
    assert network.studies == ["s1", "s2"]
    # named with its treatment, so that the answer page can say why C is not ranked
    assert any("single-arm study 's3' ('C') dropped: with independent baselines" in n
               for n in network.notes)


def test_exchangeable_baselines_keep_single_arm_studies_and_say_what_is_unplaced(tmp_path):
    cfg = _cfg(tmp_path, allow_single_arm=True, baseline={"model": "exchangeable"})
    network = load_network(cfg)
    assert network.studies == ["s1", "s2", "s3", "s4"]
    assert [c.treatments for c in analysis_components(cfg, network)] == [("A", "B", "C")]
    assert any("treatment 'H' is in no comparison (single-arm evidence only) and is not "
               "analysed" in n for n in network.notes)


def test_bridge_fits_the_whole_network_as_one_part(tmp_path):
    cfg = _cfg(tmp_path, allow_single_arm=True, disconnected="bridge",
               baseline={"model": "exchangeable"})
    network = load_network(cfg)
    (only,) = analysis_components(cfg, network)
    assert only.label == "c1" and only.treatments == ("A", "B", "C", "H")
    assert not any("not analysed" in n for n in network.notes)


def test_sensitivity_comparison_handles_scenarios_that_split_the_network(tmp_path):
    """The main analysis fits one bridged part; its component-wise scenario two parts."""
    import pandas as pd

    from bayesnma.workflow import compare_sensitivity

    cfg_settings = validate_config({"analyses": {"a": {
        "data": "x.csv", "description": "bridged",
        "sensitivity": {"split": {"disconnected": "split"}}}}})
    layout = {"a": {"c1": ["A", "B", "C"]}, "a--split": {"c1": ["A", "B"], "c2": ["C", "D"]}}
    files = {k: [] for k in ("components_in", "effects_in", "ranks_in", "heterogeneity_in",
                             "consistency_in", "parameters_in")}
    for scenario, comps in layout.items():
        root = tmp_path / "results" / scenario
        (root / "network").mkdir(parents=True)
        pd.DataFrame({"component": list(comps), "trt_ref": [t[0] for t in comps.values()]}
                     ).to_csv(root / "network" / "components.csv", index=False)
        eff, ranks = [], []
        for comp, trts in comps.items():
            (root / comp / "consistency").mkdir(parents=True)
            pd.DataFrame({"component": [comp], "model": ["consistency"], "DIC": [10.0]}
                         ).to_csv(root / comp / "consistency" / "model_comparison.csv",
                                  index=False)
            pd.DataFrame(columns=["component", "median", "verdict"]).to_csv(
                root / comp / "heterogeneity.csv", index=False)
            for i, trt in enumerate(trts):
                ranks.append({"component": comp, "treatment": trt, "sucra": 1 - i / 2,
                              "median_rank": i + 1, "q2.5": 1, "q97.5": len(trts),
                              "converged": True})
                if i:
                    eff.append({"component": comp, "treatment": trt, "comparator": trts[0],
                                "scale": "OR", "median": 2.0, "q2.5": 1.0, "q97.5": 4.0})
            files["heterogeneity_in"].append(root / comp / "heterogeneity.csv")
            files["consistency_in"].append(root / comp / "consistency")
            # The split scenario's c2 rests on an interaction the data do not inform.
            pd.DataFrame({"component": [comp], "parameter": ["beta[x]"],
                          "role": ["interaction of a covariate with the treatment effects"],
                          "verdict": ["posterior is essentially the prior (overlap 95%)"
                                      if (scenario, comp) == ("a--split", "c2") else
                                      "informed by the data"]}
                         ).to_csv(root / comp / "parameters.csv", index=False)
            files["parameters_in"].append(root / comp / "parameters.csv")
        pd.DataFrame(eff).to_csv(root / "relative_effects.csv", index=False)
        pd.DataFrame(ranks).to_csv(root / "ranks.csv", index=False)
        files["components_in"].append(root / "network" / "components.csv")
        files["effects_in"].append(root / "relative_effects.csv")
        files["ranks_in"].append(root / "ranks.csv")
    out = tmp_path / "sensitivity.csv"
    compare_sensitivity(cfg_settings["a"], "a", scenario_settings=[
        {**cfg_settings["a--split"], "name": "a--split"}], sensitivity=out,
        robustness=tmp_path / "robustness.png", **files)
    table = pd.read_csv(out)
    assert set(table["scenario"]) == {"main", "split"}
    split = table[table["scenario"] == "split"].set_index("treatment")
    assert split.loc["D", "component"] == "c2" and split.loc["D", "reference"] == "C"
    assert split.loc["D", "median"] == 2.0 and split.loc["D", "DIC"] == 10.0
    # A and B are ranked among {A, B} when split but among {A, B, C} in the main analysis.
    assert not split["same_ranking_set"].any()
    assert table[table["scenario"] == "main"]["same_ranking_set"].all()
    assert not split.loc["D", "identified"] and split.loc["D", "prior_bound"] == "beta[x]"
    assert split.loc["A", "identified"] and table[table["scenario"] == "main"][
        "identified"].all()
    assert (tmp_path / "robustness.png").stat().st_size > 0


def test_cross_component_rows_keep_names_with_separators(tmp_path):
    """A treatment named "D; E" stays one treatment in the combined tables."""
    import pandas as pd

    from bayesnma import io
    from bayesnma.workflow import collect_analysis
    from bayesnma.workflow.plan import Analysis

    comps = pd.DataFrame({"component": ["c1", "c2"], "trt_ref": ["1", "D; E"],
                          "treatments": [["1", "NA"], ["D; E", "=F"]]})
    io.write_table(comps, tmp_path / "components.csv")
    paths = {}
    for comp, (ref, trt) in zip(["c1", "c2"], comps["treatments"], strict=True):
        io.write_table(pd.DataFrame({"analysis": ["a"], "component": [comp], "treatment": [trt],
                                     "comparator": [ref], "scale": ["OR"], "median": [2.0]}),
                       tmp_path / comp / "relative_effects.csv")
        io.write_table(pd.DataFrame({"component": [comp] * 2, "treatment": [ref, trt],
                                     "sucra": [0.0, 1.0]}), tmp_path / comp / "ranks.csv")
        io.write_table(pd.DataFrame({"component": [comp], "parameter": ["d"], "r_hat": [1.0],
                                     "ess_bulk": [1000.0], "ess_tail": [1000.0],
                                     "converged": [True], "n_divergent": [0]}),
                       tmp_path / comp / "diagnostics.csv")
        paths.setdefault("relative_effects_in", []).append(tmp_path / comp /
                                                           "relative_effects.csv")
        paths.setdefault("ranks_in", []).append(tmp_path / comp / "ranks.csv")
        paths.setdefault("diagnostics_in", []).append(tmp_path / comp / "diagnostics.csv")
    collect_analysis(Analysis("a", {}, cfg=None, network=None),
                     components=tmp_path / "components.csv",
                     relative_effects=tmp_path / "eff.csv", ranks=tmp_path / "ranks.csv",
                     convergence=tmp_path / "conv.csv", **paths)
    eff = io.read_table(tmp_path / "eff.csv")
    assert set(eff["treatment"]) == {"1", "NA", "D; E", "=F"}
    assert len(eff[~eff["estimable"]]) == 8  # 2 x 2 treatments, both directions


def test_settings_key_follows_settings_and_code(monkeypatch):
    from bayesnma.workflow import keys as workflow

    a = {"data": "x.csv", "outcome": "ORR", "priors": {"het": 1}}
    relabelled = {**a, "outcome": "Objective response"}
    assert workflow.settings_key(a, model_only=True) == workflow.settings_key(
        relabelled, model_only=True)
    assert workflow.settings_key(a) != workflow.settings_key(relabelled)
    assert workflow.settings_key(a, model_only=True) != workflow.settings_key(
        {**a, "priors": {"het": 2}}, model_only=True)
    before = workflow.settings_key(a, model_only=True)
    monkeypatch.setattr(workflow, "code_version", lambda: "another version of the package")
    assert workflow.settings_key(a, model_only=True) != before
    assert len(before) == 16 and set(before) <= set("0123456789abcdef")


def test_only_single_arm_studies_stop_the_plan_with_the_reason(tmp_path):
    path = tmp_path / "arms.csv"
    path.write_text("study,treatment,events,total\ns1,B,0,1\ns2,B,3,10\n")
    spec = {"data": str(path), "allow_single_arm": True}
    with pytest.raises(DataValidationError, match=r"arms.csv: every study is single-arm "
                                                  r"\('s1', 's2'\): with independent baselines"):
        plan_analyses({"analyses": {"a": spec}})
    for bridge in ({}, {"disconnected": "bridge"}):
        with pytest.raises(NetworkError, match=r"arms.csv: no two treatments are compared in "
                                               r"any study \(treatments: B\)"):
            plan_analyses({"analyses": {"a": {**spec, "baseline": {"model": "exchangeable"},
                                              **bridge}}})


class _Job:
    """What Snakemake's ``script:`` directive hands a step."""

    def __init__(self, log):
        from snakemake.iocontainers import Namedlist

        self.log = [str(log)]
        self.config = {"analyses": {"a": {"data": "x.csv"}}}
        self.input, self.output, self.params = Namedlist(), Namedlist(), Namedlist()
        self.wildcards = Namedlist(fromdict={"analysis": "a"})


def test_a_step_writes_our_errors_in_one_line_and_bugs_with_their_traceback(tmp_path):
    from bayesnma.workflow import run_step

    def refuse(settings):
        raise DataValidationError("bad row", source="x.csv", row=3)

    def crash(settings):
        raise KeyError("nan")

    for step, expected in ((refuse, "x.csv, row 3: bad row"), (crash, "KeyError: 'nan'")):
        log = tmp_path / f"{step.__name__}.log"
        with pytest.raises(SystemExit):
            run_step(_Job(log), step)
        text = log.read_text()
        assert expected in text
        assert ("Traceback" in text) == (step is crash)


def test_stale_results_are_removed_per_component_and_the_settings_recorded(tmp_path):
    import xarray as xr

    from bayesnma.workflow import remove_stale_results, settings_key
    from bayesnma.workflow.keys import fit_stamp

    cfg = _cfg(tmp_path)
    plan = {"a": {"settings": cfg.settings, "data_files": [str(tmp_path / "arms.csv")],
                  "components": ["c1", "c2"],
                  "keys": {"all": settings_key(cfg.settings), "influence": "refits"}}}
    results = tmp_path / "results"
    current = fit_stamp(cfg.settings, plan["a"]["data_files"])
    for comp, stamp in (("c1", current), ("c2", "out-of-date")):
        folder = results / "a" / comp
        folder.mkdir(parents=True)
        xr.DataTree.from_dict({"posterior": xr.Dataset(attrs={"fit_stamp": stamp})}).to_netcdf(
            folder / "posterior.nc", engine="h5netcdf")
        (folder / "ranks.csv").write_text("x\n")
    (results / "a" / "report.html").write_text("old")
    remove_stale_results(plan, results)
    assert sorted(p.name for p in (results / "a" / "c1").iterdir()) == ["posterior.nc",
                                                                        "ranks.csv"]
    assert not list((results / "a" / "c2").iterdir())
    assert not (results / "a" / "report.html").exists()
    # another label: everything but the fits goes before the rerun starts
    (results / "a" / "c1" / "ranks.csv").write_text("x\n")
    remove_stale_results(plan, results)
    assert (results / "a" / "c1" / "ranks.csv").exists()  # the settings did not change
    (results / "a" / "influence.csv").write_text("x\n")
    xr.DataTree.from_dict({"posterior": xr.Dataset(attrs={"fit_stamp": current})}).to_netcdf(
        results / "a" / "c2" / "posterior.nc", engine="h5netcdf")  # c2 refitted
    relabelled = {"a": {**plan["a"], "keys": {"all": "another label", "influence": "refits"}}}
    remove_stale_results(relabelled, results)
    for comp in ("c1", "c2"):
        assert [p.name for p in (results / "a" / comp).iterdir()] == ["posterior.nc"]
    assert (results / "a" / "settings_stamp.txt").read_text() == "another label\nrefits"
    assert (results / "a" / "influence.csv").exists()  # a label changes no refit
    redirected = {"a": {**plan["a"], "keys": {"all": "direction", "influence": "other"}}}
    remove_stale_results(redirected, results)
    assert not (results / "a" / "influence.csv").exists()


def test_a_study_listed_as_excluded_must_not_be_in_the_data(tmp_path):
    with pytest.raises(ConfigError, match=r"analyses.a.excluded lists 's2', but it is in the "
                                          r"data \(.*arms.csv\)"):
        load_network(_cfg(tmp_path, excluded={"s2": "no arm sizes", "s9": "no CI"},
                          allow_single_arm=True))
    cfg = _cfg(tmp_path, excluded={"s9": "medians without CI"}, allow_single_arm=True)
    assert cfg.excluded == {"s9": "medians without CI"}
    load_network(cfg)


def test_leave_out_drops_studies_with_the_reason(tmp_path):
    cfg = _cfg(tmp_path, leave_out={"s2": "its criterion differs"}, allow_single_arm=True,
               baseline={"model": "exchangeable"})
    network = load_network(cfg)
    assert network.studies == ["s1", "s3", "s4"]
    assert "study 's2' left out of this analysis: its criterion differs" in network.notes


def test_a_study_left_out_must_be_in_the_data(tmp_path):
    with pytest.raises(ConfigError, match=r"analyses.a.leave_out lists 's9', but it is not in "
                                          r"the data \(.*arms.csv\); studies in the data: s1"):
        load_network(_cfg(tmp_path, leave_out={"s9": "why"}, allow_single_arm=True))


def test_the_question_names_treatments_of_the_main_analyses(tmp_path):
    path = tmp_path / "arms.csv"
    path.write_text(DATA)
    config = {"question": {"treatments": ["B", "Z"]},
              "analyses": {"a": {"data": str(path), "allow_single_arm": True}}}
    with pytest.raises(ConfigError, match=r"question.treatments: 'Z' not a treatment of any "
                                          r"main analysis \(treatments: A, B, C"):
        plan_analyses(config)
    config["question"]["treatments"] = ["B", "A"]
    assert list(plan_analyses(config)) == ["a"]


def test_the_conda_environment_learns_where_the_clone_is(tmp_path, monkeypatch):
    from pathlib import Path

    from bayesnma.workflow import name_clone_for_conda

    repo = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("BAYESNMA_CLONE", "x")
    for basedir in (repo, repo / "workflow"):  # top-level Snakefile, workflow/Snakefile
        name_clone_for_conda(basedir)
        assert os.environ["BAYESNMA_CLONE"] == str(repo)
    name_clone_for_conda(tmp_path)  # an installed package: no clone
    assert os.environ["BAYESNMA_CLONE"] == ""


LOOP = """study,treatment,events,total
s1,A,5,50
s1,B,9,50
s2,B,8,40
s2,C,12,40
s3,A,6,45
s3,C,14,45
s4,C,9,30
s4,D,11,30
"""


CHAIN = LOOP.replace("s3,A,6,45\ns3,C,14,45\n", "")


@pytest.mark.parametrize(("data", "consistency", "expected"), [
    (LOOP, "auto", ["ume", "ns1", "ns2", "ns3"]),
    (CHAIN, "auto", []),  # no closed loop: nothing to check, no fit
    (LOOP, ["consistency"], []),
    (CHAIN, ["consistency", "ume"], ["ume"]),  # asked for: fitted even without a loop
], ids=["loop-auto", "chain-auto", "loop-off", "chain-ume"])
def test_checks_are_fitted_by_default_where_a_component_has_a_loop(tmp_path, data,
                                                                   consistency, expected):
    path = tmp_path / "arms.csv"
    path.write_text(data)
    settings = validate_config({"analyses": {"a": {"data": str(path),
                                                   "consistency": consistency}}})["a"]
    cfg = analysis_config("a", settings)
    network = load_network(cfg)
    comp = analysis_components(cfg, network)[0]
    assert list(analysis_variants(cfg, network, comp)) == expected


def test_the_answer_provenance_follows_the_data_and_the_question(tmp_path, monkeypatch):
    from bayesnma.workflow import keys, reports
    from bayesnma.workflow.reports import _provenance

    path = tmp_path / "arms.csv"
    path.write_text(DATA)
    settings = validate_config({"analyses": {"a": {"data": str(path)}}})
    first = _provenance(settings, {})
    assert first.startswith("bayesnma ") and "inputs (config and data) " in first
    assert _provenance(settings, {}) == first
    assert _provenance(settings, {"treatments": ["A"]}) != first
    for module in (reports, keys):
        monkeypatch.setattr(module, "code_version", lambda: "another version of the code")
    recoded = _provenance(settings, {})  # the inputs' hash is the inputs' only
    assert recoded != first and recoded.split("inputs")[1] == first.split("inputs")[1]
    path.write_text(DATA.replace("s3,C,20,60", "s3,C,21,60"))
    assert _provenance(settings, {}) != first


def test_the_network_figure_draws_one_class_bridge_per_pair_of_parts(tmp_path):
    from bayesnma.network import connected_components
    from bayesnma.workflow.steps import _class_bridges

    path = tmp_path / "arms.csv"
    path.write_text("study,treatment,events,total\ns1,A,5,50\ns1,B,9,50\n"
                    "s2,C,8,40\ns2,D,12,40\ns3,E,4,30\ns3,F,6,30\n")
    classes = {"classes": {"A": "ctl", "B": "drug", "C": "drug", "D": "ctl", "E": "drug",
                           "F": "other"}}
    settings = validate_config({"analyses": {"a": {"data": str(path), "disconnected": "bridge",
                                                   "class_effects": classes}}})["a"]
    cfg = analysis_config("a", settings)
    network = load_network(cfg)
    parts = connected_components(network)
    assert sorted(_class_bridges(cfg, network, parts)) == [("A", "D"), ("B", "C"), ("C", "E")]
    split = analysis_config("a", {**settings, "disconnected": "split"})
    assert _class_bridges(split, network, parts) == []


def test_one_class_has_nothing_to_compare_or_rank():
    from bayesnma.effects import treatment_effects
    from bayesnma.testing import synthetic_idata
    from bayesnma.workflow.steps import _compare_draws

    idata = synthetic_idata({"B": 0.5})
    one = treatment_effects(idata).isel(treatment=[0]).rename(treatment="class")
    effects, ranks = _compare_draws(idata, False, {"": one})
    assert effects.empty and ranks.empty


def test_the_run_summary_treats_an_effect_set_by_the_prior_as_placed_by_it(tmp_path):
    from bayesnma import io
    from bayesnma.report import PRIOR_SET_PLACEMENT
    from bayesnma.workflow.reports import _prior_set_placement

    assert _prior_set_placement(tmp_path) == {}  # no table: nothing flagged
    io.write_table(pd.DataFrame({"treatment": ["B", "C"], "prior_set": [True, False]}),
                   tmp_path / "prior_sensitivity.csv")
    assert _prior_set_placement(tmp_path) == {"B": PRIOR_SET_PLACEMENT}


def _batch_plan(**sensitivity):
    plan = {}
    for main, scenarios in sensitivity.items():
        plan[main] = {"settings": {}, "sensitivity": [f"{main}--{s}" for s in scenarios]}
        for s in scenarios:
            plan[f"{main}--{s}"] = {"settings": {"sensitivity_of": main}, "sensitivity": []}
    return plan


def test_scenario_batches_chunk_each_main_analysis_in_config_order():
    plan = _batch_plan(orr=["a", "b", "c", "d", "e"], dcr=[], pfs=["x"])
    assert scenario_batches(plan, 2) == {"orr_1": ["orr--a", "orr--b"],
                                         "orr_2": ["orr--c", "orr--d"], "orr_3": ["orr--e"],
                                         "pfs_1": ["pfs--x"]}
    # a few scenarios make two batches, to run side by side
    assert scenario_batches(_batch_plan(orr=["a", "b", "c"]), 4) == {
        "orr_1": ["orr--a", "orr--b"], "orr_2": ["orr--c"]}


def test_a_step_whose_first_parameter_is_analysis_gets_it_read_and_validated(tmp_path):
    from bayesnma.workflow import run_step
    from bayesnma.workflow.plan import Analysis

    (tmp_path / "arms.csv").write_text(DATA.replace("s3,C,20,60\ns4,H,7,20\n", ""))
    job = _Job(tmp_path / "step.log")
    job.config = {"analyses": {"a": {"data": str(tmp_path / "arms.csv")}}}
    got = []

    def step(analysis, *, threads=None):
        got.append(analysis)

    job.threads = 1
    run_step(job, step)
    (analysis,) = got
    assert isinstance(analysis, Analysis) and analysis.name == "a"
    assert [c.label for c in analysis.components] == ["c1"]
    assert analysis.model("c1") is analysis.model("c1")  # built once
