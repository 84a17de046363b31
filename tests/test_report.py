from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from bayesnma.effects import mc_decimals
from bayesnma.measures import get_measure
from bayesnma.report.cells import _cell, _effect_cell, _mc_num, _num, _table
from bayesnma.report.claims import _answer, _caution, _headline, run_summary_text
from bayesnma.report.pages import render_answer_html
from bayesnma.report.sections import (
    _checks_not_converged,
    _covariates,
    _prior_bound,
    _reproducibility,
    influence_sentence,
)


def _covariate_tables(beta_verdict):
    eff = pd.DataFrame({
        "setting": ["p = x", "p = y"], "treatment": ["B", "B"], "comparator": ["A", "A"],
        "scale": ["OR", "OR"], "median": [2.0, 5.0], "q2.5": [1.0, 0.001],
        "q97.5": [4.0, 3.8e9]})
    ranks = pd.DataFrame({"setting": ["p = x", "p = x", "p = y", "p = y"],
                          "treatment": ["B", "A", "B", "A"], "sucra": [0.9, 0.1, 0.6, 0.4]})
    params = pd.DataFrame({"parameter": ["beta[p: y]", "tau"], "role": ["interaction", "sd"],
                           "verdict": [beta_verdict, "informed by the data"]})
    return {"covariate_effects": eff, "covariate_ranks": ranks, "parameters": params}


def test_covariates_one_column_per_setting_and_readable_numbers():
    cov = _covariates(_covariate_tables("informed by the data"), "A")
    assert cov["table"].columns == ["treatment", "p = x", "p = y"]
    rows = {r[0]: r[1:] for r in cov["table"].rows}
    assert rows["B"] == ["2.00 (1.00 to 4.00); SUCRA 0.90",
                         "5.00 (0.001 to 3.8×10⁹); SUCRA 0.60"]
    assert rows["A"][0] == "reference; SUCRA 0.10"
    assert cov["prior_bound"] == ""


def test_covariates_flag_an_interaction_that_rests_on_its_prior():
    tables = _covariate_tables("posterior is essentially the prior (overlap 98%)")
    assert _covariates(tables, "A")["prior_bound"] == "beta[p: y]"


def test_numbers_are_written_for_people():
    assert [_num(x) for x in (0, 0.5, -0.456, 12.345, 191.6, 9970.4, 3.8e9, 0.0046, 2e-5)] == [
        "0", "0.50", "-0.46", "12.35", "192", "9,970", "3.8×10⁹", "0.0046", "2.0×10⁻⁵"]
    assert _cell(2213.7, "ess_bulk") == "2,214"
    assert _cell(1.00183, "r_hat") == "1.002"
    assert _cell(float("nan"), "sd") == "–"
    assert _cell(True, "converged") == "yes"
    assert _cell(["a", "b"], "studies") == ["a", "b"]


def test_numbers_get_no_more_decimals_than_their_monte_carlo_error_supports():
    assert [mc_decimals(e) for e in (0.003, 0.006, 0.0004, 0.2, 0.0, float("nan"), None)] == [
        2, 1, 3, 0, None, None, None]
    assert _mc_num(0.8264, 0.003) == "0.83" and _mc_num(0.8264, 0.006) == "0.8"
    assert _mc_num(0.8264, None) == "0.83" and _mc_num(0.8264, 0.0001) == "0.83"
    assert _mc_num(12.3456, 0.3) == "12"
    assert _mc_num(-0.004, 0.3) == "0" and _mc_num(0.0005, 0.1) == "0"
    assert _mc_num(0.0005, None) == "5.0×10⁻⁴" and _mc_num(2e-7, 1e-9) == "2.0×10⁻⁷"
    row = pd.Series({"median": 0.46, "q2.5": 0.372, "q97.5": 0.5649, "mcse_median": 0.001,
                     "mcse_q2.5": 0.002, "mcse_q97.5": 0.03})
    assert _effect_cell(row) == "0.46 (0.37 to 0.6)"


