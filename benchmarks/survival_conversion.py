"""Bias and coverage of log HRs recovered from medians and log-rank p-values, by simulation.

Usage::

    python benchmarks/survival_conversion.py [--studies 2000] > benchmarks/survival_conversion.md

Each scenario simulates two-arm trials as papers report them (100 patients per arm,
control median 6 months, Weibull event times with proportional hazards, each patient
followed 12-30 months) and recovers the log HR with
:func:`bayesnma.survival.log_hr_from_logrank_p` from what a paper gives: the two Kaplan-Meier
medians, the log-rank p-value and either the events per arm or the arm sizes. Prints a
Markdown table: mean error (bias), SD of the estimates, median SE and coverage of the 95%
interval, over the studies whose medians were reached in both arms (a paper reporting
"not reached" gives no median to use). ``tests/test_survival.py`` checks the same
quantities on smaller runs.
"""

import argparse

import numpy as np

from bayesnma.survival import ci_z, log_hr_from_logrank_p
from bayesnma.testing import simulate_logrank_studies

SHAPES = (1.0, 0.7, 1.5)
LOG_HRS = (np.log(0.85), np.log(0.7), np.log(0.5))


def main(n_studies: int) -> None:
    print("| method | Weibull shape | true HR | studies | bias (log HR) | SD of estimates | "
          "median SE | 95% coverage |")
    print("|---|---|---|---|---|---|---|---|")
    for method in ("events per arm", "medians + arm sizes"):
        for shape in SHAPES:
            for log_hr in LOG_HRS:
                studies = simulate_logrank_studies(n_studies, log_hr=log_hr, shape=shape,
                                                   seed=2026)
                studies = studies.dropna(subset=["median_trt", "median_ctl"])
                est = []
                for s in studies.itertuples():
                    extra = ({"events_trt": s.events_trt, "events_ctl": s.events_ctl}
                             if method == "events per arm"
                             else {"total_trt": s.total_trt, "total_ctl": s.total_ctl})
                    est.append(log_hr_from_logrank_p(s.p_value, s.median_trt, s.median_ctl,
                                                     **extra)[:2])
                est = np.array(est)
                cover = np.mean(np.abs(est[:, 0] - log_hr) < ci_z() * est[:, 1])
                print(f"| {method} | {shape:g} | {np.exp(log_hr):.2f} | {len(studies)} | "
                      f"{est[:, 0].mean() - log_hr:+.3f} | {est[:, 0].std():.3f} | "
                      f"{np.median(est[:, 1]):.3f} | {cover:.3f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=2000)
    main(parser.parse_args().studies)
