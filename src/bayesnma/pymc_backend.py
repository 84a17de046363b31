"""PyMC backend: build and sample the NMA model.

Data enter the graph as constants (faster sampling and cheap recompiles than ``pm.Data``;
see the project's sampler measurements in ``benchmarks/``).
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from bayesnma.data import ARM_FORMATS
from bayesnma.errors import ConfigError
from bayesnma.model import NMAModel
from bayesnma.priors import HalfNormal, Normal, Uniform
from bayesnma.versions import package_versions

__all__ = ["SAMPLERS", "SamplerSettings", "build_pymc_model", "fit"]

SAMPLERS = ("nutpie", "pymc")


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings.

    Attributes
    ----------
    backend : {"nutpie", "pymc"}
        ``nutpie`` (default; Rust NUTS, fastest to a converged answer here) or PyMC's own NUTS.
    chains, draws, tune : int
        Number of chains, retained draws per chain and tuning draws per chain.
    random_seed : int
        Seed; the same data, settings and seed give the same draws.
    target_accept : float
        Target acceptance rate of the step-size adaptation.
    """

    backend: str = "nutpie"
    chains: int = 4
    draws: int = 1000
    tune: int = 1000
    random_seed: int = 1234
    target_accept: float = 0.9

    def __post_init__(self):
        if self.backend not in SAMPLERS:
            raise ConfigError(
                f"sampler backend must be one of {', '.join(SAMPLERS)}; got {self.backend!r}"
            )
        for name in ("chains", "draws", "tune"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"sampler {name} must be at least 1")
        if not 0 < self.target_accept < 1:
            raise ConfigError("sampler target_accept must be between 0 and 1")


def _prior(pm, name, prior, **kwargs):
    if isinstance(prior, Normal):
        return pm.Normal(name, mu=prior.mean, sigma=prior.sd, **kwargs)
    if isinstance(prior, HalfNormal):
        return pm.HalfNormal(name, sigma=prior.scale, **kwargs)
    if isinstance(prior, Uniform):
        return pm.Uniform(name, lower=prior.lower, upper=prior.upper, **kwargs)
    raise ConfigError(f"prior {prior!r} is not supported for {name}")


def _arm_labels(frame) -> list[str]:
    return [f"{s} | {t}" for s, t in zip(frame["study"], frame["treatment"], strict=True)]


def build_pymc_model(model: NMAModel):
    """Build the PyMC model of a specification.

    Variables: ``d`` (effects of the non-reference treatments vs ``trt_ref``, dim
    ``treatment``), ``tau`` and ``z`` (random effects only); for arm-level data ``mu``
    (study baselines, dim ``study``), the linear predictor ``eta`` (dim ``arm``) and one
    observed variable per format, ``y_<format>`` (dim ``arm_<format>``); for
    contrast-level data the modelled contrasts ``theta`` and the observed ``y_contrast``
    (dim ``contrast``).
    """
    import pymc as pm
    import pytensor.tensor as pt

    des = model.design
    net = model.network
    arms = net.arms.iloc[des.arm_rows]
    cons = net.contrasts.iloc[des.con_rows]
    coords = {"treatment": model.treatments[1:]}
    if len(arms):
        coords.update({"study": des.arm_studies, "arm": _arm_labels(arms)})
    if len(cons):
        coords["contrast"] = _arm_labels(cons)
    with pm.Model(coords=coords) as pm_model:
        d = _prior(pm, "d", model.priors.trt, dims="treatment")
        d_all = pt.concatenate([pt.zeros(1), d])
        delta_nb = d_all[des.trt_idx[des.nonbase]] - d_all[des.base_idx[des.nonbase]]
        if model.trt_effects == "random":
            names = np.array(_arm_labels(pd.DataFrame({
                "study": np.array(model.studies, dtype=object)[des.study_idx],
                "treatment": np.array(model.treatments, dtype=object)[des.trt_idx]})))
            pm_model.add_coord("nonbase_arm", names[des.nonbase])
            tau = _prior(pm, "tau", model.priors.het)
            z = pm.Normal("z", 0.0, 1.0, dims="nonbase_arm")
            delta_nb = delta_nb + tau * (pt.as_tensor(des.chol_w) * z[des.chol_idx]).sum(axis=1)
        delta = pt.zeros(len(des.study_idx))
        delta = pt.set_subtensor(delta[des.nonbase], delta_nb)
        if len(arms):
            mu = _prior(pm, "mu", model.priors.intercept, dims="study")
            eta = pm.Deterministic("eta", mu[des.arm_study_idx] + delta[des.arm_pos],
                                   dims="arm")
            for fmt in dict.fromkeys(arms["format"]):
                _arm_likelihood(pm, pt, pm_model, fmt, arms, eta)
        if len(cons):
            theta = pm.Deterministic("theta", delta[des.con_pos], dims="contrast")
            resid = pt.as_tensor(des.con_y) - theta
            cond_mean = theta + (pt.as_tensor(des.con_w) * resid[des.con_idx]).sum(axis=1)
            pm.Normal("y_contrast", mu=cond_mean, sigma=des.con_sd, observed=des.con_y,
                      dims="contrast")
    return pm_model


