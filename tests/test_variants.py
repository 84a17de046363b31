"""Model variants: consistency, unrelated mean effects and node-splits share one seam."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from bayesnma import (
    ConfigError,
    NetworkError,
    NMAModel,
    NodeSplit,
    build_pymc_model,
    set_agd_arm,
)
from bayesnma.pymc_backend import parameter_roles


@pytest.fixture
def loop():
    """A-B, B-C, A-C two-arm studies and an A-B-C three-arm study."""
    rows = [("s1", "A", 10, 100), ("s1", "B", 15, 100), ("s2", "B", 12, 90), ("s2", "C", 20, 90),
            ("s3", "A", 8, 80), ("s3", "C", 18, 80), ("s4", "A", 9, 70), ("s4", "B", 12, 70),
            ("s4", "C", 16, 70)]
    return set_agd_arm(pd.DataFrame(rows, columns=["study", "treatment", "events", "total"]))


def _arm_means(model, **values):
    """Mean relative effect of each non-baseline arm at the given parameter values."""
    pm_model = build_pymc_model(model)
    with pm_model:
        params = {p.name: pm_model[p.name] for p in model.variant.parameters(model)}
        expr = model.variant.arm_means(params, model)
    return expr.eval({pm_model[k]: np.asarray(v, dtype=float) for k, v in values.items()})


def test_consistency_means_are_differences_of_d(loop):
    model = NMAModel(loop, trt_effects="fixed", trt_ref="A")
    # non-baseline arms: s1 B, s2 C (vs B), s3 C, s4 B, s4 C
    got = _arm_means(model, d=[0.5, 1.2])
    np.testing.assert_allclose(got, [0.5, 0.7, 1.2, 0.5, 1.2])


def test_ume_has_one_effect_per_comparison_with_the_study_baseline(loop):
    model = NMAModel(loop, trt_effects="random", trt_ref="A", consistency="ume")
    params = {p.name: p for p in model.parameters}
    assert params["d_ume"].coords == ("B vs A", "C vs A", "C vs B")
    assert set(params) == {"d_ume", "mu", "tau", "z"}
    # The three-arm study informs B vs A and C vs A only (contrasts vs its baseline arm).
    np.testing.assert_allclose(_arm_means(model, d_ume=[0.3, 1.0, 2.0]),
                               [0.3, 2.0, 1.0, 0.3, 1.0])


def test_nodesplit_puts_direct_evidence_on_the_studies_comparing_the_pair(loop):
    model = NMAModel(loop, trt_effects="fixed", trt_ref="A", consistency="nodesplit",
                     nodesplit=("A", "C"))
    # (treatment, comparator), comparator first in model order
    assert model.variant == NodeSplit("C", "A") and model.consistency == "nodesplit"
    assert model.nodesplit == ("C", "A")
    # a model rebuilt from its fields keeps its variant
    assert dataclasses.replace(model, trt_effects="random").variant == model.variant
    given = NMAModel(loop, trt_effects="fixed", trt_ref="A", consistency=NodeSplit("A", "C"))
    assert dataclasses.replace(given, trt_effects="random").variant == NodeSplit("C", "A")
    # s3 (A, C) and s4 (A, B, C) compare A and C: C arm = d_dir; others consistency.
    got = _arm_means(model, d=[0.5, 1.2], d_dir=3.0)
    np.testing.assert_allclose(got, [0.5, 0.7, 3.0, 0.5, 3.0])
    roles = parameter_roles(model)
    assert roles["d_dir"] == "direct_effect" and roles["d"] == "trt_effect"
    assert roles["eta"] == "derived"


def test_nodesplit_needs_direct_and_indirect_evidence(loop):
    star = set_agd_arm(pd.DataFrame({"study": ["a", "a", "b", "b"], "treatment": list("ABAC"),
                                     "events": [1, 2, 3, 4], "total": [9, 9, 9, 9]}))
    with pytest.raises(NetworkError, match="no study compares B with C"):
        NMAModel(star, consistency="nodesplit", nodesplit=("B", "C"))
    with pytest.raises(NetworkError, match="no indirect evidence"):
        NMAModel(star, consistency="nodesplit", nodesplit=("A", "B"))
    with pytest.raises(NetworkError, match="not in the data"):
        NMAModel(loop, consistency="nodesplit", nodesplit=("A", "Z"))


def test_variant_arguments_are_checked(loop):
    with pytest.raises(ConfigError, match="consistency must be one of"):
        NMAModel(loop, consistency="inconsistent")
    with pytest.raises(ConfigError, match="needs nodesplit"):
        NMAModel(loop, consistency="nodesplit")
    with pytest.raises(ConfigError, match="nodesplit is given but consistency"):
        NMAModel(loop, nodesplit=("A", "B"))


def test_trt_order_sets_model_order_and_baselines(loop):
    model = NMAModel(loop, trt_ref="A", trt_order=("C", "B"))
    assert model.treatments == ["A", "C", "B"]
    with pytest.raises(NetworkError, match="trt_order must list treatments"):
        NMAModel(loop, trt_order=("C", "X"))


def test_the_config_schema_offers_every_registered_variant():
    import yaml

    from bayesnma.config import schema_path
    from bayesnma.variants import VARIANTS

    schema = yaml.safe_load(schema_path().read_text())
    spec = schema["$defs"]["settings"]["properties"]["consistency"]
    listed = next(s["items"]["enum"] for s in spec["oneOf"] if s.get("type") == "array")
    assert listed == list(VARIANTS)


def test_check_fits_are_labelled_and_rebuilt_from_their_labels(loop):
    from bayesnma.variants import UnrelatedMeans, check_fits, variant_by_label

    model = NMAModel(loop, trt_effects="fixed", trt_ref="A")
    fits = check_fits(model)
    # every comparison of the loop has direct and independent indirect evidence
    assert list(fits) == ["consistency", "ume", "ns1", "ns2", "ns3"]
    assert fits["ume"] == UnrelatedMeans() and fits["ns2"] == NodeSplit("C", "A")
    assert list(check_fits(model, ("consistency", "nodesplit")))[1:] == ["ns1", "ns2", "ns3"]
    assert variant_by_label("ns4", model) is None
    for label, variant in fits.items():
        refit = NMAModel(loop, trt_effects="fixed", trt_ref="A", consistency=variant)
        assert variant_by_label(label, refit) == refit.variant == variant
