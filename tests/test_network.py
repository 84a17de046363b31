import pandas as pd
import pytest

from bayesnma import (
    NetworkError,
    build_graph,
    choose_trt_ref,
    connected_components,
    network_characteristics,
    set_agd_arm,
)
from bayesnma.network import require_connected


@pytest.fixture
def disconnected():
    return set_agd_arm(pd.DataFrame({
        "study": ["s1", "s1", "s2", "s2", "s3", "s3"],
        "treatment": ["A", "B", "A", "B", "C", "D"],
        "events": [1, 2, 3, 4, 5, 6], "total": [10, 10, 20, 20, 30, 30],
    }), source="x.csv")


def test_graph_weights(three_trt_arms):
    graph = build_graph(set_agd_arm(three_trt_arms))
    assert graph.nodes["B"]["n_patients"] == 150
    assert graph.nodes["B"]["n_studies"] == 3
    assert graph.edges["A", "B"]["n_studies"] == 2
    assert graph.edges["B", "C"]["studies"] == ["s2", "s3"]


def test_characteristics(three_trt_arms):
    table = network_characteristics(set_agd_arm(three_trt_arms))
    row = table.set_index("component").loc["all"]
    assert row["n_studies"] == 3
    assert row["n_patients"] == 340
    assert row["n_treatments"] == 3
    assert row["n_direct_comparisons"] == 3
    assert row["n_multi_arm_studies"] == 1
    assert row["n_components"] == 1
    assert row["prior_therapy"] == ["x", "y"]


def test_components_are_labelled_by_size(disconnected):
    comps = connected_components(disconnected)
    assert [(c.label, c.treatments, c.studies) for c in comps] == [
        ("c1", ("A", "B"), ("s1", "s2")), ("c2", ("C", "D"), ("s3",))]
    table = network_characteristics(disconnected)
    assert table["component"].tolist() == ["all", "c1", "c2"]
    assert table.loc[0, "n_components"] == 2


def test_disconnected_error_lists_components(disconnected):
    with pytest.raises(NetworkError, match=r"x.csv: the network is disconnected into 2 "
                       r"components \(c1: \{A, B\} \(2 studies\); c2: \{C, D\} \(1 study\)\)"):
        require_connected(disconnected)


def test_unknown_reference_lists_valid():
    with pytest.raises(NetworkError, match="reference treatment 'Z' is not a treatment in the "
                       "data; valid treatments: A, B, C"):
        choose_trt_ref(["A", "B"], "Z", all_treatments=["A", "B", "C"])


def test_reference_preferences():
    assert choose_trt_ref(["B", "C"], ["A", "C"], all_treatments=["A", "B", "C"]) == "C"
    assert choose_trt_ref(["B", "C"], None) == "B"


def _designs(designs):
    rows = [{"study": s, "treatment": t, "events": 1, "total": 10}
            for s, trts in designs.items() for t in trts]
    return set_agd_arm(pd.DataFrame(rows))


