"""Model specification: what is fitted, independent of the sampling backend.

:class:`NMAModel` holds the data, the treatment-effects model (fixed or random), the
relative-effects variant (consistency, UME or a node-split; :mod:`bayesnma.variants`), the
reference treatment and the priors; it builds the index arrays over arm- and contrast-level
evidence and declares every parameter with its role. The PyMC backend
(:mod:`bayesnma.pymc_backend`) turns a specification into a ``pm.Model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from bayesnma.baselines import BaselineModel
from bayesnma.classes import ClassDesign, ClassEffects, class_links
from bayesnma.data import NetworkData, arm_label, likelihood_of
from bayesnma.errors import ConfigError, NetworkError
from bayesnma.likelihoods import CONTRAST_LIKELIHOOD
from bayesnma.network import choose_trt_ref, require_connected, require_placed
from bayesnma.parameters import Parameter
from bayesnma.priors import Normal, Priors
from bayesnma.regression import Regression, RegressionDesign
from bayesnma.terms import ModelTerm
from bayesnma.variants import ModelVariant, model_variant

__all__ = ["ArmDesign", "NMAModel"]

TRT_EFFECTS = ("fixed", "random")


@dataclass(frozen=True)
class ArmDesign:
    """Index arrays of the model, over every arm of every study (arm- and contrast-level).

    Arms are in model order: studies in data order, each study's baseline arm first.

    Attributes
    ----------
    study_idx, trt_idx : ndarray
        Study and treatment index of each arm (treatment 0 = reference).
    base_idx : ndarray
        Treatment index of each arm's study baseline: the lowest treatment index for
        arm-level studies, the data's baseline row for contrast-level studies.
    nonbase : ndarray
        Positions of the non-baseline arms.
    chol_w, chol_idx : ndarray, shape (n_nonbase, max_arms - 1)
        Padded rows of the Cholesky factor of ``0.5 (I + J)`` per study, applied as
        ``(chol_w * z[chol_idx]).sum(1)``: random effects within a multi-arm study are
        correlated 0.5 (TSD2), without a dense matrix product (no BLAS in the graph).
    arm_pos, arm_rows, arm_study_idx : ndarray
        For arm-level arms: position in model order, row of ``network.arms``, and index
        into ``arm_studies`` (the studies with a baseline ``mu``).
    arm_studies : list of str
        Arm-level studies, in model order.
    con_pos, con_rows : ndarray
        For non-baseline contrast arms: position in model order and row of
        ``network.contrasts``.
    con_y, con_sd, con_w, con_idx : ndarray
        The multivariate normal likelihood of each study's contrasts, factored into
        conditional normals: ``y_k | y_<k ~ N(theta_k + sum_j con_w[k, j] (y - theta)
        [con_idx[k, j]], con_sd[k])``, from the Cholesky factor of the study's covariance
        (variances ``se_k^2``, covariances ``se_baseline^2``).
    con_se_base : ndarray
        SE of each contrast's baseline arm (NaN where not given; only multi-arm studies
        need it).
    obs_rows, obs_arm : ndarray
        For the rows of arms given as several rows (``network.observations``): their rows
        in model order, and the position of each one's arm among the arm-level arms (its
        linear predictor ``eta[obs_arm]``).
    order : ndarray
        Positions in ``network.arms`` of the arm-level arms in model order (``arm_rows``).
    """

    study_idx: np.ndarray
    trt_idx: np.ndarray
    base_idx: np.ndarray
    nonbase: np.ndarray
    chol_w: np.ndarray
    chol_idx: np.ndarray
    arm_pos: np.ndarray
    arm_rows: np.ndarray
    arm_study_idx: np.ndarray
    arm_studies: list
    con_pos: np.ndarray
    con_rows: np.ndarray
    con_y: np.ndarray
    con_sd: np.ndarray
    con_w: np.ndarray
    con_idx: np.ndarray
    con_se_base: np.ndarray
    obs_rows: np.ndarray
    obs_arm: np.ndarray

    @property
    def order(self) -> np.ndarray:
        """Rows of ``network.arms`` in model order (alias of ``arm_rows``)."""
        return self.arm_rows


def _padded_lower(blocks, n: int):
    """Pack per-study lower-triangular blocks into padded weight and index arrays."""
    width = max([1] + [b[1].shape[0] for b in blocks])
    w = np.zeros((n, width))
    idx = np.zeros((n, width), dtype=np.int64)
    for start, mat in blocks:
        for k in range(mat.shape[0]):
            w[start + k, : mat.shape[0]] = mat[k]
            idx[start + k, : mat.shape[0]] = start + np.arange(mat.shape[0])
    return w, idx


@dataclass(frozen=True)
class NMAModel:
    """A network meta-analysis model specification.

    Parameters
    ----------
    network : NetworkData
        Validated data of a connected network.
    trt_effects : {"random", "fixed"}
        Random (default) or fixed treatment effects.
    trt_ref : str or sequence of str, optional
        Reference treatment, or preferences in order; defaults to the first treatment
        alphabetically. Resolved to one name on construction.
    priors : Priors, optional
        Unset priors take the defaults for the data (:meth:`~bayesnma.priors.Priors.for_data`:
        fixed on unitless scales, scaled to the data for mean differences).
    consistency : str or ModelVariant
        Model variant, by name (``"consistency"``, the default; ``"ume"``, unrelated mean
        effects; ``"nodesplit"``; see :data:`bayesnma.variants.VARIANTS`) or as a variant
        object, e.g. ``NodeSplit("B", "A")``. Resolved to its name; the checked variant is
        :attr:`variant`.
    nodesplit : tuple of str, optional
        The comparison to split, ``(treatment, comparator)``, with ``consistency =
        "nodesplit"``; stored, like ``model.variant``, with the comparator first in model
        order.
    trt_order : sequence of str, optional
        Order of the treatments after the reference (default alphabetical). It decides
        each arm-level study's baseline arm (the first of its treatments in this order),
        which matters for UME and node-splits of multi-arm studies.
    regression : Regression, optional
        Network meta-regression on study-level covariates and/or baseline risk
        (:mod:`bayesnma.regression`); ``d`` is then the effect at the centring values.
    class_effects : ClassEffects, optional
        Treatment classes, common or exchangeable (:mod:`bayesnma.classes`).
    baseline : BaselineModel, optional
        Study baselines: independent (default) or exchangeable (:mod:`bayesnma.baselines`).
        Exchangeable baselines let single-arm studies and treatments outside the
        reference's component enter, through the reference's absolute level.

    Raises
    ------
    ConfigError
        If ``trt_effects`` or ``consistency`` is unknown, or ``nodesplit`` does not fit it.
    NetworkError
        If the network is disconnected, ``trt_ref`` or a ``trt_order`` or ``nodesplit``
        name is not one of its treatments, or the split comparison lacks direct or
        indirect evidence.
    """

    network: NetworkData
    trt_effects: str = "random"
    trt_ref: str | None = None
    priors: Priors = field(default_factory=Priors)
    consistency: str | ModelVariant = "consistency"
    nodesplit: tuple[str, str] | None = None
    trt_order: tuple[str, ...] | None = None
    regression: Regression | None = None
    class_effects: ClassEffects | None = None
    baseline: BaselineModel = field(default_factory=BaselineModel)
    #: The checked variant that builds the study-level relative effects.
    variant: ModelVariant = field(init=False, repr=False)

    def __post_init__(self):
        if self.trt_effects not in TRT_EFFECTS:
            raise ConfigError(
                f"trt_effects must be one of {', '.join(TRT_EFFECTS)}; got {self.trt_effects!r}"
            )
        ref = choose_trt_ref(self.network.treatments, self.trt_ref, source=self.network.source)
        object.__setattr__(self, "trt_ref", ref)
        object.__setattr__(self, "priors", (self.priors or Priors()).for_data(self.network))
        if self.baseline.exchangeable or self.class_effects is not None:
            require_placed(self.network, ref, exchangeable_baselines=self.baseline.exchangeable,
                           class_links=self._class_links(ref))
        else:
            require_connected(self.network)
        self.baseline.check(self)
        known = self.network.treatments
        if self.trt_order is not None:
            order = tuple(str(t) for t in self.trt_order)
            unknown = [t for t in order if t not in known]
            if unknown or len(set(order)) != len(order):
                raise NetworkError(
                    f"{self.network.source}: trt_order must list treatments of the data once "
                    f"each; unknown or repeated: {', '.join(unknown) or 'repeated names'} "
                    f"(valid treatments: {', '.join(known)})")
            object.__setattr__(self, "trt_order", order)
        variant = model_variant(self.consistency, nodesplit=self.nodesplit)
        for term in self.terms:
            if term is not self.baseline:
                term.check(self)
        variant = variant.check(self)
        object.__setattr__(self, "variant", variant)
        object.__setattr__(self, "consistency", variant.name)
        for key, value in variant.options().items():
            object.__setattr__(self, key, value)

    def _class_links(self, ref: str) -> list[set]:
        """Treatments tied together by the class model (see :func:`require_placed`)."""
        if self.class_effects is None:
            return []
        self.class_effects.check_treatments(self.network.treatments, self.network.source)
        return class_links(self.class_effects, ref, self.network.treatments)

    @cached_property
    def variant_design(self):
        """The variant's own index arrays (:meth:`ModelVariant.design`)."""
        return self.variant.design(self)

    @property
    def terms(self) -> tuple[ModelTerm, ...]:
        """The structured parts of the model (:mod:`bayesnma.terms`): the baselines, and
        the regression and class effects if given."""
        return tuple(t for t in (self.baseline, self.regression, self.class_effects)
                     if t is not None)

    @cached_property
    def class_design(self) -> ClassDesign | None:
        """Class structure of the treatments (None without class effects)."""
        return None if self.class_effects is None else self.class_effects.design(self)

    @cached_property
    def regression_design(self) -> RegressionDesign | None:
        """Regression terms and centred covariate values (None without regression)."""
        return None if self.regression is None else self.regression.design(self)

    def trt_effect_parameters(self) -> list[Parameter]:
        """The treatment effects ``d`` vs the reference, or the parameters a term builds
        them from (class effects)."""
        for term in self.terms:
            built = term.trt_effect_parameters(self)
            if built is not None:
                return built
        return [Parameter("d", "trt_effect", self.priors.trt, dims="treatment",
                          coords=tuple(self.treatments[1:]))]

    def random_effects(self, params: dict):
        """Random part of each non-baseline arm's relative effect, ``tau L z`` with ``L``
        the Cholesky factor of ``0.5 (I + J)`` per study (order of ``design.nonbase``)."""
        import pytensor.tensor as pt

        des = self.design
        return params["tau"] * (pt.as_tensor(des.chol_w) * params["z"][des.chol_idx]).sum(axis=1)

    def arm_means(self, params: dict):
        """Mean relative effect of each non-baseline arm vs its study's baseline arm: the
        variant's, plus each term's (regression)."""
        means = self.variant.arm_means(params, self)
        for term in self.terms:
            extra = term.arm_means(params, self)
            if extra is not None:
                means = means + extra
        return means

    @cached_property
    def parameters(self) -> list[Parameter]:
        """Every parameter of the model with its role: the variant's, the terms' (e.g.
        regression coefficients), for random effects ``tau`` and the standardised effects,
        and the terms' built on them (the study baselines of arm-level studies,
        :mod:`bayesnma.baselines`)."""
        params = list(self.variant.parameters(self))
        des = self.design
        for term in self.terms:
            if not term.after_random_effects:
                params.extend(term.parameters(self))
        if self.trt_effects == "random":
            params.append(Parameter("tau", "heterogeneity", self.priors.het))
            labels = [arm_label(self.studies[s], self.treatments[t])
                      for s, t in zip(des.study_idx[des.nonbase], des.trt_idx[des.nonbase],
                                      strict=True)]
            params.append(Parameter("z", "random_effect", Normal(0.0, 1.0), dims="nonbase_arm",
                                    coords=tuple(labels)))
        for term in self.terms:
            if term.after_random_effects:
                params.extend(term.parameters(self))
        return params

    @property
    def likelihood(self) -> str:
        """Likelihood of each data format, e.g. ``binomial (binary); normal (contrast)``."""
        return "; ".join(f"{likelihood_of(f).family} ({f})" for f in self.network.formats)

    @property
    def link(self) -> str:
        """Link function of each data format."""
        return "; ".join(f"{likelihood_of(f).link} ({f})" for f in self.network.formats)

    @property
    def measure(self) -> str:
        """Effect measure code (``OR``, ``HR``, ``MD``, ...)."""
        return self.network.measure

    @cached_property
    def treatments(self) -> list[str]:
        """Treatments in model order: the reference first, then ``trt_order`` (or
        alphabetically), then any treatment ``trt_order`` leaves out, alphabetically."""
        order = [t for t in (self.trt_order or ()) if t != self.trt_ref]
        rest = [t for t in self.network.treatments if t != self.trt_ref and t not in order]
        return [self.trt_ref, *order, *rest]

    @cached_property
    def studies(self) -> list[str]:
        """Studies in data order."""
        return self.network.studies

    @cached_property
    def design(self) -> ArmDesign:
        """Index arrays of the model."""
        net = self.network
        trt_code = {t: i for i, t in enumerate(self.treatments)}
        units = []  # (study, treatment code, level, row in its table, is baseline)
        for study in self.studies:
            arms = net.arms.index[net.arms["study"] == study]
            if len(arms):
                codes = net.arms.loc[arms, "treatment"].map(trt_code).to_numpy()
                for j, k in enumerate(np.argsort(codes, kind="stable")):
                    units.append((study, codes[k], "arm", arms[k], j == 0))
                continue
            cons = net.contrasts.index[net.contrasts["study"] == study]
            base = net.contrasts.loc[cons, "diff"].isna().to_numpy()
            for k in np.r_[np.flatnonzero(base), np.flatnonzero(~base)]:
                units.append((study, trt_code[net.contrasts.at[cons[k], "treatment"]],
                              "contrast", cons[k], bool(base[k])))
        study_code = {s: i for i, s in enumerate(self.studies)}
        study_idx = np.array([study_code[u[0]] for u in units], dtype=np.int64)
        trt_idx = np.array([u[1] for u in units], dtype=np.int64)
        level = np.array([u[2] for u in units])
        rows = np.array([u[3] for u in units], dtype=np.int64)
        first = np.array([u[4] for u in units])
        base_idx = trt_idx[np.flatnonzero(first)[np.cumsum(first) - 1]]
        nonbase = np.flatnonzero(~first)

        per_study = np.bincount(study_idx[nonbase], minlength=len(study_code))
        blocks, start = [], 0
        for m in per_study:
            if m:
                blocks.append((start, np.linalg.cholesky(0.5 * (np.eye(m) + np.ones((m, m))))))
            start += m
        chol_w, chol_idx = _padded_lower(blocks, nonbase.size)

        arm_pos = np.flatnonzero(level == "arm")
        arm_studies = list(dict.fromkeys(study_idx[arm_pos]))
        arm_study_idx = np.searchsorted(arm_studies, study_idx[arm_pos])
        con_pos = np.flatnonzero((level == "contrast") & ~first)
        con_rows = rows[con_pos]
        con_y = net.contrasts["diff"].to_numpy(dtype=float)[con_rows]
        se = net.contrasts["se"].to_numpy(dtype=float)
        base_se = {study_idx[i]: se[rows[i]] for i in np.flatnonzero(first)
                   if level[i] == "contrast"}
        con_se_base = np.array([base_se[s] for s in study_idx[con_pos]])
        con_sd = np.empty(con_pos.size)
        blocks = []
        for s in dict.fromkeys(study_idx[con_pos]):
            k = np.flatnonzero(study_idx[con_pos] == s)
            con_sd[k], weights = CONTRAST_LIKELIHOOD.conditional_factors(se[con_rows[k]],
                                                                         base_se[s])
            blocks.append((k[0], weights))
        con_w, con_idx = _padded_lower(blocks, con_pos.size)
        arm_of = {(net.arms.at[r, "study"], net.arms.at[r, "treatment"]): k
                  for k, r in enumerate(rows[arm_pos])}
        obs_arm = np.array([arm_of[key] for key in zip(net.observations["study"],
                                                        net.observations["treatment"],
                                                        strict=True)], dtype=np.int64)
        obs_rows = np.argsort(obs_arm, kind="stable")
        return ArmDesign(
            study_idx, trt_idx, base_idx, nonbase, chol_w, chol_idx,
            arm_pos, rows[arm_pos], arm_study_idx,
            [self.studies[i] for i in arm_studies],
            con_pos, con_rows, con_y, con_sd, con_w, con_idx, con_se_base,
            obs_rows, obs_arm[obs_rows],
        )

    def describe(self) -> dict[str, str]:
        """Human-readable description, for reports and NetCDF attributes."""
        info = {
            "likelihood": self.likelihood,
            "link": self.link,
            "trt_effects": self.trt_effects,
            "trt_ref": self.trt_ref,
            "measure": self.measure,
            "consistency": self.consistency,
            "relative_effects": self.variant.description(self),
            "model": "NICE DSU TSD2 framework (arm-based likelihoods with unrelated "
            "study baselines; contrast-based normal likelihood with multi-arm covariance)"
            + (", random effects correlated 0.5 within multi-arm studies"
               if self.trt_effects == "random" else ", fixed effects"),
        }
        info.update(self.variant.attributes(self))
        for term in self.terms:
            info.update(term.attributes(self))
        info.update({f"prior {k}": v for k, v in self.priors.describe().items()
                     if self.trt_effects == "random" or not k.startswith("tau")})
        return info