def test_tables_round_to_the_monte_carlo_error_and_leave_it_to_the_csv():
    df = pd.DataFrame({"treatment": ["B"], "sucra": [0.8264], "mcse_sucra": [0.006],
                       "p_best": [0.61], "mcse_p_best": [0.004]})
    table = _table(df)
    assert table.columns == ["treatment", "sucra", "p best"]
    assert table.rows == [["B", "0.8", "0.61"]]


def test_methods_say_where_the_fits_ran_and_how_numbers_are_rounded():
    parts = {"c1": {"fitted_on": ("x86_64: AMD EPYC", '{"numba__fastmath": false}')}}
    text = _reproducibility(parts)
    assert text.startswith('fitted on x86_64: AMD EPYC with compile flags {"numba__fastmath"')
    assert "byte-identical tables (bayesnma check)" in text
    assert _reproducibility({"c1": {}}).startswith("Effects, probabilities and SUCRA are")


def test_tables_leave_out_bookkeeping_and_align_numbers_right():
    df = pd.DataFrame({"analysis": ["x"], "component": ["c1"], "treatment": ["2"],
                       "n_patients": [1234.0], "better_if": ["OR > 1"], "converged": [True]})
    table = _table(df)
    assert table.columns == ["treatment", "n patients"]
    assert table.rows == [["2", "1,234"]] and table.numeric == [True, True]
    assert _table(df, keep=("component",)).columns[0] == "component"
    # a text column left empty (no design given) is text, not numbers
    assert _table(pd.DataFrame({"design": [float("nan")], "n": [1]})).numeric == [False, True]


def test_prior_bound_lists_every_key_parameter_by_component():
    params = pd.DataFrame({"parameter": ["tau", "d[B]"], "role": ["heterogeneity", "effect"],
                           "verdict": ["posterior is essentially the prior", "informed"]})
    parts = {"c1": {"tables": {"parameters": params}}, "c2": {"tables": {}}}
    assert _prior_bound(parts) == ["c1: tau (heterogeneity)"]


def _evidence():
    return pd.DataFrame({
        "treatment": ["A", "B", "H", "X"], "randomised": [["r1 (vs B)"], ["r1 (vs A)"], [], []],
        "observational": [[], [], [], []], "single_arm": [[], [], ["s1"], ["s2"]],
        "n_patients": [60, 60, 17, float("nan")],
        "placed_by": ["reference treatment", "comparisons connected to the reference",
                      "exchangeable baselines: its studies' absolute level",
                      "not analysed: no comparison and no bridge"]})


def test_answer_leads_with_ranking_certainty_evidence_and_robustness():
    ranks = pd.DataFrame({"treatment": ["H", "B", "A"], "sucra": [0.9, 0.6, 0.0],
                          "p_best": [0.7, 0.3, 0.0],
                          "median_rank": [1, 2, 3], "q2.5": [1, 1, 2], "q97.5": [2, 3, 3]})
    eff = pd.DataFrame({"treatment": ["B", "H", "M"], "comparator": ["A", "A", "A"],
                        "scale": ["OR", "OR", "OR"], "median": [2.0, 3.0, 1.5],
                        "q2.5": [1.1, 0.5, 0.7], "q97.5": [3.9, 20.0, 3.0]})
    parts = {"c1": {"tables": {"ranks": ranks, "relative_effects": eff}}}
    components = pd.DataFrame({"component": ["c1"], "trt_ref": ["A"]})
    sensitivity = pd.DataFrame({"treatment": ["B", "B", "B", "B", "H"],
                                "sucra": [0.6, 0.7, 0.1, 0.99, 0.9],
                                "scenario": ["main", "alt", "failed", "split", "main"],
                                "converged": [True, True, False, True, True],
                                "same_ranking_set": [True, True, True, False, True]})
    cfg = SimpleNamespace(description="primary", lower_better=False)
    answer = _answer(parts, components, _evidence(), sensitivity, get_measure("OR"), cfg)
    block = answer["blocks"][0]
    assert block["ranked"]
    # H, first, is placed by exchangeable baselines only: an unanchored comparison does not
    # headline; B, first of the others, has a rank interval spanning most ranks.
    assert block["sentences"][0] == (
        "H ranks first by SUCRA (0.90), but its place rests on an assumption (exchangeable "
        "baselines: its studies' absolute level), not on comparisons: it is not named best. "
        "Of the treatments placed by comparisons, none is clearly the best: B ranks first "
        "(SUCRA 0.60; probability of being best 0.30) but its 95% rank interval (1-3) spans "
        "half the ranks or more.")
    assert "H's place rests on single-arm evidence only (1 study, 17 patients)." in (
        block["sentences"])
    rows = {r[0]: dict(zip(block["table"].columns, r, strict=True))
            for r in block["table"].rows}
    assert list(rows) == ["H", "B", "A"]
    assert rows["B"]["rank (95% CrI)"] == "2 (1-3)"
    assert rows["B"]["OR vs A"] == "2.00 (1.10 to 3.90)"
    assert "M is fixed at the class mean (an arm of mixed class members): among the " \
           "effects, not ranked." in block["sentences"]
    # left out of the range, and counted: the unconverged scenario and the one ranking B
    # among other treatments
    assert rows["B"]["SUCRA across scenarios"] == (
        "0.60 (main) to 0.70 (alt); not comparably ranked in 2 of 4 (failed, split)")
    assert answer["not_ranked"].startswith("X (single-arm studies: s2)")


