"""bayesnma.workflow.run: one analysis in one process, fits reused by content, nothing left
that looks current after a failure (no sampling; end-to-end runs are in tests/workflow/)."""

import inspect
import json

import pytest
import xarray as xr

from bayesnma.config import validate_config
from bayesnma.workflow import run_analysis, steps
from bayesnma.workflow.keys import fit_stamp
from bayesnma.workflow.layout import ANALYSIS_FILES, NETWORK_FILES, component_files
from bayesnma.workflow.plan import Analysis, ConvergenceFailure
from bayesnma.workflow.run import _clear

DATA = "study,treatment,events,total\ns1,A,5,50\ns1,B,9,50\ns2,B,8,40\ns2,C,12,40\n"


def _settings(tmp_path, **spec):
    path = tmp_path / "arms.csv"
    path.write_text(DATA)
    return validate_config({"analyses": {"a": {"data": str(path), **spec}}})["a"]


def _posterior(folder, **attrs):
    folder.mkdir(parents=True, exist_ok=True)
    xr.DataTree.from_dict({"posterior": xr.Dataset(attrs=attrs)}).to_netcdf(
        folder / "posterior.nc", engine="h5netcdf")
    (folder / "diagnostics.csv").write_text("x\n")


@pytest.fixture
def no_sampling(monkeypatch):
    """``fit`` raising instead of sampling: a call means the fit was not reused."""
    import bayesnma.pymc_backend

    class Sampled(Exception):
        pass

    def fit(*args, **kwargs):
        raise Sampled

    monkeypatch.setattr(bayesnma.pymc_backend, "fit", fit)
    return Sampled


def test_a_fit_made_from_the_same_model_data_and_settings_is_reused(tmp_path, no_sampling):
    settings = _settings(tmp_path)
    stamp = fit_stamp(settings, [str(tmp_path / "arms.csv")])
    folder = tmp_path / "results" / "a" / "c1"
    _posterior(folder, fit_stamp=stamp, variant="consistency", converged=1,
               convergence_problems="", remedies="", attempts=json.dumps([{}]))
    steps.fit_component(Analysis.load(settings, "a"), "c1", posterior=folder / "posterior.nc",
                        diagnostics=folder / "diagnostics.csv")  # no sampling
    with pytest.raises(no_sampling):  # another variant's file at this path: refitted
        steps.fit_component(Analysis.load(settings, "a"), "c1", variant="ume",
                            posterior=folder / "posterior.nc",
                            diagnostics=folder / "diagnostics.csv")
    changed = _settings(tmp_path, priors={"het": {"half_normal": {"scale": 2}}})
    with pytest.raises(no_sampling):  # another prior: refitted
        steps.fit_component(Analysis.load(changed, "a"), "c1", posterior=folder / "posterior.nc",
                            diagnostics=folder / "diagnostics.csv")
    relabelled = _settings(tmp_path, outcome="Another label", lower_better=True)
    steps.fit_component(Analysis.load(relabelled, "a"), "c1", posterior=folder / "posterior.nc",
                        diagnostics=folder / "diagnostics.csv")  # labels change no fit


def test_a_reused_fit_that_did_not_converge_still_stops_a_run_that_asks_it_to(tmp_path,
                                                                               no_sampling):
    settings = _settings(tmp_path, convergence={"on_failure": "error"})
    folder = tmp_path / "results" / "a" / "c1"
    _posterior(folder, fit_stamp=fit_stamp(settings, [str(tmp_path / "arms.csv")]),
               variant="consistency", converged=0, convergence_problems="R-hat 1.2 (d[B])",
               remedies="Try more draws.", attempts=json.dumps([{}, {}, {}]))
    with pytest.raises(ConvergenceFailure, match=r"a/c1 \(consistency\) did not converge in "
                       r"3 attempt\(s\): R-hat 1.2 \(d\[B\]\). Try more draws. Or set"):
        steps.fit_component(Analysis.load(settings, "a"), "c1", posterior=folder / "posterior.nc",
                            diagnostics=folder / "diagnostics.csv")


def test_clearing_an_analysis_keeps_its_fits_and_what_other_jobs_make(tmp_path):
    folder = tmp_path / "a"
    _posterior(folder / "c1")
    (folder / "c1" / "variants" / "ns1").mkdir(parents=True)
    (folder / "c1" / "consistency").mkdir()
    (folder / "network").mkdir()
    for name in ("c1/ranks.csv", "c1/forest.png", "network/studies.csv", "ranks.csv",
                 "convergence.csv", "report.html", "influence.csv", "sensitivity.csv"):
        (folder / name).write_text("x")
    _clear(folder, ["c1"])
    assert sorted(p.name for p in (folder / "c1").iterdir()) == ["diagnostics.csv",
                                                                 "posterior.nc", "variants"]
    assert sorted(p.name for p in folder.iterdir()) == ["c1", "influence.csv", "report.html",
                                                        "sensitivity.csv"]


def test_a_failed_analysis_leaves_nothing_but_its_fits(tmp_path, no_sampling):
    settings = _settings(tmp_path)
    results = tmp_path / "results"
    (results / "a" / "c1").mkdir(parents=True)
    (results / "a" / "c1" / "ranks.csv").write_text("from an earlier run")
    with pytest.raises(no_sampling):
        run_analysis(Analysis.load(settings, "a"), results=results)
    assert not (results / "a" / "network").exists()  # written, then removed
    assert not list((results / "a" / "c1").iterdir())


def test_the_files_run_analysis_names_are_those_the_steps_take():
    files = {**component_files("c1", ["ns1"]), **ANALYSIS_FILES}
    for step in (steps.summarise_component, steps.rate_certainty, steps.plot_component,
                 steps.check_consistency, steps.write_network):
        wanted = [name for name, p in inspect.signature(step).parameters.items()
                  if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
        assert set(wanted) - {"outdir"} <= set(files), step.__name__
    assert set(NETWORK_FILES) <= set(ANALYSIS_FILES)
