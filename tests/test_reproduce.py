"""Comparing a results folder with a rerun: byte-identical, within Monte Carlo error, or
different."""

import json

import numpy as np
import pandas as pd

from bayesnma import io
from bayesnma.reproduce import (
    MC_TOLERANCE,
    UNJUDGED,
    compare_results,
    compare_tables,
    fit_records,
    same_fitting_setup,
)
from bayesnma.testing import synthetic_idata

RANKS = pd.DataFrame({"treatment": ["B", "A"], "sucra": [0.8, 0.2], "mcse_sucra": [0.01, 0.01],
                      "median_rank": [1, 2]})


def test_identical_tables_have_no_differences():
    assert compare_tables(RANKS, RANKS.copy()).empty


def test_a_number_may_move_within_its_monte_carlo_error():
    rerun = RANKS.assign(sucra=[0.8 + 0.9 * MC_TOLERANCE * np.hypot(0.01, 0.01), 0.2])
    diff = compare_tables(RANKS, rerun)
    assert list(diff["column"]) == ["sucra"] and diff["within_mc_error"].all()


def test_a_number_beyond_its_monte_carlo_error_differs():
    diff = compare_tables(RANKS, RANKS.assign(sucra=[0.9, 0.2]))
    assert not diff["within_mc_error"].any()
    assert diff.iloc[0]["allowed"] == MC_TOLERANCE * np.hypot(0.01, 0.01)


def test_rows_in_another_order_are_matched_by_their_keys():
    """Treatments whose SUCRA is within Monte Carlo error may be listed the other way."""
    swapped = RANKS.iloc[::-1].reset_index(drop=True)
    assert compare_tables(RANKS, swapped).empty
    league = pd.DataFrame({"treatment": ["B", "A"], "B": ["B", "2 (1, 3)"],
                           "A": ["0.5 (0.3, 1)", "A"]})
    assert compare_tables(league, league.iloc[::-1][["treatment", "A", "B"]]).empty


def test_a_number_without_an_error_or_text_cannot_be_judged_and_a_shape_differs():
    diff = compare_tables(RANKS, RANKS.assign(median_rank=[2, 1], treatment=["C", "A"]))
    assert set(diff["column"]) == {"median_rank", "treatment"}
    assert diff["within_mc_error"].isna().all()
    shape = compare_tables(RANKS, RANKS.iloc[:1])
    assert list(shape["column"]) == ["(shape)"] and shape["within_mc_error"].iat[0] is False


def test_results_folders_compared_table_by_table(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        io.write_table(RANKS, root / "x" / "same.csv")
    io.write_table(RANKS, a / "x" / "near.csv")
    io.write_table(RANKS.assign(sucra=[0.81, 0.2]), b / "x" / "near.csv")
    io.write_table(RANKS, a / "x" / "far.csv")
    io.write_table(RANKS.assign(sucra=[0.5, 0.2]), b / "x" / "far.csv")
    io.write_table(RANKS, a / "x" / "ranks.csv")
    io.write_table(RANKS.assign(median_rank=[1, 1]), b / "x" / "ranks.csv")
    io.write_table(RANKS, a / "gone.csv")
    table = compare_results(a, b).set_index("table")
    assert table.loc["x/ranks.csv", "status"] == UNJUDGED
    assert table.loc["x/same.csv", "status"] == "identical"
    assert table.loc["x/near.csv", "status"] == "within Monte Carlo error"
    assert table.loc["x/far.csv", "status"] == "differs"
    assert table.loc["x/far.csv", "worst"].startswith("treatment B: sucra: 0.8 vs 0.5")
    assert table.loc["gone.csv", "status"] == "missing in rerun"


def test_fit_records_say_what_each_posterior_was_fitted_with(tmp_path):
    idata = synthetic_idata({"B": 1.0})
    idata.posterior.attrs.update({"package_versions": json.dumps({"pymc": "6.4.0"}),
                                  "compile_flags": json.dumps({"numba__fastmath": False}),
                                  "machine": "x86_64: test", "random_seed": 3})
    io.write_idata(idata, tmp_path / "an" / "c1" / "posterior.nc")
    records = fit_records(tmp_path)
    assert records.to_dict("records") == [{
        "posterior": "an/c1/posterior.nc", "package_versions": '{"pymc": "6.4.0"}',
        "compile_flags": '{"numba__fastmath": false}', "machine": "x86_64: test",
        "random_seed": "3", "fit_stamp": ""}]
    assert same_fitting_setup(records, records.copy())
    assert not same_fitting_setup(records, records.assign(machine="aarch64: other"))
    assert not same_fitting_setup(records, records.iloc[:0])
