"""Patient data from a published Kaplan-Meier curve: the algorithm of Guyot et al. (2012),
implemented from the paper.

Guyot P, Ades AE, Ouwens MJ, Welton NJ. Enhanced secondary analysis of survival data:
reconstructing the data from published Kaplan-Meier survival curves. BMC Med Res Methodol
2012;12:9.

Input per arm: the digitised curve, coordinates ``(T_k, S_k)`` read at each step (the
left end of each horizontal segment), and the numbers at risk ``n_i`` at times ``t_i``
printed under the figure; optionally the total number of events. In each interval between
two times of the risk table the number censored is first guessed from the curve
(``n_i S(t_{i+1}) / S(t_i) - n_{i+1}``), spread evenly over the interval; the events at
each step follow from the drop of the curve given who is at risk, ``d_k = round(n_k (1 -
S_k / S_last))``; and the number censored is corrected until the number at risk at the
interval's end matches the table. In the last interval, where the table gives no end,
censoring continues at the average rate per unit time of the earlier intervals, or is set
so that the events add up to the reported total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["reconstruct_ipd"]

#: Corrections of one interval's number censored before giving up (it may oscillate when
#: the digitised curve and the risk table disagree).
MAX_ITERATIONS = 200


def reconstruct_ipd(km_time, km_survival, risk_time, at_risk, *,
                    total_events: int | None = None) -> pd.DataFrame:
    """Reconstruct patient data of one arm from its Kaplan-Meier curve and risk table.

    Parameters
    ----------
    km_time, km_survival : array-like
        Digitised coordinates of the curve, one per step (survival as a probability). A
        point ``(0, 1)`` is added if missing; survival is made non-increasing.
    risk_time, at_risk : array-like
        The risk table: times (the first 0) and numbers at risk.
    total_events : int, optional
        The arm's reported number of events; used to set censoring in the last interval.

    Returns
    -------
    pandas.DataFrame
        A row per patient: ``time`` and ``status`` (1 event, 0 censored), events at the
        curve's steps, censoring spread evenly within each interval and the patients still
        at risk censored at the curve's last time (or the table's last time with patients
        at risk, if later).
    """
    t = np.asarray(km_time, dtype=float)
    s = np.asarray(km_survival, dtype=float)
    order = np.argsort(t, kind="stable")
    t, s = t[order], np.minimum.accumulate(np.clip(s[order], 0.0, 1.0))
    if t[0] > 0 or s[0] < 1:
        t, s = np.r_[0.0, t], np.r_[1.0, s]
    tr = np.asarray(risk_time, dtype=float)
    nr = np.asarray(at_risk, dtype=float).round().astype(np.int64)
    n_points, n_int = t.size, tr.size
    lower = np.searchsorted(t, tr, side="left")  # first step at or after t_i
    upper = np.r_[np.searchsorted(t, tr[1:], side="left") - 1, n_points - 1]

    events = np.zeros(n_points, dtype=np.int64)
    n_hat = np.zeros(n_points + 1, dtype=np.int64)
    censor_times: list[np.ndarray] = []
    n_censored = np.zeros(n_int, dtype=np.int64)
    last_km = 1.0  # the reconstructed curve at the last step with an event
    for i in range(n_int):
        lo, up = int(lower[i]), int(upper[i])
        if lo > up or nr[i] <= 0:
            # No step of the curve (no event) or no one at risk: who leaves is censored,
            # spread over the interval (those left after the last interval: below).
            if i < n_int - 1 and nr[i] > nr[i + 1]:
                k = int(nr[i] - nr[i + 1])
                censor_times.append(tr[i] + np.arange(1, k + 1) * (tr[i + 1] - tr[i]) / (k + 1))
            continue
        if i < n_int - 1:
            nxt = int(lower[i + 1])
            s_next = s[nxt] if nxt < n_points else s[-1]
            t_end = t[nxt] if nxt < n_points else tr[i + 1]
            guess = round(nr[i] * s_next / s[lo] - nr[i + 1]) if s[lo] > 0 else 0
        else:
            t_end = t[up]
            span = t[lo] - t[lower[0]]
            rate = n_censored[:i].sum() / span if span > 0 else 0.0
            guess = min(round(rate * (t[up] - t[lo])), int(nr[i]))
        tried: set[int] = set()
        for _ in range(MAX_ITERATIONS):
            guess = int(min(max(guess, 0), nr[i]))
            tried.add(guess)
            times = t[lo] + np.arange(1, guess + 1) * (t_end - t[lo]) / (guess + 1)
            edges = np.r_[t[lo:up + 1], np.inf]
            cens = (np.histogram(times, bins=edges)[0] if guess
                    else np.zeros(up - lo + 1, dtype=np.int64))
            applied = np.zeros_like(cens)  # censored who were still at risk
            km, n_hat[lo] = last_km, nr[i]
            for j, k in enumerate(range(lo, up + 1)):
                at = n_hat[k]
                if k == 0 or at <= 0 or km <= 0:
                    events[k] = 0
                else:
                    events[k] = min(max(round(at * (1 - s[k] / km)), 0), at)
                    km = km * (1 - events[k] / at)
                applied[j] = min(int(cens[j]), at - events[k])
                n_hat[k + 1] = at - events[k] - applied[j]
            if i < n_int - 1:
                gap = int(n_hat[up + 1] - nr[i + 1])
            elif total_events is not None:
                gap = int(events[: up + 1].sum() - total_events)
            else:
                break
            if gap == 0 or guess + gap in tried:
                break
            guess += gap
        n_censored[i] = guess
        bins = np.searchsorted(edges, times, side="right") - 1  # each time's step
        keep = np.zeros(times.size, dtype=bool)
        for j, n_keep in enumerate(applied):
            keep[np.flatnonzero(bins == j)[:n_keep]] = True
        censor_times.append(times[keep])
        last_km = km
    # Those still at risk after the curve's last step are censored then (or at the last
    # time the table has them at risk, if later).
    censored = np.concatenate(censor_times or [np.zeros(0)])
    remaining = max(int(nr[0]) - int(events.sum()) - censored.size, 0)
    last_seen = max(t[-1], tr[nr > 0][-1]) if (nr > 0).any() else t[-1]
    rows = [np.repeat(t, events), censored, np.full(remaining, last_seen)]
    status = [np.ones(rows[0].size, dtype=np.int64), np.zeros(rows[1].size, dtype=np.int64),
              np.zeros(remaining, dtype=np.int64)]
    out = pd.DataFrame({"time": np.concatenate(rows), "status": np.concatenate(status)})
    return out.sort_values(["time", "status"], ascending=[True, False],
                           kind="stable").reset_index(drop=True)
