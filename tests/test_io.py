import pandas as pd
import pytest

from bayesnma import io

HOSTILE = ["1", "NA", "None", "True", "nan", "", "D; E", "a | b", "$x^2$", 'say "hi"',
           "new\nline", "=HYPERLINK(\"x\")", "+1", "@SUM(A1)", "-2", "-1+cmd|x", "'quoted",
           " padded "]


def test_names_and_lists_of_names_round_trip_through_our_tables(tmp_path):
    names = [n for n in HOSTILE if n]
    table = pd.DataFrame({"treatment": names, "value": range(len(names)),
                          "treatments": [names[: i + 1] for i in range(len(names))]})
    io.write_table(table, tmp_path / "t.csv")
    back = io.read_table(tmp_path / "t.csv")
    assert back["treatment"].tolist() == names
    assert back["treatments"].tolist() == [names[: i + 1] for i in range(len(names))]
    assert back["value"].tolist() == list(range(len(names)))


def test_text_that_a_spreadsheet_would_run_is_written_with_an_apostrophe(tmp_path):
    table = pd.DataFrame({"note": ["=1+1", "@A1", "+x", "-1+cmd|x", "ok",
                                   "-0.42 (-0.90 to 0.10)", "-3"]})
    io.write_table(table, tmp_path / "t.csv")
    raw = pd.read_csv(tmp_path / "t.csv")["note"].tolist()
    assert raw == ["'=1+1", "'@A1", "'+x", "'-1+cmd|x", "ok", "-0.42 (-0.90 to 0.10)", "-3"]
    assert io.read_table(tmp_path / "t.csv")["note"].tolist() == table["note"].tolist()


def test_a_header_of_names_is_made_safe_too_and_a_lone_dash_is_left_alone(tmp_path):
    # a league table: one column per treatment, "-" where there is no direct evidence
    names = ["=HYPERLINK(\"x\")", "@SUM(A1)", "+cmd|x", "B"]
    table = pd.DataFrame({"treatment": names, **{n: ["-", "1.2 (0.5 to 3)", "-", "x"]
                                                 for n in names}})
    io.write_table(table, tmp_path / "league.csv")
    raw = pd.read_csv(tmp_path / "league.csv", keep_default_na=False)
    assert raw.columns.tolist() == ["treatment", "'=HYPERLINK(\"x\")", "'@SUM(A1)",
                                    "'+cmd|x", "B"]
    assert raw["B"].tolist() == ["-", "1.2 (0.5 to 3)", "-", "x"]
    back = io.read_table(tmp_path / "league.csv")
    assert back.columns.tolist() == ["treatment", *names]
    assert back[names[0]].tolist() == table[names[0]].tolist()


def test_missing_values_stay_missing_outside_name_columns(tmp_path):
    table = pd.DataFrame({"treatment": ["NA", "B"], "median": [float("nan"), 1.5],
                          "single_arm": [[], ["s1"]]})
    io.write_table(table, tmp_path / "t.csv")
    back = io.read_table(tmp_path / "t.csv")
    assert back["treatment"].tolist() == ["NA", "B"]
    assert back["median"].isna().tolist() == [True, False]
    assert back["single_arm"].tolist() == [[], ["s1"]]


@pytest.mark.parametrize("cell", [float("nan"), "", None])
def test_an_empty_list_cell_is_no_names(cell):
    assert io.parse_list(cell) == []
