"""PyMC backend: build and sample the NMA model.

Data enter the graph as constants (faster sampling and cheap recompiles than ``pm.Data``;
see the project's sampler measurements in ``benchmarks/``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import logging
import os
import pickle
import re
import sys
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from bayesnma.compiled import compile_nutpie
from bayesnma.data import ARM_FORMATS, arm_label
from bayesnma.diagnostics import check_convergence, pointwise_log_likelihood
from bayesnma.errors import ConfigError
from bayesnma.likelihoods import CONTRAST_LIKELIHOOD
from bayesnma.model import NMAModel
from bayesnma.parameters import Derived
from bayesnma.prior_config import prior_attrs
from bayesnma.versions import machine_type, package_versions

__all__ = ["MAX_TARGET_ACCEPT", "SAMPLERS", "SamplerSettings", "SamplingProgress",
           "build_pymc_model", "fit", "next_attempt", "parameter_roles"]

SAMPLERS = ("nutpie", "pymc")

log = logging.getLogger(__name__)


class SamplingProgress:
    """Progress of the chains of one fit: a status line redrawn on a terminal, and a log
    line per chain (``bayesnma`` logger, INFO) each time it passes a quarter of its draws.

    Parameters
    ----------
    chains, tune, draws : int
        Number of chains; tuning and retained draws per chain.
    stream : file, optional
        Where the status line goes (default ``sys.stderr``); none unless it is a terminal.
    """

    def __init__(self, chains: int, tune: int, draws: int, stream=None):
        self.chains, self.tune, self.total = chains, tune, tune + draws
        self.stream = stream if stream is not None else sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = [0] * chains
        self.divergent = [0] * chains
        self.logged = [0] * chains
        self.start = None  # the first report, once the model is compiled
        self._drawn = 0.0

    def update(self, chain: int, finished: int, divergences: int = 0) -> None:
        """Record that ``chain`` has ``finished`` draws (tuning included) and
        ``divergences`` divergent ones after tuning."""
        if self.start is None:
            self.start = time.perf_counter()
        self.done[chain], self.divergent[chain] = finished, divergences
        quarter = 4 * finished // self.total
        if quarter > self.logged[chain]:
            self.logged[chain] = quarter
            self._clear()
            log.info("chain %d of %d: %d%% (%d of %d draws, %s), %d divergent, %.0f s",
                     chain + 1, self.chains, 25 * quarter, finished, self.total,
                     "tuning" if finished <= self.tune else "sampling",
                     divergences, time.perf_counter() - self.start)
        now = time.perf_counter()
        if self.live and now - self._drawn > 0.25:
            self._drawn = now
            parts = " ".join(f"{100 * d // self.total:3d}%" for d in self.done)
            self.stream.write(f"\r\033[Ksampling {self.chains} chains: {parts} | "
                              f"{sum(self.divergent)} divergent | {now - self.start:.0f} s")
            self.stream.flush()

    def nutpie_callback(self, chains) -> None:
        """``nutpie.sample(progress_callback=...)``: one progress object per chain."""
        for i, chain in enumerate(chains):
            self.update(i, chain.finished_draws, chain.divergences)

    def pymc_callback(self, trace, draw) -> None:
        """``pm.sample(callback=...)``: called once per draw of a chain."""
        stats = draw.stats[0] if draw.stats else {}
        diverged = int(bool(stats.get("diverging", False)) and not draw.tuning)
        self.update(draw.chain, draw.draw_idx + 1, self.divergent[draw.chain] + diverged)

    def close(self) -> None:
        """Remove the status line."""
        self._clear()

    def _clear(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


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
    retries : int
        Refits after a fit that fails the convergence criteria, each with the settings of
        :func:`next_attempt` (a higher ``target_accept``, longer tuning and, when R-hat or
        ESS failed, more draws); 0 samples once.
    """

    backend: str = "nutpie"
    chains: int = 4
    draws: int = 1000
    tune: int = 1000
    random_seed: int = 1234
    target_accept: float = 0.9
    retries: int = 2

    def __post_init__(self):
        if self.backend not in SAMPLERS:
            raise ConfigError(
                f"sampler backend must be one of {', '.join(SAMPLERS)}; got {self.backend!r}"
            )
        for name in ("chains", "draws", "tune"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"sampler {name} must be at least 1")
        if int(self.chains) < 2:
            raise ConfigError("sampler chains must be at least 2: convergence is checked by "
                              "comparing chains (split R-hat)")
        if not 0 <= int(self.random_seed) <= MAX_SEED:
            raise ConfigError(f"sampler random_seed must be between 0 and {MAX_SEED}; got "
                              f"{self.random_seed}")
        if not 0 < self.target_accept < 1:
            raise ConfigError("sampler target_accept must be between 0 and 1")
        if int(self.retries) < 0:
            raise ConfigError("sampler retries must be at least 0")


