"""Relative effects: forest plots (one outcome, several side by side) and the league
table as a heatmap."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from bayesnma.effects import quantile_columns
from bayesnma.measures import get_measure
from bayesnma.plots.base import UNANCHORED_NOTE, _estimate, _intervals, _plain_text, _subplots


@_plain_text
def plot_forest(effects, *, trt_ref: str, measure: str = "OR", lower_better: bool,
                ci_prob: float = 0.95, title: str = "", unanchored=(), class_means=()):
    """Forest plot of every treatment vs the reference, best on top: natural-scale ticks
    (a log axis for ratio measures), which side favours what, and the estimates in a
    column with its header; ``unanchored`` treatments (placed by an assumption) hollow
    and dashed, with a note saying so; ``class_means`` (nodes fixed at their class mean)
    labelled as such."""
    m = get_measure(measure)
    lo, hi = quantile_columns(ci_prob)
    rows = effects[(effects["comparator"] == trt_ref) & (effects["scale"] == m.code)]
    rows = rows.sort_values("median", ascending=lower_better)
    n = len(rows)
    fig, ax = _subplots(figsize=(7.5, 1.5 + 0.32 * n))
    y = np.arange(n)[::-1]
    _intervals(ax, rows, y, m, ci_prob, markersize=5, elinewidth=1.2, unanchored=unanchored)
    ax.set_yticks(y, [f"{t} (class mean)" if t in set(class_means) else t
                      for t in rows["treatment"]])
    ax.set_ylim(-0.7, n - 0.3)
    for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
        values = [r["median"], r[lo], r[hi]]
        if m.ratio:
            median, low, high = map(_estimate, values)
        else:  # one number of decimals per row: differences share their units
            biggest = max(abs(v) for v in values)
            median, low, high = (f"{v:.{0 if biggest >= 100 else 1 if biggest >= 10 else 2}f}"
                                 for v in values)
        ax.annotate(f"{median} ({low} to {high})", (1.03, yi),
                    xycoords=("axes fraction", "data"), va="center", fontsize=9)
    ax.annotate(f"{m.code} ({ci_prob:.0%} CrI)", (1.03, n - 0.45),
                xycoords=("axes fraction", "data"), va="bottom", fontsize=9, weight="bold")
    shown = [t for t in rows["treatment"] if t in set(unanchored)]
    ax.set_xlabel(f"{m.code} vs {trt_ref} (posterior median, {ci_prob:.0%} credible interval)"
                  + (f"\n{UNANCHORED_NOTE}" if shown else ""), fontsize=9)
    better, worse = "the treatment", trt_ref
    left, right = (better, worse) if lower_better else (worse, better)
    for text, dx, ha in ((f"\u2190 favours {left}", -8, "right"),
                         (f"favours {right} \u2192", 8, "left")):
        ax.annotate(text, (m.null, 1), xycoords=("data", "axes fraction"),
                    xytext=(dx, 4), textcoords="offset points", ha=ha, va="bottom",
                    fontsize=8, color="0.3")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


@_plain_text
def plot_forest_outcomes(panels, *, ci_prob: float = 0.95, title: str = ""):
    """Forest plots of several outcomes side by side, one panel per outcome, every
    treatment on one row across the panels (blank where an outcome has no estimate).

    Parameters
    ----------
    panels : sequence of dict
        Per outcome: ``label``, ``effects`` (:func:`bayesnma.effects.relative_effects` of
        one component), ``trt_ref``, ``measure``, ``lower_better`` and, optionally,
        ``unanchored`` (treatments placed by an assumption: hollow and dashed),
        ``class_means`` (nodes fixed at their class mean: labelled so) and ``converged``
        (False: the panel is marked not to be interpreted).
    ci_prob : float
        Interval probability used in the effects.
    title : str
        Figure title.
    """
    import textwrap

    picked = []
    for panel in panels:
        m = get_measure(panel["measure"])
        eff = panel["effects"]
        rows = eff[(eff["comparator"] == panel["trt_ref"]) & (eff["scale"] == m.code)]
        picked.append((panel, m, rows.set_index("treatment")))
    first = picked[0][2].sort_values("median", ascending=picked[0][0]["lower_better"])
    trts = list(dict.fromkeys([*first.index, *(t for _, _, r in picked for t in r.index),
                               *(p["trt_ref"] for p, _, _ in picked)]))
    n = len(trts)
    fig, axes = _subplots(1, len(picked), figsize=(1.6 + 2.7 * len(picked), 1.6 + 0.32 * n),
                          sharey=True, squeeze=False)
    y = dict(zip(trts, np.arange(n)[::-1], strict=True))
    for ax, (panel, m, rows) in zip(axes[0], picked, strict=True):
        _intervals(ax, rows, [y[t] for t in rows.index], m, ci_prob, markersize=4,
                   elinewidth=1.1, unanchored=panel.get("unanchored", ()))
        ax.plot(m.null, y[panel["trt_ref"]], marker="D", markersize=5, color="white",
                markeredgecolor="black")
        ax.annotate("reference", (m.null, y[panel["trt_ref"]]), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=7, color="0.3")
        ax.tick_params(axis="x", labelsize=8)
        label = textwrap.fill(panel["label"], 30, break_on_hyphens=False)
        ax.set_title(f"{label}\n{m.code} vs {panel['trt_ref']}", fontsize=9)
        if not panel.get("converged", True):
            ax.set_title(f"{label}\n{m.code} vs {panel['trt_ref']}\nNOT CONVERGED: do not "
                         "interpret", fontsize=9, color="#b00020")
            ax.set_facecolor("#fdecee")
        ax.set_xlabel(f"{m.better_if(panel['lower_better'])}", fontsize=8, color="0.3")
    class_means = {t for p in panels for t in p.get("class_means", ())}
    axes[0][0].set_yticks(list(y.values()), [f"{t} (class mean)" if t in class_means else t
                                             for t in y])
    axes[0][0].set_ylim(-0.7, n - 0.3)
    fig.suptitle(title or f"Effects by outcome (posterior median, {ci_prob:.0%} CrI)",
                 fontsize=10)
    if any(p.get("unanchored") for p in panels):
        fig.supxlabel(UNANCHORED_NOTE, fontsize=8, color="0.3")
    fig.tight_layout()
    return fig


@_plain_text
def plot_league_heatmap(effects, order, *, direct=None, measure: str = "OR",
                        lower_better: bool, ci_prob: float = 0.95, title: str = ""):
    """League table, every cell row vs column on the natural scale. Below
    the diagonal: the network estimate with its credible interval, coloured by the
    posterior probability that the row is better (a null result stays pale whatever its
    median); text is white on dark cells. Above it, on white: the direct estimate from
    the studies comparing the pair head to head (``direct``, from
    :func:`bayesnma.pairwise.direct_estimates`), with its confidence interval."""
    import textwrap

    from matplotlib.colors import Normalize

    from bayesnma.pairwise import natural_direct

    m = get_measure(measure)
    lo, hi = quantile_columns(ci_prob)
    rows = effects[effects["scale"] == m.code].set_index(["treatment", "comparator"])
    pairs = (natural_direct(direct).set_index(["treatment", "comparator"])
             if direct is not None and len(direct) else None)
    n = len(order)
    cmap, norm = matplotlib.colormaps["RdBu"], Normalize(0, 1)
    fig, ax = _subplots(figsize=(1.2 + 1.15 * n, 1.3 + 0.78 * n))
    grid = np.full((n, n), np.nan)
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            if j > i and pairs is not None and (a, b) in pairs.index:
                d = pairs.loc[(a, b)]
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white",
                                       edgecolor="0.75", linewidth=0.8))
                ax.text(j, i, f"{_estimate(d['estimate'])}\n({_estimate(d['lower'])} to "
                              f"{_estimate(d['upper'])})\n{int(d['n_studies'])} "
                              f"stud{'y' if d['n_studies'] == 1 else 'ies'}",
                        ha="center", va="center", fontsize=7, color="0.2", style="italic")
            if j >= i:
                continue
            r = rows.loc[(a, b)]
            grid[i, j] = r["p_better"]
            colour = cmap(norm(r["p_better"]))
            light = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2] > 0.5
            ax.text(j, i, f"{_estimate(r['median'])}\n({_estimate(r[lo])} to "
                          f"{_estimate(r[hi])})", ha="center", va="center", fontsize=7.5,
                    color="black" if light else "white",
                    weight="bold" if (r[lo] > m.null or r[hi] < m.null) else "normal")
    image = ax.imshow(grid, cmap=cmap, norm=norm)
    for i, name in enumerate(order):
        ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, color="0.92"))
        ax.text(i, i, textwrap.fill(name, 12), ha="center", va="center", fontsize=8,
                weight="bold")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("probability that the row is better", fontsize=8)
    fig.suptitle(title or "League table", fontsize=10)
    direct_text = (f"\nAbove, in italics: direct estimate from head-to-head studies "
                   f"({ci_prob:.0%} CI, pairwise meta-analysis)" if pairs is not None else "")
    width = int(fig.get_figwidth() * 15)
    ax.set_title("\n".join(textwrap.fill(part, width, break_on_hyphens=False) for part in (
        f"{m.code} of row vs column. Below the diagonal: network estimate, median "
        f"({ci_prob:.0%} CrI); bold: the CrI excludes {m.null:g}; "
        f"{m.better_if(lower_better)}{direct_text}").split("\n")), fontsize=8)
    fig.tight_layout()
    return fig
