import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from bayesnma import (
    build_graph,
    connected_components,
    plots,
    posterior_rank_probs,
    posterior_ranks,
    relative_effects,
    set_agd_arm,
)
from bayesnma.io import save_figure
from bayesnma.testing import synthetic_idata


@pytest.fixture
def results():
    idata = synthetic_idata({"B": 0.5, "C": 1.0}, trt_ref="A", sd=0.3)
    eff = relative_effects(idata, lower_better=False)
    ranks = posterior_ranks(idata, lower_better=False)
    return idata, eff, ranks, posterior_rank_probs(idata, lower_better=False)


def test_network_plot_labels_components():
    net = set_agd_arm(pd.DataFrame({"study": ["a", "a", "b", "b"],
                                    "treatment": ["A", "B", "C", "D"],
                                    "events": [1, 2, 3, 4], "total": [9, 9, 9, 9]}))
    fig = plots.plot_network(build_graph(net), connected_components(net))
    assert isinstance(fig, Figure)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["component c1", "component c2"]


def test_network_draws_single_arm_treatments_apart_and_bridges_dotted():
    net = set_agd_arm(pd.DataFrame({"study": ["s1", "s1", "s2", "s2", "s3"],
                                    "treatment": ["A", "B", "C", "D", "H"],
                                    "events": [1, 2, 3, 4, 5], "total": [9, 9, 9, 9, 9]}),
                      allow_single_arm=True)
    fig = plots.plot_network(build_graph(net), connected_components(net),
                             bridges=[("B", "C")])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "component c1", "component c2", "single-arm evidence only"]
    notes = {t.get_text() for t in ax.texts}
    assert "dotted purple: class bridge, an assumption, not a comparison" in notes
    assert any(c.get_linestyle() and c.get_linestyle()[0][1] is not None
               for c in ax.collections if hasattr(c, "get_linestyle"))


def test_forest_has_one_row_per_comparison(results):
    _, eff, _, _ = results
    fig = plots.plot_forest(eff, trt_ref="A", lower_better=False)
    ticks = {t.get_text(): t.get_position()[1] for t in fig.axes[0].get_yticklabels()}
    assert set(ticks) == {"B", "C"}
    assert ticks["C"] > ticks["B"]  # best treatment on top
    assert fig.axes[0].get_xscale() == "log"


def test_forest_draws_unanchored_estimates_hollow_and_dashed(results, tmp_path):
    _, eff, _, _ = results
    fig = plots.plot_forest(eff, trt_ref="A", lower_better=False, unanchored=["B"])
    ax = fig.axes[0]
    faces = {tuple(line.get_markerfacecolor()) if not isinstance(
        line.get_markerfacecolor(), str) else line.get_markerfacecolor()
        for line in ax.get_lines() if line.get_marker() == "s"}
    assert len(faces) == 2  # filled and hollow
    styles = {c.get_linestyle()[0][1] is not None for c in ax.collections
              if hasattr(c, "get_linestyle") and c.get_linestyle()}
    assert True in styles  # a dashed interval
    assert plots.UNANCHORED_NOTE in ax.get_xlabel()
    plain = plots.plot_forest(eff, trt_ref="A", lower_better=False)
    assert plots.UNANCHORED_NOTE not in plain.axes[0].get_xlabel()
    fig.savefig(tmp_path / "forest.png")


def test_rank_figures(results):
    idata, eff, ranks, probs = results
    assert len(plots.plot_rankogram(probs).axes) == 3
    fig = plots.plot_cumulative_ranks(probs, ranks)
    assert "SUCRA" in fig.axes[0].get_legend().get_texts()[0].get_text()
    assert isinstance(plots.plot_league_heatmap(eff, ranks["treatment"], lower_better=False),
                      Figure)
    trace = plots.plot_trace(idata)
    assert isinstance(trace, Figure) and len(trace.axes) == 2 * 2  # d[B], d[C]: density, trace
    assert isinstance(plots.plot_chain_ranks(idata), Figure)


