import pandas as pd

from bayesnma.report import _covariate_section, _prior_bound


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


def test_covariate_section_one_column_per_setting_and_readable_numbers():
    html = "\n".join(_covariate_section(_covariate_tables("informed by the data"), "A", str))
    assert "<th>p = x</th>" in html and "<th>p = y</th>" in html
    assert "2.00 (1.00 to 4.00); SUCRA 0.90" in html
    assert "5.00 (0.00 to 3.8e+09); SUCRA 0.60" in html
    assert "reference; SUCRA 0.10" in html
    assert "do not inform the interaction" not in html


def test_covariate_section_flags_an_interaction_that_rests_on_its_prior():
    tables = _covariate_tables("posterior is essentially the prior (overlap 98%)")
    html = "\n".join(_covariate_section(tables, "A", str))
    assert "The data do not inform the interaction</b> (beta[p: y]" in html


def test_prior_bound_lists_every_key_parameter_by_component():
    params = pd.DataFrame({"parameter": ["tau", "d[B]"], "role": ["heterogeneity", "effect"],
                           "verdict": ["posterior is essentially the prior", "informed"]})
    parts = {"c1": {"tables": {"parameters": params}}, "c2": {"tables": {}}}
    assert _prior_bound(parts) == ["c1: tau (heterogeneity)"]


def test_answer_section_leads_with_ranking_evidence_and_robustness():
    from types import SimpleNamespace

    from bayesnma.measures import get_measure
    from bayesnma.report import _answer_section

    ranks = pd.DataFrame({"treatment": ["B", "H", "A"], "sucra": [0.9, 0.6, 0.0],
                          "median_rank": [1, 2, 3], "q2.5": [1, 1, 2], "q97.5": [2, 3, 3]})
    eff = pd.DataFrame({"treatment": ["B", "H"], "comparator": ["A", "A"],
                        "scale": ["OR", "OR"], "median": [2.0, 3.0], "q2.5": [1.1, 0.5],
                        "q97.5": [3.9, 20.0]})
    parts = {"c1": {"tables": {"ranks": ranks, "relative_effects": eff}}}
    components = pd.DataFrame({"component": ["c1"], "trt_ref": ["A"]})
    evidence = pd.DataFrame({
        "treatment": ["A", "B", "H", "X"], "randomised": [["r1 (vs B)"], ["r1 (vs A)"], [], []],
        "observational": [[], [], [], []], "single_arm": [[], [], ["s1"], ["s2"]],
        "n_patients": [60, 60, 17, float("nan")],
        "placed_by": ["reference treatment", "comparisons connected to the reference",
                      "exchangeable baselines: its studies' absolute level",
                      "not analysed: no comparison and no bridge"]})
    sensitivity = pd.DataFrame({"treatment": ["B", "B", "B", "B", "H"],
                                "sucra": [0.9, 0.7, 0.1, 0.99, 0.6],
                                "scenario": ["main", "alt", "failed", "split", "main"],
                                "converged": [True, True, False, True, True],
                                "same_ranking_set": [True, True, True, False, True]})
    cfg = SimpleNamespace(description="primary", lower_better=False)
    html = "\n".join(_answer_section(parts, components, evidence, sensitivity,
                                     get_measure("OR"), cfg, str))
    assert html.index("Ranking of treatments") < html.index("<td>B</td>") < html.index(
        "<td>H</td>")
    assert "1 (1-2)" in html and "2.00 (1.10 to 3.90)" in html
    assert "single-arm evidence only (1 study, 17 patients)" in html
    # left out: the unconverged scenario and the one ranking B among other treatments
    assert "0.70 (alt) to 0.90 (main)" in html
    assert "Not ranked:</b> X (single-arm studies: s2)" in html


def test_caution_names_the_non_randomised_evidence_and_its_size():
    from bayesnma.report import _caution

    assert _caution(1, 1, 0, 100, is_ref=False) == ""
    assert _caution(0, 0, 0, 0, is_ref=True) == ""
    assert _caution(0, 1, 1, 89, is_ref=False) == (
        "observational and single-arm evidence only (2 studies, 89 patients)")
    assert _caution(0, 2, 0, float("nan"), is_ref=False) == (
        "observational evidence only (2 studies)")


def test_answer_page_lists_treatments_missing_from_an_outcome_with_the_reason():
    from types import SimpleNamespace

    from bayesnma.report import render_answer_html

    def section(outcome, treatments, notes):
        ranks = pd.DataFrame({"treatment": treatments, "sucra": [1.0, 0.0][:len(treatments)],
                              "median_rank": [1, 2][:len(treatments)], "q2.5": 1, "q97.5": 2})
        eff = pd.DataFrame(columns=["treatment", "comparator", "scale", "median", "q2.5",
                                    "q97.5"])
        evidence = pd.DataFrame({"treatment": treatments, "randomised": "", "observational":
                                 "", "single_arm": "", "placed_by": "reference treatment"})
        return {"cfg": SimpleNamespace(outcome=outcome, description="", lower_better=False),
                "parts": {"c1": {"tables": {"ranks": ranks, "relative_effects": eff}}},
                "components": pd.DataFrame({"component": ["c1"], "trt_ref": [treatments[0]],
                                            "measure": ["OR"]}),
                "evidence": evidence, "sensitivity": None, "notes": notes,
                "report": f"{outcome}/report.html"}

    html = render_answer_html([
        section("ORR", ["A", "H"], []),
        section("PFS", ["A"], ["f.csv, row 3: arm 'H' of study 's' excluded: no CI"])])
    assert "<a href='ORR/report.html'>" in html
    assert "Not in this ranking" in html and "arm &#x27;H&#x27; of study" in html
