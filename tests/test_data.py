"""One test per validation message of arm-level binary data."""

import pandas as pd
import pytest

from bayesnma import DataValidationError, combine_data, read_arm_data, set_agd_arm
from bayesnma.data import read_data

HEADER = "study,treatment,events,total\n"
GOOD = "s1,A,5,50\ns1,B,9,50\n"


def test_valid_file_reads_and_carries_columns(write_csv):
    path = write_csv("study,treatment,events,total,prior_therapy\ns1,A,0,50,x\ns1,B,9,50,x\n")
    net = read_arm_data(path)
    assert net.treatments == ["A", "B"]
    assert net.carried_columns == ("prior_therapy",)
    assert net.arms["events"].tolist() == [0, 9]  # zero events are fine: no correction
    assert net.arms["row"].tolist() == [2, 3]


def test_column_mapping(write_csv):
    net = read_arm_data(write_csv("id,trt,r,n\ns1,A,1,10\ns1,B,2,10\n"),
                        columns={"study": "id", "treatment": "trt", "events": "r", "total": "n"})
    assert net.arms["total"].sum() == 20


def test_missing_file(tmp_path):
    with pytest.raises(DataValidationError, match="nope.csv: file not found"):
        read_arm_data(tmp_path / "nope.csv")


def test_a_directory_is_not_a_data_file(tmp_path):
    with pytest.raises(DataValidationError, match=r": is a directory, not a data file"):
        read_arm_data(tmp_path)


def test_blank_lines_do_not_shift_the_reported_row(write_csv):
    path = write_csv(HEADER + "\ns1,A,5,50\n\ns1,B,60,50\n")
    with pytest.raises(DataValidationError, match=r"row 5, column 'events': events \(60\)"):
        read_arm_data(path)


def test_trailing_comma_on_every_row_is_accepted_with_the_right_rows(write_csv):
    net = read_arm_data(write_csv("study,treatment,events,total,\ns1,A,5,50,\ns1,B,9,50,\n"))
    assert net.arms["row"].tolist() == [2, 3] and net.arms["events"].tolist() == [5, 9]
    with pytest.raises(DataValidationError, match=r"row 3, column 'events': events \(90\)"):
        read_arm_data(write_csv("study,treatment,events,total\ns1,A,5,50,\ns1,B,90,50,\n"))


def test_an_extra_value_names_its_row(write_csv):
    with pytest.raises(DataValidationError, match=r"arms.csv, row 2: 5 values but the header "
                                                  r"\(row 1\) names 4 columns: value 5, '7'"):
        read_arm_data(write_csv(HEADER + "s1,A,5,50,7\ns1,B,9,50\n"))


def test_empty_file(write_csv):
    with pytest.raises(DataValidationError, match=r"arms.csv: the file is empty"):
        read_arm_data(write_csv(""))


def test_header_only(write_csv):
    with pytest.raises(DataValidationError, match="header but no data rows"):
        read_arm_data(write_csv(HEADER))


def test_missing_column_lists_found_columns(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"missing required column\(s\) 'total'.*columns found: 'study', "
                             r"'treatment', 'events'"):
        read_arm_data(write_csv("study,treatment,events\ns1,A,1\ns1,B,2\n"))


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ("s1,A,5,50\n,B,9,50\n", r"row 3, column 'study': study is missing"),
        ("s1,A,5,50\ns1,,9,50\n", r"row 3, column 'treatment': treatment is missing"),
        ("s1,A,five,50\ns1,B,9,50\n", r"row 2, column 'events': 'five' is not a number"),
        ("s1,A,5,50\ns1,B,9,\n", r"row 3, column 'total': total is missing"),
        ("s1,A,5.5,50\ns1,B,9,50\n", r"row 2, column 'events': 5.5 is not a whole number"),
        ("s1,A,-1,50\ns1,B,9,50\n", r"row 2, column 'events': -1 is negative"),
        ("s1,A,0,0\ns1,B,9,50\n", r"row 2, column 'total': total is 0 in study 's1'"),
        ("s1,A,51,50\ns1,B,9,50\n", r"row 2, column 'events': events \(51\) > total \(50\)"),
    ],
    ids=["nan-study", "nan-treatment", "non-numeric", "nan-count", "non-integer", "negative",
         "zero-total", "events-over-total"],
)
def test_bad_values_name_row_and_column(write_csv, rows, match):
    with pytest.raises(DataValidationError, match=match):
        read_arm_data(write_csv(HEADER + rows))


