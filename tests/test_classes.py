import pandas as pd
import pytest

import bayesnma as nma
from bayesnma.classes import ClassEffects, class_design
from bayesnma.errors import ConfigError, NetworkError

TRTS = ["P", "A1", "A2", "B1", "C1", "M"]
CLASSES = {"P": "placebo", "A1": "A", "A2": "A", "B1": "B", "C1": "C", "M": "A"}


def test_exchangeable_members_singletons_and_class_mean_arms():
    spec = ClassEffects(CLASSES, "exchangeable", (("B", "A"),), at_class_mean=("M",))
    design = class_design(spec, TRTS)
    assert dict(zip(design.treatments, design.kind, strict=True)) == {
        "A1": "member", "A2": "member", "B1": "member", "C1": "free", "M": "mean"}
    assert design.means == ("A", "B") and design.sd_groups == ("B + A",)


def test_common_model_sets_members_to_the_class_mean():
    spec = ClassEffects({**CLASSES, "P2": "placebo"}, "common")
    design = class_design(spec, [*TRTS, "P2"])
    kinds = dict(zip(design.treatments, design.kind, strict=True))
    assert kinds["P2"] == "zero" and kinds["C1"] == "mean" and not design.sd_groups


def test_every_treatment_needs_a_class(three_trt_arms):
    net = nma.set_agd_arm(three_trt_arms)
    with pytest.raises(NetworkError, match="class_effects: no class for C"):
        nma.NMAModel(net, trt_ref="A", class_effects=ClassEffects({"A": "x", "B": "y"}))


def test_unknown_class_in_a_shared_sd_group(three_trt_arms):
    net = nma.set_agd_arm(three_trt_arms)
    with pytest.raises(ConfigError, match="unknown class\\(es\\) z"):
        nma.NMAModel(net, trt_ref="A", class_effects=ClassEffects(
            {"A": "x", "B": "y", "C": "y"}, class_sd=(("y", "z"),)))


def test_class_model_name_is_checked():
    with pytest.raises(ConfigError, match="class_effects.model must be one of common"):
        ClassEffects(CLASSES, "pooled")


def test_class_level_effects_use_class_means_zero_and_singletons():
    import json

    import numpy as np
    from arviz_base import from_dict

    from bayesnma.effects import class_level_effects

    spec = ClassEffects(CLASSES, "exchangeable", (("B", "A"),), at_class_mean=("M",))
    design = class_design(spec, TRTS)
    rng = np.random.default_rng(2)
    d = rng.normal(size=(2, 100, len(design.treatments)))
    d_class = rng.normal(size=(2, 100, 2))
    idata = from_dict({"posterior": {"d": d, "d_class": d_class}},
                      coords={"treatment": list(design.treatments), "class": ["A", "B"]},
                      dims={"d": ["treatment"], "d_class": ["class"]})
    idata.posterior.attrs["trt_ref"] = "P"
    idata.posterior["d"].attrs["classes"] = json.dumps(spec.class_of)
    effects = class_level_effects(idata)
    assert effects["class"].values.tolist() == ["placebo", "A", "B", "C"]
    assert np.allclose(effects.sel({"class": "placebo"}), 0)
    assert np.allclose(effects.sel({"class": "B"}), d_class[..., 1])
    assert np.allclose(effects.sel({"class": "C"}), d[..., design.treatments.index("C1")])
    ranks = nma.posterior_ranks(idata, lower_better=False, effects=effects)
    assert sorted(ranks["treatment"]) == ["A", "B", "C", "placebo"]
    del idata.posterior["d"].attrs["classes"]
    assert class_level_effects(idata) is None


BRIDGE = pd.DataFrame({"study": ["s1", "s1", "s2", "s2", "s3", "s3"],
                       "treatment": ["P", "A1", "P", "A2", "B1", "A3"],
                       "events": [5, 9, 4, 8, 10, 14], "total": [50, 50, 40, 40, 60, 60]})


def test_a_class_spanning_components_bridges_them():
    net = nma.set_agd_arm(BRIDGE)
    spec = ClassEffects({"P": "placebo", "A1": "A", "A2": "A", "A3": "A", "B1": "B"})
    model = nma.NMAModel(net, trt_ref="P", class_effects=spec)
    kinds = dict(zip(model.class_design.treatments, model.class_design.kind, strict=True))
    assert kinds["A3"] == "member" and kinds["B1"] == "free"


def test_components_without_a_shared_class_are_not_placed():
    net = nma.set_agd_arm(BRIDGE)
    spec = ClassEffects({"P": "placebo", "A1": "A", "A2": "A", "A3": "C", "B1": "B"})
    with pytest.raises(NetworkError, match="no evidence or assumption links \\{A3, B1\\} to "
                       "the reference P"):
        nma.NMAModel(net, trt_ref="P", class_effects=spec)
