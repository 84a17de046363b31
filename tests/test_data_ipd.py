"""The ``ipd`` format: a row per patient, several rows per arm."""

import pytest

from bayesnma import DataValidationError, NMAModel, read_data, set_agd_arm
from bayesnma.datasets import load_dataset
from bayesnma.network import study_table

HEADER = "study,treatment,time,status\n"
GOOD = "s1,A,2.5,1\ns1,A,4,0\ns1,A,1,1\ns1,B,3,0\ns1,B,6,1\n"


def _read(write_csv, rows):
    return read_data(write_csv(HEADER + rows), format="ipd")


def test_each_arm_is_one_row_of_the_network_and_its_patients_are_observations(write_csv):
    net = _read(write_csv, GOOD)
    assert net.measure == "HR" and len(net.observations) == 5
    assert net.arms[["treatment", "total", "events", "person_time"]].values.tolist() == [
        ["A", 3, 2, 7.5], ["B", 2, 1, 9]]
    obs = net.observations
    assert obs["events"].tolist() == [1, 0, 1, 0, 1]
    assert obs["person_time"].tolist() == [2.5, 4, 1, 3, 6]
    assert study_table(net)["arms"].iat[0] == ["A: 2 events over 7.5 patient-time, n = 3",
                                               "B: 1 events over 9 patient-time, n = 2"]


def test_keynote189_reconstructed_patients_read():
    net = set_agd_arm(load_dataset("keynote189_ipd"), format="ipd")
    assert net.arms["total"].tolist() == [410, 206]
    assert net.arms["events"].tolist() == [126, 107]


def test_a_follow_up_time_is_positive(write_csv):
    with pytest.raises(DataValidationError, match=r"row 3, column 'time': time is 0; a "
                       r"follow-up time must be greater than 0"):
        _read(write_csv, GOOD.replace("s1,A,4,0", "s1,A,0,0"))


def test_status_is_one_or_zero(write_csv):
    with pytest.raises(DataValidationError, match=r"row 4, column 'status': status is 2; it "
                       r"is 1 for an event and 0 for a censored patient"):
        _read(write_csv, GOOD.replace("s1,A,1,1", "s1,A,1,2"))
    with pytest.raises(DataValidationError, match=r"column 'status': 0.5 is not a whole"):
        _read(write_csv, GOOD.replace("s1,A,1,1", "s1,A,1,0.5"))


def test_patients_enter_the_model_each_with_their_arms_linear_predictor(write_csv):
    model = NMAModel(_read(write_csv, GOOD), trt_effects="fixed", trt_ref="A")
    assert model.design.obs_arm.tolist() == [0, 0, 0, 1, 1]
    assert model.describe()["likelihood"] == "poisson (ipd)"
