"""Certainty of evidence: one test per domain rule, the overall rating, the classification
and the CINeMA export (seeded synthetic posteriors; no sampling)."""

import numpy as np
import pandas as pd
import pytest

from bayesnma import certainty
from bayesnma.data import read_data
from bayesnma.effects import relative_effects
from bayesnma.measures import get_measure
from bayesnma.testing import synthetic_idata

OR, MD = get_measure("OR"), get_measure("MD")

# A-B twice (one RCT, one observational study), B-C once, A-C once (a closed loop), and a
# separate D-E study (not joined to A, B, C by any comparison).
ARMS = """study,treatment,events,total,design
rct1,A,10,100,RCT
rct1,B,20,100,RCT
obs1,A,12,100,retrospective cohort
obs1,B,18,100,retrospective cohort
rct2,B,15,100,RCT
rct2,C,25,100,RCT
obs2,A,10,80,retrospective cohort
obs2,C,30,80,retrospective cohort
far,D,10,50,RCT
far,E,15,50,RCT
"""


@pytest.fixture
def network(write_csv):
    return read_data(write_csv(ARMS))


def _with_column(name: str, by_study: dict) -> str:
    """ARMS with a column ``name`` holding ``by_study[study]`` (empty where not given)."""
    lines = ARMS.strip().split("\n")
    out = [lines[0] + f",{name}"]
    for i, line in enumerate(lines[1:], start=2):
        value = by_study.get((line.split(",")[0], i), by_study.get(line.split(",")[0], ""))
        out.append(f"{line},{value}")
    return "\n".join(out) + "\n"


def _effects(values: dict, sd: float = 0.1, trt_ref: str = "A", lower_better=False):
    return relative_effects(synthetic_idata(values, trt_ref=trt_ref, sd=sd),
                            lower_better=lower_better)


def _rate(network, effects, order=("A", "B", "C"), **kw):
    kw = {"trt_ref": order[0], "order": list(order), "measure": OR,
          "trt_effects": "fixed", "margin": 1.25, **kw}
    sub = network.subset([s for s in network.studies if s != "far"]) \
        if "D" not in order else network
    return certainty.rate_certainty(sub, effects, **kw).set_index(["treatment", "comparator"])


def test_study_judgements_default_from_design_and_column(write_csv):
    net = read_data(write_csv(_with_column("rob", {"rct1": "Some concerns "})))
    rob = certainty.study_judgements(net, "rob")
    assert rob["rct1"] == ("some concerns", "rob column")
    assert rob["rct2"] == ("low", "design: randomised")
    assert rob["obs1"] == ("high", "design: non-randomised comparison")
    assert certainty.study_judgements(net, "indirectness")["obs1"][0] == "low"


def test_contributions_sum_to_one_and_favour_direct_evidence(network):
    share = certainty.contributions(network, "C", "A", trt_effects="fixed")
    assert sum(share.values()) == pytest.approx(1.0)
    assert max(share, key=share.get) == "obs2"  # the only A-C study
    assert set(share) == {"rct1", "obs1", "rct2", "obs2"}
    one = certainty.contributions(network.subset(["far"]), "E", "D", trt_effects="fixed")
    assert one == {"far": pytest.approx(1.0)}
    assert certainty.contributions(network, "D", "A", trt_effects="fixed") == {}


def test_within_study_bias_weighs_studies_by_contribution(network):
    rct_only = network.subset(["rct2"])
    eff = _effects({"B": 0.0, "C": 0.5})
    low = certainty.rate_certainty(rct_only, eff[eff["treatment"].isin(["B", "C"])
                                                 & eff["comparator"].isin(["B", "C"])],
                                   trt_ref="B", order=["B", "C"], measure=OR,
                                   trt_effects="fixed", margin=1.25)
    assert low["within_study_bias"].iat[0] == "no concerns"
    obs_only = certainty.rate_certainty(network.subset(["obs2"]), eff, trt_ref="A",
                                        order=["A", "C"], measure=OR, trt_effects="fixed",
                                        margin=1.25)
    assert obs_only["within_study_bias"].iat[0] == "major concerns"
    assert "obs2 high (100%, design: non-randomised comparison)" in \
        obs_only["within_study_bias_reason"].iat[0]
    mixed = _rate(network.subset(["rct1", "obs1"]), _effects({"B": 0.5}), order=("A", "B"))
    assert mixed.loc[("B", "A"), "within_study_bias"] == "some concerns"