def test_two_treatments_get_their_effect_and_no_ranking():
    ranks = pd.DataFrame({"treatment": ["B", "A"], "sucra": [1.0, 0.0], "p_best": [0.9, 0.1],
                          "median_rank": [1, 2], "q2.5": [1, 1], "q97.5": [2, 2]})
    eff = pd.DataFrame({"treatment": ["B"], "comparator": ["A"], "scale": ["HR"],
                        "median": [0.5], "q2.5": [0.3], "q97.5": [0.9]})
    parts = {"c2": {"tables": {"ranks": ranks, "relative_effects": eff}}}
    components = pd.DataFrame({"component": ["c2"], "trt_ref": ["A"]})
    cfg = SimpleNamespace(description="", lower_better=True)
    block = _answer(parts, components, None, None, get_measure("HR"), cfg)["blocks"][0]
    assert not block["ranked"]
    assert "SUCRA" not in block["table"].columns
    assert "rank (95% CrI)" not in block["table"].columns
    assert block["sentences"] == ["Two treatments only: B vs A, HR 0.50 (0.30 to 0.90); the "
                                  "effect is the answer, a ranking would add nothing."]


def test_caution_names_the_non_randomised_evidence_and_its_size():
    assert _caution(1, 1, 0, 100, is_ref=False) == ""
    assert _caution(0, 0, 0, 0, is_ref=True) == ""
    assert _caution(0, 1, 1, 89, is_ref=False) == (
        "observational and single-arm evidence only (2 studies, 89 patients)")
    assert _caution(0, 2, 0, float("nan"), is_ref=False) == (
        "observational evidence only (2 studies)")


def test_answer_page_lists_missing_treatments_and_escapes_every_name():
    def section(outcome, treatments, notes):
        n = len(treatments)
        ranks = pd.DataFrame({"treatment": treatments, "sucra": [1.0, 0.5, 0.0][:n],
                              "p_best": [0.8, 0.2, 0.0][:n], "median_rank": [1, 2, 3][:n],
                              "q2.5": 1, "q97.5": 3})
        eff = pd.DataFrame(columns=["treatment", "comparator", "scale", "median", "q2.5",
                                    "q97.5"])
        evidence = pd.DataFrame({"treatment": treatments, "randomised": "", "observational":
                                 "", "single_arm": "", "placed_by": "reference treatment"})
        return {"cfg": SimpleNamespace(outcome=outcome, description="", lower_better=False,
                                       trt_effects="fixed", class_effects=None,
                                       baseline=None, sources=()),
                "parts": {"c1": {"tables": {"ranks": ranks, "relative_effects": eff}}},
                "components": pd.DataFrame({"component": ["c1"], "trt_ref": [treatments[0]],
                                            "measure": ["OR"], "formats": [["binary"]]}),
                "evidence": evidence, "sensitivity": None, "notes": notes,
                "report": f"{outcome}/report.html"}

    html = render_answer_html([
        section("ORR", ["A", "H", "<script>x</script>"], []),
        section("PFS", ["A", "<script>x</script>"],
                ["f.csv, row 3: arm 'H' of study 's' excluded: no CI"])])
    assert '<a href="ORR/report.html">' in html
    assert "Not in this ranking" in html and "arm &#39;H&#39; of study" in html
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert html.index("<h2>ORR") < html.index("<h2>PFS")


