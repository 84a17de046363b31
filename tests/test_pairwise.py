import numpy as np
import pandas as pd
import pytest

import bayesnma as nma
from bayesnma.pairwise import direct_estimates, natural_direct, study_contrasts


def _binary(rows):
    return nma.set_agd_arm(pd.DataFrame(rows, columns=["study", "treatment", "events", "total"]))


def test_one_study_gives_its_own_log_odds_ratio():
    net = _binary([("s1", "A", 10, 50), ("s1", "B", 20, 50)])
    row = direct_estimates(net).set_index(["treatment", "comparator"]).loc[("B", "A")]
    a, b, c, d = 20, 30, 10, 40  # B events, B non-events, A events, A non-events
    assert row["estimate"] == pytest.approx(np.log(a * d / (b * c)))
    assert row["se"] == pytest.approx(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    assert row["n_studies"] == 1 and row["tau"] == 0 and row["studies"] == ["s1"]


def test_a_zero_cell_adds_a_half_to_every_cell_of_its_study():
    net = _binary([("s1", "A", 0, 20), ("s1", "B", 5, 20), ("s1", "C", 6, 20),
                   ("s2", "B", 5, 20), ("s2", "C", 6, 20)])
    pairs = study_contrasts(net).set_index(["study", "treatment", "comparator"])
    assert pairs.loc[("s1", "A", "B"), "y"] == pytest.approx(
        np.log(0.5 / 20.5) - np.log(5.5 / 15.5))
    # ... so that the study's contrasts stay consistent: A-C = A-B + B-C.
    assert pairs.loc[("s1", "A", "C"), "y"] == pytest.approx(
        pairs.loc[("s1", "A", "B"), "y"] + pairs.loc[("s1", "B", "C"), "y"])
    assert pairs.loc[("s2", "B", "C"), "y"] == pytest.approx(np.log(5 / 15) - np.log(6 / 14))


def test_a_pair_without_events_in_either_arm_is_left_out():
    net = _binary([("s1", "A", 0, 20), ("s1", "B", 0, 20), ("s1", "C", 4, 20),
                   ("s2", "A", 20, 20), ("s2", "B", 30, 30)])
    pairs = study_contrasts(net)
    assert set(zip(pairs["study"], pairs["treatment"], pairs["comparator"],
                   strict=True)) == {("s1", "A", "C"), ("s1", "B", "C")}


def test_two_studies_pool_with_dersimonian_laird():
    net = _binary([("s1", "A", 10, 100), ("s1", "B", 30, 100),
                   ("s2", "A", 20, 100), ("s2", "B", 22, 100)])
    y = np.log(np.array([30 * 90 / (70 * 10), 22 * 80 / (78 * 20)]))
    v = np.array([1 / 30 + 1 / 70 + 1 / 10 + 1 / 90, 1 / 22 + 1 / 78 + 1 / 20 + 1 / 80])
    w = 1 / v
    q = w[0] * w[1] * (y[0] - y[1]) ** 2 / w.sum()
    tau2 = (q - 1) / (2 * w[0] * w[1] / w.sum())
    assert tau2 > 0
    ws = 1 / (v + tau2)
    random = direct_estimates(net).set_index(["treatment", "comparator"]).loc[("B", "A")]
    assert random["tau"] == pytest.approx(np.sqrt(tau2))
    assert random["estimate"] == pytest.approx(np.sum(ws * y) / ws.sum())
    fixed = direct_estimates(net, trt_effects="fixed").set_index(
        ["treatment", "comparator"]).loc[("B", "A")]
    assert fixed["estimate"] == pytest.approx(np.sum(w * y) / w.sum())
    assert fixed["se"] == pytest.approx(np.sqrt(1 / w.sum()))
    assert fixed["upper"] - fixed["estimate"] == pytest.approx(1.959964 * fixed["se"])


def test_a_contrast_study_pairs_its_arms_with_the_covariance_of_its_baseline():
    net = nma.set_agd_contrast(pd.DataFrame({
        "study": ["s1"] * 3, "treatment": ["A", "B", "C"],
        "diff": [np.nan, 0.5, 0.2], "se": [0.1, 0.3, 0.25]}), measure="HR")
    rows = direct_estimates(net).set_index(["treatment", "comparator"])
    assert rows.loc[("B", "A"), "estimate"] == pytest.approx(0.5)
    assert rows.loc[("B", "C"), "estimate"] == pytest.approx(0.3)
    assert rows.loc[("B", "C"), "se"] == pytest.approx(np.sqrt(0.3**2 + 0.25**2 - 2 * 0.1**2))
    assert natural_direct(rows.reset_index()).set_index(["treatment", "comparator"]).loc[
        ("B", "A"), "estimate"] == pytest.approx(np.exp(0.5))


def test_rates_and_single_arm_studies(tmp_path):
    net = nma.set_agd_arm(pd.DataFrame({
        "study": ["s1", "s1", "s2"], "treatment": ["A", "B", "A"],
        "events": [4, 8, 3], "person_time": [100.0, 50.0, 30.0]}), format="rate",
        allow_single_arm=True)
    rows = direct_estimates(net)
    assert len(rows) == 2  # s2 has one arm: no pair
    from bayesnma import io

    io.write_table(rows, tmp_path / "direct.csv")
    assert io.read_table(tmp_path / "direct.csv")["studies"].tolist() == [["s1"], ["s1"]]
    row = rows.set_index(["treatment", "comparator"]).loc[("B", "A")]
    assert row["estimate"] == pytest.approx(np.log(8 / 50) - np.log(4 / 100))
    assert row["se"] == pytest.approx(np.sqrt(1 / 8 + 1 / 4))
