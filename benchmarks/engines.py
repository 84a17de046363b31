"""bayesnma vs JAGS (the engine behind gemtc): wall time to a converged answer.

Usage (from the repository root)::

    python benchmarks/engines.py                       # every network, 3 interleaved repeats
    python benchmarks/engines.py --networks smoking sim300 --repeats 5
    python benchmarks/engines.py --cold                # also one bayesnma run, empty caches

Each run is a fresh process, timed from its start until its summaries are written:
bayesnma through its public API (read the CSV, fit, write the relative effects and the
posterior), JAGS through ``Rscript benchmarks/jags_nma.R`` (TSD2 programme 1(c), the model
gemtc fits; compile, sample, write draws and summaries). The engines alternate within each
repeat, first one then the other, the order swapped every repeat. After the timing, the
draws of each run are checked: "converged" = min bulk ESS >= 1000 over ``d`` and ``tau``
(JAGS ``sd``) and R-hat <= 1.01. Prints a Markdown table (min and median wall time, the
ratio of medians, peak memory); no assertion is made on the times. Without ``Rscript`` or
rjags (``apt-get install r-base-core jags r-cran-rjags``) the JAGS rows are skipped with a
message.

With ``--refits N``, one more bayesnma process fits the network once and then N more times
with other seeds; its row times each of those refits (from reading the CSV to the summaries
written), the cost of one more fit in a running session (a notebook, a batch of
sensitivity analyses), not a whole process.

Networks: NICE TSD2 smoking cessation (random effects) and thrombolytics (random effects;
hard posterior, sd weakly identified), and simulated connected networks of 300 and 1000
studies over 20 treatments (:func:`bayesnma.testing.simulate_binary_network`, seed 1).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# network -> effects model, reference, bayesnma sampler settings, JAGS (burn-in, iter, thin)
NETWORKS = {
    "smoking": {"effects": "random", "ref": "No contact",
                "bayesnma": {"draws": 2500, "tune": 1000, "target_accept": 0.9},
                "jags": (1000, 5000, 1)},
    "thrombolytics": {"effects": "random", "ref": "SK",
                      "bayesnma": {"draws": 5000, "tune": 1000, "target_accept": 0.99},
                      "jags": (10000, 160000, 10)},
    "sim300": {"effects": "random", "ref": "T01",
               "bayesnma": {"draws": 2500, "tune": 1000, "target_accept": 0.9},
               "jags": (2000, 10000, 1)},
    "sim1000": {"effects": "random", "ref": "T01",
                "bayesnma": {"draws": 2500, "tune": 1000, "target_accept": 0.9},
                "jags": (2000, 10000, 1)},
}


def write_network(name: str, path: Path) -> None:
    """Write a network as ``study, treatment, events, total``."""
    if name.startswith("sim"):
        from bayesnma.testing import simulate_binary_network

        frame = simulate_binary_network(int(name[3:]), seed=1)
    else:
        from bayesnma.datasets import load_dataset

        frame = load_dataset(name).rename(
            columns={"trt_name": "treatment", "r": "events", "n": "total"})
    frame[["study", "treatment", "events", "total"]].to_csv(path, index=False)


def fit_bayesnma(data: str, ref: str, effects: str, seed: int, out: str, settings: str) -> None:
    """One bayesnma fit, as a user would run it (runs in the child process)."""
    import bayesnma as nma
    from bayesnma import io

    network = nma.read_data(data, format="binary")
    model = nma.NMAModel(network, trt_effects=effects, trt_ref=ref, priors=nma.Priors.tsd())
    idata = nma.fit(model, nma.SamplerSettings(random_seed=seed, **json.loads(settings)))
    io.write_table(nma.relative_effects(idata, lower_better=False), f"{out}/relative_effects.csv")
    io.write_idata(idata, f"{out}/posterior.nc")


def refit_bayesnma(data: str, ref: str, effects: str, seeds: int, out: str,
                   settings: str) -> None:
    """Fit once, then refit with ``seeds`` other seeds in the same process, timing each
    refit from reading the CSV to its summaries written; print the times as JSON (runs in
    the child process)."""
    times = []
    for seed in range(seeds + 1):
        start = time.perf_counter()
        fit_bayesnma(data, ref, effects, 101 + seed, f"{out}/{seed}", settings)
        times.append(time.perf_counter() - start)
    print(json.dumps(times[1:]))


def _run(cmd: list[str], env=None) -> tuple[float, float]:
    """Run a process; return its wall time (s) and peak resident memory (MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def _converged(draws: dict) -> tuple[float, float]:
    """Min bulk ESS and max R-hat over the arrays (chain, draw) of ``draws``."""
    import arviz_stats
    import numpy as np

    ess = min(float(arviz_stats.ess(np.asarray(v), method="bulk")) for v in draws.values())
    rhat = max(float(arviz_stats.rhat(np.asarray(v))) for v in draws.values())
    return ess, rhat


def _bayesnma_draws(out: Path) -> dict:
    from bayesnma import io

    post = io.read_idata(out / "posterior.nc").posterior
    draws = {f"d[{t}]": post["d"].sel(treatment=t).values for t in post["d"].treatment.values}
    if "tau" in post:
        draws["tau"] = post["tau"].values
    return draws


def _jags_draws(csv: Path) -> dict:
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(csv)
    chains = sorted(frame["chain"].unique())
    return {c: np.stack([frame.loc[frame["chain"] == k, c].to_numpy() for k in chains])
            for c in frame.columns if c not in ("chain", "draw")}


def run_engine(engine: str, network: str, data: Path, seed: int, tmp: Path,
               env=None) -> dict:
    spec = NETWORKS[network]
    out = tmp / f"{engine}-{network}-{seed}"
    out.mkdir(exist_ok=True)
    if engine == "bayesnma":
        cmd = [sys.executable, __file__, "--child", str(data), spec["ref"], spec["effects"],
               str(seed), str(out), json.dumps(spec["bayesnma"])]
    else:
        burnin, n_iter, thin = spec["jags"]
        cmd = ["Rscript", str(HERE / "jags_nma.R"), str(data), spec["ref"], spec["effects"],
               "4", str(burnin), str(n_iter), str(thin), str(seed),
               str(out / "draws.csv"), str(out / "summary.csv")]
    wall, rss = _run(cmd, env)
    draws = _bayesnma_draws(out) if engine == "bayesnma" else _jags_draws(out / "draws.csv")
    ess, rhat = _converged(draws)
    return {"engine": engine, "network": network, "wall": wall, "rss": rss, "ess": ess,
            "rhat": rhat, "converged": ess >= 1000 and rhat <= 1.01}


def _refits(network: str, data: Path, refits: int, tmp: Path) -> list[dict]:
    """Wall time of each refit after the first fit of one process (see refit_bayesnma),
    with each refit's convergence; peak memory is the whole process'."""
    spec = NETWORKS[network]
    out = tmp / f"refits-{network}"
    cmd = [sys.executable, __file__, "--child-refits", str(data), spec["ref"],
           spec["effects"], str(refits), str(out), json.dumps(spec["bayesnma"])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"refits of {network} failed")
    times = json.loads(stdout.strip().splitlines()[-1])
    rows = []
    for seed, wall in enumerate(times, start=1):
        ess, rhat = _converged(_bayesnma_draws(out / str(seed)))
        rows.append({"engine": "bayesnma", "network": network, "wall": wall,
                     "rss": usage.ru_maxrss / 1024, "ess": ess, "rhat": rhat,
                     "converged": ess >= 1000 and rhat <= 1.01})
    return rows


def _has_jags() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(["Rscript", "-e", "library(rjags)"], capture_output=True)
    return check.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=NETWORKS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=["bayesnma", "jags"],
                        choices=["bayesnma", "jags"])
    parser.add_argument("--cold", action="store_true",
                        help="also time one bayesnma run with empty compile caches")
    parser.add_argument("--refits", type=int, default=0,
                        help="also time this many bayesnma refits in one process (other "
                             "seeds, after a first fit), as in a notebook or a batch")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--child-refits", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        data, ref, effects, seed, out, settings = args.child
        fit_bayesnma(data, ref, effects, int(seed), out, settings)
        return
    if args.child_refits:
        data, ref, effects, seeds, out, settings = args.child_refits
        refit_bayesnma(data, ref, effects, int(seeds), out, settings)
        return
    engines = list(args.engines)
    if "jags" in engines and not _has_jags():
        print("JAGS rows skipped: Rscript with rjags not found "
              "(apt-get install r-base-core jags r-cran-rjags)", file=sys.stderr)
        engines.remove("jags")
    print("| network | engine | runs | wall s min | wall s median | bayesnma / JAGS (median) "
          "| peak MB | min bulk ESS (d, tau) | max R-hat | converged |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for network in args.networks:
            data = tmp / f"{network}.csv"
            write_network(network, data)
            runs = {e: [] for e in engines}
            for rep in range(args.repeats):
                order = engines if rep % 2 == 0 else engines[::-1]
                for engine in order:
                    runs[engine].append(run_engine(engine, network, data, rep + 1, tmp))
            if args.cold and "bayesnma" in engines:
                cold = tmp / "cold"
                env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={cold}/pytensor",
                       "NUMBA_CACHE_DIR": f"{cold}/numba"}
                runs["bayesnma (cold cache)"] = [
                    run_engine("bayesnma", network, data, 99, tmp, env)]
            if args.refits and "bayesnma" in engines:
                runs["bayesnma (refit in one process)"] = _refits(network, data, args.refits,
                                                                  tmp)
            medians = {e: statistics.median(r["wall"] for r in rs) for e, rs in runs.items()}
            for engine, rs in runs.items():
                ratio = (f"{medians[engine] / medians['jags']:.2f}"
                         if engine.startswith("bayesnma") and "jags" in medians else "")
                print(f"| {network} | {engine} | {len(rs)} | "
                      f"{min(r['wall'] for r in rs):.1f} | {medians[engine]:.1f} | {ratio} | "
                      f"{max(r['rss'] for r in rs):.0f} | {min(r['ess'] for r in rs):.0f} | "
                      f"{max(r['rhat'] for r in rs):.3f} | "
                      f"{sum(r['converged'] for r in rs)}/{len(rs)} |", flush=True)


if __name__ == "__main__":
    main()