#: Highest target_accept a retry raises to: beyond it the step size shrinks so far that
#: sampling slows tenfold for little gain; a fit that still diverges needs another model
#: (see :func:`bayesnma.diagnostics.remedies`).
MAX_TARGET_ACCEPT = 0.999


def next_attempt(settings: SamplerSettings, convergence) -> SamplerSettings:
    """The sampler settings of the refit after a fit that failed the convergence criteria.

    Divergences are the sampler's step size failing on a curved posterior: ``1 -
    target_accept`` is cut tenfold (0.9 -> 0.99 -> 0.999, at most ``MAX_TARGET_ACCEPT``),
    which shrinks the step. Tuning doubles, so that the step size
    and mass matrix adapt on a longer run. When R-hat or ESS failed, the draws double too.
    The seed stays: the refit is as reproducible as the first fit.

    Parameters
    ----------
    settings : SamplerSettings
        The failed attempt's settings.
    convergence : bayesnma.diagnostics.Convergence
        Its verdict.
    """
    target = max(settings.target_accept,
                 min(MAX_TARGET_ACCEPT, round(1 - (1 - settings.target_accept) / 10, 6)))
    return dataclasses.replace(
        settings, target_accept=target, tune=2 * settings.tune,
        draws=settings.draws * (2 if convergence.mixing_problems else 1))


#: Largest random seed every backend accepts (32 bits).
MAX_SEED = 2**32 - 1

#: PyTensor settings every fit compiles under. Numba's fastmath (PyTensor's default) lets
#: LLVM reassociate and approximate floating-point operations, and a function compiled in
#: the process and the same function loaded from the on-disk cache then round differently
#: in the last bit; the sampler's trajectories amplify that into other draws. Without it
#: the draws depend on the inputs only (see ``benchmarks/reproducibility.md`` for its cost).
COMPILE_FLAGS = {"numba__fastmath": False}


def _arm_labels(frame) -> list[str]:
    return [arm_label(s, t) for s, t in zip(frame["study"], frame["treatment"], strict=True)]


def _observations(model: NMAModel, fmt: str):
    """A several-row format's observations: their positions in ``design.obs_rows`` order,
    rows, labels (``study | treatment #k``, the k-th row of its arm) and dim."""
    obs = model.network.observations.iloc[model.design.obs_rows]
    pick = np.flatnonzero((obs["format"] == fmt).to_numpy())
    return pick, obs.iloc[pick], _observation_labels(model)[pick], f"obs_{fmt}"


def _observation_labels(model: NMAModel) -> np.ndarray:
    """Labels of all observations in ``design.obs_rows`` order: ``study | treatment #k``."""
    obs = model.network.observations.iloc[model.design.obs_rows]
    nth = obs.groupby(["study", "treatment"], sort=False).cumcount().to_numpy() + 1
    return np.array([f"{label} #{k}" for label, k in zip(_arm_labels(obs), nth, strict=True)],
                    dtype=object)


def parameter_roles(model: NMAModel) -> dict[str, str]:
    """Role of every variable :func:`build_pymc_model` puts in the posterior."""
    roles = {p.name: p.role for p in model.parameters}
    des = model.design
    if des.arm_rows.size:
        roles["eta"] = "derived"
    if des.con_rows.size:
        roles["theta"] = "derived"
    return roles


