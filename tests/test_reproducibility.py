"""Same inputs, same draws: a fit's posterior depends on its data, model, settings and seed
only, not on the compile cache, on what the process fitted before or on the chains run at
once."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.compile

# Fits several models (arm-level binary RE, contrast-level HR FE, medians RE, exchangeable
# class effects) in the order given on the command line and prints a hash of every value of
# each posterior (all groups; attributes but run times, time stamp and machine).
SCRIPT = """
import hashlib, json, sys
import numpy as np
import pandas as pd
import bayesnma as nma
from bayesnma.classes import ClassEffects

arms = pd.DataFrame({"study": ["s1", "s1", "s2", "s2", "s2", "s3", "s3", "s4", "s4"],
                     "treatment": ["A", "B", "A", "B", "C", "B", "C", "A", "D"],
                     "events": [5, 9, 4, 8, 12, 10, 14, 6, 11],
                     "total": [50, 50, 40, 40, 40, 60, 60, 45, 45]})
hrs = pd.DataFrame({"study": ["h1", "h1", "h2", "h2", "h3", "h3"],
                    "treatment": ["P", "X", "P", "Y", "X", "Y"],
                    "ratio": [None, 0.7, None, 0.6, None, 0.9],
                    "lower": [None, 0.55, None, 0.45, None, 0.7],
                    "upper": [None, 0.89, None, 0.8, None, 1.16]})
medians = pd.DataFrame({"study": ["m1", "m1", "m2", "m2", "m3", "m3"],
                        "treatment": ["P", "X", "P", "Y", "X", "Y"],
                        "median": [3.0, 4.5, 2.8, 4.9, 4.2, 5.0],
                        "lower": [2.5, 3.8, 2.2, 4.0, 3.5, 4.1],
                        "upper": [3.6, 5.4, 3.5, 6.0, 5.1, 6.2],
                        "total": [120, 118, 90, 95, 80, 82]})
classes = ClassEffects({"A": "control", "B": "drug", "C": "drug", "D": "drug"},
                       "exchangeable")
models = {
    "binary_re": nma.NMAModel(nma.set_agd_arm(arms), trt_effects="random", trt_ref="A"),
    "contrast_fe": nma.NMAModel(nma.set_agd_contrast(hrs, measure="HR"),
                                trt_effects="fixed", trt_ref="P"),
    "median_re": nma.NMAModel(nma.set_agd_arm(medians, format="median"),
                              trt_effects="random", trt_ref="P"),
    "class_re": nma.NMAModel(nma.set_agd_arm(arms), trt_effects="random", trt_ref="A",
                             class_effects=classes),
}
VARIABLE = {"compile_time", "sampling_time", "machine", "created_at"}
order, cores = sys.argv[1].split(","), int(sys.argv[2])
out = {}
for name in order:
    idata = nma.fit(models[name.split(":")[0]], nma.SamplerSettings(
        chains=2, draws=300, tune=300, random_seed=11, target_accept=0.95, retries=0),
        cores=cores)
    digest = hashlib.sha256()
    for group in sorted(idata.children):
        ds = idata[group].to_dataset()
        for var in sorted(ds.data_vars):
            digest.update(f"{group}/{var}".encode())
            values = ds[var].values
            digest.update(repr(values.tolist()).encode() if values.dtype == object
                          else np.ascontiguousarray(values).tobytes())
        attrs = {k: v for k, v in ds.attrs.items() if k not in VARIABLE}
        digest.update(json.dumps(attrs, sort_keys=True, default=str).encode())
    out[name] = digest.hexdigest()
print(json.dumps(out))
"""

MODELS = ["binary_re", "contrast_fe", "median_re", "class_re"]


def _fit_in_new_process(cache, order, cores, hash_seed):
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={cache}/pytensor",
           "NUMBA_CACHE_DIR": f"{cache}/numba", "PYTHONHASHSEED": str(hash_seed)}
    out = subprocess.run([sys.executable, "-c", SCRIPT, ",".join(order), str(cores)],
                         capture_output=True, text=True, env=env, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cold_and_warm_draws(tmp_path_factory):
    """The same models fitted in a process with empty compile caches (each model compiled
    in the process), then in a second process that loads them from the now warm cache, in
    the reverse order (as in a batch, each after other models), with one chain at a time,
    and the class model fitted twice (the second time reusing the model compiled earlier
    in the process), and another hash seed (set and dict orders)."""
    cache = tmp_path_factory.mktemp("cache")
    cold = _fit_in_new_process(cache, MODELS, cores=2, hash_seed=1)
    warm = _fit_in_new_process(cache, ["class_re:first", *reversed(MODELS)], cores=1,
                               hash_seed=2)
    return cold, warm


@pytest.mark.parametrize("model", MODELS)
def test_draws_do_not_depend_on_the_compile_cache_the_process_or_the_cores(
        cold_and_warm_draws, model):
    cold, warm = cold_and_warm_draws
    assert cold[model] == warm[model]


def test_a_refit_in_the_same_process_reuses_the_compiled_model_and_draws_the_same(
        cold_and_warm_draws):
    _, warm = cold_and_warm_draws
    assert warm["class_re:first"] == warm["class_re"]


def test_the_posterior_records_what_a_rerun_needs(three_trt_arms):
    import bayesnma as nma
    from bayesnma.pymc_backend import COMPILE_FLAGS

    model = nma.NMAModel(nma.set_agd_arm(three_trt_arms), trt_effects="fixed", trt_ref="A")
    attrs = nma.fit(model, nma.SamplerSettings(chains=2, draws=20, tune=20,
                                                    retries=0)).posterior.attrs
    assert json.loads(attrs["compile_flags"]) == COMPILE_FLAGS == {"numba__fastmath": False}
    assert attrs["machine"]
    assert json.loads(attrs["package_versions"])["numba"]