def test_duplicate_treatment_says_how_to_fix(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 4, column 'treatment': study 's1' lists treatment 'A' twice "
                             r"\(rows 2, 4\).*sum events and totals"):
        read_arm_data(write_csv(HEADER + "s1,A,5,50\ns1,B,9,50\ns1,A,3,20\n"))


def test_single_arm_studies_are_named(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"single-arm studies 's2' \(row 4\), 's3' \(row 5\).*cannot inform"):
        read_arm_data(write_csv(HEADER + GOOD + "s2,A,3,30\ns3,B,4,30\n"))


def test_not_a_dataframe():
    with pytest.raises(DataValidationError, match="expected a pandas DataFrame"):
        set_agd_arm([1, 2, 3])


def test_a_column_the_mapping_leaves_unread_is_named_with_the_mapping():
    df = pd.DataFrame({"id": ["s", "s"], "treatment": ["A", "B"], "events": [1, 2],
                       "total": [5, 5], "study": ["x", "y"]})
    with pytest.raises(DataValidationError, match="column 'study' is not read: the config's "
                       "columns maps study to 'id'; remove that mapping or rename the column "
                       "'study'"):
        set_agd_arm(df, study="id")


def test_a_column_named_like_a_computed_quantity_is_refused_without_blaming_a_mapping(
        write_csv):
    path = write_csv("study,treatment,events,total,se\ns1,A,1,10,0.1\ns1,B,2,10,0.2\n")
    with pytest.raises(DataValidationError, match="column 'se' has the name of a quantity "
                       "bayesnma computes for this format and would be overwritten; rename it "
                       "in the file \\(e.g. 'se_reported'\\)"):
        read_data(path)


def test_an_unclosed_quote_is_named_where_it_opens(write_csv):
    path = write_csv('study,treatment,events,total\ns1,A,1,10\ns1,B,"2,10\ns2,A,1,10\n'
                     's2,B,2,10\n')
    with pytest.raises(DataValidationError, match="row 3: column 'events': a value opened "
                       "with a quote \\(\"\\) runs over 3 lines: its closing quote is "
                       "missing"):
        read_data(path)


def test_subset_keeps_studies(three_trt_arms):
    net = set_agd_arm(three_trt_arms).subset(["s1", "s3"])
    assert net.studies == ["s1", "s3"]
    assert net.treatments == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("1_000", r"column 'total': '1_000' is not a number.*no thousands separators"),
        ("\u0665\u0660", r"column 'total': '\u0665\u0660' is not a number.*digits 0-9"),
        ("1e19", r"column 'total': 1e19 is more than 1,000,000,000 \(total\)"),
        ("1e12", r"column 'total': 1e12 is more than 1,000,000,000"),
        ("inf", r"column 'total': inf is not a finite number"),
    ],
    ids=["underscore", "arabic-indic-digits", "beyond-int64", "absurd-size", "inf"],
)
def test_counts_the_likelihood_cannot_use(write_csv, value, match):
    with pytest.raises(DataValidationError, match=match):
        read_arm_data(write_csv(HEADER + f"s1,A,5,{value}\ns1,B,9,50\n"))


def test_numbers_beyond_the_model_range(write_csv):
    path = write_csv("study,treatment,mean,se\ns1,A,1e60,1\ns1,B,2,1\n")
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'mean': 1e60 is outside the range the model "
                             r"computes with \(magnitudes up to 1e\+50; positive values such "
                             r"as SEs from 1e-50\)"):
        read_arm_data(path, format="continuous")