def build_pymc_model(model: NMAModel):
    """Build the PyMC model of a specification.

    Every parameter of ``model.parameters`` becomes a variable with its prior and dims
    (for the consistency model ``d``, vs ``trt_ref``, dim ``treatment``; ``mu`` for the
    baselines of arm-level studies; ``tau`` and ``z`` for random effects). The model
    variant gives the mean relative effect of each non-baseline arm; random effects add
    ``tau L z`` with ``L`` the Cholesky factor of 0.5 (I + J) per study. Arm-level data have
    the linear predictor ``eta`` (dim ``arm``) and one observed variable per format,
    ``y_<format>`` (dim ``arm_<format>``); contrast-level data the modelled contrasts
    ``theta`` and the observed ``y_contrast`` (dim ``contrast``).
    """
    import pymc as pm
    import pytensor.tensor as pt

    des = model.design
    net = model.network
    arms = net.arms.iloc[des.arm_rows]
    cons = net.contrasts.iloc[des.con_rows]
    coords = {p.dims: list(p.coords) for p in model.parameters if isinstance(p.dims, str)}
    if len(arms):
        coords["arm"] = _arm_labels(arms)
    if len(cons):
        coords["contrast"] = _arm_labels(cons)
    with pm.Model(coords=coords) as pm_model:
        params = {}
        for p in model.parameters:
            params[p.name] = (pm.Deterministic(p.name, p.prior.build(params), dims=p.dims)
                              if isinstance(p.prior, Derived)
                              else p.prior.to_pymc(p.name, dims=p.dims))
        delta_nb = model.arm_means(params)
        if model.trt_effects == "random":
            delta_nb = delta_nb + model.random_effects(params)
        delta = pt.zeros(len(des.study_idx))
        delta = pt.set_subtensor(delta[des.nonbase], delta_nb)
        if len(arms):
            eta = pm.Deterministic("eta", params["mu"][des.arm_study_idx] + delta[des.arm_pos],
                                   dims="arm")
            for fmt in dict.fromkeys(arms["format"]):
                spec = ARM_FORMATS[fmt]
                if spec.several_rows:
                    pick, sub, labels, dim = _observations(model, fmt)
                    pm_model.add_coord(dim, list(labels))
                    eta_obs = eta[des.obs_arm[pick]]
                else:
                    pick = np.flatnonzero((arms["format"] == fmt).to_numpy())
                    dim = f"arm_{fmt}"
                    pm_model.add_coord(dim, [coords["arm"][i] for i in pick])
                    sub, eta_obs = arms.iloc[pick], eta[pick]
                spec.likelihood.observed_rv(
                    f"y_{fmt}", eta_obs, sub[spec.observed].to_numpy(),
                    {c: sub[c].to_numpy() for c in spec.likelihood.columns}, dims=dim)
        if len(cons):
            theta = pm.Deterministic("theta", delta[des.con_pos], dims="contrast")
            CONTRAST_LIKELIHOOD.observed_rv("y_contrast", theta, des.con_y, des.con_sd,
                                            des.con_w, des.con_idx, dims="contrast")
    return pm_model


#: Models compiled for nutpie in this process, by the pickled NMAModel they were built
#: from, most recent last: fits of the same model with other seeds or sampler settings (a
#: batch of sensitivity analyses, a loop in a notebook) skip PyTensor's graph rewriting.
_COMPILED: dict[str, tuple] = {}
_COMPILED_KEEP = 4
_COMPILED_LOCK = threading.Lock()


class _SpecPickler(pickle.Pickler):
    """Pickles objects without the values of their ``cached_property`` attributes (derived
    from the rest), so that a model's pickle does not change when it is used."""

    def reducer_override(self, obj):
        cached = _cached_names(type(obj))
        if not cached or not hasattr(obj, "__dict__"):
            return NotImplemented
        return type(obj), (), {k: v for k, v in vars(obj).items() if k not in cached}


@functools.cache
def _cached_names(cls) -> frozenset:
    return frozenset(name for klass in cls.__mro__ for name, value in vars(klass).items()
                     if isinstance(value, functools.cached_property))


