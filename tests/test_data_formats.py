"""Continuous, rate, events-with-follow-up, median and contrast data: parsing, conversion
and one test per validation message."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from bayesnma import (
    ConfigError,
    DataValidationError,
    NMAModel,
    build_pymc_model,
    combine_data,
    model_fit,
    read_data,
    residual_deviance,
    set_agd_arm,
    set_agd_contrast,
)
from bayesnma.survival import EXPONENTIAL_ASSUMPTION

Z = 1.959963984540054


def _read(write_csv, text, **kwargs):
    return read_data(write_csv(text), **kwargs)


# --- continuous --------------------------------------------------------------------------


def test_continuous_with_se_or_sd(write_csv):
    net = _read(write_csv, "study,treatment,mean,se,sd,total\n"
                           "s1,A,1.5,0.2,,\ns1,B,2.0,,3.0,36\n", format="continuous")
    assert net.measure == "MD"
    assert net.arms["y"].tolist() == [1.5, 2.0]
    assert net.arms["se"].tolist() == pytest.approx([0.2, 0.5])


def test_continuous_se_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'se': se is 0; a standard error must be greater "
                             r"than 0"):
        _read(write_csv, "study,treatment,mean,se\ns1,A,1,0.2\ns1,B,2,0\n",
              format="continuous")


def test_continuous_sd_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'sd': sd is -1; a standard deviation must be"):
        _read(write_csv, "study,treatment,mean,sd,total\ns1,A,1,-1,10\ns1,B,2,1,10\n",
              format="continuous")


def test_continuous_without_se_or_sd(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'se': no standard error: continuous data need "
                             r"se, or sd and total"):
        _read(write_csv, "study,treatment,mean,se,sd,total\ns1,A,1,0.3,,\ns1,B,2,,,\n",
              format="continuous")


# --- rates and events with follow-up ------------------------------------------------------


def test_rate_person_time_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'person_time': person_time is 0; person-time at "
                             r"risk must be greater than 0"):
        _read(write_csv, "study,treatment,events,person_time\ns1,A,3,100\ns1,B,4,0\n",
              format="rate")


def test_rate_reads(write_csv):
    net = _read(write_csv, "study,treatment,events,person_time\ns1,A,3,100.5\ns1,B,0,90\n",
                format="rate")
    assert net.measure == "IRR"
    assert net.arms["person_time"].tolist() == [100.5, 90.0]


def test_rate_recurrent_events_may_outnumber_patients(write_csv):
    net = _read(write_csv, "study,treatment,events,person_time,total\n"
                "s1,A,150,90,100\ns1,B,120,95,100\n", format="rate")
    assert net.arms["events"].tolist() == [150, 120]


def test_events_followup_events_over_total(write_csv):
    with pytest.raises(DataValidationError, match=r"row 3, column 'events': events \(150\) > "
                                                  r"total \(100\) in study 's1'"):
        _read(write_csv, "study,treatment,events,total,follow_up\n"
              "s1,A,10,100,2\ns1,B,150,100,2\n", format="events_followup")


def test_followup_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'follow_up': follow_up is -2; follow-up time must"):
        _read(write_csv, "study,treatment,events,total,follow_up\ns1,A,3,50,-2\ns1,B,4,50,2\n",
              format="events_followup")


def test_followup_events_over_total(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'events': events \(60\) > total \(50\)"):
        _read(write_csv, "study,treatment,events,total,follow_up\ns1,A,3,50,2\ns1,B,60,50,2\n",
              format="events_followup")


def test_followup_measure_is_hr(write_csv):
    net = _read(write_csv, "study,treatment,events,total,follow_up\ns1,A,3,50,2\ns1,B,6,50,2\n",
                format="events_followup")
    assert net.measure == "HR"


# --- medians -------------------------------------------------------------------------------

MEDIAN = "study,treatment,median,lower,upper,events\n"


def test_median_converts_with_ci_or_events(write_csv):
    net = _read(write_csv, MEDIAN + "s1,A,6,4,9,\ns1,B,3,,,25\n", format="median")
    assert net.measure == "HR"
    assert net.arms["y"].tolist() == pytest.approx(np.log(np.log(2)) - np.log([6, 3]))
    assert net.arms["se"].tolist() == pytest.approx([np.log(9 / 4) / (2 * Z), 1 / 5])
    assert net.arms["se_from"].tolist() == ["95% CI", "events"]
    assert EXPONENTIAL_ASSUMPTION in net.notes


LOGRANK = "study,treatment,median,events,total,p_value\n"


def test_median_with_logrank_p_and_arm_sizes_becomes_a_contrast(write_csv):
    net = _read(write_csv, LOGRANK + "s1,A,1.8,,36,\ns1,B,3.5,,36,0.001\n"
                "s2,A,6,,100,0.2\ns2,C,9,,100,0.2\n", format="median")
    con = net.contrasts.set_index("study")
    assert net.arms.empty and net.formats == ["contrast"]
    s1 = con.loc["s1"].set_index("treatment")
    assert s1.loc["B", "diff"] == pytest.approx(np.log(1.8 / 3.5))
    assert s1.loc["B", "se"] == pytest.approx(np.sqrt(2 / 36) / np.log(2))  # the floor
    s2 = con.loc["s2"].set_index("treatment")
    z = norm.isf(0.1)
    assert s2.loc["C", "se"] == pytest.approx(np.log(9 / 6) / z)  # above the floor
    assert any("study 's1' entered as log HR -0.665 (SE 0.340) of B vs A" in n
               for n in net.notes)


def test_median_with_logrank_p_and_events_uses_the_logrank_variance(write_csv):
    net = _read(write_csv, LOGRANK + "s1,A,4,80,100,\ns1,B,7,60,100,0.008\n", format="median")
    trt = net.contrasts.set_index("treatment").loc["B"]
    v = 80 * 60 / 140
    assert trt["diff"] == pytest.approx(-norm.isf(0.004) / np.sqrt(v))
    assert trt["se"] == pytest.approx(1 / np.sqrt(v))
    assert trt["se_from"] == "log-rank p (events)"


def test_median_with_logrank_p_without_sizes_is_excluded_with_the_reason(write_csv):
    net = _read(write_csv, LOGRANK + "s1,A,4,,,0.008\ns1,B,7,,,0.008\n"
                "s2,A,6,,100,0.2\ns2,C,9,,100,\n", format="median")
    assert net.studies == ["s2"]
    assert any("study 's1' excluded: a log-rank p-value with medians needs the events or "
               "the sizes of both arms" in n for n in net.notes)


def test_logrank_p_out_of_range(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'p_value': p_value is 1; a p-value must be "
                             r"between 0 and 1"):
        _read(write_csv, LOGRANK + "s1,A,4,,50,\ns1,B,7,,50,1\n", format="median")


def test_logrank_p_differs_between_arms(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'p_value': study 's1' has different p-values "
                             r"on its rows \(0.01, 0.02\)"):
        _read(write_csv, LOGRANK + "s1,A,4,,50,0.01\ns1,B,7,,50,0.02\n", format="median")


def test_logrank_p_needs_two_arms(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'p_value': study 's1' has 3 arms and a p-value; "
                             r"a log-rank p-value compares two arms"):
        _read(write_csv, LOGRANK + "s1,A,4,,50,0.01\ns1,B,7,,50,\ns1,C,5,,50,\n",
              format="median")


def test_median_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'median': median is 0; a median survival time "
                             r"must be greater than 0"):
        _read(write_csv, MEDIAN + "s1,A,6,4,9,\ns1,B,0,,,4\n", format="median")


def test_median_ci_swapped(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'lower': lower \(9\) > upper \(4\); the limits of "
                             r"the 95% CI are swapped"):
        _read(write_csv, MEDIAN + "s1,A,6,9,4,\ns1,B,3,2,5,\n", format="median")


def test_median_outside_ci(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'median': the 95% CI \(4, 5\) does not contain "
                             r"the median 3"):
        _read(write_csv, MEDIAN + "s1,A,6,4,9,\ns1,B,3,4,5,\n", format="median")


def test_median_ci_zero_width(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'lower': lower equals upper \(6\); a CI of zero "
                             r"width gives SE = 0"):
        _read(write_csv, MEDIAN + "s1,A,6,6,6,\ns1,B,3,2,5,\n", format="median")


def test_median_zero_events(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'events': events is 0: with no events the median "
                             r"is not reached"):
        _read(write_csv, MEDIAN + "s1,A,6,4,9,\ns1,B,3,,,0\n", format="median")


def test_median_without_ci_or_events_is_excluded_with_a_note(write_csv):
    net = _read(write_csv, MEDIAN + "s1,A,6,4,9,\ns1,B,3,2,5,\ns2,A,5,,,\ns2,C,4,3,6,\n",
                format="median")
    assert net.studies == ["s1"]
    assert any("row 4: arm 'A' of study 's2' excluded: median 5 has neither a 95% CI nor a "
               "number of events" in n for n in net.notes)
    assert any("study 's2' excluded: 1 usable arm left" in n for n in net.notes)


def test_median_nothing_usable(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"no study has two median arms with a 95% CI or number of events"):
        _read(write_csv, MEDIAN + "s1,A,6,,,\ns1,B,3,,,\n", format="median")


# --- contrasts -----------------------------------------------------------------------------

CONTRAST = "study,treatment,diff,se\n"
RATIO = "study,treatment,ratio,lower,upper\n"


def test_contrast_reads_multi_arm(write_csv):
    net = _read(write_csv, CONTRAST + "s1,A,,0.3\ns1,B,-0.5,0.4\ns1,C,-0.2,0.45\n",
                format="contrast", measure="MD")
    assert net.formats == ["contrast"]
    assert net.contrasts["diff"].isna().tolist() == [True, False, False]
    assert net.treatments == ["A", "B", "C"]


def test_ratio_converts_to_log_scale(write_csv):
    net = _read(write_csv, RATIO + "s1,placebo,,,\ns1,drug,0.63,0.50,0.79\n",
                format="contrast", measure="HR")
    row = net.contrasts.iloc[1]
    assert row["diff"] == pytest.approx(np.log(0.63))
    assert row["se"] == pytest.approx((np.log(0.79) - np.log(0.50)) / (2 * Z))


def test_contrast_se_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'se': se is -0.1; a standard error must be"):
        _read(write_csv, CONTRAST + "s1,A,,\ns1,B,-0.5,-0.1\n", format="contrast", measure="MD")


def test_contrast_without_se(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'se': se is missing; every contrast needs its "
                             r"standard error"):
        _read(write_csv, CONTRAST + "s1,A,,\ns1,B,-0.5,\n", format="contrast", measure="MD")


def test_ratio_not_positive(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'ratio': ratio is 0; a ratio \(HR, OR, RR\) must"):
        _read(write_csv, RATIO + "s1,A,,,\ns1,B,0,0.5,0.8\n", format="contrast", measure="HR")


def test_ratio_ci_swapped(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'lower': lower \(0.9\) > upper \(0.5\)"):
        _read(write_csv, RATIO + "s1,A,,,\ns1,B,0.7,0.9,0.5\n", format="contrast", measure="HR")


def test_ratio_outside_ci(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'ratio': the 95% CI \(0.5, 0.6\) does not "
                             r"contain the ratio 0.7"):
        _read(write_csv, RATIO + "s1,A,,,\ns1,B,0.7,0.5,0.6\n", format="contrast", measure="HR")


def test_ratio_without_ci(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'upper': ratio 2.24 has no complete 95% CI"):
        _read(write_csv, RATIO + "s1,A,,,\ns1,B,2.24,1.1,\n", format="contrast", measure="HR")


def test_diff_and_ratio_on_one_row(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'ratio': both diff \(-0.4\) and ratio \(0.67\)"):
        _read(write_csv, "study,treatment,diff,se,ratio,lower,upper\n"
                         "s1,A,,,,,\ns1,B,-0.4,0.1,0.67,0.5,0.8\n",
              format="contrast", measure="HR")


def test_ratio_for_a_difference_measure(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'ratio': a ratio is given but the measure is MD"):
        _read(write_csv, RATIO + "s1,A,,,\ns1,B,0.7,0.5,0.9\n", format="contrast", measure="MD")


def test_contrast_study_without_baseline_row(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 4, column 'diff': study 's2' \(rows 4, 5\) has no baseline "
                             r"row"):
        _read(write_csv, CONTRAST + "s1,A,,\ns1,B,-0.5,0.2\ns2,A,0.1,0.2\ns2,B,-0.5,0.2\n",
              format="contrast", measure="MD")


def test_contrast_study_with_two_baseline_rows(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'diff': study 's1' has 2 baseline rows \(rows 2, 3"):
        _read(write_csv, CONTRAST + "s1,A,,0.2\ns1,B,,0.2\ns1,C,-0.5,0.2\n",
              format="contrast", measure="MD")


def test_multi_arm_contrast_needs_baseline_se(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'se': study 's1' has 3 arms, so its baseline row "
                             r"needs se"):
        _read(write_csv, CONTRAST + "s1,A,,\ns1,B,-0.5,0.4\ns1,C,-0.2,0.45\n",
              format="contrast", measure="MD")


def test_contrast_impossible_covariance(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"contrasts of study 's1' have an impossible covariance"):
        _read(write_csv, CONTRAST + "s1,A,,0.5\ns1,B,-0.5,0.1\ns1,C,-0.2,0.1\n",
              format="contrast", measure="MD")


def test_contrast_study_with_one_row(write_csv):
    with pytest.raises(DataValidationError, match=r"single-arm study 's2' \(row 4\)"):
        _read(write_csv, CONTRAST + "s1,A,,\ns1,B,-0.5,0.2\ns2,A,,0.2\n",
              format="contrast", measure="MD")


def test_contrast_needs_measure(write_csv):
    with pytest.raises(ConfigError, match="contrast-level data need their effect measure"):
        _read(write_csv, CONTRAST + "s1,A,,\ns1,B,-0.5,0.2\n", format="contrast")


def test_unknown_measure():
    with pytest.raises(ConfigError, match="unknown effect measure 'logHR'"):
        set_agd_contrast(pd.DataFrame({"study": ["s"], "treatment": ["A"], "diff": [""]}),
                         measure="logHR")


# --- combining sources and column mapping --------------------------------------------------


def _hr_contrast():
    return set_agd_contrast(pd.DataFrame({"study": ["rct", "rct"], "treatment": ["P", "A"],
                                          "ratio": [np.nan, 0.6], "lower": [np.nan, 0.5],
                                          "upper": [np.nan, 0.8]}),
                            measure="HR", source="hr.csv")


def _medians(studies=("obs", "obs")):
    return set_agd_arm(pd.DataFrame({"study": list(studies), "treatment": ["A", "B"],
                                     "median": [6.0, 4.0], "lower": [4.0, 3.0],
                                     "upper": [9.0, 6.0]}),
                       format="median", source="medians.csv")


def test_combine_mixed_sources():
    net = combine_data(_hr_contrast(), _medians())
    assert net.formats == ["median", "contrast"]
    assert net.treatments == ["A", "B", "P"]
    assert net.studies == ["obs", "rct"]
    assert net.source == "hr.csv + medians.csv"


def test_study_given_in_two_forms():
    with pytest.raises(DataValidationError,
                       match=r"medians.csv, row 2: study 'rct' is given in two forms: hr.csv "
                             r"\(rows 2, 3, contrast\) and medians.csv \(rows 2, 3, median\); "
                             r"each study enters once, in one form"):
        combine_data(_hr_contrast(), _medians(("rct", "rct")))


def test_sources_with_different_measures():
    binary = set_agd_arm(pd.DataFrame({"study": ["b", "b"], "treatment": ["A", "B"],
                                       "events": [1, 2], "total": [10, 10]}), source="orr.csv")
    with pytest.raises(DataValidationError,
                       match=r"different effect measures \(hr.csv: log HR \(contrast\); "
                             r"orr.csv: log OR \(binary\)\)"):
        combine_data(_hr_contrast(), binary)


def test_unknown_column_key():
    with pytest.raises(ConfigError, match="unknown column key\\(s\\) 'r' for binary data"):
        set_agd_arm(pd.DataFrame({"study": ["s"]}), r="events")


def test_unknown_format():
    with pytest.raises(ConfigError, match="unknown data format 'survival'"):
        set_agd_arm(pd.DataFrame({"study": ["s"]}), format="survival")


def test_contrast_needs_a_data_frame():
    with pytest.raises(DataValidationError, match="expected a pandas DataFrame, got list"):
        set_agd_contrast([1, 2], measure="HR")


def test_continuous_se_too_small_after_conversion(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 2, column 'sd': the standard error sd / sqrt\(total\) = "
                             r"1e-54 is below 1e-50"):
        _read(write_csv, "study,treatment,mean,sd,total\ns1,A,1,1e-50,100000000\n"
                         "s1,B,2,1,10\n", format="continuous")


def test_contrast_se_beyond_the_model_range(write_csv):
    with pytest.raises(DataValidationError,
                       match=r"row 3, column 'se': 9e165 is outside the range"):
        _read(write_csv, "study,treatment,diff,se\ns1,A,,\ns1,B,0.5,9e165\n", format="contrast",
              measure="HR")


def test_the_config_schema_offers_every_registered_format():
    import yaml

    from bayesnma.config import schema_path
    from bayesnma.data import DATA_FORMATS, FORMATS

    schema = yaml.safe_load(schema_path().read_text())
    assert schema["$defs"]["format"]["enum"] == list(FORMATS)
    columns = set(schema["$defs"]["columns"]["properties"])
    for spec in DATA_FORMATS.values():
        assert {*spec.required, *spec.optional} <= columns, spec.name


def test_a_format_registered_in_its_module_is_read_and_modelled_with_no_other_change(
        monkeypatch):
    """The readers and the backend take everything about a format from its declaration: a
    new format (here binary counts under another name) needs only its entry."""
    from bayesnma.data import ARM_FORMATS, DATA_FORMATS, ArmFormat
    from bayesnma.likelihoods import BINOMIAL_LOGIT

    toy = ArmFormat("responders", ("events", "total"), (), "OR", "responders of total",
                    BINOMIAL_LOGIT, events_of_patients=True)
    monkeypatch.setitem(DATA_FORMATS, "responders", toy)
    monkeypatch.setitem(ARM_FORMATS, "responders", toy)
    rows = pd.DataFrame({"study": ["a", "a", "b", "b"], "treatment": list("ABAC"),
                         "events": [3, 6, 4, 9], "total": [20, 20, 25, 25]})
    models = {fmt: NMAModel(set_agd_arm(rows, format=fmt), trt_effects="fixed", trt_ref="A")
              for fmt in ("binary", "responders")}
    assert models["responders"].network.measure == "OR"
    logps = {}
    for fmt, model in models.items():
        pm_model = build_pymc_model(model)
        assert f"y_{fmt}" in pm_model.named_vars
        point = {"d": np.array([0.4, -0.2]), "mu": np.array([-1.0, 0.3])}
        logps[fmt] = pm_model.compile_logp()(point)
    assert logps["responders"] == pytest.approx(logps["binary"])
    with pytest.raises(DataValidationError, match=r"events \(7\) > total \(6\)"):
        set_agd_arm(rows.assign(events=[3, 7, 4, 9], total=[20, 6, 25, 25]),
                    format="responders")


@pytest.fixture
def strata_format(monkeypatch):
    """A format whose arms come as several rows (binary counts per stratum)."""
    from bayesnma.data import ARM_FORMATS, DATA_FORMATS, ArmFormat
    from bayesnma.likelihoods import BINOMIAL_LOGIT

    strata = ArmFormat("strata", ("events", "total"), (), "OR", "events out of total per "
                       "stratum", BINOMIAL_LOGIT, events_of_patients=True, several_rows=True,
                       arm_values=lambda rows: {"total": float(rows["total"].sum())})
    monkeypatch.setitem(DATA_FORMATS, "strata", strata)
    monkeypatch.setitem(ARM_FORMATS, "strata", strata)
    return strata


STRATA = pd.DataFrame({"study": ["a"] * 4 + ["b"] * 3,
                       "treatment": ["B", "A", "B", "A", "A", "C", "C"],
                       "events": [3, 2, 4, 3, 4, 5, 4], "total": [10, 12, 15, 14, 25, 12, 13]})


def test_a_format_with_several_rows_per_arm_keeps_them_as_observations(strata_format):
    net = set_agd_arm(STRATA, format="strata")
    assert list(zip(net.arms["study"], net.arms["treatment"], net.arms["total"],
                    strict=True)) == [("a", "B", 25), ("a", "A", 26), ("b", "A", 25),
                                      ("b", "C", 25)]
    assert len(net.observations) == 7 and net.arms["events"].isna().all()
    assert net.subset(["b"]).observations["study"].tolist() == ["b"] * 3


def test_rows_of_one_arm_share_its_linear_predictor(strata_format):
    """Binomial strata with a common probability: the log-likelihood differs from the
    pooled counts' by a constant, so the posterior is the same."""
    pooled = (STRATA.groupby(["study", "treatment"], sort=False)[["events", "total"]].sum()
              .reset_index())
    models = {"strata": NMAModel(set_agd_arm(STRATA, format="strata"), trt_effects="fixed",
                                 trt_ref="A"),
              "binary": NMAModel(set_agd_arm(pooled, format="binary"), trt_effects="fixed",
                                 trt_ref="A")}
    assert models["strata"].design.obs_arm.tolist() == [0, 0, 1, 1, 2, 3, 3]
    diffs = {}
    for fmt, model in models.items():
        logp = build_pymc_model(model).compile_logp()
        points = [{"d": np.array(d), "mu": np.array(mu)}
                  for d, mu in (([0.4, -0.2], [-1.0, 0.3]), ([-0.3, 0.8], [0.2, -0.6]))]
        diffs[fmt] = logp(points[0]) - logp(points[1])
    assert diffs["strata"] == pytest.approx(diffs["binary"])


def test_fit_checks_of_several_rows_per_arm_have_a_point_per_row_and_a_loo_unit_per_arm(
        strata_format):
    from bayesnma import SamplerSettings, fit
    from bayesnma.diagnostics import pointwise_log_likelihood

    model = NMAModel(set_agd_arm(STRATA, format="strata"), trt_effects="fixed", trt_ref="A")
    idata = fit(model, SamplerSettings(chains=2, draws=200, tune=300, retries=0), cores=1)
    points = residual_deviance(idata)
    assert points["data_point"].tolist() == ["a | A #1", "a | A #2", "a | B #1", "a | B #2",
                                             "b | A #1", "b | C #1", "b | C #2"]
    assert points["observed"].tolist() == [2, 3, 3, 4, 4, 5, 4]
    units = pointwise_log_likelihood(idata)
    assert units["loo_unit"].values.tolist() == ["a | A", "a | B", "b | A", "b | C"]
    assert np.isfinite(model_fit(idata)["value"]).all()
