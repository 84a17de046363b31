"""Patient data from Kaplan-Meier curves (Guyot et al. 2012)."""

import numpy as np
import pytest

from bayesnma.datasets import load_dataset
from bayesnma.km_reconstruction import reconstruct_ipd


def _km(ipd):
    """Kaplan-Meier estimate of patient data: step times and survival after each."""
    times = np.unique(ipd.loc[ipd["status"] == 1, "time"])
    at_risk = np.array([(ipd["time"] >= u).sum() for u in times])
    events = np.array([((ipd["time"] == u) & (ipd["status"] == 1)).sum() for u in times])
    return times, np.cumprod(1 - events / at_risk)


def _at(times, surv, x):
    return surv[times <= x][-1] if (times <= x).any() else 1.0


def _keynote(arm):
    clicks, nar = load_dataset("keynote189_km"), load_dataset("keynote189_at_risk")
    c, r = clicks[clicks["arm"] == arm], nar[nar["arm"] == arm]
    return c, reconstruct_ipd(c["time"], c["survival"], r["time"], r["at_risk"])


@pytest.mark.parametrize(("arm", "n", "events", "s6", "s12"), [
    ("placebo+chemo", 206, 107, 0.7233, 0.4954),
    ("pembrolizumab+chemo", 410, 126, 0.8532, 0.6927)])
def test_keynote189_reconstruction_matches_other_implementations(arm, n, events, s6, s12):
    """reconstructKM 0.3.0 and survivalnma's Guyot code reconstruct the same events from
    this input (and these landmarks: reconstructKM's vignette); no total events given."""
    clicks, ipd = _keynote(arm)
    assert len(ipd) == n and ipd["status"].sum() == events
    times, surv = _km(ipd)
    assert _at(times, surv, 6) == pytest.approx(s6, abs=5e-4)
    assert _at(times, surv, 12) == pytest.approx(s12, abs=5e-4)
    # the reconstructed curve runs through the digitised one
    gap = max(abs(_at(times, surv, t) - s) for t, s in zip(clicks["time"], clicks["survival"],
                                                           strict=True))
    assert gap < 0.01


def test_a_reported_total_of_events_sets_censoring_in_the_last_interval():
    """With the table up to 12 months the last interval runs from 12 months to the curve's
    end (seven steps): censoring there follows the earlier rate, or is set to meet a
    reported number of events."""
    clicks = load_dataset("keynote189_km")
    nar = load_dataset("keynote189_at_risk")
    c, r = clicks[clicks["arm"] == "placebo+chemo"], nar[nar["arm"] == "placebo+chemo"]
    r = r[r["time"] <= 12]
    free = reconstruct_ipd(c["time"], c["survival"], r["time"], r["at_risk"])
    for total in (free["status"].sum() - 1, free["status"].sum() + 1):
        ipd = reconstruct_ipd(c["time"], c["survival"], r["time"], r["at_risk"],
                              total_events=total)
        assert ipd["status"].sum() == total and len(ipd) == 206


def test_simulated_curves_are_reconstructed_close_to_their_patients():
    """Exponential times with uniform censoring: the curve read at its steps and a risk
    table every 2 time units give back the number of events and the curve (where at
    least 30 patients are at risk: in the tail one event moves it by 1/n)."""
    rng = np.random.default_rng(7)
    for _ in range(5):
        n = 300
        event_t, censor_t = rng.exponential(8.0, n), rng.uniform(0, 20, n)
        truth = pd_frame(np.minimum(event_t, censor_t), (event_t <= censor_t).astype(int))
        times, surv = _km(truth)
        table = np.arange(0, times.max(), 2.0)
        at_risk = [(truth["time"] >= x).sum() for x in table]
        ipd = reconstruct_ipd(np.r_[0, times], np.r_[1, surv], table, at_risk)
        assert len(ipd) == n
        assert abs(ipd["status"].sum() - truth["status"].sum()) <= 0.03 * truth["status"].sum()
        rt, rs = _km(ipd)
        body = [x for x in times if (truth["time"] >= x).sum() >= 30]
        assert max(abs(_at(rt, rs, x) - _at(times, surv, x)) for x in body) < 0.01


def pd_frame(time, status):
    import pandas as pd

    return pd.DataFrame({"time": time, "status": status})
