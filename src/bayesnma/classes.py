"""Class effects: treatments grouped into classes (Dias et al. 2013, NICE DSU TSD2 sec. 6;
as multinma's ``nma(class_effects = )``).

- ``common``: every member of a class has the class effect, ``d_t = m_c``.
- ``exchangeable``: members are exchangeable around the class mean,
  ``d_t ~ N(m_c, s_g^2)``, with the class SD ``s_g`` per class (``independent``), one for
  all classes (``common``) or shared within named groups of classes.

As in multinma, the reference treatment has ``d = 0`` and no class mean; under the
exchangeable model a class with a single member (not counting the reference) has no class
effect (its treatment keeps the ordinary prior on ``d``) unless a ``class_sd`` group names
it. A treatment listed in ``at_class_mean`` (e.g. an arm of a mixed or unspecified member
of a class) enters at the class mean itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayesnma.errors import ConfigError, NetworkError
from bayesnma.parameters import Derived, Parameter
from bayesnma.priors import HalfNormal, Normal
from bayesnma.terms import ModelTerm

__all__ = ["CLASS_MODELS", "ClassDesign", "ClassEffects", "class_design",
           "class_effects_from_config", "class_links", "class_parameters"]

CLASS_MODELS = ("common", "exchangeable")


@dataclass(frozen=True)
class ClassEffects(ModelTerm):
    """Class-effects model of the treatment effects.

    Parameters
    ----------
    classes : mapping or tuple of (treatment, class) pairs
        Class of every treatment.
    model : {"common", "exchangeable"}
    class_sd : "independent", "common" or tuple of tuples of class names
        Exchangeable model: one SD per class, one for all, or groups of classes sharing
        one (classes in no group get their own).
    at_class_mean : tuple of str
        Treatments whose effect is the class mean itself.
    mean_prior : Normal
        Prior of the class means (vs the reference treatment).
    sd_prior : prior
        Prior of the class SDs.
    """

    classes: tuple = ()
    model: str = "exchangeable"
    class_sd: object = "independent"
    at_class_mean: tuple = ()
    mean_prior: Normal = Normal(0.0, 10.0)
    sd_prior: object = HalfNormal(1.0)

    def __post_init__(self):
        pairs = self.classes.items() if isinstance(self.classes, dict) else self.classes
        object.__setattr__(self, "classes", tuple((str(t), str(c)) for t, c in pairs))
        if self.model not in CLASS_MODELS:
            raise ConfigError(f"class_effects.model must be one of {', '.join(CLASS_MODELS)}; "
                              f"got {self.model!r}")
        if not isinstance(self.class_sd, str):
            object.__setattr__(self, "class_sd", tuple(tuple(str(c) for c in g)
                                                       for g in self.class_sd))
        elif self.class_sd not in ("independent", "common"):
            raise ConfigError("class_effects.class_sd must be independent, common or a list of "
                              f"groups of classes; got {self.class_sd!r}")
        object.__setattr__(self, "at_class_mean", tuple(str(t) for t in self.at_class_mean))

    @property
    def class_of(self) -> dict:
        return dict(self.classes)

    name = "class_effects"

    def check(self, model) -> None:
        self.check_treatments(model.network.treatments, model.network.source)

    def design(self, model):
        return class_design(self, model.treatments)

    def trt_effect_parameters(self, model):
        return class_parameters(self, model.class_design, model.priors.trt)

    def attributes(self, model):
        design = model.class_design
        return {"class_effects": (
            f"{self.model} class effects over {len(design.means)} class mean(s) ~ "
            f"{self.mean_prior}"
            + (f"; class SD(s) ({', '.join(design.sd_groups)}) ~ {self.sd_prior}"
               if design.sd_groups else "")
            + (f"; at the class mean: {', '.join(self.at_class_mean)}"
               if self.at_class_mean else ""))}

    def check_treatments(self, treatments, source) -> None:
        """Every treatment has a class; names in the settings exist."""
        class_of = self.class_of
        missing = [t for t in treatments if t not in class_of]
        if missing:
            raise NetworkError(f"{source}: class_effects: no class for {', '.join(missing)}; "
                               "give every treatment a class")
        known = set(class_of.values())
        groups = () if isinstance(self.class_sd, str) else self.class_sd
        unknown = [c for g in groups for c in g if c not in known]
        if unknown:
            raise ConfigError(f"class_effects.class_sd: unknown class(es) {', '.join(unknown)} "
                              f"(classes: {', '.join(sorted(known))})")
        bad = [t for t in self.at_class_mean if t not in class_of]
        if bad:
            raise ConfigError(f"class_effects.at_class_mean: {', '.join(bad)} not a treatment "
                              "with a class")


@dataclass(frozen=True)
class ClassDesign:
    """How each non-reference treatment's ``d`` is built (see :func:`class_design`).

    ``kind`` per treatment: ``"member"`` (``m_c + s_g z``), ``"mean"`` (``m_c``),
    ``"free"`` (ordinary prior), ``"zero"`` (in the reference's class, common model).
    """

    treatments: tuple
    kind: tuple
    means: tuple        # classes with a mean parameter
    sd_groups: tuple    # labels of the class SD parameters
    mean_idx: np.ndarray   # 1-based into means (0: none)
    sd_idx: np.ndarray     # 1-based into sd_groups (0: none)
    z_idx: np.ndarray      # 1-based into z (0: none)
    z_labels: tuple


def class_design(spec: ClassEffects, treatments: list[str]) -> ClassDesign:
    """The class structure of ``treatments`` (model order, reference first)."""
    class_of = spec.class_of
    ref, others = treatments[0], list(treatments[1:])
    groups = () if isinstance(spec.class_sd, str) else spec.class_sd
    named = {c for g in groups for c in g}
    size = {}
    for t in others:
        size[class_of[t]] = size.get(class_of[t], 0) + 1
    kind = []
    for t in others:
        c = class_of[t]
        if spec.model == "common":
            kind.append("zero" if c == class_of[ref] else "mean")
        elif size[c] < 2 and c not in named:
            kind.append("free")
        else:
            kind.append("mean" if t in spec.at_class_mean else "member")
    means = tuple(dict.fromkeys(class_of[t] for t, k in zip(others, kind, strict=True)
                                if k in ("mean", "member")))
    member_classes = list(dict.fromkeys(class_of[t] for t, k in zip(others, kind, strict=True)
                                        if k == "member"))
    if spec.class_sd == "common":
        group_of = {c: "all classes" for c in member_classes}
    else:
        group_of = {c: c for c in member_classes}
        for g in groups:
            for c in g:
                if c in group_of:
                    group_of[c] = " + ".join(g)
    sd_groups = tuple(dict.fromkeys(group_of.values()))
    z_labels = tuple(t for t, k in zip(others, kind, strict=True) if k in ("member", "free"))
    mean_idx = np.array([means.index(class_of[t]) + 1 if k in ("mean", "member") else 0
                         for t, k in zip(others, kind, strict=True)], dtype=np.int64)
    sd_idx = np.array([sd_groups.index(group_of[class_of[t]]) + 1 if k == "member" else 0
                       for t, k in zip(others, kind, strict=True)], dtype=np.int64)
    z_idx = np.array([z_labels.index(t) + 1 if t in z_labels else 0 for t in others],
                     dtype=np.int64)
    return ClassDesign(tuple(others), tuple(kind), means, sd_groups, mean_idx, sd_idx, z_idx,
                       z_labels)


def class_links(spec: ClassEffects, trt_ref: str, treatments) -> list[set]:
    """Groups of treatments the class model ties together: the members of each class mean,
    and under a common class model the reference's class with the reference."""
    others = [t for t in treatments if t != trt_ref]
    design = class_design(spec, [trt_ref, *others])
    class_of = spec.class_of
    links: dict[str, set] = {}
    for trt, kind in zip(design.treatments, design.kind, strict=True):
        if kind in ("member", "mean"):
            links.setdefault(class_of[trt], set()).add(trt)
        elif kind == "zero":
            links.setdefault(class_of[trt], {trt_ref}).add(trt)
    return list(links.values())


def class_parameters(spec: ClassEffects, design: ClassDesign, trt_prior: Normal):
    """Parameters of the class model, ending with ``d`` (derived from them)."""
    params = [Parameter("d_class", "class_effect", spec.mean_prior, dims="class",
                        coords=design.means)] if design.means else []
    if design.sd_groups:
        params.append(Parameter("class_sd", "class_sd", spec.sd_prior, dims="class_sd_group",
                                coords=design.sd_groups))
    if design.z_labels:
        params.append(Parameter("d_z", "random_effect", Normal(0.0, 1.0), dims="class_member",
                                coords=design.z_labels))
    free = np.array([k == "free" for k in design.kind], dtype=float)

    def build(p):
        import pytensor.tensor as pt

        zero = pt.zeros(1)
        mean = pt.concatenate([zero, p["d_class"]])[design.mean_idx] if design.means else 0.0
        scale = (pt.concatenate([zero, p["class_sd"]])[design.sd_idx]
                 if design.sd_groups else 0.0) + trt_prior.sd * free
        z = pt.concatenate([zero, p["d_z"]])[design.z_idx] if design.z_labels else 0.0
        return pt.zeros(len(design.kind)) + mean + trt_prior.mean * free + scale * z

    text = (f"{spec.model} class effects: " + ("d[t] = class mean" if spec.model == "common"
            else "d[t] ~ Normal(class mean, class SD^2)"))
    attrs = {"classes": json.dumps(spec.class_of),
             "class_kinds": json.dumps(dict(zip(design.treatments, design.kind, strict=True))),
             "at_class_mean": json.dumps([t for t in design.treatments
                                          if t in spec.at_class_mean])}
    params.append(Parameter("d", "trt_effect", Derived(build, text), dims="treatment",
                            coords=design.treatments, attrs=attrs))
    return params


def class_effects_from_config(spec: dict, network, treatments) -> ClassEffects:
    """Class effects from config settings: ``classes`` (treatment -> class) or ``column``
    (a column of the data holding each arm's class), ``model``, ``class_sd``,
    ``at_class_mean``, ``mean_prior`` and ``sd_prior``."""
    from bayesnma.prior_config import prior_from_config
    from bayesnma.priors import HET_PRIORS

    if spec.get("column"):
        col = spec["column"]
        frames = [f[["treatment", col]] for f in (network.arms, network.contrasts)
                  if col in f and len(f)]
        if not frames:
            raise NetworkError(f"{network.source}: class_effects.column {col!r} is not a "
                               "column of the data")
        pairs = pd.concat(frames).drop_duplicates()
        clash = pairs[pairs["treatment"].duplicated(keep=False)]
        if len(clash):
            t = clash["treatment"].iat[0]
            raise NetworkError(f"{network.source}: treatment '{t}' has more than one class in "
                               f"column {col!r}: {', '.join(map(str, clash[col]))}")
        classes = dict(zip(pairs["treatment"], pairs[col].astype(str), strict=True))
    else:
        classes = dict(spec.get("classes") or {})
    at_mean = tuple(spec.get("at_class_mean") or ())
    unknown = [t for t in at_mean if t not in classes]
    if unknown:
        raise ConfigError(f"class_effects.at_class_mean: {', '.join(unknown)} has no class "
                          "in class_effects")
    kwargs = {"model": spec.get("model", "exchangeable"),
              "class_sd": spec.get("class_sd", "independent"),
              # a treatment absent from this part of the data has nothing to place
              "at_class_mean": tuple(t for t in at_mean if t in treatments)}
    if "mean_prior" in spec:
        kwargs["mean_prior"] = prior_from_config(spec["mean_prior"],
                                                 parameter="class_effects.mean_prior")
    if "sd_prior" in spec:
        kwargs["sd_prior"] = prior_from_config(spec["sd_prior"],
                                               parameter="class_effects.sd_prior",
                                               allowed=HET_PRIORS)
    ce = ClassEffects({t: c for t, c in classes.items() if t in treatments}, **kwargs)
    ce.check_treatments(treatments, network.source)
    return ce