def test_nodesplit_comparisons_thrombolytics_are_the_14_of_dias_2010():
    from bayesnma.datasets import load_dataset
    from bayesnma.network import nodesplit_comparisons

    df = load_dataset("thrombolytics")
    net = set_agd_arm(df, treatment="trt_name", events="r", total="n")
    order = list(df.sort_values("trt")["trt_name"].drop_duplicates())
    code = {name: i + 1 for i, name in enumerate(order)}
    got = [(code[a], code[b]) for a, b in nodesplit_comparisons(net, order)]
    assert got == [(1, 2), (1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (2, 7), (2, 8), (2, 9),
                   (3, 4), (3, 5), (3, 7), (3, 8), (3, 9)]


def test_loop_closed_only_by_a_multi_arm_study_is_not_split():
    from bayesnma.network import has_indirect_evidence, nodesplit_comparisons

    # van Valkenhoef et al. (2016) Parkinson's designs: 1-2 lies only in the 1-2-4 study.
    net = _designs({"1": "AC", "2": "AB", "3": "ABD", "4": "CD", "5": "CD", "6": "DE",
                    "7": "DE"})
    assert nodesplit_comparisons(net, list("ABCDE")) == [("A", "C"), ("A", "D"), ("B", "D"),
                                                         ("C", "D")]
    assert not has_indirect_evidence(net, "A", "B")


def test_network_without_loops_has_no_splits():
    from bayesnma.network import nodesplit_comparisons

    # A star, and a loop closed only by one three-arm study: no independent indirect evidence.
    assert nodesplit_comparisons(_designs({"1": "AB", "2": "AC", "3": "ABD"}), "ABCD") == []


def test_treatment_evidence_names_the_evidence_and_the_assumption_that_places_each():
    from bayesnma.network import treatment_evidence

    net = set_agd_arm(pd.DataFrame({
        "study": ["r1", "r1", "o1", "o1", "sa"],
        "treatment": ["P", "A", "B", "C", "H"],
        "events": [1, 2, 3, 4, 5], "total": [10, 10, 20, 20, 30],
        "design": ["RCT phase 3", "RCT phase 3", "retrospective", "retrospective",
                   "single-arm"]}), allow_single_arm=True)
    ev = treatment_evidence(net, "P", exchangeable_baselines=True,
                            class_links=[{"A", "B"}]).set_index("treatment")
    assert ev.loc["P", "placed_by"] == "reference treatment"
    assert ev.loc["A", "randomised"] == ["r1 (vs P)"]
    assert ev.loc["A", "placed_by"] == "comparisons connected to the reference"
    assert ev.loc["B", "observational"] == ["o1 (vs C)"]
    assert ev.loc["B", "placed_by"].startswith("class bridge")
    assert ev.loc["C", "placed_by"].startswith("class bridge")  # through B's comparison
    assert ev.loc["H", "single_arm"] == ["sa"] and ev.loc["H", "n_patients"] == 30
    assert ev.loc["H", "placed_by"].startswith("exchangeable baselines")
    plain = treatment_evidence(net, "P").set_index("treatment")
    assert plain.loc["H", "placed_by"] == "not placed"


def test_study_table_shows_design_evidence_form_and_each_arms_data(tmp_path):
    from bayesnma import combine_data, read_data
    from bayesnma.network import study_table

    arms = tmp_path / "arms.csv"
    arms.write_text("study,treatment,events,total,design,prior_therapy\n"
                    "r1,A,5,50,RCT phase 3,x\nr1,B,9,51,RCT phase 3,x\n"
                    "o1,B,8,40,retrospective,y\no1,C,12,40,retrospective,y\n"
                    "s1,C,20,60,single-arm cohort,y\n")
    hr = tmp_path / "hr.csv"
    hr.write_text("study,treatment,ratio,lower,upper,total,design\n"
                  "r2,A,,,,100,randomised\nr2,C,0.7,0.5,0.9,100,randomised\n")
    network = combine_data(read_data(arms, allow_single_arm=True),
                           read_data(hr, format="contrast", measure="OR"))
    table = study_table(network).set_index("study")
    assert list(table.index) == ["r1", "o1", "s1", "r2"]
    assert list(table["evidence"]) == ["randomised", "observational", "single-arm",
                                       "randomised"]
    assert table.loc["r1", "arms"] == ["A: 5/50", "B: 9/51"]
    assert table.loc["r2", "arms"] == ["A: comparator, n = 100", "C: OR 0.7 (0.5-0.9), n = 100"]
    assert table.loc["r1", "data"] == "arm-level (binary)"
    assert table.loc["r2", "data"] == "contrast-level"
    assert table.loc["o1", "prior_therapy"] == ["y"]
    assert table.loc["r1", "n_patients"] == 101
    assert table.loc["o1", "source"].endswith("arms.csv, rows 4, 5")


def test_study_table_shows_the_studies_notes_and_judgements(tmp_path):
    from bayesnma import read_data
    from bayesnma.network import study_table

    arms = tmp_path / "arms.csv"
    arms.write_text("study,treatment,events,total,rob,note\n"
                    "r1,A,5,50,low,arm size inferred\nr1,B,9,51,low,arm size inferred\n"
                    "o1,B,8,40,,\no1,C,12,40,,\n")
    table = study_table(read_data(arms)).set_index("study")
    assert table.loc["r1", "note"] == "arm size inferred"
    assert table.loc["r1", "rob"] == "low"
    assert table.loc["o1", "note"] == "" and "indirectness" not in table


def test_zero_and_full_cells_are_noted_per_study(write_csv):
    from bayesnma.data import read_data
    from bayesnma.network import sparse_cell_notes

    network = read_data(write_csv("study,treatment,events,total\ns1,A,0,40\ns1,B,40,40\n"
                                  "s2,A,3,60\ns2,C,0,60\ns3,B,9,50\ns3,C,14,50\n"))
    notes = sparse_cell_notes(network)
    assert len(notes) == 2
    assert "study 's1' has zero and full cells: its arms are separated ('A' 0 of 40; 'B' " \
           "40 of 40): its data do not bound its relative effect" in notes[0]
    assert "study 's2' has a zero cell ('C' 0 of 60)" in notes[1]
