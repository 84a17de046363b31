"""A reviewer's sensitivity grid: 24 fits of the smoking network through Snakemake.

Usage (from the repository root)::

    python benchmarks/sensitivity_grid.py            # 3 runs, --cores 2
    python benchmarks/sensitivity_grid.py --runs 1 --cores 4

One analysis of the NICE TSD2 smoking-cessation network (random effects, TSD2 priors,
seed 1) with 23 sensitivity scenarios: fixed and random effects x three prior sets (TSD2
vague; Normal(0, 10) with HalfNormal(1); Normal(0, 10) with HalfNormal(0.5)) x four seeds.
Each run starts from an empty results folder in a temporary directory (the compile cache
is whatever the machine has) and runs ``snakemake --cores N`` to the report and the
robustness table; then a no-op rerun (nothing changed) is timed. Prints a Markdown table;
no assertion is made on the times.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

PRIORS = {
    "tsd": {"intercept": {"normal": {"mean": 0, "sd": 100}},
            "trt": {"normal": {"mean": 0, "sd": 100}},
            "het": {"uniform": {"lower": 0, "upper": 5}}},
    "hn1": {"intercept": {"normal": {"mean": 0, "sd": 10}},
            "trt": {"normal": {"mean": 0, "sd": 10}},
            "het": {"half_normal": {"scale": 1}}},
    "hn05": {"intercept": {"normal": {"mean": 0, "sd": 10}},
             "trt": {"normal": {"mean": 0, "sd": 10}},
             "het": {"half_normal": {"scale": 0.5}}},
}
SEEDS = (1, 2, 3, 4)


def grid_config(data: Path) -> dict:
    """The 24-fit config: the first cell is the primary analysis, the rest scenarios."""
    cells = list(itertools.product(("random", "fixed"), PRIORS, SEEDS))
    effects, priors, seed = cells[0]
    scenarios = {
        f"{e}_{p}_seed{s}": {"description": f"{e} effects, {p} priors, seed {s}",
                             "trt_effects": e, "priors": PRIORS[p],
                             "sampler": {"random_seed": s}}
        for e, p, s in cells[1:]
    }
    return {
        "defaults": {
            "sampler": {"backend": "nutpie", "chains": 4, "draws": 1000, "tune": 1000,
                        "random_seed": seed, "target_accept": 0.9},
            "convergence": {"min_ess_bulk": 400, "min_ess_tail": 400, "on_failure": "flag"},
        },
        "analyses": {
            "smoking": {"data": str(data), "outcome": "Smoking cessation",
                        "trt_ref": "No contact", "trt_effects": effects,
                        "priors": PRIORS[priors], "sensitivity": scenarios},
        },
    }


def _snakemake(workdir: Path, config: Path, cores: int) -> float:
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory",
           str(workdir), "--configfile", str(config), "--cores", str(cores), "--quiet", "all"]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    from bayesnma.datasets import load_dataset

    full, noop = [], []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "smoking.csv"
        load_dataset("smoking").rename(
            columns={"trt_name": "treatment", "r": "events", "n": "total"})[
            ["study", "treatment", "events", "total"]].to_csv(data, index=False)
        config = tmp / "grid.yaml"
        config.write_text(yaml.safe_dump(grid_config(data), sort_keys=False))
        for run in range(args.runs):
            workdir = tmp / f"run{run}"
            workdir.mkdir()
            full.append(_snakemake(workdir, config, args.cores))
            noop.append(_snakemake(workdir, config, args.cores))
            print(f"run {run + 1}: grid {full[-1]:.1f} s, no-op rerun {noop[-1]:.1f} s",
                  file=sys.stderr, flush=True)
    print(f"| step (`--cores {args.cores}`) | runs | min s | median s |")
    print("|---|---|---|---|")
    for name, times in (("24-fit grid, empty results", full), ("no-op rerun", noop)):
        print(f"| {name} | {len(times)} | {min(times):.1f} | {statistics.median(times):.1f} |")


if __name__ == "__main__":
    main()
