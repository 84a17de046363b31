"""Names that look like other types, interrupted runs, the number of cores and ``bayesnma
check``.

One small analysis whose treatment and study names are ``1``, ``NA``, ``None``, ``True``
and the like runs three ways: cleanly on 2 cores, killed with SIGKILL during its fit and
resumed, and on 1 core. Every table must be byte-identical across the three, and every
figure must show every treatment. ``bayesnma check`` reruns the clean run's config and
finds every table identical.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.text
import pytest

from bayesnma import io
from bayesnma.config import validate_config

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]
TREATMENTS = ["1", "2", "NA", "None", "True"]
DATA = """study,treatment,events,total
NA,1,10,100
NA,2,16,100
None,1,12,90
None,NA,20,90
True,2,14,80
True,None,22,80
nan,NA,18,70
nan,True,25,70
1,None,15,60
1,True,17,60
"""
CONFIG = """
analyses:
  odd:
    data: data/arms.csv
    outcome: Response
    sampler: {chains: 2, draws: 400, tune: 400, random_seed: 11, target_accept: 0.95,
              retries: 0}
    convergence: {min_ess_bulk: 50, min_ess_tail: 50, on_failure: flag}
    consistency: [consistency]  # the reruns' tables, not the checks, are compared here
"""


def _workdir(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "data" / "arms.csv").write_text(DATA)
    (root / "config.yaml").write_text(CONFIG)
    return root


def _command(workdir, cores, *args):
    return [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory",
            str(workdir), "--cores", str(cores), "--configfile",
            str(workdir / "config.yaml"), *args]


def _run(workdir, cores, *args):
    result = subprocess.run(_command(workdir, cores, *args), capture_output=True, text=True,
                            timeout=900)
    return result


def _tables(workdir) -> dict[str, bytes]:
    results = workdir / "results" / "odd"
    return {str(p.relative_to(results)): p.read_bytes() for p in sorted(results.rglob("*.csv"))}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same analysis run cleanly (2 cores), killed during its fit and resumed, and on 1
    core; returns the work directories and the commands the resumed run needed."""
    clean = _workdir(tmp_path_factory.mktemp("clean"))
    result = _run(clean, 2)
    assert result.returncode == 0, result.stderr[-3000:]

    killed = _workdir(tmp_path_factory.mktemp("killed"))
    proc = subprocess.Popen(_command(killed, 2), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    fit_log = killed / "logs" / "run_analysis" / "odd.log"
    deadline = time.monotonic() + 300
    while not (fit_log.exists() and "fitting" in fit_log.read_text()):
        assert proc.poll() is None, "the run ended before its fit started"
        assert time.monotonic() < deadline, "the fit did not start"
        time.sleep(0.1)
    time.sleep(1.5)  # into compiling or sampling
    posterior = killed / "results" / "odd" / "c1" / "posterior.nc"
    assert not posterior.exists(), "the fit ended before the kill"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    asked = []
    for _ in range(3):  # do what Snakemake asks for (unlock, rerun incomplete jobs)
        result = _run(killed, 2, *asked)
        if result.returncode == 0:
            break
        if "--unlock" in result.stderr and "--unlock" not in asked:
            assert _run(killed, 2, "--unlock").returncode == 0
        elif "--rerun-incomplete" in result.stderr and "--rerun-incomplete" not in asked:
            asked.append("--rerun-incomplete")
        else:
            pytest.fail(result.stderr[-3000:])
    assert result.returncode == 0, result.stderr[-3000:]

    one_core = _workdir(tmp_path_factory.mktemp("one_core"))
    result = _run(one_core, 1)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"clean": clean, "killed": killed, "one_core": one_core, "asked": asked}


def test_names_stay_text_in_every_table(runs):
    results = runs["clean"] / "results" / "odd"
    ranks = io.read_table(results / "c1" / "ranks.csv")
    assert sorted(ranks["treatment"]) == sorted(TREATMENTS)
    effects = io.read_table(results / "relative_effects.csv")
    assert set(effects["treatment"]) | set(effects["comparator"]) == set(TREATMENTS)
    evidence = io.read_table(results / "network" / "evidence.csv")
    assert sorted(evidence["treatment"]) == sorted(TREATMENTS)
    components = io.read_table(results / "network" / "components.csv")
    assert sorted(components["studies"].iat[0]) == sorted(["NA", "None", "True", "nan", "1"])