def _ranks(converged=True):
    return pd.DataFrame({"treatment": ["H", "B", "A"], "sucra": [0.9, 0.6, 0.0],
                         "p_best": [0.7, 0.3, 0.0], "median_rank": [1, 2, 3],
                         "q2.5": [1, 1, 2], "q97.5": [1, 3, 3], "converged": converged})


@pytest.mark.parametrize(("p_best", "upper", "placed", "claim"), [
    (0.95, 1, {}, "H is very likely the best (probability 0.95; median rank 1, 95% CrI 1-1)."),
    (0.7, 1, {}, "H is probably the best (probability 0.70; median rank 1, 95% CrI 1-1)."),
    (0.4, 1, {}, "No treatment is likely the best: H ranks first by SUCRA (0.90) but its "
                 "probability of being best is 0.40 (median rank 1, 95% CrI 1-1)."),
    (0.7, 2, {}, "No treatment is clearly the best: H ranks first (SUCRA 0.90; probability "
                 "of being best 0.70) but its 95% rank interval (1-2) spans half the ranks or "
                 "more."),
    (0.7, 1, {"H": "class bridge: exchangeable with its class members elsewhere",
              "B": "class bridge: exchangeable with its class members elsewhere",
              "A": "exchangeable baselines: its studies' absolute level"},
     "H ranks first by SUCRA (0.90), but its place rests on an assumption (class bridge: "
     "exchangeable with its class members elsewhere), not on comparisons: it is not named "
     "best."),
])
def test_the_headline_names_a_best_treatment_only_when_the_ranking_supports_it(
        p_best, upper, placed, claim):
    ranks = _ranks().assign(**{"p_best": [p_best, 1 - p_best, 0.0],
                               "q97.5": [upper, 3, 3]})
    assert _headline(ranks, placed) == claim


def _rating(level_hb="very low", level_ha="high"):
    return pd.DataFrame({"treatment": ["H", "H", "B"], "comparator": ["B", "A", "A"],
                         "certainty": [level_hb, level_ha, "high"],
                         "certainty_reason": ["down 3 for within study bias, imprecision",
                                              "no domain with concerns",
                                              "no domain with concerns"]})


def test_the_headline_names_no_best_treatment_whose_comparisons_are_very_low_certainty():
    ranks = _ranks().assign(p_best=[0.95, 0.05, 0.0])
    assert _headline(ranks, {}, _rating()) == (
        "No treatment is shown to be the best: H ranks first (SUCRA 0.90; probability of "
        "being best 0.95) but the certainty of its comparisons is very low (vs B: down 3 "
        "for within study bias, imprecision).")
    assert _headline(ranks, {}, _rating("moderate")) == (
        "H is very likely the best (probability 0.95; median rank 1, 95% CrI 1-1); certainty "
        "moderate.")


