"""Medians to log hazards: the formulas, and recovery of a known hazard ratio from medians
with 95% CIs simulated under an exponential model."""

import numpy as np
import pandas as pd
import pytest

import bayesnma as nma
from bayesnma.survival import ci_z, log_ratio_from_ci, median_to_log_hazard

TRUE_LOG_HR = {"A": 0.0, "B": np.log(0.7), "C": np.log(0.5)}
BASE_MEDIAN = 6.0  # months, treatment A


def test_ci_z():
    assert ci_z(0.95) == pytest.approx(1.959964, abs=1e-6)


def test_log_ratio_from_ci_inverts_a_wald_interval():
    diff, se = 0.3, 0.12
    lo, hi = np.exp(diff - ci_z() * se), np.exp(diff + ci_z() * se)
    got = log_ratio_from_ci(np.exp(diff), lo, hi)
    assert got[0] == pytest.approx(diff) and got[1] == pytest.approx(se)


def test_median_to_log_hazard_prefers_the_ci():
    y, se = median_to_log_hazard([10.0, 10.0, 10.0], [8.0, np.nan, np.nan],
                                 [12.5, np.nan, np.nan], [np.nan, 16, np.nan])
    assert y == pytest.approx(np.log(np.log(2) / 10))
    assert se[0] == pytest.approx(np.log(12.5 / 8) / (2 * ci_z()))
    assert se[1] == pytest.approx(0.25)
    assert np.isnan(se[2])


def simulate_medians(rng, design, n_per_arm):
    """Median survival with a distribution-free 95% CI per arm, from exponential event
    times (no censoring): the CI limits are the order statistics at ranks
    n/2 -+ 1.96 sqrt(n)/2, as reported by trials without censoring before the median."""
    rows = []
    for study, trts in enumerate(design):
        for trt in trts:
            rate = np.log(2) / BASE_MEDIAN * np.exp(TRUE_LOG_HR[trt])
            times = np.sort(rng.exponential(1 / rate, size=n_per_arm))
            half = ci_z() * np.sqrt(n_per_arm) / 2
            lo, hi = int(np.floor(n_per_arm / 2 - half)), int(np.ceil(n_per_arm / 2 + half))
            rows.append({"study": f"s{study}", "treatment": trt,
                         "median": np.median(times), "lower": times[lo - 1],
                         "upper": times[hi - 1], "total": n_per_arm})
    return pd.DataFrame(rows)


def test_medians_recover_the_log_hr_and_its_se():
    rng = np.random.default_rng(20261121)
    data = simulate_medians(rng, [("A", "B")] * 400, n_per_arm=300)
    net = nma.set_agd_arm(data, format="median")
    arms = net.arms
    log_hr = arms["y"].to_numpy()[1::2] - arms["y"].to_numpy()[::2]
    se = np.hypot(arms["se"].to_numpy()[1::2], arms["se"].to_numpy()[::2])
    # Unbiased: mean within 3 Monte Carlo SEs of the truth.
    assert abs(log_hr.mean() - TRUE_LOG_HR["B"]) < 3 * log_hr.std() / np.sqrt(log_hr.size)
    # Calibrated: the SEs derived from the CIs match the spread of the estimates, and the
    # 95% intervals cover the truth about 95% of the time.
    assert se.mean() == pytest.approx(log_hr.std(), rel=0.15)
    covered = np.abs(log_hr - TRUE_LOG_HR["B"]) < ci_z() * se
    assert 0.92 < covered.mean() < 0.98


@pytest.mark.validation
def test_nma_of_simulated_medians_recovers_true_log_hrs():
    rng = np.random.default_rng(7)
    design = [("A", "B")] * 4 + [("A", "C")] * 4 + [("B", "C")] * 2
    net = nma.set_agd_arm(simulate_medians(rng, design, n_per_arm=2000), format="median")
    model = nma.NMAModel(net, trt_effects="fixed", trt_ref="A")
    idata = nma.fit(model, nma.SamplerSettings(draws=2000, random_seed=3))
    assert nma.check_convergence(idata).converged
    d = idata.posterior["d"].mean(("chain", "draw"))
    for trt in ("B", "C"):
        assert float(d.sel(treatment=trt)) == pytest.approx(TRUE_LOG_HR[trt], abs=0.05)
    assert idata.posterior.attrs["measure"] == "HR"


SCENARIOS = [(1.0, np.log(0.7)), (1.0, np.log(0.5)), (0.7, np.log(0.7)), (1.5, np.log(0.5))]


def _recover(studies, *, use_events):
    from bayesnma.survival import log_hr_from_logrank_p

    out = []
    for s in studies.dropna(subset=["median_trt", "median_ctl"]).itertuples():
        extra = ({"events_trt": s.events_trt, "events_ctl": s.events_ctl} if use_events
                 else {"total_trt": s.total_trt, "total_ctl": s.total_ctl})
        out.append(log_hr_from_logrank_p(s.p_value, s.median_trt, s.median_ctl, **extra)[:2])
    return np.array(out).T


@pytest.mark.parametrize(("shape", "log_hr"), SCENARIOS)
def test_logrank_p_with_events_recovers_the_log_hr(shape, log_hr):
    """Simulated trials (Weibull shape 1 = exponential), 100 per arm, staggered follow-up:
    the log HR from the log-rank p, events and the medians' direction is unbiased and its
    95% interval covers the truth 90-98% of the time, whatever the shape."""
    from bayesnma.testing import simulate_logrank_studies

    studies = simulate_logrank_studies(800, log_hr=log_hr, shape=shape, seed=11)
    est, se = _recover(studies, use_events=True)
    assert abs(est.mean() - log_hr) < 0.05
    assert 0.90 <= np.mean(np.abs(est - log_hr) < ci_z() * se) <= 0.98


@pytest.mark.parametrize("log_hr", [np.log(0.7), np.log(0.5)])
def test_logrank_p_with_medians_and_arm_sizes_recovers_exponential_log_hr(log_hr):
    from bayesnma.testing import simulate_logrank_studies

    studies = simulate_logrank_studies(800, log_hr=log_hr, seed=12)
    est, se = _recover(studies, use_events=False)
    assert abs(est.mean() - log_hr) < 0.05
    assert 0.90 <= np.mean(np.abs(est - log_hr) < ci_z() * se) <= 0.98


def test_logrank_p_with_medians_is_biased_when_hazards_are_not_constant():
    """The known limit, stated in the data notes: a ratio of medians estimates
    log HR / shape under Weibull hazards."""
    from bayesnma.testing import simulate_logrank_studies

    studies = simulate_logrank_studies(400, log_hr=np.log(0.5), shape=1.5, seed=13)
    est, _ = _recover(studies, use_events=False)
    assert est.mean() == pytest.approx(np.log(0.5) / 1.5, abs=0.05)


def test_simulated_logrank_matches_the_textbook_statistic():
    from bayesnma.testing import km_median, logrank

    times = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    events = np.array([1, 1, 0, 1, 1, 1])
    group = np.array([1, 0, 1, 1, 0, 0])
    # risk sets at the event times 1, 2, 4, 5, 6: (n, n_1) = (6,3) (5,2) (3,1) (2,0) (1,0)
    o_minus_e = 2 - (3 / 6 + 2 / 5 + 1 / 3)
    v = 0.25 + 0.24 + 2 / 9
    z, p = logrank(times, events, group)
    assert z == pytest.approx(o_minus_e / np.sqrt(v))
    assert km_median(times, events) == 4.0  # S: 5/6, 4/6, 4/6, 4/9 at t = 4
