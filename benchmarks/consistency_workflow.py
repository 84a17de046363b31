"""Wall time of a consistency check through Snakemake: thrombolytics, fixed effect,
consistency + UME + every node-split (14), each its own job.

Usage (from the repository root)::

    python benchmarks/consistency_workflow.py [--cores 2] [--cold]

Writes the data and config to a temporary folder, runs ``snakemake --cores N`` there and
prints a Markdown table: total wall time, number of fits, and the compile and sampling
seconds summed over the fits (from each posterior's attributes). ``--cold`` points the
pytensor compile cache at an empty folder. No assertion is made on the times.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CONFIG = """
defaults:
  trt_effects: fixed
  priors:
    intercept: {{normal: {{mean: 0, sd: 100}}}}
    trt: {{normal: {{mean: 0, sd: 100}}}}
  sampler: {{chains: 4, draws: 1000, tune: 1000, random_seed: 1}}
analyses:
  thrombolytics:
    data: {data}
    outcome: Death at 30-35 days
    lower_better: true
    trt_ref: SK
    trt_order: {order}
    consistency: [consistency, ume, nodesplit]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="empty pytensor compile cache")
    args = parser.parse_args()

    from bayesnma import io
    from bayesnma.datasets import load_dataset

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        df = load_dataset("thrombolytics")
        df.rename(columns={"trt_name": "treatment", "r": "events", "n": "total"})[
            ["study", "treatment", "events", "total"]].to_csv(tmp / "thrombolytics.csv",
                                                              index=False)
        order = list(df.sort_values("trt")["trt_name"].drop_duplicates())[1:]
        (tmp / "config.yaml").write_text(CONFIG.format(data=tmp / "thrombolytics.csv",
                                                       order=order))
        env = dict(os.environ)
        if args.cold:
            env["PYTENSOR_FLAGS"] = f"base_compiledir={tmp / 'pytensor'}"
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory",
             str(tmp), "--configfile", str(tmp / "config.yaml"), "--cores", str(args.cores),
             "results/thrombolytics/report.html"],
            capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        if result.returncode:
            sys.exit(result.stderr[-3000:])
        posteriors = sorted(tmp.glob("results/thrombolytics/c1/**/posterior.nc"))
        attrs = [io.read_posterior_attrs(p) for p in posteriors]
        compile_s = sum(a["compile_time"] for a in attrs)
        sampling_s = sum(a["sampling_time"] for a in attrs)
        verdict = io.read_table(tmp / "results/thrombolytics/c1/consistency/verdict.csv")
    print("| cores | cache | wall s | fits | compile s (sum) | sampling s (sum) | verdict |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.cores} | {'cold' if args.cold else 'warm'} | {wall:.0f} | {len(attrs)} | "
          f"{compile_s:.0f} | {sampling_s:.0f} | {verdict['verdict'].iat[0]} |")


if __name__ == "__main__":
    main()
