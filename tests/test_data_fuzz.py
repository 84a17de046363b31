"""Fuzzing the data readers: no file raises anything but our own error class.

Each case is a CSV of one format with names, numbers and layout drawn from what real files
and typos contain (numeric, ``NA`` and ``True`` names, odd spaces, mathtext, huge or tiny or
malformed numbers, missing, extra and duplicated columns, broken quoting, byte-level
damage). The readers get ``BAYESNMA_FUZZ_EXAMPLES`` cases per format (default 2,000;
marker ``fuzz``, run by CI); a twentieth as many, with drawn analysis options, are planned as
the workflow plans an analysis before any job runs (read, validate, components, each
component's model set-up). The default suite plans 25 per format.
"""

import csv
import io
import multiprocessing
import os
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bayesnma import BayesNMAError, read_data
from bayesnma.data import ARM_FORMATS, CONTRAST_OPTIONAL, FORMATS
from bayesnma.workflow import plan_analyses

COLUMNS = {name: ("study", "treatment", *spec.required, *spec.optional)
           for name, spec in ARM_FORMATS.items()}
COLUMNS["contrast"] = ("study", "treatment", *CONTRAST_OPTIONAL)

NAMES = ["s1", "s2", "s3", "A", "B", "C", "1", "2", "NA", "None", "True", "nan", "", " ",
         "a | b", "a", "b", "$x^2$", "Sorafenib", "sorafenib", "TKI\u00a0+ PD-1", "A\u200b",
         '"q"', "=1+1", "x,y", "é", "line\nbreak", "-", "@"]
NUMBERS = ["0", "1", "2", "5", "9", "10", "50", "100", "0.5", "0.05", "-1", "-0", "1e19",
           "1e400", "nan", "NA", "", "abc", "1_000", "\u0661\u0662", "1e-320", "9e165",
           "0.999", "1.5", "  3 ", "+2", "1e-60", "1e9", "1e10", "inf", "-inf", "0x10", "1,5",
           "1.", ".5", "1e", "٣"]

names = st.one_of(st.sampled_from(NAMES[:6]), st.sampled_from(NAMES), st.text(max_size=6))
numbers = st.one_of(st.sampled_from(NUMBERS[:12]), st.sampled_from(NUMBERS),
                    st.integers(-3, 300).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.text(max_size=5))


DESIGNS = [("s1", "A"), ("s1", "B"), ("s2", "B"), ("s2", "C"), ("s3", "A"), ("s3", "C"),
           ("s3", "D")]


def _valid_row(rnd, baseline):
    """Values of one arm that every format accepts (``rnd``: a drawn random generator,
    cheaper than drawing each value)."""
    total = rnd.randint(1, 400)
    median = rnd.uniform(0.5, 40)
    return {
        "events": rnd.randint(0, total), "total": total, "mean": rnd.uniform(-50, 50),
        "se": rnd.uniform(0.01, 5), "sd": rnd.uniform(0.1, 20),
        "person_time": rnd.uniform(1, 1000), "follow_up": rnd.uniform(0.5, 60),
        "median": median, "lower": median * rnd.uniform(0.3, 0.99),
        "upper": median * rnd.uniform(1.01, 3),
        "p_value": rnd.choice(["", "", "", "0.04"]),
        "diff": "" if baseline else rnd.uniform(-3, 3),
        "ratio": "", "design": rnd.choice(["RCT", "retrospective"]),
        "t_start": 0, "t_end": rnd.uniform(0.5, 12), "at_risk": total, "censored": 0,
        "time": rnd.uniform(0.1, 30), "status": rnd.randint(0, 1),
    }


def _intervals(rnd, values):
    """An arm of a several-row format as 1-4 rows: contiguous intervals whose numbers at
    risk follow from the events and censoring before them, or patients."""
    rows, start, at_risk = [], 0.0, values["total"]
    for _ in range(rnd.randint(1, 4)):
        end = start + rnd.uniform(0.5, 6)
        events = rnd.randint(0, at_risk)
        censored = rnd.randint(0, at_risk - events)
        rows.append({**values, "t_start": start, "t_end": end, "events": events,
                     "censored": censored, "at_risk": at_risk, "time": end,
                     "status": rnd.randint(0, 1)})
        start, at_risk = end, at_risk - events - censored
        if at_risk == 0:
            break
    return rows


