"""Time one fit per process: process start to tables written, sampling, ESS.

Usage::

    python benchmarks/fit_times.py                    # smoking RE + thrombolytics FE, both samplers
    python benchmarks/fit_times.py --repeats 3 --backends nutpie

Each fit runs in a fresh Python process (imports and compilation included, with whatever
pytensor/numba cache the machine has), TSD priors, 4 chains x 1000 draws after 1000 tuning.
Prints a Markdown table; no assertion is made on the times.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time

CASES = {"smoking": "random", "thrombolytics": "fixed"}


def one(dataset: str, backend: str, seed: int) -> None:
    start = time.perf_counter()
    import bayesnma as nma
    from bayesnma import io
    from bayesnma.datasets import load_dataset

    df = load_dataset(dataset)
    ref = df.loc[df["trt"] == 1, "trt_name"].iat[0]
    network = nma.set_agd_arm(df, treatment="trt_name", events="r", total="n")
    model = nma.NMAModel(network, trt_effects=CASES[dataset], trt_ref=ref, priors=nma.Priors.tsd())
    idata = nma.fit(model, nma.SamplerSettings(backend=backend, random_seed=seed))
    conv = nma.check_convergence(idata)
    with tempfile.TemporaryDirectory() as tmp:
        io.write_table(nma.relative_effects(idata, lower_better=True), f"{tmp}/effects.csv")
        io.write_table(nma.posterior_ranks(idata, lower_better=True), f"{tmp}/ranks.csv")
        io.write_table(nma.model_fit(idata), f"{tmp}/fit.csv")
        io.write_idata(idata, f"{tmp}/posterior.nc")
        wall = time.perf_counter() - start
    table = conv.table
    keep = table["parameter"].str.startswith("d[") | (table["parameter"] == "tau")
    print(json.dumps({
        "dataset": dataset, "model": CASES[dataset], "backend": backend, "wall_s": wall,
        "compile_s": idata.posterior.attrs["compile_time"],
        "sampling_s": idata.posterior.attrs["sampling_time"],
        "min_ess_bulk_d_tau": float(table.loc[keep, "ess_bulk"].min()),
        "max_rhat": float(table["r_hat"].max()), "divergences": conv.n_divergent,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["nutpie", "pymc"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--one", nargs=3, metavar=("DATASET", "BACKEND", "SEED"))
    args = parser.parse_args()
    if args.one:
        one(args.one[0], args.one[1], int(args.one[2]))
        return
    print("| dataset | model | backend | wall s (process start to tables) | compile s | "
          "sampling s | min bulk ESS (d, tau) | max R-hat | divergences |")
    print("|---|---|---|---|---|---|---|---|---|")
    for dataset in CASES:
        for backend in args.backends:
            for rep in range(args.repeats):
                out = subprocess.run([sys.executable, __file__, "--one", dataset, backend,
                                      str(rep + 1)], capture_output=True, text=True, check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"| {r['dataset']} | {r['model']} | {r['backend']} | {r['wall_s']:.1f} | "
                      f"{r['compile_s']:.1f} | {r['sampling_s']:.2f} | "
                      f"{r['min_ess_bulk_d_tau']:.0f} | {r['max_rhat']:.3f} | "
                      f"{r['divergences']} |", flush=True)


if __name__ == "__main__":
    main()
