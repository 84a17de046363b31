"""Model specification: what is fitted, independent of the sampling backend.

:class:`NMAModel` holds the data, effects model, reference treatment and priors, and builds
the index arrays of the NICE DSU TSD2 consistency model over arm- and contrast-level
evidence. The PyMC backend
(:mod:`bayesnma.pymc_backend`) turns a specification into a ``pm.Model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from bayesnma.data import LIKELIHOODS, NetworkData
from bayesnma.errors import ConfigError
from bayesnma.network import choose_trt_ref, require_connected
from bayesnma.priors import Priors

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
        Defaults to :class:`~bayesnma.priors.Priors` (see its notes for the justification).

    Raises
    ------
    ConfigError
        If ``trt_effects`` is not ``"random"`` or ``"fixed"``.
    NetworkError
        If the network is disconnected or ``trt_ref`` is not one of its treatments.
    """

    network: NetworkData
    trt_effects: str = "random"
    trt_ref: str | None = None
    priors: Priors = field(default_factory=Priors)

    def __post_init__(self):
        if self.trt_effects not in TRT_EFFECTS:
            raise ConfigError(
                f"trt_effects must be one of {', '.join(TRT_EFFECTS)}; got {self.trt_effects!r}"
            )
        require_connected(self.network)
        ref = choose_trt_ref(self.network.treatments, self.trt_ref, source=self.network.source)
        object.__setattr__(self, "trt_ref", ref)

    @property
    def likelihood(self) -> str:
        """Likelihood of each data format, e.g. ``binomial (binary); normal (contrast)``."""
        return "; ".join(f"{LIKELIHOODS[f][0]} ({f})" for f in self.network.formats)

    @property
    def link(self) -> str:
        """Link function of each data format."""
        return "; ".join(f"{LIKELIHOODS[f][1]} ({f})" for f in self.network.formats)

    @property
    def measure(self) -> str:
        """Effect measure code (``OR``, ``HR``, ``MD``, ...)."""
        return self.network.measure

    @property
    def treatments(self) -> list[str]:
        """Treatments with the reference first, then alphabetically."""
        return [self.trt_ref] + [t for t in self.network.treatments if t != self.trt_ref]

    @property
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
            cov = np.full((k.size, k.size), base_se[s] ** 2 if k.size > 1 else 0.0)
            np.fill_diagonal(cov, se[con_rows[k]] ** 2)
            chol = np.linalg.cholesky(cov)
            con_sd[k] = np.diag(chol)
            # Conditional mean weights: I - diag(L) L^-1 (strictly lower triangular).
            blocks.append((k[0], np.eye(k.size) - np.diag(np.diag(chol)) @ np.linalg.inv(chol)))
        con_w, con_idx = _padded_lower(blocks, con_pos.size)
        return ArmDesign(
            study_idx, trt_idx, base_idx, nonbase, chol_w, chol_idx,
            arm_pos, rows[arm_pos], arm_study_idx,
            [self.studies[i] for i in arm_studies],
            con_pos, con_rows, con_y, con_sd, con_w, con_idx, con_se_base,
        )

    def describe(self) -> dict[str, str]:
        """Human-readable description, for reports and NetCDF attributes."""
        info = {
            "likelihood": self.likelihood,
            "link": self.link,
            "trt_effects": self.trt_effects,
            "trt_ref": self.trt_ref,
            "measure": self.measure,
            "model": "NICE DSU TSD2 consistency model (arm-based likelihoods with unrelated "
            "study baselines; contrast-based normal likelihood with multi-arm covariance)"
            + (", random effects correlated 0.5 within multi-arm studies"
               if self.trt_effects == "random" else ", fixed effects"),
        }
        info.update({f"prior {k}": v for k, v in self.priors.describe().items()
                     if self.trt_effects == "random" or not k.startswith("tau")})
        return info