def test_surrounding_spaces_are_not_part_of_a_name(write_csv):
    net = read_arm_data(write_csv(HEADER + "s1, Sorafenib ,5,50\ns1,B,9,50\n"
                                  "s2,Sorafenib,4,40\ns2,B,8,40\n"))
    assert net.treatments == ["B", "Sorafenib"]


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("Sora\u200bfenib", r"contains an invisible character, U\+200B \(ZERO WIDTH SPACE\)"),
        ("TKI\u00a0+ PD-1", r"contains a space other than the plain space, U\+00A0 "
                            r"\(NO-BREAK SPACE\)"),
        ("A\tB", r"contains an invisible character, U\+0009 \(control character\)"),
    ],
    ids=["zero-width", "no-break-space", "tab"],
)
def test_names_with_characters_that_look_like_nothing(write_csv, name, match):
    with pytest.raises(DataValidationError, match=r"row 3, column 'treatment': treatment .*"
                                                  + match):
        read_arm_data(write_csv(HEADER + f's1,A,5,50\ns1,"{name}",9,50\n'))


def test_two_spellings_of_one_name(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 5, column 'treatment': treatment 'sorafenib' and 'Sorafenib' "
                             r"\(row 3\) differ only in letter case or spacing"):
        read_arm_data(write_csv(HEADER + "s1,A,5,50\ns1,Sorafenib,9,50\n"
                                "s2,A,4,40\ns2,sorafenib,8,40\n"))


def test_two_spellings_across_sources(write_csv):
    first = read_arm_data(write_csv(HEADER + "s1,A,5,50\ns1,TKI + PD-1,9,50\n", "a.csv"))
    second = read_arm_data(write_csv(HEADER + "s2,A,4,40\ns2,TKI  + PD-1,8,40\n", "b.csv"))
    with pytest.raises(DataValidationError,
                       match=r"b.csv, row 3, column 'treatment': treatment 'TKI  \+ PD-1' and "
                             r"'TKI \+ PD-1' \(row 3 of .*a.csv\) differ only"):
        combine_data(first, second)


def test_arm_labels_that_collide(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 4, column 'treatment': arm \('A', 'B \| C'\) and arm "
                             r"\('A \| B', 'C'\) \(row 2\) both get the label 'A \| B \| C'"):
        read_arm_data(write_csv(HEADER + "A | B,C,5,50\nA | B,D,9,50\nA,B | C,4,40\nA,E,8,40\n"))


def test_duplicated_column_header(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"arms.csv: column 'events' appears 2 times in the header "
                             r"\(columns 3, 5\)"):
        read_arm_data(write_csv("study,treatment,events,total,events\ns1,A,5,50,6\n"
                                "s1,B,9,50,8\n"))


JUDGED = """study,treatment,events,total,rob
s1,A,1,10,low
s1,B,2,10,Low
s2,A,1,10,
s2,C,3,10,
s3,B,1,10,some concerns
s3,C,3,10, Some Concerns
"""


def test_judgement_columns_are_read_in_lower_case(write_csv):
    net = read_data(write_csv(JUDGED))
    assert list(net.arms["rob"].fillna("")) == ["low", "low", "", "", "some concerns",
                                                "some concerns"]


def test_a_judgement_column_refuses_an_unknown_judgement(write_csv):
    with pytest.raises(DataValidationError, match=r"row 5, column 'rob': 'serious' is not a "
                                                  r"judgement: use low, some concerns, high"):
        read_data(write_csv(JUDGED.replace("s2,C,3,10,", "s2,C,3,10,serious")))


def test_a_judgement_column_refuses_two_judgements_of_one_study(write_csv):
    with pytest.raises(DataValidationError, match=r"row 3, column 'rob': study 's1' is judged "
                                                  r"'low' on row 2 and 'high' here"):
        read_data(write_csv(JUDGED.replace("s1,B,2,10,Low", "s1,B,2,10,high")))