def test_every_figure_shows_every_treatment(runs, monkeypatch, tmp_path):
    """Redraw the component's figures with the workflow's own step from its tables."""
    import matplotlib.pyplot as plt

    from bayesnma import workflow
    from bayesnma.workflow.plan import Analysis

    plt.close("all")  # figures other tests left open would count towards pyplot's limit
    drawn = {}

    def keep(fig, *paths, **_):
        drawn[Path(paths[0]).stem] = fig

    monkeypatch.setattr(io, "save_figure", keep)
    results = runs["clean"] / "results" / "odd" / "c1"
    names = ("forest", "league_heatmap", "rankogram", "cumulative_ranks", "trace",
             "chain_ranks", "heterogeneity", "forest_svg", "league_heatmap_svg",
             "rankogram_svg", "cumulative_ranks_svg")
    settings = validate_config({"analyses": {"odd": {"data": "data/arms.csv"}}})["odd"]
    monkeypatch.chdir(runs["clean"])  # where the config's data path is
    workflow.plot_component(
        Analysis.load(settings, "odd"), "c1", posterior=results / "posterior.nc",
        direct_effects=results.parent / "network" / "direct_effects.csv",
        relative_effects=results / "relative_effects.csv", ranks=results / "ranks.csv",
        rank_probs=results / "rank_probs.csv",
        evidence=results.parent / "network" / "evidence.csv",
        **{n: tmp_path / f"{n}.png" for n in names})

    def texts(fig):
        return {t.get_text() for t in fig.findobj(matplotlib.text.Text)}

    others = set(TREATMENTS) - {"1"}  # "1" is the reference (first alphabetically)
    assert {t.get_text() for t in drawn["forest"].axes[0].get_yticklabels()} == others
    diagonal = {t.get_text() for t in drawn["league_heatmap"].axes[0].texts
                if t.get_position()[0] == t.get_position()[1]}
    assert diagonal == set(TREATMENTS)
    panels = [ax for ax in drawn["rankogram"].axes if ax.get_visible()]
    assert {ax.get_title().split("\n")[0] for ax in panels} == set(TREATMENTS)
    legend = {t.get_text().split(" (")[0] for t in
              drawn["cumulative_ranks"].axes[0].get_legend().get_texts()}
    assert legend == set(TREATMENTS)
    for name in ("trace", "chain_ranks"):
        shown = " ".join(texts(drawn[name]))
        assert all(t in shown for t in others), (name, shown)
    plt.close("all")


def test_every_svg_figure_names_every_treatment(runs):
    """The SVGs keep their text, so the figures the run wrote can be read directly."""
    results = runs["clean"] / "results" / "odd"
    others = set(TREATMENTS) - {"1"}
    expected = {"network/network.svg": set(TREATMENTS), "c1/forest.svg": others,
                "c1/league_heatmap.svg": set(TREATMENTS), "c1/rankogram.svg": set(TREATMENTS),
                "c1/cumulative_ranks.svg": set(TREATMENTS)}
    for name, trts in expected.items():
        svg = (results / name).read_text()
        texts = {t.strip() for t in re.findall(r"<text[^>]*>([^<]*)<", svg)}
        texts |= {t.split(" (SUCRA")[0] for t in texts}
        assert trts <= texts, (name, trts - texts)


def test_a_killed_run_resumes_to_the_same_tables(runs):
    clean, killed = _tables(runs["clean"]), _tables(runs["killed"])
    assert clean.keys() == killed.keys() and len(clean) > 10
    differ = [name for name in clean if clean[name] != killed[name]]
    assert not differ, (differ, runs["asked"])


def test_one_core_gives_the_same_tables_as_two(runs):
    clean, one = _tables(runs["clean"]), _tables(runs["one_core"])
    assert clean.keys() == one.keys()
    assert not [name for name in clean if clean[name] != one[name]]


def test_check_finds_a_rerun_identical_and_a_changed_table_different(runs, tmp_path):
    from bayesnma.reproduce import compare_results

    clean, rerun = runs["clean"], tmp_path / "rerun"
    result = subprocess.run([sys.executable, "-m", "bayesnma", "check", "config.yaml", "-d",
                             str(clean), "--cores", "2", "--keep", str(rerun)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "results match the rerun exactly (every table byte-identical)" in result.stdout
    # a SUCRA edited by hand is found
    ranks = rerun / "results" / "odd" / "ranks.csv"
    table = io.read_table(ranks)
    table.loc[0, "sucra"] = table.loc[0, "sucra"] - 0.2
    io.write_table(table, ranks)
    found = compare_results(clean / "results", rerun / "results").set_index("table")
    assert found.loc["odd/ranks.csv", "status"] == "differs"
    assert (found.drop(index="odd/ranks.csv")["status"] == "identical").all()