def test_answer_page_leads_with_the_summary_and_shows_unanchored_treatments_apart():
    ranks = _ranks()
    eff = pd.DataFrame({"treatment": ["B", "H"], "comparator": ["A", "A"],
                        "scale": ["OR", "OR"], "median": [2.0, 3.0], "q2.5": [1.1, 0.5],
                        "q97.5": [3.9, 20.0]})
    classes = pd.DataFrame({
        "treatment": ["B", "A", "H"], "group": [1, 2, 2],
        "classification": ["among the most effective", "the reference",
                           "not convincingly different from A"],
        "certainty": ["moderate", "", "very low"],
        "statement": ["among the most effective", "the reference",
                      "very uncertain (95% CrI: not convincingly different from A)"],
        "placed_by": ["comparisons connected to the reference", "reference treatment",
                      "exchangeable baselines: its studies' absolute level"],
        "anchored": [True, True, False],
        "own_results": ["", "", "s1: 6/17 = 35% (95% CI 14% to 62%, exact)"]})
    section = {"cfg": SimpleNamespace(outcome="ORR", description="", lower_better=False,
                                      trt_effects="fixed", class_effects=None, baseline=None,
                                      sources=()),
               "parts": {"c1": {"tables": {"ranks": ranks, "relative_effects": eff,
                                           "certainty": _rating(),
                                           "classification": classes}}},
               "components": pd.DataFrame({"component": ["c1"], "trt_ref": ["A"],
                                           "measure": ["OR"], "formats": [["binary"]]}),
               "evidence": _evidence().iloc[:3],
               "sensitivity": pd.DataFrame({
                   "treatment": ["X"], "scenario": ["alt"], "description": ["alternative"],
                   "converged": [True], "same_ranking_set": [False], "sucra": [0.5],
                   "scale": ["OR"], "reference": ["A"], "median": [1.5], "q2.5": [0.5],
                   "q97.5": [4.0]}),
               "notes": ["study 'q' left out: no counts for 'X'"], "report": "r.html"}
    html = render_answer_html([section], treatments=["B", "H", "X", "A"])
    summary = html[html.index('<section id="summary">'):html.index("</section>")]
    assert html.index('id="summary"') < html.index("<h2>ORR")
    assert summary.index("<td>B</td>") < summary.index("<td>H</td>") < summary.index(
        "<td>X</td>")
    assert "among the most effective<br>certainty: moderate<br>placed by: comparisons" in \
        summary
    assert "placed by: exchangeable baselines" in summary
    assert ("not in this analysis<br>study &#39;q&#39; left out: no counts for &#39;X&#39;"
            "<br>placed only in: alt (see below)") in summary
    assert "Placed by an assumption, not by comparisons" in html
    assert "<b>Table 1.</b> The question's treatments by outcome" in html
    assert "<b>Table 2.</b> ORR: each treatment's SUCRA and rank" in html
    assert "Own data: s1: 6/17 = 35% (95% CI 14% to 62%, exact)." in html


def test_a_ranking_that_did_not_converge_names_no_best_treatment():
    eff = pd.DataFrame({"treatment": ["B", "H"], "comparator": ["A", "A"],
                        "scale": ["OR", "OR"], "median": [2.0, 3.0], "q2.5": [1.1, 0.5],
                        "q97.5": [3.9, 20.0]})
    components = pd.DataFrame({"component": ["c1"], "trt_ref": ["A"]})
    cfg = SimpleNamespace(description="", lower_better=False)
    parts = {"c1": {"tables": {"ranks": _ranks(converged=False), "relative_effects": eff}}}
    words = _answer(parts, components, None, None, get_measure("OR"), cfg)["blocks"][0][
        "sentences"]
    assert words == ["Not converged: the fit failed the convergence criteria, so this "
                     "ranking is not an answer and no treatment is named best (Diagnostics "
                     "says what failed and what to try)."]


def test_check_fits_that_did_not_converge_are_named_by_component():
    def part(converged):
        table = pd.DataFrame({"model": ["consistency", "ume", "ns1"], "converged": converged})
        return {"consistency": {"tables": {"model_comparison": table}}}

    parts = {"c1": part([True, True, True]), "c2": part([True, False, False]),
             "c3": {"consistency": {"tables": {}}}}
    assert _checks_not_converged(parts) == "c2: ume, ns1"


