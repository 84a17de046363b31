import numpy as np
import pytest

from bayesnma import league_table, posterior_rank_probs, posterior_ranks, relative_effects
from bayesnma.testing import synthetic_idata


@pytest.fixture
def idata():
    return synthetic_idata({"B": 1.0, "C": 2.0}, trt_ref="A", sd=0.05)


def test_relative_effects_all_ordered_pairs(idata):
    eff = relative_effects(idata, lower_better=False)
    assert len(eff) == 2 * 6
    log = eff[eff["scale"] == "log OR"].set_index(["treatment", "comparator"])
    assert log.loc[("C", "A"), "mean"] == pytest.approx(2.0, abs=0.01)
    assert log.loc[("A", "C"), "mean"] == pytest.approx(-2.0, abs=0.01)
    assert log.loc[("C", "B"), "p_better"] == 1.0
    nat = eff[eff["scale"] == "OR"].set_index(["treatment", "comparator"])
    assert nat.loc[("C", "A"), "median"] == pytest.approx(np.exp(2.0), rel=0.01)
    assert {"q2.5", "q97.5"} <= set(eff.columns)


def test_direction_of_benefit(idata):
    high = posterior_ranks(idata, lower_better=False).set_index("treatment")
    low = posterior_ranks(idata, lower_better=True).set_index("treatment")
    assert high.loc["C", "sucra"] == 1.0 and high.loc["A", "sucra"] == 0.0
    assert low.loc["A", "sucra"] == 1.0 and low.loc["C", "mean_rank"] == 3.0
    assert high.loc["B", "median_rank"] == 2


def test_rank_probs_sum_to_one():
    idata = synthetic_idata({"B": 0.0, "C": 0.1}, sd=1.0, seed=3)
    probs = posterior_rank_probs(idata, lower_better=False)
    assert np.allclose(probs.groupby("treatment")["probability"].sum(), 1.0)
    assert np.allclose(probs.groupby("rank")["probability"].sum(), 1.0)
    last = probs[probs["rank"] == 3]
    assert np.allclose(last["cumulative_probability"], 1.0)
    ranks = posterior_ranks(idata, lower_better=False).set_index("treatment")
    # SUCRA equals the mean of the cumulative probabilities over ranks 1..n-1.
    cum = probs[probs["rank"] < 3].groupby("treatment")["cumulative_probability"].mean()
    assert np.allclose(ranks.loc[cum.index, "sucra"], cum)


def test_league_table(idata):
    eff = relative_effects(idata, lower_better=False)
    table = league_table(eff, ["C", "B", "A"])
    assert table.loc["C", "C"] == "C"
    assert table.loc["C", "A"].startswith("7.3")  # exp(2) = 7.39 (median)
    assert table.loc["A", "C"].startswith("0.14")


def test_league_table_shows_direct_estimates_above_the_diagonal(idata):
    import pandas as pd

    from bayesnma import set_agd_arm
    from bayesnma.pairwise import direct_estimates

    eff = relative_effects(idata, lower_better=False)
    direct = direct_estimates(set_agd_arm(pd.DataFrame(
        {"study": ["s1", "s1"], "treatment": ["A", "C"], "events": [10, 30],
         "total": [50, 50]})))
    table = league_table(eff, ["C", "B", "A"], direct=direct)
    assert table.loc["A", "C"].startswith("0.14")  # below: network estimate, row vs column
    assert table.loc["C", "A"] == "6.00 (2.45, 14.68)"  # above: the study's own OR
    assert table.loc["C", "B"] == "-" and table.loc["B", "A"] == "-"
    assert table.loc["B", "C"].startswith("0.3")  # exp(-1) = 0.37, network


def test_monte_carlo_errors_of_effects_match_independent_draws():
    """With independent draws the MCSE of a mean is SD / sqrt(N), of a probability
    sqrt(p (1 - p) / N)."""
    idata = synthetic_idata({"B": 0.2, "C": 0.3}, sd=1.0, chains=4, draws=2500, seed=5)
    n = 4 * 2500
    eff = relative_effects(idata, lower_better=False)
    log = eff[eff["scale"] == "log OR"].set_index(["treatment", "comparator"]).loc[("C", "A")]
    assert log["mcse_mean"] == pytest.approx(log["sd"] / np.sqrt(n), rel=0.1)
    p = log["p_better"]
    assert log["mcse_p_better"] == pytest.approx(np.sqrt(p * (1 - p) / n), rel=0.1)
    assert 0 < log["mcse_median"] < log["mcse_q2.5"]  # the tails are known less well
    nat = eff[eff["scale"] == "OR"]
    assert nat["mcse_mean"].isna().all() and (nat["mcse_median"] > 0).all()


def test_monte_carlo_errors_of_ranks_sucra_and_rank_probabilities():
    idata = synthetic_idata({"B": 0.1, "C": 0.2}, sd=1.0, chains=4, draws=2500, seed=6)
    n = 4 * 2500
    ranks = posterior_ranks(idata, lower_better=False).set_index("treatment")
    assert np.allclose(ranks["mcse_sucra"], ranks["mcse_mean_rank"] / 2)
    p = ranks.loc["C", "p_best"]
    assert ranks.loc["C", "mcse_p_best"] == pytest.approx(np.sqrt(p * (1 - p) / n), rel=0.1)
    probs = posterior_rank_probs(idata, lower_better=False).set_index(["treatment", "rank"])
    first = probs.loc[("C", 1)]
    assert first["mcse_probability"] == pytest.approx(ranks.loc["C", "mcse_p_best"])
    # rank n or better is certain: no Monte Carlo error
    assert (probs.xs(3, level="rank")["mcse_cumulative_probability"] == 0).all()


def test_a_sure_ranking_has_no_monte_carlo_error(idata):
    ranks = posterior_ranks(idata, lower_better=False)
    assert (ranks["mcse_sucra"] == 0).all() and (ranks["mcse_p_best"] == 0).all()


def test_a_treatment_at_its_class_mean_has_effects_but_no_rank():
    import json

    from bayesnma.effects import at_class_mean, ranked_effects

    idata = synthetic_idata({"B": 0.5, "M": 0.3, "C": 1.0})
    idata.posterior["d"].attrs["at_class_mean"] = json.dumps(["M"])
    assert at_class_mean(idata) == ["M"]
    assert list(ranked_effects(idata)["treatment"].values) == ["A", "B", "C"]
    ranks = posterior_ranks(idata, lower_better=False)
    assert sorted(ranks["treatment"]) == ["A", "B", "C"]
    assert "M" in set(relative_effects(idata, lower_better=False)["treatment"])
