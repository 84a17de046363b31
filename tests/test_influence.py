"""Leave-one-study-out influence: the table of moves and the per-study summary (synthetic
tables; the refits themselves are run by the workflow tests)."""

import math

import numpy as np
import pandas as pd

from bayesnma.influence import INFLUENCE_COLUMNS, influence_table, study_influence


def _effects(ref: str, log_medians: dict, sd: float = 0.5, component: str = "c1"):
    """A relative-effects table against ``ref`` on the log OR and OR scales."""
    rows = []
    for trt, mu in log_medians.items():
        rows.append({"component": component, "treatment": trt, "comparator": ref,
                     "scale": "log OR", "median": mu, "q2.5": mu - 1.96 * sd,
                     "q97.5": mu + 1.96 * sd, "sd": sd})
        rows.append({"component": component, "treatment": trt, "comparator": ref,
                     "scale": "OR", "median": math.exp(mu), "q2.5": math.exp(mu - 1.96 * sd),
                     "q97.5": math.exp(mu + 1.96 * sd), "sd": np.nan})
    return pd.DataFrame(rows)


def _ranks(sucras: dict, component: str = "c1"):
    return pd.DataFrame({"component": component, "treatment": list(sucras),
                         "sucra": list(sucras.values()), "mcse_sucra": 0.004})


MAIN_EFFECTS = pd.concat([_effects("A", {"B": 0.5, "C": 1.0}),
                          _effects("B", {"A": -0.5, "C": 0.5})])
MAIN_RANKS = _ranks({"C": 0.9, "B": 0.5, "A": 0.1})


def _part(ref, log_medians, sucras, main_sucras, converged=True):
    return {"component": "c1", "trt_ref": ref, "converged": converged,
            "effects": _effects(ref, log_medians), "ranks": _ranks(sucras),
            "main_ranks": _ranks(main_sucras)}


def test_a_study_whose_removal_moves_an_effect_is_measured_in_posterior_sds():
    refit = {"study": "s1", "note": "", "components": ["c1"],
             "parts": [_part("A", {"B": 0.5, "C": 0.0}, {"B": 0.7, "C": 0.5, "A": 0.3},
                             {"C": 0.9, "B": 0.5, "A": 0.1})]}
    table = influence_table(MAIN_EFFECTS, MAIN_RANKS, {"c1": "A"}, [refit])
    assert list(table.columns) == INFLUENCE_COLUMNS
    c = table.set_index("treatment").loc["C"]
    assert c["shift"] == -1.0 and c["shift_in_sd"] == -2.0
    assert c["median_without"] == 1.0 and c["sucra_change"] == -0.4
    assert bool(c["same_ranking_set"]) and bool(c["converged"])
    ref = table.set_index("treatment").loc["A"]
    assert np.isnan(ref["median"]) and ref["sucra_without"] == 0.3


def test_a_treatment_only_the_study_had_is_not_estimable_and_the_rest_rank_among_themselves():
    # Without s2, C is gone: the whole analysis is ranked among A and B only for SUCRA.
    refit = {"study": "s2", "note": "", "components": ["c1"],
             "parts": [_part("A", {"B": 0.6}, {"B": 0.8, "A": 0.2}, {"B": 0.9, "A": 0.1})]}
    table = influence_table(MAIN_EFFECTS, MAIN_RANKS, {"c1": "A"}, [refit]).set_index(
        "treatment")
    assert table.loc["C", "note"] == "not in the network without this study"
    assert np.isnan(table.loc["C", "median_without"])
    assert table.loc["B", "sucra"] == 0.9 and table.loc["B", "sucra_without"] == 0.8
    assert not table.loc["B", "same_ranking_set"]
    summary = study_influence(table.reset_index())
    assert summary.loc[0, "lost"] == "C"


def test_without_the_reference_s_only_study_effects_are_against_another_reference():
    refit = {"study": "s3", "components": ["c1"],
             "note": "effects against B: the reference A is not in the network without it",
             "parts": [_part("B", {"C": 0.5}, {"C": 0.8, "B": 0.2}, {"C": 0.7, "B": 0.3})]}
    table = influence_table(MAIN_EFFECTS, MAIN_RANKS, {"c1": "A"}, [refit]).set_index(
        "treatment")
    assert set(table["trt_ref"]) == {"B"}
    assert table.loc["C", "median"] == math.exp(0.5)  # the whole analysis, against B
    assert table.loc["C", "shift"] == 0.0
    assert table.loc["C", "note"].startswith("effects against B")
    assert table.loc["A", "note"] == "not in the network without this study"


def test_a_study_without_which_nothing_can_be_fitted_says_why():
    refit = {"study": "s4", "components": ["c1"], "parts": [],
             "note": "not analysable without it: no comparison"}
    table = influence_table(MAIN_EFFECTS, MAIN_RANKS, {"c1": "A"}, [refit])
    assert (table["note"] == "not analysable without it: no comparison").all()
    assert table["median_without"].isna().all() and table["converged"].isna().all()


def test_study_summary_puts_the_largest_sucra_move_first_and_skips_failed_refits():
    refits = [
        {"study": "small", "note": "", "components": ["c1"],
         "parts": [_part("A", {"B": 0.5, "C": 0.9}, {"C": 0.85, "B": 0.55, "A": 0.1},
                         {"C": 0.9, "B": 0.5, "A": 0.1})]},
        {"study": "big", "note": "", "components": ["c1"],
         "parts": [_part("A", {"B": 1.2, "C": 1.0}, {"B": 0.75, "C": 0.6, "A": 0.1},
                         {"C": 0.9, "B": 0.5, "A": 0.1})]},
        {"study": "failed", "note": "", "components": ["c1"],
         "parts": [_part("A", {"B": 5.0, "C": -3.0}, {"B": 1.0, "C": 0.0, "A": 0.5},
                         {"C": 0.9, "B": 0.5, "A": 0.1}, converged=False)]},
    ]
    summary = study_influence(influence_table(MAIN_EFFECTS, MAIN_RANKS, {"c1": "A"}, refits))
    assert summary["study"].tolist() == ["big", "small", "failed"]
    big = summary.iloc[0]
    assert big["sucra_treatment"] == "C" and math.isclose(big["sucra_change"], -0.3)
    assert big["shift_treatment"] == "B" and math.isclose(big["shift_in_sd"], 1.4)
    failed = summary.iloc[2]
    assert not failed["converged"] and np.isnan(failed["sucra_change"])


def test_components_without_the_study_get_no_rows():
    refit = {"study": "s1", "note": "", "components": ["c1"],
             "parts": [_part("A", {"B": 0.5, "C": 1.0}, {"C": 0.9, "B": 0.5, "A": 0.1},
                             {"C": 0.9, "B": 0.5, "A": 0.1})]}
    other = pd.concat([MAIN_RANKS, _ranks({"E": 0.8, "D": 0.2}, component="c2")])
    table = influence_table(MAIN_EFFECTS, other, {"c1": "A", "c2": "D"}, [refit])
    assert set(table["component"]) == {"c1"}
    assert (table["shift"].dropna() == 0).all()