@st.composite
def data_files(draw, fmt):
    """CSV text of format ``fmt``: a valid file, then 0-3 damaged cells and sometimes a
    damaged header or line structure. Structural choices come from a drawn random
    generator with the stated probabilities (hypothesis' own draws favour boundary values,
    which made every other file a duplicated header)."""
    rnd = draw(st.randoms(use_true_random=True))
    canonical = list(COLUMNS[fmt])
    columns = [c for c in canonical if c in ("study", "treatment", *ARM_FORMATS.get(
        fmt, ARM_FORMATS["binary"]).required) or c in ("se", "diff") or rnd.random() < 0.75]
    if fmt == "continuous" and "se" not in columns:
        columns += ["sd", "total"]
    if fmt == "median" and rnd.random() < 0.75:
        columns += [c for c in ("lower", "upper") if c not in columns]
    studies = [s for s in ("s1", "s2", "s3") if rnd.random() < 0.7] or ["s1"]
    designs = [d for d in DESIGNS if d[0] in studies]
    if rnd.random() < 0.1:
        designs.pop(rnd.randrange(len(designs)))
    rows, seen = [], set()
    several = fmt in ARM_FORMATS and ARM_FORMATS[fmt].several_rows
    for study, trt in designs:
        values = _valid_row(rnd, study not in seen)
        seen.add(study)
        values.update(study=study, treatment=trt)
        for arm_row in _intervals(rnd, values) if several else [values]:
            rows.append([arm_row.get(c, "") for c in columns])
    for _ in range(rnd.choice([0, 0, 0, 1, 2, 3]) if rows else 0):
        i, j = rnd.randrange(len(rows)), rnd.randrange(len(columns))
        rows[i][j] = draw(names if columns[j] in ("study", "treatment") else numbers)
    if rnd.random() < 0.05:
        columns = [*columns, rnd.choice([*canonical, "design", "", "study"])]
    if rnd.random() < 0.1:
        rnd.shuffle(columns)
    if rows and rnd.random() < 0.05:
        i = rnd.randrange(len(rows))
        rows[i] = rows[i][:rnd.randrange(len(rows[i]) + 1)] + draw(st.lists(numbers,
                                                                           max_size=2))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=rnd.choice(["\n", "\r\n"]))
    writer.writerow(columns)
    writer.writerows(rows)
    text = out.getvalue()
    if rnd.random() < 0.1:  # damage: insert characters at a random place
        at = rnd.randrange(len(text) + 1)
        text = text[:at] + draw(st.text(alphabet='",\n\r\x00\ufeff;| \t', max_size=3)) + text[at:]
    return text


def _read(path, fmt, measure, options):
    read_data(path, format=fmt, measure=measure if fmt == "contrast" else None,
              allow_single_arm=options.get("allow_single_arm", False))


def _plan(path, fmt, measure, options):
    """Plan an analysis of the file as the workflow does before any job runs (read,
    validate, split into components, set up each component's model)."""
    analysis = {"data": str(path), "format": fmt, **options}
    if fmt == "contrast":
        analysis["measure"] = measure
    plan_analyses({"analyses": {"fuzz": analysis}})


OPTIONS = st.fixed_dictionaries({}, optional={
    "allow_single_arm": st.booleans(),
    "disconnected": st.sampled_from(["split", "split", "error", "bridge"]),
    "trt_effects": st.sampled_from(["random", "fixed"]),
    "baseline": st.sampled_from([{"model": "independent"}, {"model": "exchangeable"}]),
    "consistency": st.sampled_from([["consistency"], ["consistency", "ume", "nodesplit"]]),
    "trt_ref": st.sampled_from(["A", "B", ["C", "A"]]),
})


def _fuzz(target, fmt, n_examples, folder):
    """Run ``target`` on ``n_examples`` drawn files; only BayesNMAError may escape, and
    some files must get through (else the generator tests nothing)."""
    path = Path(folder) / f"{target.__name__}_{fmt}.csv"
    outcomes = []

    @settings(max_examples=n_examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(text=data_files(fmt), measure=st.sampled_from(["HR", "OR", "MD"]), options=OPTIONS,
           encoding=st.sampled_from(["utf-8", "latin-1"]))
    def run(text, measure, options, encoding):
        path.write_bytes(text.encode(encoding, errors="replace"))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                target(path, fmt, measure, options)
                outcomes.append("ok")
            except BayesNMAError:
                outcomes.append("refused")

    run()
    assert outcomes.count("ok") >= 0.05 * len(outcomes), outcomes.count("ok")


def _fuzz_in_worker(target_name, fmt, n_examples, folder):
    """:func:`_fuzz` in a worker process; returns the failure's traceback (with the
    falsifying example hypothesis attaches) or None."""
    try:
        _fuzz(globals()[target_name], fmt, n_examples, folder)
    except BaseException:  # noqa: BLE001 (reported to the parent as text)
        return traceback.format_exc()
    return None


def _fuzz_every_format(target, n_examples, folder):
    """Fuzz every format, one worker process per core (the fuzz is CPU-bound Python)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context) as pool:
        jobs = {fmt: pool.submit(_fuzz_in_worker, target.__name__, fmt, n_examples, folder)
                for fmt in FORMATS}
        failures = {fmt: job.result() for fmt, job in jobs.items()}
    failed = {fmt: tb for fmt, tb in failures.items() if tb}
    assert not failed, "\n\n".join(f"--- {fmt} ---\n{tb}" for fmt, tb in failed.items())


@pytest.mark.parametrize("fmt", FORMATS)
def test_planning_raises_only_our_errors_quick(fmt, tmp_path):
    _fuzz(_plan, fmt, 25, tmp_path)


@pytest.mark.fuzz
def test_readers_raise_only_our_errors(tmp_path):
    _fuzz_every_format(_read, int(os.environ.get("BAYESNMA_FUZZ_EXAMPLES", "2000")), tmp_path)


@pytest.mark.fuzz
def test_planning_raises_only_our_errors(tmp_path):
    _fuzz_every_format(_plan, int(os.environ.get("BAYESNMA_FUZZ_EXAMPLES", "2000")) // 20,
                       tmp_path)
