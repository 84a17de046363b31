"""The nutpie callbacks compiled once per machine: a second process loads them."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.compile

SCRIPT = """
import json
import numpy as np
import nutpie
import pandas as pd
import bayesnma as nma
from bayesnma.compiled import compile_nutpie

arms = pd.DataFrame({"study": ["s1", "s1", "s2", "s2", "s2", "s3", "s3"],
                     "treatment": ["A", "B", "A", "B", "C", "B", "C"],
                     "events": [5, 9, 4, 8, 12, 10, 14], "total": [50, 50, 40, 40, 40, 60, 60]})
model = nma.NMAModel(nma.set_agd_arm(arms), trt_effects="random", trt_ref="A")
pm_model = nma.build_pymc_model(model)
ours = compile_nutpie(pm_model)
theirs = nutpie.compile_pymc_model(pm_model)
draws = [nutpie.sample(c, draws=50, tune=50, chains=2, seed=3, progress_bar=False,
                       save_warmup=False).posterior for c in (ours, theirs)]
print(json.dumps({
    "hits": [ours.compiled_logp_func.cache_hits, ours.compiled_expand_func.cache_hits],
    "same": all(np.array_equal(draws[0][v].values, draws[1][v].values)
                for v in ("d", "tau", "mu", "eta")),
}))
"""


def test_a_second_process_loads_the_callbacks_from_the_cache_and_draws_the_same(tmp_path):
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={tmp_path}"}

    def run():
        out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                             env=env, timeout=600)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    first, second = run(), run()
    assert first == {"hits": [0, 0], "same": True}
    assert second == {"hits": [1, 1], "same": True}


def test_linear_predictors_computed_after_sampling_match_the_model(three_trt_arms):
    """nutpie leaves ``eta`` out of its trace; the fit computes it from the draws."""
    import bayesnma as nma

    model = nma.NMAModel(nma.set_agd_arm(three_trt_arms), trt_effects="fixed", trt_ref="A")
    post = nma.fit(model, nma.SamplerSettings(chains=2, draws=50, tune=50,
                                                     retries=0)).posterior
    const_study = [label.split(" | ")[0] for label in post["arm"].values]
    base = {"s1": "A", "s2": "A", "s3": "B"}
    d = {t: post["d"].sel(treatment=t).values for t in ("B", "C")} | {"A": 0.0}
    for label, study in zip(post["arm"].values, const_study, strict=True):
        trt = label.split(" | ")[1]
        expected = post["mu"].sel(study=study).values + d[trt] - d[base[study]]
        np.testing.assert_allclose(post["eta"].sel(arm=label).values, expected, atol=1e-10)
