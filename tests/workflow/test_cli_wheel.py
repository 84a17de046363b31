"""The built wheel alone runs an analysis, outside the clone, with the ``bayesnma``
command (workflow, templates and example shipped inside the package)."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]

FAST = """
defaults:
  sampler: {chains: 2, draws: 200, tune: 200, random_seed: 3}
  convergence: {min_ess_bulk: 50, min_ess_tail: 50, on_failure: flag}
  consistency: [consistency]
"""


def test_the_wheel_runs_an_analysis_outside_the_clone(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path / "dist"), str(REPO)],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("bayesnma-*.whl"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}

    def bayesnma(*args):
        return subprocess.run([sys.executable, "-m", "bayesnma", *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=900)

    where = subprocess.run([sys.executable, "-c", "import bayesnma.cli as c; "
                            "print(c.snakefile())"], capture_output=True, text=True, env=env,
                           cwd=tmp_path, check=True).stdout
    assert where.startswith(str(site)), where  # the wheel's workflow, not the clone's
    assert bayesnma("--help").returncode == 0
    proj = tmp_path / "proj"
    assert bayesnma("init", str(proj)).returncode == 0
    (proj / "fast.yaml").write_text(FAST)
    run = bayesnma("run", "config/config.yaml", "fast.yaml", "--cores", "2", "-d", str(proj))
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = pd.read_csv(proj / "results" / "example" / "ranks.csv")
    assert sorted(ranks["treatment"]) == ["A", "B", "C", "D"]
    assert (proj / "results" / "example" / "report.html").stat().st_size > 0
    again = bayesnma("run", "config/config.yaml", "fast.yaml", "-d", str(proj), "--dry-run")
    assert again.returncode == 0 and "Nothing to be done" in again.stderr + again.stdout