def test_indirectness_from_the_column(write_csv):
    text = _with_column("indirectness", dict.fromkeys(["rct1", "obs1", "rct2", "obs2"],
                                                      "high"))
    rated = _rate(read_data(write_csv(text)), _effects({"B": 0.5, "C": 0.8}))
    assert (rated["indirectness"] == "major concerns").all()


@pytest.mark.parametrize(("mean", "sd", "judgement"), [
    (1.0, 0.1, "no concerns"),      # CrI wholly beyond OR 1.25
    (0.0, 0.05, "no concerns"),     # CrI wholly within 0.8-1.25
    (0.2, 0.1, "some concerns"),    # crosses one limit
    (0.0, 0.5, "major concerns"),   # crosses both
])
def test_imprecision_counts_the_limits_the_interval_crosses(network, mean, sd, judgement):
    rated = _rate(network.subset(["rct1"]), _effects({"B": mean}, sd=sd), order=("A", "B"))
    assert rated.loc[("B", "A"), "imprecision"] == judgement


def test_imprecision_without_a_margin_uses_the_null(network):
    eff = _effects({"B": 0.05}, sd=0.1)
    rated = certainty.rate_certainty(network.subset(["rct1"]), eff, trt_ref="A",
                                     order=["A", "B"], measure=OR, trt_effects="fixed",
                                     margin=None)
    assert rated["imprecision"].iat[0] == "some concerns"
    assert "crosses the null (OR 1)" in rated["imprecision_reason"].iat[0]
    assert certainty.default_margin(OR, None) == certainty.GRADE_RATIO_MARGIN
    assert certainty.default_margin(MD, None) is None
    assert certainty.default_margin(MD, 2.0) == 2.0


def test_an_effect_set_by_the_prior_has_major_imprecision_however_narrow(network):
    # OR 3.6e9 (6.3e5 to 4.1e14): far from the margin, but the prior's, not the data's
    eff = _effects({"B": 22.0}, sd=0.5)
    rated = certainty.rate_certainty(network.subset(["rct1"]), eff, trt_ref="A",
                                     order=["A", "B"], measure=OR, trt_effects="fixed",
                                     margin=1.25, prior_set=["B"])
    assert rated["imprecision"].iat[0] == "major concerns"
    assert rated["imprecision_reason"].iat[0].startswith(
        "the effect of B is set by the prior on d: the data do not bound it")
    assert rated["certainty"].iat[0] == "low"  # high, two down


def test_heterogeneity_compares_the_predictive_interval_with_the_credible_interval(network):
    eff = _effects({"B": 1.0}, sd=0.1)
    sub = network.subset(["rct1"])
    wide = certainty.rate_certainty(sub, eff, trt_ref="A", order=["A", "B"], measure=OR,
                                    trt_effects="random", margin=1.25,
                                    predictive={("B", "A"): (-0.5, 2.5)})
    assert wide["heterogeneity"].iat[0] == "major concerns"
    same = certainty.rate_certainty(sub, eff, trt_ref="A", order=["A", "B"], measure=OR,
                                    trt_effects="random", margin=1.25,
                                    predictive={("B", "A"): (0.3, 1.7)})
    assert same["heterogeneity"].iat[0] == "no concerns"
    fixed = _rate(sub, eff, order=("A", "B"))
    assert fixed.loc[("B", "A"), "heterogeneity"] == "not assessed"


def test_predictive_intervals_add_tau_and_repeat_with_the_seed():
    draws = np.zeros((4000, 2))
    tau = np.full(4000, 1.0)
    first = certainty.predictive_intervals(draws, ["A", "B"], tau, [("B", "A")], seed=1)
    lo, hi = first[("B", "A")]
    assert lo == pytest.approx(-1.96, abs=0.1) and hi == pytest.approx(1.96, abs=0.1)
    assert certainty.predictive_intervals(draws, ["A", "B"], tau, [("B", "A")],
                                          seed=1) == first
    assert certainty.predictive_intervals(draws, ["A", "B"], None, [("B", "A")], seed=1) == {}


def test_incoherence_from_the_nodesplit(network):
    splits = pd.DataFrame({"estimate": ["difference"], "treatment": ["C"],
                           "comparator": ["A"], "p_value": [0.01]})
    rated = _rate(network, _effects({"B": 0.5, "C": 0.8}), splits=splits,
                  verdict="evidence of inconsistency in 1 of 3 comparisons")
    assert rated.loc[("C", "A"), "incoherence"] == "major concerns"
    assert "Bayesian p = 0.01" in rated.loc[("C", "A"), "incoherence_reason"]


