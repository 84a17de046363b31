"""Time one fit per process: process start to tables written, sampling, ESS.

Usage::

    python benchmarks/fit_times.py                    # every case, both samplers
    python benchmarks/fit_times.py --repeats 3 --backends nutpie --cases parkinsons_mixed

Each fit runs in a fresh Python process (imports and compilation included, with whatever
pytensor/numba cache the machine has), 4 chains x 1000 draws after 1000 tuning. Published
datasets use the TSD priors; the HCC survival case uses the bundled config's priors. Run
from the repository root. Prints a Markdown table; no assertion is made on the times.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time

# case -> (data form, effects model, target_accept)
CASES = {
    "smoking": ("binary", "random", 0.9),
    "thrombolytics": ("binary", "fixed", 0.9),
    "parkinsons_arm": ("continuous", "random", 0.995),
    "parkinsons_contrast": ("contrast MD", "random", 0.995),
    "parkinsons_mixed": ("continuous + contrast", "random", 0.995),
    "hcc_pfs": ("median + contrast HR", "fixed", 0.995),
}


def _network(case: str):
    import bayesnma as nma
    from bayesnma.datasets import load_dataset

    if case in ("smoking", "thrombolytics"):
        df = load_dataset(case)
        return nma.set_agd_arm(df, treatment="trt_name", events="r", total="n"), \
            df.loc[df["trt"] == 1, "trt_name"].iat[0]
    if case == "hcc_pfs":
        return nma.combine_data(
            nma.read_data("data/hcc_pfs_hr.csv", format="contrast", measure="HR"),
            nma.read_data("data/hcc_pfs_medians.csv", format="median")), "placebo"
    arm = nma.set_agd_arm(load_dataset("parkinsons_arm"), format="continuous",
                          treatment="trt_name", mean="y", se="se", total="n")
    con = nma.set_agd_contrast(load_dataset("parkinsons_contrast"), measure="MD",
                               treatment="trt_name", diff="diff", se="se_diff")
    if case == "parkinsons_arm":
        return arm, "Placebo"
    if case == "parkinsons_contrast":
        return con, "Placebo"
    return nma.combine_data(arm.subset(["1", "2", "3"]), con.subset(["4", "5", "6", "7"])), \
        "Placebo"


def one(case: str, backend: str, seed: int) -> None:
    start = time.perf_counter()
    import bayesnma as nma
    from bayesnma import io

    network, ref = _network(case)
    _, effects, target_accept = CASES[case]
    priors = nma.Priors() if case == "hcc_pfs" else nma.Priors.tsd()
    model = nma.NMAModel(network, trt_effects=effects, trt_ref=ref, priors=priors)
    idata = nma.fit(model, nma.SamplerSettings(backend=backend, random_seed=seed,
                                               target_accept=target_accept))
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
        "dataset": case, "form": CASES[case][0], "model": effects, "backend": backend,
        "wall_s": wall,
        "compile_s": idata.posterior.attrs["compile_time"],
        "sampling_s": idata.posterior.attrs["sampling_time"],
        "min_ess_bulk_d_tau": float(table.loc[keep, "ess_bulk"].min()),
        "max_rhat": float(table["r_hat"].max()), "divergences": conv.n_divergent,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["nutpie", "pymc"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--one", nargs=3, metavar=("DATASET", "BACKEND", "SEED"))
    args = parser.parse_args()
    if args.one:
        one(args.one[0], args.one[1], int(args.one[2]))
        return
    print("| case | data | model | backend | wall s (process start to tables) | compile s | "
          "sampling s | min bulk ESS (d, tau) | max R-hat | divergences |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for dataset in args.cases:
        for backend in args.backends:
            for rep in range(args.repeats):
                out = subprocess.run([sys.executable, __file__, "--one", dataset, backend,
                                      str(rep + 1)], capture_output=True, text=True, check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"| {r['dataset']} | {r['form']} | {r['model']} | {r['backend']} | "
                      f"{r['wall_s']:.1f} | "
                      f"{r['compile_s']:.1f} | {r['sampling_s']:.2f} | "
                      f"{r['min_ess_bulk_d_tau']:.0f} | {r['max_rhat']:.3f} | "
                      f"{r['divergences']} |", flush=True)


if __name__ == "__main__":
    main()
