"""Model specification: what is fitted, independent of the sampling backend.

:class:`NMAModel` holds the data, effects model, reference treatment and priors, and builds
the index arrays of the NICE DSU TSD2 arm-based consistency model. The PyMC backend
(:mod:`bayesnma.pymc_backend`) turns a specification into a ``pm.Model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from bayesnma.data import NetworkData
from bayesnma.errors import ConfigError
from bayesnma.network import choose_trt_ref, require_connected
from bayesnma.priors import Priors

__all__ = ["LIKELIHOODS", "ArmDesign", "NMAModel"]

#: Likelihood, link and effect measure by outcome type.
LIKELIHOODS = {
    "binary": {"likelihood": "binomial", "link": "logit", "measure": "OR",
               "link_scale": "log odds ratio"},
}

TRT_EFFECTS = ("fixed", "random")


@dataclass(frozen=True)
class ArmDesign:
    """Index arrays of the arm-based model (arms sorted so each study's baseline is first).

    Attributes
    ----------
    order : ndarray
        Positions in ``network.arms`` of the arms in model order.
    study_idx, trt_idx : ndarray
        Study and treatment index of each arm (treatment 0 = reference).
    base_idx : ndarray
        Treatment index of each arm's study baseline (lowest treatment index in the study).
    nonbase : ndarray
        Positions (in model order) of the non-baseline arms.
    chol_w, chol_idx : ndarray, shape (n_nonbase, max_arms - 1)
        Padded rows of the Cholesky factor of ``0.5 (I + J)`` per study, applied as
        ``(chol_w * z[chol_idx]).sum(1)``: random effects within a multi-arm study are
        correlated 0.5 (TSD2), without a dense matrix product (no BLAS in the graph).
    """

    order: np.ndarray
    study_idx: np.ndarray
    trt_idx: np.ndarray
    base_idx: np.ndarray
    nonbase: np.ndarray
    chol_w: np.ndarray
    chol_idx: np.ndarray


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
        """Likelihood of the arm-level data."""
        return LIKELIHOODS[self.network.outcome_type]["likelihood"]

    @property
    def link(self) -> str:
        """Link function."""
        return LIKELIHOODS[self.network.outcome_type]["link"]

    @property
    def measure(self) -> str:
        """Effect measure on the natural scale (``OR`` for binomial-logit)."""
        return LIKELIHOODS[self.network.outcome_type]["measure"]

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
        """Index arrays of the arm-based model."""
        arms = self.network.arms
        trt_code = {t: i for i, t in enumerate(self.treatments)}
        study_code = {s: i for i, s in enumerate(self.studies)}
        study_idx = arms["study"].map(study_code).to_numpy()
        trt_idx = arms["treatment"].map(trt_code).to_numpy()
        order = np.lexsort((trt_idx, study_idx))
        study_idx, trt_idx = study_idx[order], trt_idx[order]
        first = np.r_[True, study_idx[1:] != study_idx[:-1]]
        base_idx = trt_idx[np.flatnonzero(first)[np.cumsum(first) - 1]]
        nonbase = np.flatnonzero(~first)

        per_study = np.bincount(study_idx[nonbase], minlength=len(study_code))
        width = max(1, int(per_study.max(initial=1)))
        chol_w = np.zeros((nonbase.size, width))
        chol_idx = np.zeros((nonbase.size, width), dtype=np.int64)
        start = 0
        for m in per_study:
            if m == 0:
                continue
            chol = np.linalg.cholesky(0.5 * (np.eye(m) + np.ones((m, m))))
            for k in range(m):
                chol_w[start + k, : k + 1] = chol[k, : k + 1]
                chol_idx[start + k, : k + 1] = start + np.arange(k + 1)
            start += m
        return ArmDesign(order, study_idx, trt_idx, base_idx, nonbase, chol_w, chol_idx)

    def describe(self) -> dict[str, str]:
        """Human-readable description, for reports and NetCDF attributes."""
        info = {
            "likelihood": self.likelihood,
            "link": self.link,
            "trt_effects": self.trt_effects,
            "trt_ref": self.trt_ref,
            "model": "NICE DSU TSD2 arm-based consistency model, unrelated study baselines"
            + (", random effects correlated 0.5 within multi-arm studies"
               if self.trt_effects == "random" else ", fixed effects"),
        }
        info.update({f"prior {k}": v for k, v in self.priors.describe().items()
                     if self.trt_effects == "random" or not k.startswith("tau")})
        return info