def test_robustness_plot_has_a_row_per_treatment():
    table = pd.DataFrame({
        "scenario": ["main", "main", "alt", "alt", "alt"],
        "treatment": ["A", "B", "A", "B", "C"],
        "sucra": [0.9, 0.1, 0.6, 0.4, 0.5], "median_rank": [1, 2, 1, 2, 2],
        "rank_q2.5": [1, 1, 1, 1, 1], "rank_q97.5": [2, 2, 3, 3, 3]})
    fig = plots.plot_robustness(table)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["A", "B", "C"]  # the main scenario's order, then the rest
    marked = plots.plot_robustness(table.assign(same_ranking_set=[True] * 2 + [False] * 3))
    faces = [line.get_markerfacecolor() for line in marked.axes[0].get_lines()]
    assert faces.count("white") == 3
    assert any("hollow" in t.get_text() for t in marked.texts)


def test_names_with_dollar_signs_are_drawn_as_typed(tmp_path):
    odd = r"A $\frac$ B"  # invalid mathtext: matplotlib would fail to draw it
    idata = synthetic_idata({odd: 0.5, "$x^2$": 1.0}, trt_ref="ref", sd=0.3)
    eff = relative_effects(idata, lower_better=False)
    ranks = posterior_ranks(idata, lower_better=False)
    probs = posterior_rank_probs(idata, lower_better=False)
    figs = [plots.plot_forest(eff, trt_ref="ref", lower_better=False),
            plots.plot_league_heatmap(eff, ranks["treatment"], lower_better=False),
            plots.plot_rankogram(probs), plots.plot_cumulative_ranks(probs, ranks),
            plots.plot_trace(idata)]
    for i, fig in enumerate(figs):
        save_figure(fig, tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 0
    forest = plots.plot_forest(eff, trt_ref="ref", lower_better=False)
    assert {t.get_text() for t in forest.axes[0].get_yticklabels()} == {odd, "$x^2$"}


def test_forest_has_natural_scale_ticks_favours_labels_and_an_estimate_header(results):
    _, eff, _, _ = results
    fig = plots.plot_forest(eff, trt_ref="A", lower_better=False)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in labels and all("^" not in t and "times" not in t for t in labels)
    assert not ax.xaxis.get_minorticklocs().size
    texts = [t.get_text() for t in ax.texts]
    assert "\u2190 favours A" in texts and "favours the treatment \u2192" in texts
    assert "OR (95% CrI)" in texts
    assert fig.get_size_inches()[1] < 2.5  # two rows: sized to its rows


def test_rank_plots_are_in_sucra_order_with_their_sucra(results):
    _, _, ranks, probs = results
    best_first = list(ranks.sort_values("sucra", ascending=False)["treatment"])
    panels = [ax for ax in plots.plot_rankogram(probs, ranks).axes if ax.get_visible()]
    assert [ax.get_title().split("\n")[0] for ax in panels] == best_first
    assert all("SUCRA" in ax.get_title() for ax in panels)
    key = plots.plot_cumulative_ranks(probs, ranks).axes[0].get_legend()
    assert [t.get_text().split(" (")[0] for t in key.get_texts()] == best_first


def test_tick_labels_are_plain_text_without_save_figure():
    idata = synthetic_idata({r"A $\frac$ B": 0.5}, trt_ref="ref", sd=0.3)
    eff = relative_effects(idata, lower_better=False)
    fig = plots.plot_forest(eff, trt_ref="ref", lower_better=False)
    labels = fig.axes[0].get_yticklabels()
    assert labels and not any(t.get_parse_math() for t in labels)
    fig.savefig(io.BytesIO(), format="png")  # outside save_figure's context


def test_forest_of_several_outcomes_shares_rows_and_marks_each_reference(results):
    _, eff, _, _ = results
    other = relative_effects(synthetic_idata({"A": -0.2, "D": 0.4}, trt_ref="B", sd=0.3),
                             lower_better=True)
    fig = plots.plot_forest_outcomes([
        {"label": "Response", "effects": eff, "trt_ref": "A", "measure": "OR",
         "lower_better": False},
        {"label": "Death", "effects": other, "trt_ref": "B", "measure": "OR",
         "lower_better": True, "class_means": ["D"], "converged": False}])
    first, second = fig.axes
    rows = [t.get_text() for t in first.get_yticklabels()]
    # every treatment once, across both panels; a node at its class mean says so
    assert set(rows) == {"A", "B", "C", "D (class mean)"}
    assert first.get_title().splitlines() == ["Response", "OR vs A"]
    assert second.get_title().splitlines() == ["Death", "OR vs B",
                                               "NOT CONVERGED: do not interpret"]
    assert [t.get_text() for t in first.texts] == ["reference"]
    assert second.get_xlabel() == "OR < 1 favours the treatment"


def test_influence_plot_has_a_panel_per_treatment_and_a_row_per_study_left_out():
    rows = []
    for study, conv in (("s1", True), ("s2", False), ("s3", True)):
        for trt, med in (("B", 2.0), ("C", 0.5)):
            gone = study == "s3" and trt == "C"
            rows.append({"study": study, "component": "c1", "treatment": trt, "trt_ref": "A",
                         "median": med, "q2.5": med / 2, "q97.5": med * 2,
                         "median_without": np.nan if gone else med * 1.2,
                         "q2.5_without": np.nan if gone else med / 3,
                         "q97.5_without": np.nan if gone else med * 3, "converged": conv})
        rows.append({"study": study, "component": "c1", "treatment": "A", "trt_ref": "A",
                     "converged": conv})
    # Without s4, the reference's only study, the effects are against B: not drawn.
    rows += [{"study": "s4", "component": "c1", "treatment": "C", "trt_ref": "B",
              "median": 0.25, "q2.5": 0.1, "q97.5": 0.5, "median_without": 0.3,
              "q2.5_without": 0.1, "q97.5_without": 0.9, "converged": True}]
    fig = plots.plot_influence(pd.DataFrame(rows), trt_refs={"c1": "A"}, measure="OR",
                               lower_better=False)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["B vs A", "C vs A"]  # best first
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert labels == ["all studies", "without s1", "without s2", "without s3", "without s4"]
    assert any(t.get_text() == "not estimable" for t in panels[1].texts)
    assert any(t.get_text() == "only against B (see the table)" for t in panels[1].texts)
    assert panels[0].get_xscale() == "log"


def test_importing_and_plotting_leave_the_callers_matplotlib_backend_alone():
    # A notebook's backend (here: svg) stays; the figures are made outside pyplot.
    code = ("import matplotlib; matplotlib.use('svg'); import pandas as pd; "
            "from bayesnma.plots import plot_rankogram; "
            "fig = plot_rankogram(pd.DataFrame({'treatment': ['A', 'B'], 'rank': [1, 2], "
            "'probability': [1.0, 1.0]})); import matplotlib.pyplot as plt; "
            "print(matplotlib.get_backend(), plt.get_fignums())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["svg", "[]"]


def test_node_split_plot_has_natural_scale_ticks_and_its_legend_clear_of_the_title():
    rows = []
    for trt, comp, medians in (("B", "A", (1.09, 1.07, 1.22)), ("C", "B", (1.04, 0.97, 1.14))):
        for est, med in zip(("network", "direct", "indirect"), medians, strict=True):
            rows.append({"treatment": trt, "comparator": comp, "estimate": est,
                         "median": np.log(med), "q2.5": np.log(med) - 0.25,
                         "q97.5": np.log(med) + 0.25, "p_value": 0.56})
    fig = plots.plot_nodesplit(pd.DataFrame(rows), measure="HR", lower_better=True,
                               title="a long title " * 6)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) >= 3 and "1" in labels and not any("$" in t for t in labels)
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent()
    assert legend.y1 < ax.get_window_extent().y0  # under the plot, not beside the title