def test_incoherence_of_direct_only_and_indirect_only_evidence(network):
    direct = _rate(network.subset(["rct1"]), _effects({"B": 0.5}), order=("A", "B"))
    assert direct.loc[("B", "A"), "incoherence"] == "no concerns"
    chain = _rate(network.subset(["rct1", "rct2"]), _effects({"B": 0.5, "C": 0.8}),
                  verdict="no closed loop: ...")
    assert chain.loc[("C", "A"), "incoherence"] == "some concerns"
    assert "indirect evidence only" in chain.loc[("C", "A"), "incoherence_reason"]


def test_unanchored_effect_is_very_low_by_rule(network):
    eff = _effects({"B": 2.0, "C": 2.0, "D": 2.0, "E": 2.0}, sd=0.05)
    rated = _rate(network, eff, order=("A", "B", "C", "D", "E"),
                  placed_by={"D": "class bridge: exchangeable with its class members"})
    row = rated.loc[("D", "A")]
    assert row["placement"] == "major concerns"
    assert row["certainty"] == "very low"
    assert "class bridge" in row["placement_reason"]
    assert rated.loc[("E", "D"), "placement"] == "no concerns"  # joined by study 'far'


def test_overall_certainty_goes_down_a_level_per_concern(network):
    # rct1 alone, precise and large: high; the observational study alone: two levels down.
    eff = _effects({"B": 1.0}, sd=0.1)
    high = _rate(network.subset(["rct1"]), eff, order=("A", "B"))
    assert high.loc[("B", "A"), "certainty"] == "high"
    low = _rate(network.subset(["obs1"]), eff, order=("A", "B"))
    assert low.loc[("B", "A"), "certainty"] == "low"
    assert low.loc[("B", "A"), "certainty_reason"] == "down 2 for within study bias"


def test_classification_groups_treatments_against_the_reference(network):
    eff = _effects({"B": 0.6, "C": 1.5, "D": 0.0, "E": -0.8}, sd=0.1)
    rating = pd.DataFrame({"treatment": ["B", "C", "D", "E"], "comparator": "A",
                           "certainty": ["high", "low", "very low", "moderate"]})
    out = certainty.classify(eff, rating, trt_ref="A", measure=OR).set_index("treatment")
    assert out.loc["C", "classification"] == "among the most effective"
    assert out.loc["C", "statement"] == "may be among the most effective"
    assert out.loc["B", "classification"] == "intermediate: better than A"
    assert out.loc["D", "statement"] == "very uncertain (95% CrI: not convincingly different " \
                                        "from A)"
    assert out.loc["E", "classification"] == "worse than A"
    assert list(out.sort_values("group").index[:1]) == ["C"]
    assert out["group"].tolist() == sorted(out["group"])  # best group first
    not_conv = certainty.classify(eff, rating, trt_ref="A", measure=OR, converged=False)
    assert (not_conv.loc[not_conv["treatment"] != "A", "statement"]
            == "not classified: the fit did not converge").all()


def test_classification_follows_the_direction_of_benefit(network):
    eff = _effects({"B": -0.6}, sd=0.1, lower_better=True)
    rating = pd.DataFrame({"treatment": ["B"], "comparator": "A", "certainty": ["high"]})
    out = certainty.classify(eff, rating, trt_ref="A", measure=OR).set_index("treatment")
    assert out.loc["B", "classification"] == "among the most effective"


def test_cinema_export_codes_judgements(network):
    out = certainty.cinema_export(network)
    assert list(out.columns[:4]) == ["id", "t", "r", "n"]
    assert out.set_index(["id", "t"]).loc[("obs1", "A"), "rob"] == 3
    assert out.set_index(["id", "t"]).loc[("rct1", "A"), "rob"] == 1
    assert (out["indirectness"] == 1).all()


def test_bias_is_not_assessed_when_no_study_contrast_informs_the_pair(write_csv):
    net = read_data(write_csv("study,treatment,events,total\ns1,A,0,10\ns1,B,0,10\n"))
    rated = certainty.rate_certainty(net, _effects({"B": 0.5}), trt_ref="A", order=["A", "B"],
                                     measure=OR, trt_effects="fixed", margin=1.25)
    assert rated["within_study_bias"].iat[0] == "not assessed"
    assert "zero events" in rated["within_study_bias_reason"].iat[0]