def _model_key(model: NMAModel) -> str | None:
    """What a compiled model depends on: the compile flags and the model specification with
    its data (None if it cannot be pickled: then nothing is reused). Classes and functions
    are pickled by name: after redefining one in a session, clear ``_COMPILED``."""
    buffer = io.BytesIO(json.dumps(COMPILE_FLAGS, sort_keys=True).encode())
    buffer.seek(0, io.SEEK_END)
    try:
        _SpecPickler(buffer).dump(model)
    except Exception:  # noqa: BLE001 - a user's prior may hold a lambda
        return None
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def fit(model: NMAModel, settings: SamplerSettings | None = None, *, cores: int | None = None,
        criteria=None):
    """Sample the posterior of a model; refit with safer settings while it fails the
    convergence criteria, at most ``settings.retries`` times.

    Parameters
    ----------
    model : NMAModel
    settings : SamplerSettings, optional
        Defaults to ``SamplerSettings()`` (nutpie, 4 chains x 1000 draws after 1000 tuning,
        2 retries).
    cores : int, optional
        Chains sampled at once (threads for nutpie, processes for PyMC); defaults to the
        number of chains, at most the machine's cores. The draws do not depend on it.
    criteria : bayesnma.diagnostics.ConvergenceCriteria, optional
        What a fit must meet (default: R-hat < 1.01, bulk and tail ESS >= 400, no
        divergences).

    Returns
    -------
    xarray.DataTree
        ArviZ posterior with groups ``posterior`` (each variable's ``role`` attribute says
        what it is), ``sample_stats``, ``observed_data``, ``constant_data`` (the data in
        model order) and ``log_likelihood`` (``log_lik`` per arm, or per study of
        contrast-level data, for PSIS-LOO). The values per data point (``eta``,
        ``theta``, ``log_lik``) are in single precision. Attributes of ``posterior``
        record the model, priors, sampler, seed, ``compile_time`` and ``sampling_time``
        (seconds), ``package_versions`` and ``compile_flags`` (JSON) and ``machine`` (the
        CPU type): a rerun with the same inputs on the same machine type gives the same
        draws, whatever the compile cache holds or was fitted before in the process.
        ``attempts`` (JSON) lists every attempt's settings and why it failed; the other
        attributes describe the last one, whose draws are returned.
    """
    settings = settings or SamplerSettings()
    attempts = []
    while True:
        idata = _sample(model, settings, cores)
        conv = check_convergence(idata, criteria)
        attempts.append({"target_accept": settings.target_accept, "tune": settings.tune,
                         "draws": settings.draws, "problems": list(conv.problems)})
        if conv.converged or len(attempts) > settings.retries:
            break
        settings = next_attempt(settings, conv)
        log.warning("attempt %d failed the convergence criteria (%s); refitting with "
                    "target_accept %g, tune %d, draws %d", len(attempts),
                    "; ".join(conv.problems), settings.target_accept, settings.tune,
                    settings.draws)
    idata.posterior.attrs["attempts"] = json.dumps(attempts)
    return idata


def _sample(model: NMAModel, settings: SamplerSettings, cores: int | None):
    """One attempt of :func:`fit`: sample and attach the data and attributes."""
    from pytensor import config as pytensor_config

    cores = max(1, min(settings.chains, cores or os.cpu_count() or 1))
    key = _model_key(model) if settings.backend == "nutpie" else None
    with _COMPILED_LOCK:
        pm_model, compiled = _COMPILED.pop(key, None) or (build_pymc_model(model), None)
    progress = SamplingProgress(settings.chains, settings.tune, settings.draws)
    with (warnings.catch_warnings(), contextlib.closing(progress),
          pytensor_config.change_flags(**COMPILE_FLAGS)):
        warnings.filterwarnings("ignore", message=".*could not link to a BLAS.*")
        warnings.filterwarnings("ignore", category=FutureWarning)
        start = time.perf_counter()
        if settings.backend == "nutpie":
            import nutpie

            # The linear predictors are left out of the sampler's trace and computed
            # afterwards from the draws: one value per arm and draw, they were half the
            # trace and were held several times over while nutpie converted it.
            linear = [v for v in ("eta", "theta") if v in pm_model.named_vars]
            if compiled is None:
                compiled = compile_nutpie(pm_model, var_names=[
                    v.name for v in pm_model.unobserved_RVs if v.name not in linear])
            if key is not None:
                with _COMPILED_LOCK:
                    _COMPILED[key] = (pm_model, compiled)
                    while len(_COMPILED) > _COMPILED_KEEP:
                        del _COMPILED[next(iter(_COMPILED))]
            t_compiled = time.perf_counter()
            idata = nutpie.sample(
                compiled,
                draws=settings.draws,
                tune=settings.tune,
                chains=settings.chains,
                seed=settings.random_seed,
                target_accept=settings.target_accept,
                cores=cores,
                save_warmup=False,
                progress_bar=False,
                progress_callback=progress.nutpie_callback,
                progress_rate=500,
            )
            if linear:
                import pymc as pm

                idata.posterior.update(pm.compute_deterministics(
                    idata.posterior.to_dataset(), var_names=linear, model=pm_model,
                    progressbar=False))
        else:
            import pymc as pm

            # Worker processes started by spawn or forkserver rebuild the sampler's
            # functions with PyTensor's own defaults (fastmath on); forked ones keep ours.
            # Fork only on Linux (macOS libraries are not fork-safe): elsewhere the PyMC
            # backend's draws match across reruns only with PYTENSOR_FLAGS setting
            # numba__fastmath=False (nutpie samples in threads and needs nothing).
            fork = "fork" if sys.platform.startswith("linux") else None
            with pm_model:
                t_compiled = time.perf_counter()
                idata = pm.sample(
                    mp_ctx=fork,
                    draws=settings.draws,
                    tune=settings.tune,
                    chains=settings.chains,
                    cores=cores,
                    random_seed=settings.random_seed,
                    target_accept=settings.target_accept,
                    progressbar=False,
                    callback=progress.pymc_callback,
                    compute_convergence_checks=False,
                )
        end = time.perf_counter()
        flags_used = {name: getattr(pytensor_config, name) for name in COMPILE_FLAGS}
    # Per data point and draw, the linear predictors and the log-likelihood outweigh every
    # parameter at scale: single precision (7 digits, far below Monte Carlo error) halves
    # their memory and file size.
    for name in (v for v in ("eta", "theta") if v in idata.posterior):
        idata.posterior[name] = idata.posterior[name].astype(np.float32)
    _attach_data(idata, model)
    for name, role in parameter_roles(model).items():
        idata.posterior[name].attrs["role"] = role
    for param in model.parameters:
        if not isinstance(param.prior, Derived):
            idata.posterior[param.name].attrs.update(prior_attrs(param.prior))
        else:
            idata.posterior[param.name].attrs["prior_text"] = str(param.prior)
        idata.posterior[param.name].attrs.update(param.attrs)
    idata["log_likelihood"] = xr.Dataset(
        {"log_lik": pointwise_log_likelihood(idata, dtype=np.float32)})
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
            "compile_flags": json.dumps(flags_used),
            "machine": machine_type(),
            # Attribute names from the description's labels: "priors' scale" -> priors_scale.
            **{re.sub(r"\W+", "_", k).strip("_"): v for k, v in model.describe().items()},
        }
    )
    return idata