def _arm_likelihood(pm, pt, pm_model, fmt, arms, eta):
    """Observed variable ``y_<fmt>`` of the arm-level arms of one format."""
    pick = np.flatnonzero((arms["format"] == fmt).to_numpy())
    dim = f"arm_{fmt}"
    pm_model.add_coord(dim, [pm_model.coords["arm"][i] for i in pick])
    sub = arms.iloc[pick]
    lin = eta[pick]
    name = f"y_{fmt}"
    if fmt == "binary":
        pm.Binomial(name, n=sub["total"].to_numpy(dtype=np.int64), logit_p=lin,
                    observed=sub["events"].to_numpy(dtype=np.int64), dims=dim)
    elif fmt == "events_followup":
        # cloglog(p) = log(follow_up) + eta: p = 1 - exp(-exp(.)), written stably.
        p = -pt.expm1(-pt.exp(lin + np.log(sub["follow_up"].to_numpy(dtype=float))))
        pm.Binomial(name, n=sub["total"].to_numpy(dtype=np.int64), p=p,
                    observed=sub["events"].to_numpy(dtype=np.int64), dims=dim)
    elif fmt == "rate":
        rate = pt.exp(lin + np.log(sub["person_time"].to_numpy(dtype=float)))
        pm.Poisson(name, mu=rate, observed=sub["events"].to_numpy(dtype=np.int64), dims=dim)
    else:  # continuous, median (log hazard): normal with known SE
        pm.Normal(name, mu=lin, sigma=sub["se"].to_numpy(dtype=float),
                  observed=sub["y"].to_numpy(dtype=float), dims=dim)


def fit(model: NMAModel, settings: SamplerSettings | None = None):
    """Sample the posterior of a model.

    Parameters
    ----------
    model : NMAModel
    settings : SamplerSettings, optional
        Defaults to ``SamplerSettings()`` (nutpie, 4 chains x 1000 draws after 1000 tuning).

    Returns
    -------
    xarray.DataTree
        ArviZ posterior with groups ``posterior``, ``sample_stats``, ``observed_data`` and
        ``constant_data`` (arm-level data in model order). Attributes of ``posterior``
        record the model, priors, sampler, seed, ``compile_time`` and ``sampling_time``
        (seconds) and ``package_versions`` (JSON).
    """
    settings = settings or SamplerSettings()
    pm_model = build_pymc_model(model)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*could not link to a BLAS.*")
        warnings.filterwarnings("ignore", category=FutureWarning)
        start = time.perf_counter()
        if settings.backend == "nutpie":
            import nutpie

            compiled = nutpie.compile_pymc_model(pm_model)
            t_compiled = time.perf_counter()
            idata = nutpie.sample(
                compiled,
                draws=settings.draws,
                tune=settings.tune,
                chains=settings.chains,
                seed=settings.random_seed,
                target_accept=settings.target_accept,
                save_warmup=False,
                progress_bar=False,
            )
        else:
            import pymc as pm

            with pm_model:
                t_compiled = time.perf_counter()
                idata = pm.sample(
                    draws=settings.draws,
                    tune=settings.tune,
                    chains=settings.chains,
                    cores=min(settings.chains, 2),
                    random_seed=settings.random_seed,
                    target_accept=settings.target_accept,
                    progressbar=False,
                    compute_convergence_checks=False,
                )
        end = time.perf_counter()
    _attach_data(idata, model)
    idata.posterior.attrs.update(
        {
            "trt_ref": model.trt_ref,
            "treatments": list(model.treatments),
            "formats": "; ".join(model.network.formats),
            "data_notes": "\n".join(model.network.notes),
            "measure": model.measure,
            "sampler": settings.backend,
            "chains": settings.chains,
            "draws": settings.draws,
            "tune": settings.tune,
            "random_seed": settings.random_seed,
            "target_accept": settings.target_accept,
            "compile_time": t_compiled - start,
            "sampling_time": end - t_compiled,
            "package_versions": json.dumps(package_versions()),
            **{k.replace(" ", "_"): v for k, v in model.describe().items()},
        }
    )
    return idata


def _attach_data(idata, model: NMAModel) -> None:
    """Store the data the post-processing needs (residual deviance, tables) in
    ``constant_data``: arm-level values on dim ``arm``, contrasts on dim ``contrast``."""
    des = model.design
    data = {}
    coords = {}
    arms = model.network.arms.iloc[des.arm_rows]
    if des.arm_rows.size:
        coords["arm"] = idata.posterior.coords["arm"].values
        data.update({
            "study": ("arm", arms["study"].astype(str).to_numpy()),
            "arm_treatment": ("arm", arms["treatment"].astype(str).to_numpy()),
            "arm_format": ("arm", arms["format"].astype(str).to_numpy()),
            **{c: ("arm", arms[c].to_numpy(dtype=float))
               for c in ("events", "total", "person_time", "follow_up", "y", "se")},
        })
    if des.con_rows.size:
        cons = model.network.contrasts.iloc[des.con_rows]
        coords["contrast"] = idata.posterior.coords["contrast"].values
        data.update({
            "contrast_study": ("contrast", cons["study"].astype(str).to_numpy()),
            "contrast_treatment": ("contrast", cons["treatment"].astype(str).to_numpy()),
            "contrast_y": ("contrast", des.con_y),
            "contrast_se": ("contrast", cons["se"].to_numpy(dtype=float)),
            "contrast_se_base": ("contrast", des.con_se_base),
        })
    idata["constant_data"] = xr.Dataset(data, coords=coords)
    # The same observed_data group for both backends (nutpie does not write one).
    observed = {}
    if des.con_rows.size:
        observed["y_contrast"] = xr.DataArray(des.con_y, dims="contrast",
                                              coords={"contrast": coords["contrast"]})
    if des.arm_rows.size:
        for fmt in dict.fromkeys(arms["format"]):
            pick = (arms["format"] == fmt).to_numpy()
            observed[f"y_{fmt}"] = xr.DataArray(
                arms.loc[pick, ARM_FORMATS[fmt].observed].to_numpy(), dims=f"arm_{fmt}",
                coords={f"arm_{fmt}": coords["arm"][pick]})
    idata["observed_data"] = xr.Dataset(observed)
