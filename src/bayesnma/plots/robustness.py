"""How robust a ranking is: across sensitivity analyses, and with each study left out."""

from __future__ import annotations

import numpy as np

from bayesnma.effects import quantile_columns
from bayesnma.measures import get_measure
from bayesnma.plots.base import _COLOURS, _natural_log_ticks, _plain_text, _subplots


@_plain_text
def plot_robustness(table, *, title: str = ""):
    """SUCRA and median rank (95% CrI) of each treatment under each scenario.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`bayesnma.workflow.compare_sensitivity` output: ``scenario``, ``component``,
        ``treatment``, ``sucra``, ``median_rank``, ``rank_q2.5``, ``rank_q97.5`` and
        optionally ``same_ranking_set`` (False: ranked among other treatments than in the
        first scenario, drawn hollow).
    """
    scenarios = list(dict.fromkeys(table["scenario"]))
    main = table[table["scenario"] == scenarios[0]].sort_values("sucra", ascending=False)
    treatments = list(dict.fromkeys([*main["treatment"], *table["treatment"]]))
    n_t, n_s = len(treatments), len(scenarios)
    fig, (ax_s, ax_r) = _subplots(1, 2, figsize=(10, 0.9 + 0.32 * n_t * max(n_s, 2) / 2),
                                  sharey=True)
    step = 0.8 / max(n_s, 1)
    for k, scenario in enumerate(scenarios):
        rows = table[table["scenario"] == scenario].set_index("treatment")
        colour = _COLOURS[k % len(_COLOURS)]
        for i, trt in enumerate(treatments):
            if trt not in rows.index:
                continue
            r = rows.loc[trt]
            y = i - 0.4 + step * (k + 0.5)
            face = colour if r.get("same_ranking_set", True) else "white"
            ax_s.plot(r["sucra"], y, "o", color=colour, mfc=face, ms=5,
                      label=scenario if i == treatments.index(rows.index[0]) else None)
            ax_r.plot([r["rank_q2.5"], r["rank_q97.5"]], [y, y], color=colour, lw=1.5)
            ax_r.plot(r["median_rank"], y, "o", color=colour, mfc=face, ms=5)
    ax_s.set_yticks(range(n_t), treatments)
    ax_s.invert_yaxis()
    ax_s.set_xlim(-0.02, 1.02)
    ax_s.set_xlabel("SUCRA (1 = surely best)")
    ax_r.set_xlabel("rank: median and 95% CrI (1 = best; within the fitted part)")
    ax_r.xaxis.get_major_locator().set_params(integer=True)
    for ax in (ax_s, ax_r):
        ax.grid(axis="x", color="#ddd", lw=0.5)
        for i in range(1, n_t):
            ax.axhline(i - 0.5, color="#eee", lw=0.8)
    ax_s.legend(fontsize=7, frameon=False, loc="lower right", title="scenario",
                title_fontsize=7)
    if "same_ranking_set" in table and not table["same_ranking_set"].all():
        fig.text(0.01, 0.005, "hollow: ranked among fewer treatments (e.g. within one "
                 "component), not comparable with the first scenario", fontsize=7)
    fig.suptitle(title or "Robustness of the ranking", fontsize=10)
    fig.tight_layout()
    return fig


@_plain_text
def plot_influence(table, *, trt_refs: dict, measure: str = "OR", lower_better: bool,
                   ci_prob: float = 0.95, title: str = ""):
    """Each treatment's effect against its component's reference with every study and
    without each in turn: one panel per treatment, the whole analysis on top (filled) and
    its median as a dotted line; a refit that did not converge drawn grey; a treatment
    with no estimate without a study, or one estimated only against another reference
    (the study was the reference's only one), says so.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`bayesnma.influence.influence_table`.
    trt_refs : dict
        Component -> its reference in the whole analysis.
    """
    import math

    m = get_measure(measure)
    lo, hi = quantile_columns(ci_prob)
    same_ref = table["trt_ref"] == table["component"].map(trt_refs)
    effects = table[same_ref & (table["treatment"] != table["trt_ref"])]
    main = effects.drop_duplicates(["component", "treatment"]).sort_values(
        "median", ascending=lower_better)
    studies = list(dict.fromkeys(table["study"]))
    other_ref = dict(zip(table.loc[~same_ref, "study"], table.loc[~same_ref, "trt_ref"],
                         strict=False))
    n = len(main)
    ncols = min(3, max(n, 1))
    nrows = max(math.ceil(n / ncols), 1)
    height = 0.8 + 0.2 * (len(studies) + 1)
    fig, axes = _subplots(nrows, ncols, figsize=(3.6 * ncols, height * nrows + 0.6),
                          squeeze=False)
    labels = ["all studies", *(f"without {s}" for s in studies)]
    y = np.arange(len(labels))[::-1]
    for ax, (_, first) in zip(axes.flat, main.iterrows(), strict=False):
        rows = effects[(effects["component"] == first["component"])
                       & (effects["treatment"] == first["treatment"])].set_index("study")
        ax.errorbar([first["median"]], [y[0]], xerr=[[first["median"] - first[lo]],
                                                     [first[hi] - first["median"]]],
                    fmt="s", ms=4, color="black", elinewidth=1.2)
        low, high = [first[lo]], [first[hi]]
        for k, study in enumerate(studies, start=1):
            r = rows.loc[study] if study in rows.index else None
            if r is None or np.isnan(r["median_without"]):
                text = (f"only against {other_ref[study]} (see the table)"
                        if study in other_ref else "not estimable")
                ax.annotate(text, (0.02, y[k]), xycoords=("axes fraction", "data"),
                            va="center", fontsize=6, color="0.4",
                            bbox={"fc": "white", "ec": "none", "pad": 0.5})
                continue
            colour = "#1f4e79" if r["converged"] else "0.6"
            ax.errorbar([r["median_without"]], [y[k]],
                        xerr=[[r["median_without"] - r[f"{lo}_without"]],
                              [r[f"{hi}_without"] - r["median_without"]]],
                        fmt="o", ms=3, color=colour, mfc="white", elinewidth=0.9)
            low.append(r[f"{lo}_without"])
            high.append(r[f"{hi}_without"])
        ax.axvline(first["median"], color="black", linestyle=":", linewidth=0.8)
        ax.axvline(m.null, color="0.55", linestyle="--", linewidth=0.8)
        if m.ratio:
            ax.set_xscale("log")
            _natural_log_ticks(ax, min(low), max(high), m.null)
        ax.set_yticks(y, labels, fontsize=6)
        ax.set_ylim(-0.7, len(labels) - 0.3)
        ax.tick_params(axis="x", labelsize=7)
        ax.tick_params(axis="y", length=0)
        ax.set_title(f"{first['treatment']} vs {first['trt_ref']}", fontsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.supxlabel(f"{m.code} (median, {ci_prob:.0%} CrI); {m.better_if(lower_better)}; grey: "
                  "refit not converged", fontsize=8)
    fig.suptitle(title or "Each study left out in turn", fontsize=10)
    fig.tight_layout()
    return fig
