"""PyMC backend: build and sample the NMA model.

Data enter the graph as constants (faster sampling and cheap recompiles than ``pm.Data``;
see the project's sampler measurements in ``benchmarks/``).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import xarray as xr

from bayesnma.errors import ConfigError
from bayesnma.model import NMAModel
from bayesnma.priors import HalfNormal, Normal, Uniform

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


def build_pymc_model(model: NMAModel):
    """Build the PyMC model of a specification.

    Variables: ``mu`` (study baselines, dim ``study``), ``d`` (effects of the non-reference
    treatments vs ``trt_ref``, dim ``treatment``), ``tau`` and ``z`` (random effects only),
    and the deterministic linear predictor ``eta`` (dim ``arm``, in model order).
    """
    import pymc as pm
    import pytensor.tensor as pt

    des = model.design
    arms = model.network.arms.iloc[des.order]
    coords = {
        "study": model.studies,
        "treatment": model.treatments[1:],
        "arm": [f"{s} | {t}" for s, t in zip(arms["study"], arms["treatment"], strict=True)],
    }
    with pm.Model(coords=coords) as pm_model:
        mu = _prior(pm, "mu", model.priors.intercept, dims="study")
        d = _prior(pm, "d", model.priors.trt, dims="treatment")
        d_all = pt.concatenate([pt.zeros(1), d])
        delta_nb = d_all[des.trt_idx[des.nonbase]] - d_all[des.base_idx[des.nonbase]]
        if model.trt_effects == "random":
            pm_model.add_coord("nonbase_arm", [coords["arm"][i] for i in des.nonbase])
            tau = _prior(pm, "tau", model.priors.het)
            z = pm.Normal("z", 0.0, 1.0, dims="nonbase_arm")
            delta_nb = delta_nb + tau * (pt.as_tensor(des.chol_w) * z[des.chol_idx]).sum(axis=1)
        delta = pt.zeros(len(des.order))
        delta = pt.set_subtensor(delta[des.nonbase], delta_nb)
        eta = pm.Deterministic("eta", mu[des.study_idx] + delta, dims="arm")
        pm.Binomial(
            "events",
            n=arms["total"].to_numpy(),
            logit_p=eta,
            observed=arms["events"].to_numpy(),
            dims="arm",
        )
    return pm_model


def fit(model: NMAModel, settings: SamplerSettings | None = None):
    """Sample the posterior of a model.

    Parameters
    ----------
    model : NMAModel
    settings : SamplerSettings, optional
        Defaults to ``SamplerSettings()`` (nutpie, 4 chains x 1000 draws after 1000 tuning).

    Returns
    -------
    arviz.InferenceData
        Groups ``posterior``, ``sample_stats``, ``observed_data`` and ``constant_data``
        (arm-level data in model order). Attributes record the model, priors, sampler,
        seed and ``sampling_time`` (seconds).
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
            "outcome_type": model.network.outcome_type,
            "measure": model.measure,
            "sampler": settings.backend,
            "chains": settings.chains,
            "draws": settings.draws,
            "tune": settings.tune,
            "random_seed": settings.random_seed,
            "target_accept": settings.target_accept,
            "compile_time": t_compiled - start,
            "sampling_time": end - t_compiled,
            **{k.replace(" ", "_"): v for k, v in model.describe().items()},
        }
    )
    return idata


def _attach_data(idata, model: NMAModel) -> None:
    arms = model.network.arms.iloc[model.design.order]
    names = idata.posterior.coords["arm"].values
    data = xr.Dataset(
        {
            "total": ("arm", arms["total"].to_numpy()),
            "study": ("arm", arms["study"].astype(str).to_numpy()),
            "arm_treatment": ("arm", arms["treatment"].astype(str).to_numpy()),
        },
        coords={"arm": names},
    )
    if "constant_data" in idata.groups():
        del idata.constant_data
    idata.add_groups(constant_data=data)
    if "observed_data" not in idata.groups():
        idata.add_groups(
            observed_data=xr.Dataset(
                {"events": ("arm", arms["events"].to_numpy())}, coords={"arm": names}
            )
        )
