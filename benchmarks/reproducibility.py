"""What reproducible draws cost: fits compiled with and without Numba's fastmath.

Usage (from the repository root)::

    python benchmarks/reproducibility.py                  # smoking, thrombolytics, sim300
    python benchmarks/reproducibility.py --repeats 5 --networks smoking

bayesnma compiles every model with ``numba__fastmath=False``
(:data:`bayesnma.pymc_backend.COMPILE_FLAGS`) so that its draws do not depend on the compile
cache. This script fits each network (the settings of ``benchmarks/engines.py``) in one
process with both settings, alternating and swapping the order every repeat, with the
seed of the repeat, and reports per setting the median sampling time, the median time
per leapfrog step (sampling time over the trajectories' steps: the two settings draw
different trajectories, so the time per step is the like-for-like measure of the compiled
gradient) and the cold compile time (first fit of each setting, empty PyTensor cache).
Prints a Markdown table; asserts nothing about times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from engines import NETWORKS, write_network  # noqa: E402


def _fit(model, settings: dict, seed: int, fastmath: bool) -> dict:
    import bayesnma as nma
    from bayesnma import pymc_backend

    pymc_backend.COMPILE_FLAGS = {"numba__fastmath": fastmath}
    idata = nma.fit(model, nma.SamplerSettings(random_seed=seed, **settings))
    steps = int(idata.sample_stats["n_steps"].sum())
    sampling = float(idata.posterior.attrs["sampling_time"])
    return {"compile": float(idata.posterior.attrs["compile_time"]), "sampling": sampling,
            "per_step_us": 1e6 * sampling / steps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=["smoking", "thrombolytics", "sim300"],
                        choices=sorted(NETWORKS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # An empty compile cache, so that the first fit of each setting is a cold compile.
        os.environ["PYTENSOR_FLAGS"] = f"base_compiledir={tmp}/pytensor"
        os.environ["NUMBA_CACHE_DIR"] = f"{tmp}/numba"
        import bayesnma as nma

        rows = []
        for network in args.networks:
            spec = NETWORKS[network]
            path = Path(tmp) / f"{network}.csv"
            write_network(network, path)
            model = nma.NMAModel(nma.read_data(path, format="binary"),
                                 trt_effects=spec["effects"], trt_ref=spec["ref"],
                                 priors=nma.Priors.tsd())
            runs = {True: [], False: []}
            for repeat in range(args.repeats):
                for fastmath in ((True, False) if repeat % 2 == 0 else (False, True)):
                    runs[fastmath].append(_fit(model, spec["bayesnma"], 101 + repeat,
                                               fastmath))
                    print(network, "fastmath" if fastmath else "exact", runs[fastmath][-1],
                          file=sys.stderr, flush=True)
            for fastmath, label in ((True, "fastmath (before)"), (False, "exact (now)")):
                r = runs[fastmath]
                rows.append((network, label, r[0]["compile"],
                             statistics.median(x["sampling"] for x in r),
                             statistics.median(x["per_step_us"] for x in r)))
    print("| network | compile flags | cold compile (s) | sampling, median (s) | "
          "per leapfrog step, median (us) |")
    print("|---|---|---|---|---|")
    for network, label, compile_s, sampling, per_step in rows:
        print(f"| {network} | {label} | {compile_s:.1f} | {sampling:.2f} | {per_step:.1f} |")


if __name__ == "__main__":
    main()
