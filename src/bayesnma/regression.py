"""Network meta-regression on study-level covariates (NICE DSU TSD3; multinma's
``regression = ~ .trt:x``).

The relative effect of treatment ``t`` vs the study's baseline ``b`` in study ``s`` gains
``sum_j (beta[t, j] - beta[b, j]) x[s, j]`` over the regression terms ``j`` (``beta`` = 0 for
the reference treatment), with

- a continuous covariate centred (default at its mean over studies; the centring value is
  reported, and ``d`` is the effect there),
- a categorical covariate coded by indicators of each level but the reference level (by
  default its most common level; ``d`` is the effect at the reference level),
- baseline risk: ``x[s] = mu[s] - centre``, the study's baseline linear predictor
  (arm-level data only; default centre: the mean observed baseline-arm value).

Interactions are ``shared`` (one coefficient per term for all treatments vs the
reference), ``exchangeable`` (``beta[t, j] ~ N(B_j, sd_j^2)``) or ``independent``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from bayesnma.errors import ConfigError, NetworkError
from bayesnma.parameters import Derived, Parameter
from bayesnma.priors import HalfNormal, Normal
from bayesnma.terms import ModelTerm

__all__ = ["INTERACTIONS", "Regression", "RegressionDesign", "covariate_settings",
           "estimable_regression", "posterior_covariate_settings", "regression_design",
           "regression_parameters"]

INTERACTIONS = ("shared", "exchangeable", "independent")
BASELINE_TERM = "baseline risk"


@dataclass(frozen=True)
class Regression(ModelTerm):
    """Meta-regression settings.

    Parameters
    ----------
    covariates : tuple of str
        Study-level columns of the data (constant within a study).
    baseline_risk : bool
        Add the interaction with the study's baseline ``mu``.
    interactions : {"shared", "exchangeable", "independent"}
    centre : dict
        Centring value of a continuous covariate (or ``"baseline risk"``), or the
        reference level of a categorical one; defaults as in the module docstring.
    prior : Normal
        Prior of the coefficients (of their mean for exchangeable interactions).
    sd_prior : prior
        Prior of the SD of exchangeable interactions.
    at : dict
        Covariate -> values at which relative effects and rankings are reported besides
        the centring values: levels of a categorical covariate (default: every level),
        values of a continuous one or of ``"baseline risk"`` (default: none).
    """

    covariates: tuple = ()
    baseline_risk: bool = False
    interactions: str = "shared"
    centre: tuple = ()
    prior: Normal = Normal(0.0, 10.0)
    sd_prior: object = HalfNormal(1.0)
    at: tuple = ()

    name = "regression"

    def design(self, model):
        return regression_design(self, model.network, model.design)

    def parameters(self, model):
        return regression_parameters(self, model.regression_design, model.treatments)

    def arm_means(self, params, model):
        return regression_arm_means(params, model.design, model.regression_design)

    def attributes(self, model):
        return {"regression": (
            f"network meta-regression (NICE DSU TSD3), {self.interactions} interactions "
            "with " + ", ".join(
                f"{t['term']} (centred at {t['centre']:.4g})" if t["kind"] != "categorical"
                else f"{t['term']} (vs {t['centre']})" for t in model.regression_design.info)
            + f"; coefficients ~ {self.prior}"
            + (f", SD ~ {self.sd_prior}" if self.interactions == "exchangeable" else ""))}

    def __post_init__(self):
        object.__setattr__(self, "covariates", tuple(str(c) for c in self.covariates))
        centre = self.centre.items() if isinstance(self.centre, dict) else self.centre
        object.__setattr__(self, "centre", tuple((str(k), v) for k, v in centre))
        at = self.at.items() if isinstance(self.at, dict) else self.at
        object.__setattr__(self, "at", tuple((str(k), tuple(v)) for k, v in at))
        unknown = [k for k, _ in self.at if k not in self.covariates and k != BASELINE_TERM]
        if unknown:
            raise ConfigError(f"regression.at: {', '.join(unknown)} is not a covariate of "
                              "the regression")
        if self.interactions not in INTERACTIONS:
            raise ConfigError(f"regression.interactions must be one of "
                              f"{', '.join(INTERACTIONS)}; got {self.interactions!r}")
        if not self.covariates and not self.baseline_risk:
            raise ConfigError("regression needs covariates or baseline_risk: true")
        unknown = [k for k, _ in self.centre
                   if k not in self.covariates and k != BASELINE_TERM]
        if unknown:
            raise ConfigError(f"regression.centre: {', '.join(unknown)} is not a covariate "
                              "of the regression")


@dataclass(frozen=True)
class RegressionDesign:
    """Regression terms and their values per study.

    Attributes
    ----------
    terms : tuple of str
        Labels: a continuous covariate's name, ``"name: level"`` of a categorical one,
        ``"baseline risk"``.
    x : ndarray, shape (n_studies, n_terms)
        Centred values (0 in the baseline-risk column: it is built from ``mu``).
    info : list of dict
        Per term: ``term``, ``covariate``, ``kind`` (``continuous``, ``categorical``,
        ``baseline``), ``centre`` (or the reference ``level``) and ``level``.
    """

    terms: tuple
    x: np.ndarray
    info: list = field(default_factory=list)

    @property
    def baseline_col(self) -> int | None:
        return self.terms.index(BASELINE_TERM) if BASELINE_TERM in self.terms else None


def _study_values(network, column: str) -> pd.Series:
    frames = [f[["study", column]] for f in (network.arms, network.contrasts)
              if column in f and len(f)]
    if not frames:
        raise NetworkError(f"{network.source}: regression covariate {column!r} is not a column "
                           f"of the data (columns carried: {', '.join(network.carried_columns)})")
    values = pd.concat(frames, ignore_index=True)
    per_study = values.groupby("study", sort=False)[column].agg(lambda v: list(dict.fromkeys(v)))
    varying = per_study[per_study.map(len) > 1]
    if len(varying):
        study = varying.index[0]
        raise NetworkError(f"{network.source}: covariate {column!r} differs between the arms of "
                           f"study '{study}' ({', '.join(map(str, varying.iat[0]))}); a "
                           "study-level covariate has one value per study")
    return per_study.map(lambda v: v[0]).reindex(network.studies)


def _baseline_centre(network, design) -> float:
    """Mean over arm-level studies of the baseline arm's observed linear predictor
    (binary: log-odds, with 0.5 added to zero or subtracted from full counts)."""
    arms = network.arms.iloc[design.arm_rows]
    base = arms.iloc[np.r_[0, np.flatnonzero(np.diff(design.study_idx[design.arm_pos])) + 1]]
    from bayesnma.data import ARM_FORMATS
    from bayesnma.likelihoods import BINOMIAL_LOGIT

    if {ARM_FORMATS[f].likelihood for f in base["format"]} != {BINOMIAL_LOGIT}:
        raise ConfigError("regression: baseline_risk needs regression.centre['baseline risk'] "
                          "for data other than binary counts")
    r, n = base["events"].to_numpy(float), base["total"].to_numpy(float)
    r = np.where(r == 0, 0.5, np.where(r == n, n - 0.5, r))
    return float(np.mean(np.log(r / (n - r))))


def regression_design(spec: Regression, network, design) -> RegressionDesign:
    """Terms, centred values and their description, from the data."""
    centre = dict(spec.centre)
    terms, cols, info = [], [], []
    for cov in spec.covariates:
        raw = _study_values(network, cov)
        if raw.isna().any() or (raw.astype(str).str.strip() == "").any():
            study = raw.index[raw.isna() | (raw.astype(str).str.strip() == "")][0]
            raise NetworkError(f"{network.source}: covariate {cov!r} is missing for study "
                               f"'{study}'")
        numeric = pd.to_numeric(raw, errors="coerce")
        if numeric.notna().all():
            c = float(centre.get(cov, numeric.mean()))
            terms.append(cov)
            cols.append(numeric.to_numpy(float) - c)
            info.append({"term": cov, "covariate": cov, "kind": "continuous", "centre": c,
                         "level": ""})
            continue
        counts = raw.astype(str).value_counts()
        levels = sorted(counts.index, key=lambda lv: (-counts[lv], lv))
        ref = str(centre.get(cov, levels[0]))  # default: the most common level
        if ref not in levels:
            raise ConfigError(f"regression.centre: {ref!r} is not a level of {cov} "
                              f"(levels: {', '.join(sorted(levels))})")
        if len(levels) < 2:
            raise NetworkError(f"{network.source}: covariate {cov!r} has one value ({ref}) "
                               "in every study: nothing to regress on")
        for level in (lv for lv in levels if lv != ref):
            terms.append(f"{cov}: {level}")
            cols.append((raw.astype(str) == level).to_numpy(float))
            info.append({"term": f"{cov}: {level}", "covariate": cov, "kind": "categorical",
                         "centre": ref, "level": level})
    if spec.baseline_risk:
        if design.con_rows.size:
            raise NetworkError(f"{network.source}: baseline-risk regression needs arm-level "
                               "data (contrast-level studies have no baseline parameter)")
        c = float(centre.get(BASELINE_TERM, _baseline_centre(network, design)))
        terms.append(BASELINE_TERM)
        cols.append(np.zeros(len(network.studies)))
        info.append({"term": BASELINE_TERM, "covariate": BASELINE_TERM, "kind": "baseline",
                     "centre": c, "level": ""})
    covariate_settings(info, spec.at)  # unknown levels or non-numeric values fail here
    return RegressionDesign(tuple(terms), np.column_stack(cols), info)


def covariate_settings(info: list[dict], at=()) -> list[tuple[str, dict[str, float]]]:
    """Covariate values at which relative effects and rankings are reported.

    The first setting has every covariate at its centre (continuous, baseline risk) or
    reference level (categorical), where ``d`` itself is the effect. Then, one covariate
    at a time (the others as in the first): each other level of a categorical covariate
    (or the levels listed in ``at``), and each value in ``at`` of a continuous covariate.

    Parameters
    ----------
    info : list of dict
        :attr:`RegressionDesign.info` (also stored as the ``terms`` attribute of the
        posterior's ``beta_trt``).
    at : mapping or sequence of (covariate, values) pairs

    Returns
    -------
    list of (label, values)
        ``label`` names every covariate's value (``"prior_therapy = lenvatinib"``);
        ``values`` maps regression terms to their centred value (terms left out are 0), as
        :func:`bayesnma.effects.treatment_effects` takes it.
    """
    at = dict(at.items() if isinstance(at, dict) else at)
    covs: dict[str, dict] = {}
    for t in info:
        covs.setdefault(t["covariate"], {"kind": t["kind"], "centre": t["centre"],
                                         "levels": []})["levels"].append(t["level"])
    base = {cov: c["centre"] for cov, c in covs.items()}

    def label(values):
        return ", ".join(f"{cov} = {v:.4g}" if isinstance(v, float) else f"{cov} = {v}"
                         for cov, v in values.items())

    settings = [(label(base), {})]
    for cov, c in covs.items():
        if c["kind"] == "categorical":
            levels = [str(lv) for lv in at.get(cov, c["levels"])]
            unknown = [lv for lv in levels if lv != c["centre"] and lv not in c["levels"]]
            if unknown:
                raise ConfigError(f"regression.at: {', '.join(unknown)} is not a level of {cov} "
                                  f"(levels: {', '.join(sorted([c['centre'], *c['levels']]))})")
            settings += [(label({**base, cov: lv}), {f"{cov}: {lv}": 1.0})
                         for lv in levels if lv != c["centre"]]
            continue
        for v in at.get(cov, ()):
            try:
                value = float(v)
            except (TypeError, ValueError):
                raise ConfigError(f"regression.at: {cov} is continuous; {v!r} is not a "
                                  "number") from None
            settings.append((label({**base, cov: value}), {cov: value - c["centre"]}))
    return list(dict(settings).items())


def posterior_covariate_settings(idata, at=()) -> list[tuple[str, dict[str, float]]]:
    """:func:`covariate_settings` of a fitted meta-regression (empty without one)."""
    if "beta_trt" not in idata.posterior:
        return []
    return covariate_settings(json.loads(idata.posterior["beta_trt"].attrs["terms"]), at)


def regression_parameters(spec: Regression, reg: RegressionDesign, treatments):
    """Coefficients and the derived per-treatment interactions ``beta_trt``."""
    others = tuple(treatments[1:])
    attrs = {"terms": json.dumps(reg.info)}
    n_t, n_j = len(others), len(reg.terms)
    if spec.interactions == "shared":
        params = [Parameter("beta", "regression", spec.prior, dims="regression_term",
                            coords=reg.terms, attrs=attrs)]

        def build(p):
            import pytensor.tensor as pt

            return pt.ones((n_t, 1)) * p["beta"][None, :]
    elif spec.interactions == "independent":
        labels = tuple(f"{t} | {j}" for t in others for j in reg.terms)
        params = [Parameter("beta", "regression", spec.prior, dims="treatment_term",
                            coords=labels, attrs=attrs)]

        def build(p):
            return p["beta"].reshape((n_t, n_j))
    else:
        labels = tuple(f"{t} | {j}" for t in others for j in reg.terms)
        params = [Parameter("beta", "regression", spec.prior, dims="regression_term",
                            coords=reg.terms, attrs=attrs),
                  Parameter("beta_sd", "regression_sd", spec.sd_prior, dims="regression_term",
                            coords=reg.terms),
                  Parameter("beta_z", "random_effect", Normal(0.0, 1.0), dims="treatment_term",
                            coords=labels)]

        def build(p):
            return p["beta"][None, :] + p["beta_sd"][None, :] * p["beta_z"].reshape((n_t, n_j))
    params.append(Parameter("beta_trt", "derived", Derived(build, "interaction per treatment"),
                            dims=("treatment", "regression_term"), attrs=attrs))
    return params


def regression_arm_means(params, design, reg: RegressionDesign):
    """Regression part of each non-baseline arm's relative effect."""
    import pytensor.tensor as pt

    nb = design.nonbase
    beta_all = pt.concatenate([pt.zeros((1, len(reg.terms))), params["beta_trt"]], axis=0)
    diff = beta_all[design.trt_idx[nb]] - beta_all[design.base_idx[nb]]
    x = pt.as_tensor(reg.x[design.study_idx[nb]])
    col = reg.baseline_col
    if col is not None:
        study_to_arm_study = np.full(int(design.study_idx.max()) + 1, -1)
        study_to_arm_study[design.study_idx[design.arm_pos]] = design.arm_study_idx
        mu = params["mu"][study_to_arm_study[design.study_idx[nb]]]
        x = pt.set_subtensor(x[:, col], mu - reg.info[col]["centre"])
    return (diff * x).sum(axis=1)


def estimable_regression(spec: Regression, network) -> tuple[Regression | None, list[str]]:
    """The regression restricted to covariates that vary between the studies of
    ``network`` (e.g. one connected component), and a note on each one dropped."""
    keep, notes = [], []
    for cov in spec.covariates:
        values = _study_values(network, cov)
        if values.astype(str).nunique() > 1:
            keep.append(cov)
        else:
            notes.append(f"covariate {cov} has one value ({values.iat[0]}) in every study "
                         "here, so its interaction is not estimable: fitted without it")
    if not keep and not spec.baseline_risk:
        return None, notes
    kept = {*keep, BASELINE_TERM}
    return replace(spec, covariates=tuple(keep),
                   centre=tuple((k, v) for k, v in spec.centre if k in kept),
                   at=tuple((k, v) for k, v in spec.at if k in kept)), notes