#: The data values stored for the post-processing (``constant_data``).
_VALUE_COLUMNS = ("events", "total", "person_time", "follow_up", "y", "se")


def _attach_data(idata, model: NMAModel) -> None:
    """Store the data the post-processing needs (residual deviance, tables) in
    ``constant_data``: arm-level values on dim ``arm``, the rows of arms given as several
    rows on dim ``observation`` (``obs_<value>``, with ``obs_arm``, the position of each
    one's arm), contrasts on dim ``contrast``."""
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
            **{c: ("arm", arms[c].to_numpy(dtype=float)) for c in _VALUE_COLUMNS},
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
    if des.obs_rows.size:
        obs = model.network.observations.iloc[des.obs_rows]
        coords["observation"] = _observation_labels(model)
        data.update({
            "obs_study": ("observation", obs["study"].astype(str).to_numpy()),
            "obs_treatment": ("observation", obs["treatment"].astype(str).to_numpy()),
            "obs_format": ("observation", obs["format"].astype(str).to_numpy()),
            "obs_arm": ("observation", des.obs_arm),
            **{f"obs_{c}": ("observation", obs[c].to_numpy(dtype=float))
               for c in _VALUE_COLUMNS},
        })
    idata["constant_data"] = xr.Dataset(data, coords=coords)
    # The same observed_data group for both backends (nutpie does not write one).
    observed = {}
    if des.con_rows.size:
        observed["y_contrast"] = xr.DataArray(des.con_y, dims="contrast",
                                              coords={"contrast": coords["contrast"]})
    if des.arm_rows.size:
        for fmt in dict.fromkeys(arms["format"]):
            if ARM_FORMATS[fmt].several_rows:
                _, sub, labels, dim = _observations(model, fmt)
                observed[f"y_{fmt}"] = xr.DataArray(
                    sub[ARM_FORMATS[fmt].observed].to_numpy(), dims=dim, coords={dim: labels})
                continue
            pick = (arms["format"] == fmt).to_numpy()
            observed[f"y_{fmt}"] = xr.DataArray(
                arms.loc[pick, ARM_FORMATS[fmt].observed].to_numpy(), dims=f"arm_{fmt}",
                coords={f"arm_{fmt}": coords["arm"][pick]})
    idata["observed_data"] = xr.Dataset(observed)
