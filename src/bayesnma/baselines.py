"""Study baselines of arm-level studies: independent (NICE DSU TSD2) or exchangeable
(TSD5 baseline synthesis; Beliveau et al. 2017; multinma's ``baseline_synthesis``).

``mu[j]`` is the linear predictor of study ``j``'s baseline arm (the first of its
treatments in model order). Independent baselines give each study its own ``mu[j]`` with a
vague prior; relative effects then come only from within-study comparisons.

Exchangeable baselines model the implied linear predictor of the *reference* treatment in
every arm-level study, ``alpha[j] = mu[j] - d[b_j] - beta_trt[b_j] x_j - delta[j, b_j]``, as

    alpha[j] ~ Normal(m + gamma' w_j, sd^2)

with optional study covariates ``w_j`` on the baseline. ``delta[j, b_j]`` is the random
effect of the baseline arm when it is not the reference treatment: as in multinma, every
arm not on the reference has a random effect, correlated 0.5 within a study, so given the
study's relative random effects ``u_k`` (k = 2..K) it is ``-sum(u) / K + tau sqrt((K + 1) /
(2 K)) e``, ``e ~ N(0, 1)``. Studies then inform treatment effects through their absolute
level as well, which lets single-arm studies and separate components enter the model: an
explicit assumption that the reference treatment's outcome is exchangeable across studies.
There is no "cut": the baseline model and the relative effects inform each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnma.errors import ConfigError, NetworkError
from bayesnma.parameters import Derived, Parameter
from bayesnma.priors import HalfNormal, Normal
from bayesnma.terms import ModelTerm

__all__ = ["BASELINE_MODELS", "BaselineModel", "baseline_covariates", "baseline_parameters"]

BASELINE_MODELS = ("independent", "exchangeable")


@dataclass(frozen=True)
class BaselineModel(ModelTerm):
    """How the study baselines ``mu`` of arm-level studies are modelled.

    Parameters
    ----------
    model : {"independent", "exchangeable"}
    covariates : tuple of str
        Study-level columns of the data with an effect on the baseline (exchangeable only;
        continuous ones centred at their mean over arm-level studies, categorical ones as
        indicators of each level but the most common).
    mean_prior : Normal
        Prior of the mean ``m`` of the reference treatment's linear predictor.
    sd_prior : prior
        Prior of the between-study SD of the baselines.
    covariate_prior : Normal
        Prior of the baseline covariates' coefficients.
    """

    model: str = "independent"
    covariates: tuple = ()
    mean_prior: Normal = Normal(0.0, 10.0)
    sd_prior: object = HalfNormal(2.5)
    covariate_prior: Normal = Normal(0.0, 10.0)

    def __post_init__(self):
        if self.model not in BASELINE_MODELS:
            raise ConfigError(f"baseline.model must be one of {', '.join(BASELINE_MODELS)}; "
                              f"got {self.model!r}")
        object.__setattr__(self, "covariates", tuple(str(c) for c in self.covariates))
        if self.covariates and self.model != "exchangeable":
            raise ConfigError("baseline.covariates need baseline.model: exchangeable")

    @property
    def exchangeable(self) -> bool:
        return self.model == "exchangeable"

    name = "baseline"
    after_random_effects = True  # an exchangeable mu depends on the random effects

    def check(self, model) -> None:
        """Exchangeable baselines exclude baseline-risk regression (``mu`` would depend on
        itself); independent baselines refuse single-arm studies (they inform nothing)."""
        if self.exchangeable:
            if model.regression is not None and model.regression.baseline_risk:
                raise ConfigError("baseline-risk regression needs independent baselines (with "
                                  "exchangeable baselines mu would depend on itself)")
            return
        single = model.network.single_arm_studies
        if single:
            raise NetworkError(
                f"{model.network.source}: single-arm stud{'y' if len(single) == 1 else 'ies'}"
                f" {', '.join(single)}: with independent baselines a study with one arm "
                "informs no relative effect; drop it or use exchangeable baselines")

    def parameters(self, model):
        return baseline_parameters(model)

    def attributes(self, model):
        return {"baseline": self.describe()} if self.exchangeable else {}

    def describe(self) -> str:
        if not self.exchangeable:
            return "independent study baselines"
        cov = f" + covariates ({', '.join(self.covariates)})" if self.covariates else ""
        return (f"exchangeable baselines: reference treatment's linear predictor in every "
                f"arm-level study ~ Normal(m{cov}, sd^2), m ~ {self.mean_prior}, sd ~ "
                f"{self.sd_prior}")


def baseline_covariates(spec: BaselineModel, network, studies) -> tuple[tuple, np.ndarray]:
    """Terms and centred design matrix (one row per study of ``studies``)."""
    terms, cols = [], []
    for cov in spec.covariates:
        frames = [f[["study", cov]] for f in (network.arms, network.contrasts)
                  if cov in f and len(f)]
        if not frames:
            raise NetworkError(f"{network.source}: baseline covariate {cov!r} is not a column "
                               "of the data")
        values = pd.concat(frames).drop_duplicates("study").set_index("study")[cov]
        raw = values.reindex(list(studies))
        if raw.isna().any():
            raise NetworkError(f"{network.source}: baseline covariate {cov!r} is missing for "
                               f"study '{raw.index[raw.isna()][0]}'")
        numeric = pd.to_numeric(raw, errors="coerce")
        if numeric.notna().all():
            terms.append(cov)
            cols.append(numeric.to_numpy(float) - numeric.mean())
            continue
        counts = raw.astype(str).value_counts()
        levels = sorted(counts.index, key=lambda lv: (-counts[lv], lv))
        for level in levels[1:]:
            terms.append(f"{cov}: {level}")
            cols.append((raw.astype(str) == level).to_numpy(float))
    x = np.column_stack(cols) if cols else np.zeros((len(studies), 0))
    return tuple(terms), x


def baseline_parameters(model) -> list[Parameter]:
    """Parameters of the study baselines, ending with ``mu``.

    Built after the treatment effects, regression and random effects of ``model`` (an
    :class:`~bayesnma.model.NMAModel`), which an exchangeable ``mu`` depends on.
    """
    des = model.design
    spec = model.baseline
    studies = tuple(des.arm_studies)
    if not studies:
        return []
    if not spec.exchangeable:
        return [Parameter("mu", "baseline", model.priors.intercept, dims="study",
                          coords=studies)]
    terms, x = baseline_covariates(spec, model.network, studies)
    params = [Parameter("baseline_mean", "baseline_mean", spec.mean_prior),
              Parameter("baseline_sd", "baseline_sd", spec.sd_prior)]
    if terms:
        params.append(Parameter("baseline_beta", "baseline_regression", spec.covariate_prior,
                                dims="baseline_term", coords=terms))
    params.append(Parameter("baseline_z", "random_effect", Normal(0.0, 1.0), dims="study",
                            coords=studies))
    # Arm-level studies in model order: their baseline treatment and number of arms.
    first = np.r_[0, np.flatnonzero(np.diff(des.arm_study_idx)) + 1]
    base_trt = des.trt_idx[des.arm_pos[first]]
    n_arms = np.bincount(des.arm_study_idx, minlength=len(studies))
    random = model.trt_effects == "random"
    off_ref = np.flatnonzero(base_trt != 0) if random else np.array([], dtype=np.int64)
    if off_ref.size:
        params.append(Parameter("baseline_arm_z", "random_effect", Normal(0.0, 1.0),
                                dims="baseline_arm", coords=tuple(studies[i] for i in off_ref)))
    # Position of each arm-level study among all studies (for the relative random effects).
    study_of = des.study_idx[des.arm_pos[first]]
    has_reg = model.regression is not None

    def build(p):
        import pytensor.tensor as pt

        alpha = p["baseline_mean"] + p["baseline_sd"] * p["baseline_z"]
        if terms:
            alpha = alpha + pt.dot(pt.as_tensor(x), p["baseline_beta"])
        d_all = pt.concatenate([pt.zeros(1), p["d"]])
        mu = alpha + d_all[base_trt]
        if has_reg:
            reg = model.regression_design
            beta_all = pt.concatenate([pt.zeros((1, len(reg.terms))), p["beta_trt"]], axis=0)
            mu = mu + (beta_all[base_trt] * pt.as_tensor(reg.x[study_of])).sum(axis=1)
        if off_ref.size:
            nb = des.nonbase
            re_sum = pt.inc_subtensor(pt.zeros(len(model.studies))[des.study_idx[nb]],
                                      model.random_effects(p))[study_of[off_ref]]
            k = n_arms[off_ref]
            delta_b = (-re_sum / k + p["tau"] * np.sqrt((k + 1) / (2 * k))
                       * p["baseline_arm_z"])
            mu = pt.inc_subtensor(mu[off_ref], delta_b)
        return mu

    params.append(Parameter("mu", "baseline", Derived(build, spec.describe()), dims="study",
                            coords=studies))
    return params
