"""The ``grouped`` format: interval counts per arm, several rows per arm."""

import pytest

from bayesnma import DataValidationError, NMAModel, read_data, set_agd_arm
from bayesnma.datasets import load_dataset
from bayesnma.network import study_table

HEADER = "study,treatment,t_start,t_end,events,censored,at_risk\n"
GOOD = ("s1,A,0,1,5,2,100\ns1,A,1,2,4,1,93\ns1,B,0,1,3,0,100\ns1,B,1,2,2,3,97\n"
        "s2,A,0,3,10,0,80\ns2,C,0,3,6,0,80\n")


def _read(write_csv, rows, header=HEADER):
    return read_data(write_csv(header + rows), format="grouped")


GEMTCPLUS_COLUMNS = {"t_start": "t.start", "t_end": "t.end", "events": "n.event",
                     "censored": "n.censored", "at_risk": "n.risk"}


def test_each_arm_is_one_row_of_the_network_and_its_intervals_are_observations(write_csv):
    net = _read(write_csv, GOOD)
    assert net.measure == "HR" and len(net.observations) == 6
    assert net.arms[["study", "treatment", "total", "events"]].values.tolist() == [
        ["s1", "A", 100, 9], ["s1", "B", 100, 5], ["s2", "A", 80, 10], ["s2", "C", 80, 6]]
    # the binomial's n and the offset's interval length, per row
    obs = net.observations
    assert obs["total"].tolist() == obs["at_risk"].tolist()
    assert obs["follow_up"].tolist() == [1, 1, 1, 1, 3, 3]
    assert study_table(net)["arms"].iat[0] == ["A: 9 events over 0-2, n = 100",
                                               "B: 5 events over 0-2, n = 100"]


def test_gemtcplus_grouped_data_read_with_their_column_names():
    net = set_agd_arm(load_dataset("grouped_tte"), format="grouped", **GEMTCPLUS_COLUMNS)
    assert len(net.studies) == 7 and net.treatments == list("ABCDEF")
    assert len(net.arms) == 14 and len(net.observations) == 675


def test_an_interval_starts_at_zero_or_later(write_csv):
    with pytest.raises(DataValidationError, match=r"row 2, column 't_start': t_start is -1"):
        _read(write_csv, GOOD.replace("s1,A,0,1,5,2,100", "s1,A,-1,1,5,2,100"))


def test_an_interval_ends_after_it_starts(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 't_end': t_end \(1\) is not after t_start \(1\)"):
        _read(write_csv, GOOD.replace("s1,A,1,2,4,1,93", "s1,A,1,1,4,1,93"))


def test_events_cannot_exceed_the_number_at_risk(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 4, column 'events': events \(120\) > at_risk \(100\)"):
        _read(write_csv, GOOD.replace("s1,B,0,1,3,0,100", "s1,B,0,1,120,0,100"))


def test_intervals_of_an_arm_do_not_overlap(write_csv):
    with pytest.raises(DataValidationError, match=r"row 3, column 't_start': the interval "
                       r"from 0.5 overlaps the one before it \(to 1\) in arm 'A'"):
        _read(write_csv, GOOD.replace("s1,A,1,2,4,1,93", "s1,A,0.5,2,4,1,93"))


def test_at_risk_follows_from_the_interval_before_when_censoring_is_given(write_csv):
    with pytest.raises(DataValidationError, match=r"row 3, column 'at_risk': at_risk is 90, "
                       r"but the interval before it leaves 93 \(100 at risk - 5 events - 2 "
                       r"censored\)"):
        _read(write_csv, GOOD.replace("s1,A,1,2,4,1,93", "s1,A,1,2,4,1,90"))
    # without the censored column the numbers at risk are taken as given
    net = _read(write_csv, GOOD.replace("s1,A,1,2,4,1,93", "s1,A,1,2,4,1,90")
                .replace(",2,100\n", ",100\n").replace(",1,90\n", ",90\n")
                .replace(",0,100\n", ",100\n").replace(",3,97\n", ",97\n")
                .replace(",0,80\n", ",80\n"), header=HEADER.replace("censored,", ""))
    assert net.observations["at_risk"].tolist() == [100, 90, 100, 97, 80, 80]


def test_at_risk_must_be_a_count(write_csv):
    with pytest.raises(DataValidationError, match=r"column 'at_risk': 92.5 is not a whole"):
        _read(write_csv, GOOD.replace("s1,A,1,2,4,1,93", "s1,A,1,2,4,1,92.5"))


def test_intervals_enter_the_model_each_with_its_arms_linear_predictor(write_csv):
    model = NMAModel(_read(write_csv, GOOD), trt_effects="fixed", trt_ref="A")
    assert model.design.obs_arm.tolist() == [0, 0, 1, 1, 2, 3]
    assert model.describe()["link"] == "cloglog with log follow-up offset (grouped)"


def test_an_interval_ends_after_time_zero(write_csv):
    with pytest.raises(DataValidationError, match=r"row 2, column 't_end': t_end is 0; the "
                       r"end of an interval must be greater than 0"):
        _read(write_csv, GOOD.replace("s1,A,0,1,5,2,100", "s1,A,0,0,5,2,100"))
