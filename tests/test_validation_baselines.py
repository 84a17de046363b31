"""Exchangeable study baselines against NICE DSU TSD5's smoking baseline synthesis (the
simultaneous baseline + random-effects NMA model, as multinma's ``baseline_synthesis``
fits it): mean and SD of the reference treatment's log odds across studies, and the
predictive distribution of a new study's baseline. Tolerance 0.05 absolute."""

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

import bayesnma as nma
from bayesnma.baselines import BaselineModel
from bayesnma.datasets import load_dataset
from bayesnma.priors import HalfNormal, Normal, Priors

pytestmark = pytest.mark.validation

TOL = 0.05
STATS = {"mean": np.mean, "sd": lambda x: np.std(x, ddof=1), "median": np.median,
         "q2.5": lambda x: np.quantile(x, 0.025), "q97.5": lambda x: np.quantile(x, 0.975)}


def _reference(model_prefix):
    with files("bayesnma.datasets").joinpath("baseline_synthesis_reference.csv").open() as fh:
        ref = pd.read_csv(fh, skiprows=1)
    return ref[(ref["dataset"] == "smoking") & ref["model"].str.startswith(model_prefix)]


def test_smoking_simultaneous_baseline_synthesis_matches_tsd5():
    df = load_dataset("smoking")
    network = nma.set_agd_arm(df, treatment="trt_name", events="r", total="n",
                              source="smoking")
    model = nma.NMAModel(
        network, trt_effects="random", trt_ref="No contact",
        priors=Priors(Normal(0, 100), Normal(0, 100), HalfNormal(5)),
        baseline=BaselineModel("exchangeable", mean_prior=Normal(0, 100),
                               sd_prior=HalfNormal(2.5)))
    idata = nma.fit(model, nma.SamplerSettings(draws=5000, target_accept=0.95,
                                               random_seed=5))
    conv = nma.check_convergence(idata)
    assert conv.converged, conv.problems
    m = idata.posterior["baseline_mean"].values.ravel()
    sd = idata.posterior["baseline_sd"].values.ravel()
    new = m + sd * np.random.default_rng(0).standard_normal(m.size)
    draws = {"baseline_mean": m, "baseline_sd": sd, "baseline_new (predictive)": new}
    rows = [(r.parameter, r.stat, r.value, STATS[r.stat](draws[r.parameter]))
            for r in _reference("TSD5 simultaneous").itertuples()]
    assert len(rows) == 12
    failures = [f"{p} {s}: published {pub}, got {got:.3f}" for p, s, pub, got in rows
                if abs(got - pub) > TOL]
    assert not failures, "\n".join(failures)
