"""bayesnma.workflow's batches of sensitivity analyses: planning, order and reuse of steps
(no sampling; end-to-end runs are in tests/workflow/)."""

import logging
from types import SimpleNamespace

import pytest

from bayesnma.workflow import run_batch, scenario_batches
from bayesnma.workflow.adapter import order_jobs


def _plan(**sensitivity):
    plan = {}
    for main, scenarios in sensitivity.items():
        plan[main] = {"settings": {}, "sensitivity": [f"{main}--{s}" for s in scenarios]}
        for s in scenarios:
            plan[f"{main}--{s}"] = {"settings": {"sensitivity_of": main}, "sensitivity": []}
    return plan


def test_scenario_batches_chunk_each_main_analysis_in_config_order():
    plan = _plan(orr=["a", "b", "c", "d", "e"], dcr=[], pfs=["x"])
    assert scenario_batches(plan, 2) == {"orr_1": ["orr--a", "orr--b"],
                                         "orr_2": ["orr--c", "orr--d"], "orr_3": ["orr--e"],
                                         "pfs_1": ["pfs--x"]}
    # a few scenarios make two batches, to run side by side
    assert scenario_batches(_plan(orr=["a", "b", "c"]), 4) == {
        "orr_1": ["orr--a", "orr--b"], "orr_2": ["orr--c"]}


def _job(rule, inputs=(), outputs=(), params=None):
    return {"rule": rule, "script": "step.py", "wildcards": {"analysis": "s--one"},
            "input": {"files": list(inputs)}, "output": {"files": list(outputs)},
            "params": params or {}, "log": [f"logs/{rule}.log"]}


def test_order_jobs_puts_every_maker_before_its_users_and_rejects_cycles():
    jobs = [_job("report", ["fit.nc", "net.csv"], ["report.html"]),
            _job("fit", ["data.csv"], ["fit.nc"]), _job("network", ["data.csv"], ["net.csv"])]
    assert [j["rule"] for j in order_jobs(jobs)] == ["fit", "network", "report"]
    with pytest.raises(ValueError, match="depend on each other"):
        order_jobs([_job("a", ["b.csv"], ["a.csv"]), _job("b", ["a.csv"], ["b.csv"])])


# Each step appends its rule to runs.txt and writes its input's text plus its params.
STEP = """
from pathlib import Path
with Path("runs.txt").open("a") as runs:
    runs.write(snakemake.rule + "\\n")
text = "".join(Path(f).read_text() for f in snakemake.input.files)
for out in snakemake.output.files:
    Path(out).write_text(text + str(dict(snakemake.params.items())))
Path(snakemake.log[0]).parent.mkdir(exist_ok=True)
Path(snakemake.log[0]).write_text("ran")
"""


def _run(tmp_path, jobs):
    snakemake = SimpleNamespace(params=SimpleNamespace(jobs=jobs), log=[str(tmp_path / "b.log")],
                                scriptdir=str(tmp_path), threads=1, resources={}, config={})
    run_batch(snakemake)
    for handler in logging.getLogger("bayesnma.batch").handlers:
        handler.close()
    runs = (tmp_path / "runs.txt").read_text().split()
    (tmp_path / "runs.txt").unlink()
    return runs


def test_a_batch_reruns_only_the_steps_whose_params_or_inputs_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "step.py").write_text(STEP)
    (tmp_path / "data.csv").write_text("data\n")

    def jobs(label="Response", data_param=1):
        return [_job("fit", ["data.csv"], ["fit.nc"], {"key": data_param}),
                _job("summary", ["fit.nc"], ["summary.csv"], {"key": label})]

    assert _run(tmp_path, jobs()) == ["fit", "summary"]
    # Snakemake removes a job's outputs and logs before it runs it.
    for name in ("fit.nc", "summary.csv", "logs/fit.log", "logs/summary.log"):
        (tmp_path / name).unlink()
    assert _run(tmp_path, jobs(label="Response rate")) == ["summary"]
    assert (tmp_path / "fit.nc").read_text() == "data\n{'key': 1}"
    assert (tmp_path / "logs" / "fit.log").read_text() == "ran"
    assert (tmp_path / "summary.csv").read_text().endswith("{'key': 'Response rate'}")
    # A kept step with an output missing from the store is run again.
    store = tmp_path / ".bayesnma" / "steps" / "s--one"
    for kept in store.glob("*/outputs/summary.csv"):
        kept.unlink()
    assert _run(tmp_path, jobs(label="Response rate")) == ["summary"]
    (tmp_path / "data.csv").write_text("new data\n")
    assert _run(tmp_path, jobs(label="Response rate")) == ["fit", "summary"]
    assert "outputs reused" not in (tmp_path / "b.log").read_text()
    # Only the last run's steps are kept.
    assert len(list((tmp_path / ".bayesnma" / "steps" / "s--one").iterdir())) == 2
