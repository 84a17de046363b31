"""Every data format through the Snakemake workflow: continuous, rate, events with
follow-up, medians, contrasts, and medians mixed with hazard-ratio contrasts."""

import pandas as pd
import pytest

from bayesnma import io

pytestmark = pytest.mark.workflow

FILES = {
    "continuous.csv": "study,treatment,mean,se,sd,total\n"
                      "a,P,-1.2,0.5,,\na,X,-1.5,0.44,,\nb,P,-0.7,,3.7,172\nb,Y,-2.4,,3.4,173\n"
                      "c,X,-0.2,0.3,,\nc,Y,-0.6,0.35,,\n",
    "rate.csv": "study,treatment,events,person_time\n"
                "a,P,30,1000\na,X,20,980\nb,P,25,800\nb,Y,12,820\nc,X,14,600\nc,Y,10,610\n",
    "followup.csv": "study,treatment,events,total,follow_up\n"
                    "a,P,30,100,2\na,X,20,100,2\nb,P,25,90,1.5\nb,Y,12,90,1.5\n"
                    "c,X,14,60,3\nc,Y,10,60,3\n",
    "contrast.csv": "study,treatment,diff,se\n"
                    "a,P,,0.3\na,X,-0.3,0.4\na,Y,-0.6,0.42\nb,X,,\nb,Y,-0.2,0.3\n",
    "hr.csv": "study,treatment,ratio,lower,upper\nrct,P,,,\nrct,X,0.63,0.50,0.79\n",
    "medians.csv": "study,treatment,median,lower,upper,events\n"
                   "obs1,X,6.0,4.5,8.0,\nobs1,Y,8.5,6.0,12.0,\n"
                   "obs2,X,5.0,,,40\nobs2,Y,7.0,,,35\n"
                   "obs3,P,3.0,,,\nobs3,Y,6.0,,,\n",
}

CONFIG = """
defaults:
  sampler: {{chains: 2, draws: 300, tune: 400, random_seed: 5, target_accept: 0.99,
            retries: 0}}
  convergence: {{min_ess_bulk: 50, min_ess_tail: 50, on_failure: flag}}
  consistency: [consistency]  # formats are checked here; consistency in test_workflow.py
  trt_ref: P
analyses:
  # rate, fu and con run as sensitivity analyses of cont (a scenario may change the data
  # and its format): one batch runs their steps in one process, where three analyses of
  # their own paid a process per step
  cont:
    data: {d}/continuous.csv
    format: continuous
    lower_better: true
    sensitivity:
      rate: {{data: {d}/rate.csv, format: rate, trt_effects: fixed}}
      fu: {{data: {d}/followup.csv, format: events_followup}}
      con: {{data: {d}/contrast.csv, format: contrast, measure: MD, trt_effects: fixed,
            lower_better: false}}
  surv:
    lower_better: true
    data:
      - {{file: {d}/hr.csv, format: contrast, measure: HR}}
      - {{file: {d}/medians.csv, format: median}}
"""

MEASURES = {"cont": "MD", "cont--rate": "IRR", "cont--fu": "HR", "cont--con": "MD",
            "surv": "HR"}


@pytest.fixture(scope="module")
def formats_run(tmp_path_factory, snakemake):
    tmp = tmp_path_factory.mktemp("formats")
    for name, text in FILES.items():
        (tmp / name).write_text(text)
    (tmp / "config.yaml").write_text(CONFIG.format(d=tmp))
    result = snakemake(tmp, "--configfile", str(tmp / "config.yaml"))
    assert result.returncode == 0, result.stderr[-3000:]
    return tmp / "results"


@pytest.mark.parametrize("analysis", list(MEASURES))
def test_format_runs_end_to_end(formats_run, analysis):
    out = formats_run / analysis
    effects = pd.read_csv(out / "relative_effects.csv")
    measure = MEASURES[analysis]
    scales = {measure, f"log {measure}"} if measure != "MD" else {"MD"}
    assert set(effects["scale"]) == scales
    comps = io.read_table(out / "network" / "components.csv")
    assert comps["measure"].tolist() == [measure]
    assert (out / "report.html").stat().st_size > 0
    ranks = pd.read_csv(out / "c1" / "ranks.csv")
    sign = "<" if analysis != "cont--con" else ">"
    assert ranks["better_if"].iat[0].startswith(f"{measure} {sign}")
    fit = pd.read_csv(out / "c1" / "model_fit.csv").set_index("quantity")["value"]
    assert fit["n_data_points"] > 0 and fit["resdev_mean"] > 0


def test_mixed_survival_reports_exclusions_and_the_exponential_assumption(formats_run):
    out = formats_run / "surv"
    notes = pd.read_csv(out / "network" / "data_notes.csv")["note"].tolist()
    assert any("arm 'P' of study 'obs3' excluded" in n for n in notes)
    assert any("exponential" in n for n in notes)
    comps = io.read_table(out / "network" / "components.csv")
    assert comps["formats"].iat[0] == ["median", "contrast"]
    assert "obs3" not in comps["studies"].iat[0]
    effects = pd.read_csv(out / "relative_effects.csv")
    assert effects["assumptions"].str.contains("exponential survival").all()
    html = (out / "report.html").read_text()
    assert "exponential (constant hazard) model" in html
    assert "hazard ratio (HR), modelled as log HR; HR &lt; 1 favours the treatment" in html
    assert "odds ratio" not in html.lower()
    assert "X: median 6 (4.5-8)<br>Y: median 8.5 (6-12)" in html  # the study table


def test_snakemake_report_captions_name_each_analysis_measure(formats_run, snakemake):
    workdir = formats_run.parent
    result = snakemake(workdir, "--configfile", str(workdir / "config.yaml"), "--report",
                       str(workdir / "report.html"))
    assert result.returncode == 0, result.stderr[-3000:]
    html = (workdir / "report.html").read_text()
    assert "the hazard ratio (HR) of treatment vs comparator" in html
    assert "the mean difference (MD) of treatment vs comparator" in html
    assert "on the log HR and HR scales" in html
    assert "odds ratio" not in html and "binomial-logit consistency model" not in html