def test_the_run_summary_says_per_analysis_what_it_found_and_where():
    diag = pd.Series({"max_r_hat": 1.052, "min_ess_bulk": 88.0, "n_divergent": 3})
    analyses = [
        {"name": "orr", "outcome": "Response", "report": "results/orr/report.html",
         "components": [{"label": "c1", "converged": True, "diagnostics": diag,
                         "ranks": _ranks(), "verdict": "no closed loop: ..."}]},
        {"name": "os", "outcome": "Survival", "report": "results/os/report.html",
         "components": [
             {"label": "c1", "converged": False, "diagnostics": diag, "ranks": _ranks(),
              "verdict": None},
             {"label": "c2", "converged": True, "diagnostics": diag,
              "ranks": _ranks().iloc[:2], "verdict": None}]},
        {"name": "pfs", "outcome": "PFS", "report": None, "components": []},
    ]
    text = run_summary_text(analyses, answer="results/answer.html",
                            not_converged_scenarios=["orr--alt"], n_scenarios=3)
    assert text.splitlines() == [
        "orr (Response): converged",
        "  H is probably the best (probability 0.70; median rank 1, 95% CrI 1-1).",
        "    consistency: no closed loop: ...",
        "  report: results/orr/report.html",
        "os (Survival): NOT CONVERGED: its rankings are not answers",
        "  c1: not converged (largest R-hat 1.052, smallest bulk ESS 88, 3 divergent "
        "transitions)",
        "  c2: two treatments: H vs B (see the report)",
        "  report: results/os/report.html",
        "pfs (PFS): not run",
        "sensitivity analyses: 3 of 3 run, not converged: orr--alt",
        "answer: results/answer.html"]


def test_the_consistency_verdict_sits_next_to_the_ranking():
    eff = pd.DataFrame({"treatment": ["B", "H"], "comparator": ["A", "A"],
                        "scale": ["OR", "OR"], "median": [2.0, 3.0], "q2.5": [1.1, 0.5],
                        "q97.5": [3.9, 20.0]})
    verdict = pd.DataFrame({"verdict": ["no evidence of inconsistency (smallest p = 0.40, 2 "
                                        "splits)"]})
    parts = {"c1": {"tables": {"ranks": _ranks(), "relative_effects": eff},
                    "consistency": {"tables": {"verdict": verdict}}}}
    components = pd.DataFrame({"component": ["c1"], "trt_ref": ["A"]})
    cfg = SimpleNamespace(description="", lower_better=False)
    words = _answer(parts, components, None, None, get_measure("OR"), cfg)["blocks"][0][
        "sentences"]
    assert words[-1] == ("Consistency of direct and indirect evidence: no evidence of "
                         "inconsistency (smallest p = 0.40, 2 splits).")


def test_the_methods_paragraph_cites_what_each_analysis_used():
    from bayesnma.report.pages import _methods_paragraph

    cfg = SimpleNamespace(outcome="PFS", trt_effects="random",
                          priors=SimpleNamespace(het="log(tau^2) ~ Normal [Turner et al. 2015]"),
                          class_effects={"classes": {}}, baseline=None,
                          sources=(SimpleNamespace(format="contrast"),
                                   SimpleNamespace(format="median")))
    section = {"cfg": cfg, "components": pd.DataFrame({"formats": [["contrast"]]})}
    text, refs = _methods_paragraph([section])
    assert "PFS: random effects; heterogeneity prior log(tau^2) ~ Normal [Turner et al. " \
           "2015] [2]; exchangeable class effects [3]; medians converted" in text
    assert refs[1].startswith("Turner RM") and len(refs) == len(set(refs))
    assert text.count("[1]") == 1  # each reference numbered once, in order of first use


