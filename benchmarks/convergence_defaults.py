"""How often the default sampler settings pass the convergence gate, with and without the
automatic refits (``sampler.retries``).

Fits with every default (``SamplerSettings()``: nutpie, 4 chains x 1000 draws after 1000
tuning, target_accept 0.9, 2 retries; the default convergence criteria):

1. the published validation datasets as the validation tests fit them, but with the
   default sampler settings instead of each test's hand-set target_accept;
2. simulated sparse networks: 4-5 treatments, one study per comparison (a loop or two),
   20-60 patients per arm and event risks down to 2%, so that zero cells are common.

The pass rate "without retries" is the first attempt's verdict (each fit records every
attempt in its ``attempts`` attribute), so one set of fits gives both rates.

Run: ``python benchmarks/convergence_defaults.py [--networks N]``; writes nothing, prints
the rates (copied into ``convergence_defaults.md``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import time

import numpy as np
import pandas as pd

import bayesnma as nma
from bayesnma.datasets import load_dataset


def validation_models():
    """The published analyses of the validation tests (their models and priors)."""
    for dataset in ("smoking", "thrombolytics"):
        df = load_dataset(dataset)
        names = dict(zip(df["trt"], df["trt_name"], strict=False))
        network = nma.set_agd_arm(df, treatment="trt_name", events="r", total="n",
                                  source=dataset)
        for trt_effects in ("fixed", "random"):
            yield f"{dataset} {trt_effects}", nma.NMAModel(
                network, trt_effects=trt_effects, trt_ref=names[1], priors=nma.Priors.tsd())
    df = load_dataset("parkinsons_arm")
    network = nma.set_agd_arm(df, format="continuous", treatment="trt_name", mean="y",
                              se="se", total="n", source="parkinsons_arm")
    names = dict(zip(df["trt"], df["trt_name"], strict=False))
    for trt_effects in ("fixed", "random"):
        yield f"parkinsons (arm) {trt_effects}", nma.NMAModel(
            network, trt_effects=trt_effects, trt_ref=names[1], priors=nma.Priors.tsd())


def sparse_network(seed: int) -> pd.DataFrame:
    """One study per comparison of a 4-5 treatment network with one or two loops; small
    arms and low risks, so zero cells are common."""
    rng = np.random.default_rng(seed)
    n_trt = int(rng.integers(4, 6))
    trts = [chr(ord("A") + k) for k in range(n_trt)]
    edges = [(trts[k], trts[k + 1]) for k in range(n_trt - 1)]  # a chain ...
    extra = [e for e in itertools.combinations(trts, 2) if e not in edges]
    picks = rng.choice(len(extra), size=int(rng.integers(1, 3)), replace=False)
    edges += [extra[k] for k in picks]  # ... closed by one or two more comparisons
    d = dict(zip(trts, [0.0, *rng.normal(0, 0.5, n_trt - 1)], strict=True))
    rows = []
    for s, (a, b) in enumerate(edges):
        base = np.log(p := rng.uniform(0.02, 0.3)) - np.log1p(-p)
        delta = rng.normal(d[b] - d[a], 0.2)
        for trt, eta in ((a, base), (b, base + delta)):
            n = int(rng.integers(20, 61))
            rows.append({"study": f"s{s + 1}", "treatment": trt, "total": n,
                         "events": int(rng.binomial(n, 1 / (1 + np.exp(-eta))))})
    return pd.DataFrame(rows)


def record(label: str, model) -> dict:
    start = time.perf_counter()
    idata = nma.fit(model)
    attempts = json.loads(idata.posterior.attrs["attempts"])
    return {"fit": label, "attempts": len(attempts),
            "first_passed": not attempts[0]["problems"],
            "passed": not attempts[-1]["problems"],
            "first_problems": "; ".join(attempts[0]["problems"]),
            "last_problems": "; ".join(attempts[-1]["problems"]),
            "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=40)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rows = [record(label, model) for label, model in validation_models()]
    for seed in range(1, args.networks + 1):
        data = sparse_network(seed)
        zero = int(((data["events"] == 0) | (data["events"] == data["total"])).sum())
        network = nma.set_agd_arm(data, source=f"sparse{seed}")
        rows.append({**record(f"sparse {seed}", nma.NMAModel(network, trt_ref="A")),
                     "zero_or_full_cells": zero})
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 90)
    print(table.to_string(index=False))
    for kind, part in (("validation", table[~table["fit"].str.startswith("sparse")]),
                       ("sparse", table[table["fit"].str.startswith("sparse")])):
        print(f"\n{kind}: {len(part)} fits; passed on the first attempt (target_accept 0.9): "
              f"{int(part['first_passed'].sum())}; passed with retries: "
              f"{int(part['passed'].sum())}; attempts: "
              f"{part['attempts'].value_counts().sort_index().to_dict()}")
        if kind == "sparse":
            with_zero = part[part["zero_or_full_cells"] > 0]
            print(f"  networks with a zero or full cell: {len(with_zero)}, passed with "
                  f"retries: {int(with_zero['passed'].sum())}")


if __name__ == "__main__":
    main()
