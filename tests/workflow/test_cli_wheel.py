"""A newcomer's first run, from the built wheel alone, outside the clone: ``bayesnma init``
(a 4-treatment network with loops and a 3-arm trial), ``validate``, then ``run`` with every
default: the fits converge, consistency is checked, and the run ends by saying what it
found. A config that cannot converge exits non-zero with the reason."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bayesnma import io

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_bayesnma(tmp_path_factory):
    """``bayesnma(*args, cwd=...)`` running the command installed from the built wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp / "dist"), str(REPO)],
                   check=True, capture_output=True, cwd=tmp)
    wheel = next((tmp / "dist").glob("bayesnma-*.whl"))
    site = tmp / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}

    def bayesnma(*args, cwd=tmp):
        return subprocess.run([sys.executable, "-m", "bayesnma", *map(str, args)],
                              capture_output=True, text=True, env=env, cwd=cwd, timeout=900)

    where = subprocess.run([sys.executable, "-c", "import bayesnma.cli as c; "
                            "print(c.snakefile())"], capture_output=True, text=True, env=env,
                           cwd=tmp, check=True).stdout
    assert where.startswith(str(site)), where  # the wheel's workflow, not the clone's
    return bayesnma


@pytest.fixture(scope="module")
def first_run(wheel_bayesnma, tmp_path_factory):
    proj = tmp_path_factory.mktemp("first_run")
    assert wheel_bayesnma("init", proj).returncode == 0
    validate = wheel_bayesnma("validate", "config/config.yaml", cwd=proj)
    assert validate.returncode == 0, validate.stderr
    return proj, wheel_bayesnma("run", "config/config.yaml", "--cores", "2", cwd=proj)


def test_the_defaults_converge_and_the_run_ends_with_what_it_found(first_run, wheel_bayesnma):
    proj, run = first_run
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()[-5:]
    assert lines[0] == "example (Response rate): converged"
    # C's rank interval spans half the ranks or more: the headline names no best.
    assert re.fullmatch(r"  No treatment is clearly the best: C ranks first \(SUCRA 0\.\d+; "
                        r"probability of being best 0\.\d+\) but its 95% rank interval "
                        r"\(1-\d\) spans half the ranks or more\.", lines[1]), lines[1]
    assert re.fullmatch(r"    consistency: no evidence of inconsistency \(smallest p = "
                        r"0\.\d+, 3 splits\)", lines[2]), lines[2]
    assert lines[3:] == ["  report: results/example/report.html",
                         "answer: results/answer.html"]
    # Snakemake's job listings went to its log, not to the terminal.
    assert "output:" not in run.stderr and "wildcards:" not in run.stderr
    assert "steps (100%) done" in run.stderr
    log = next((proj / ".snakemake" / "log").glob("*.snakemake.log")).read_text()
    assert "rule run_analysis:" in log and "output: results/example/network/" in log
    ranks = pd.read_csv(proj / "results" / "example" / "ranks.csv")
    assert sorted(ranks["treatment"]) == ["A", "B", "C", "D"]
    again = wheel_bayesnma("run", "config/config.yaml", "--dry-run", cwd=proj)
    assert again.returncode == 0 and "Nothing to be done" in again.stderr + again.stdout


def test_a_network_with_loops_gets_every_check_by_default_and_every_fit_converges(first_run):
    proj, _ = first_run
    checks = proj / "results" / "example" / "c1" / "consistency"
    comparison = pd.read_csv(checks / "model_comparison.csv")
    assert comparison["model"].tolist() == ["consistency", "ume", "ns1", "ns2", "ns3"]
    assert comparison["converged"].all()
    posteriors = [proj / "results/example/c1/posterior.nc",
                  *sorted((proj / "results/example/c1/variants").glob("*/posterior.nc"))]
    assert len(posteriors) == 5
    for path in posteriors:
        attempts = json.loads(io.read_posterior_attrs(path)["attempts"])
        assert attempts[-1]["problems"] == [], (path, attempts)  # the last one converged
    html = (proj / "results" / "example" / "report.html").read_text()
    assert "Not converged" not in html and "<b>Converged:</b>" in html


def test_a_config_that_cannot_converge_exits_3_and_says_why(wheel_bayesnma, tmp_path):
    assert wheel_bayesnma("init", tmp_path).returncode == 0
    config = tmp_path / "config" / "config.yaml"
    config.write_text(config.read_text() + "    consistency: [consistency]\n"
                      "    sampler: {chains: 2, draws: 20, tune: 20}\n")
    run = wheel_bayesnma("run", "config/config.yaml", "--cores", "2", cwd=tmp_path)
    assert run.returncode == 3, run.stderr[-3000:]
    assert "bayesnma: example did not converge" in run.stderr
    assert "convergence.on_failure: warn" in run.stderr
    assert "example (Response rate): NOT CONVERGED" in run.stdout
    attempts = json.loads(io.read_posterior_attrs(
        tmp_path / "results/example/c1/posterior.nc")["attempts"])
    assert [a["target_accept"] for a in attempts] == [0.9, 0.99, 0.999]  # 2 retries
    report = (tmp_path / "results" / "example" / "report.html").read_text()
    assert "What to try:" in report and "more draws (sampler.draws)" in report
    answer = (tmp_path / "results" / "answer.html").read_text()
    assert "the best (probability" not in answer and "Not converged" in answer