def test_the_ranking_says_which_study_moves_it_most():
    studies = pd.DataFrame({
        "study": ["big", "only_c", "failed"], "converged": [True, True, False],
        "sucra_treatment": ["B", "A", ""], "sucra": [0.9, 0.5, None],
        "sucra_without": [0.4, 0.55, None], "sucra_change": [-0.5, 0.05, None],
        "mcse_sucra": [0.004, 0.004, None], "mcse_sucra_without": [0.004, 0.004, None],
        "shift_treatment": ["B", "A", ""], "shift_in_sd": [-1.26, 2.04, None],
        "lost": ["", "C", ""], "note": ["", "not in the network without this study", ""]})
    assert influence_sentence(studies) == (
        "Each study left out in turn: the largest move of a SUCRA is B's, from 0.90 to 0.40 "
        "without big; the largest move of an effect is A's, by 2.0 posterior SDs without "
        "only_c; without one study, these cannot be estimated: C (only_c); the refits "
        "without failed did not converge and are left out of these moves.")
    # as read back from influence_studies.csv: empty text is missing
    assert influence_sentence(studies.replace("", None)) == influence_sentence(studies)
    assert influence_sentence(None) == ""
    cfg = SimpleNamespace(description="primary", lower_better=False)
    parts = {"c1": {"tables": {"ranks": pd.DataFrame({
        "treatment": ["B", "A"], "sucra": [0.9, 0.1], "p_best": [0.9, 0.1],
        "median_rank": [1, 2], "q2.5": [1, 1], "q97.5": [2, 2]}),
        "relative_effects": pd.DataFrame({
            "treatment": ["B"], "comparator": ["A"], "scale": ["OR"], "median": [2.0],
            "q2.5": [1.1], "q97.5": [3.9]})}}}
    answer = _answer(parts, pd.DataFrame({"component": ["c1"], "trt_ref": ["A"]}), None, None,
                     get_measure("OR"), cfg, influence=studies)
    assert answer["influence"] == influence_sentence(studies)


def test_an_effect_set_by_the_prior_is_flagged_next_to_it_and_not_named_best():
    # B's OR of 3.6e9 comes from a zero against a full cell: the prior on d sets it
    ranks = pd.DataFrame({"treatment": ["B", "C", "A"], "sucra": [1.0, 0.5, 0.0],
                          "p_best": [1.0, 0.0, 0.0], "median_rank": [1, 2, 3],
                          "q2.5": [1, 2, 3], "q97.5": [1, 2, 3]})
    eff = pd.DataFrame({"treatment": ["B", "C"], "comparator": ["A", "A"],
                        "scale": ["OR", "OR"], "median": [3.6e9, 2.0],
                        "q2.5": [6.3e5, 1.5], "q97.5": [4.1e14, 2.7]})
    prior = pd.DataFrame({"treatment": ["B", "C"], "prior_set": [True, False],
                          "prior": "Normal(mean=0, sd=10)",
                          "halved_prior": "Normal(mean=0, sd=5)",
                          "median_halved": [np.log(800.0), np.log(2.0)],
                          "q2.5_halved": [np.log(20.0), np.log(1.5)],
                          "q97.5_halved": [np.log(1e5), np.log(2.7)]})
    parts = {"c1": {"tables": {"ranks": ranks, "relative_effects": eff,
                               "prior_sensitivity": prior}}}
    evidence = pd.DataFrame({
        "treatment": ["A", "B", "C"], "randomised": [["r1"], ["r1"], ["r2"]],
        "observational": [[], [], []], "single_arm": [[], [], []],
        "n_patients": [80, 80, 120],
        "placed_by": ["reference treatment", *["comparisons connected to the reference"] * 2]})
    cfg = SimpleNamespace(description="primary", lower_better=False)
    answer = _answer(parts, pd.DataFrame({"component": ["c1"], "trt_ref": ["A"]}), evidence,
                     None, get_measure("OR"), cfg)
    block = answer["blocks"][0]
    assert block["sentences"][0].startswith(
        "B ranks first by SUCRA (1.00), but its place rests on an assumption (the prior on "
        "d: zero or full cells leave its effect unbounded by the data), not on comparisons: "
        "it is not named best.")
    rows = {r[0]: dict(zip(block["table"].columns, r, strict=True))
            for r in block["table"].rows}
    assert rows["B"]["OR vs A"].endswith("[set by the prior]")
    assert ("effect set by the prior on d (Normal(mean=0, sd=10)), not bounded by the data "
            "(zero or full cells); with Normal(mean=0, sd=5): OR 800 (20.00 to 1.0×10⁵)"
            ) in rows["B"]["caution"]
    assert "[set by the prior]" not in rows["C"]["OR vs A"]
