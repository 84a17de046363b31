"""Figures. Each function takes computed results and returns a matplotlib Figure.

Nothing here computes statistics or writes files.
"""

from __future__ import annotations

import functools

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bayesnma.effects import mc_decimals, quantile_columns
from bayesnma.measures import get_measure

__all__ = [
    "plot_chain_ranks",
    "plot_cumulative_ranks",
    "plot_dev_dev",
    "plot_forest",
    "plot_forest_outcomes",
    "plot_influence",
    "plot_league_heatmap",
    "plot_leverage",
    "plot_network",
    "plot_nodesplit",
    "plot_prior_posterior",
    "plot_rankogram",
    "plot_trace",
]

_COLOURS = matplotlib.colormaps["tab10"].colors
#: Names are shown as typed: a "$" in a treatment or study name is not mathtext.
PLAIN_TEXT = {"text.parse_math": False}


def _subplots(nrows: int = 1, ncols: int = 1, *, figsize, **kwargs):
    """A figure and its axes (as :func:`matplotlib.pyplot.subplots`) outside pyplot: no
    backend is chosen and nothing is kept open, so that importing or calling this module
    changes nothing in the caller's matplotlib (a notebook's inline figures)."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _plain_text(plot):
    """Build the figure with names as plain text, creating its ticks there so that their
    labels (made lazily) are plain text too; cheaper than drawing the figure once.
    :func:`bayesnma.io.save_figure` also saves with mathtext off."""

    @functools.wraps(plot)
    def build(*args, **kwargs):
        with matplotlib.rc_context(PLAIN_TEXT):
            fig = plot(*args, **kwargs)
            for ax in fig.axes:
                for axis in (ax.xaxis, ax.yaxis):
                    axis.get_major_ticks()
                    axis.get_minor_ticks()
        return fig

    return build


@_plain_text
def plot_network(graph: nx.Graph, components=None, *, bridges=(), title: str = ""):
    """Network plot: node area proportional to patients, edge width to number of studies.

    Parameters
    ----------
    graph : networkx.Graph
        From :func:`bayesnma.network.build_graph`.
    components : list of Component, optional
        Colours nodes by connected component and labels them; treatments in none of them
        (single-arm evidence only) are drawn grey, apart.
    bridges : sequence of (str, str)
        Pairs of treatments joined by an assumption rather than a comparison (a class
        bridge between components): drawn dotted, with a note.
    """
    groups = [c.treatments for c in components] if components else [tuple(graph.nodes)]
    alone = tuple(n for n in graph.nodes if not any(n in g for g in groups))
    if alone:
        groups = [*groups, alone]
    fig, ax = _subplots(figsize=(4.5 + 3.0 * len(groups), 6))
    pos = {}
    for i, nodes in enumerate(groups):  # one circle per component, side by side
        sub = nx.circular_layout(graph.subgraph(nodes)) if len(nodes) > 2 else {
            n: np.array([0.0, 0.8 - 1.6 * k]) for k, n in enumerate(nodes)}
        pos.update({n: xy + np.array([2.6 * i, 0.0]) for n, xy in sub.items()})
    colour = {}
    for i, comp in enumerate(components or []):
        for trt in comp.treatments:
            colour[trt] = _COLOURS[i % len(_COLOURS)]
    # Node area by patients; nodes whose arm sizes are not all reported get the base size.
    patients = np.array([graph.nodes[n]["n_patients"] or 0 for n in graph.nodes], dtype=float)
    sizes = 300 + 2500 * patients / max(patients.max(), 1)
    widths = [1.5 + 2.0 * graph.edges[e]["n_studies"] for e in graph.edges]
    # Dashed: the edge rests only on medians converted under an exponential model.
    from_medians = [graph.edges[e].get("formats") == {"median"} for e in graph.edges]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="0.55",
                           style=["--" if m else "-" for m in from_medians])
    nx.draw_networkx_edge_labels(
        graph, pos, ax=ax, font_size=8,
        edge_labels={e: str(graph.edges[e]["n_studies"]) for e in graph.edges})
    if bridges:
        nx.draw_networkx_edges(nx.Graph(list(bridges)), pos, ax=ax, width=1.5,
                               edge_color="tab:purple", style=":")
    fallback = "0.8" if components else _COLOURS[0]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes,
                           node_color=[colour.get(n, fallback) for n in graph.nodes],
                           alpha=0.85)
    labels = {n: f"{n}\n(n={graph.nodes[n]['n_patients'] or 'n/r'})" for n in graph.nodes}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=8)
    if components and (len(components) > 1 or alone):
        for i, comp in enumerate(components):
            ax.scatter([], [], color=_COLOURS[i % len(_COLOURS)], label=f"component {comp.label}")
        if alone:
            ax.scatter([], [], color="0.8", label="single-arm evidence only")
        ax.legend(loc="lower left", fontsize=8, frameon=False, title="Not connected:",
                  title_fontsize=8)
    notes = ([("dashed edge: evidence from medians only (exponential model)")]
             if any(from_medians) else [])
    if bridges:
        notes.append("dotted purple: class bridge, an assumption, not a comparison")
    for k, note in enumerate(notes):
        ax.annotate(note, (0.0, -0.04 * k), xycoords="axes fraction", fontsize=8, ha="left",
                    va="top", color="0.3")
    ax.set_title(title or "Treatment network (edge label: number of studies)", fontsize=10)
    ax.margins(0.2)
    ax.axis("off")
    fig.tight_layout()
    return fig


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


#: How a forest plot marks an estimate placed by an assumption (a class bridge,
#: exchangeable baselines) rather than by comparisons: hollow marker, dashed interval.
UNANCHORED_NOTE = "hollow, dashed: placed by an assumption, not by comparisons (unanchored)"


def _intervals(ax, rows, y, m, ci_prob: float, *, markersize: float, elinewidth: float,
               unanchored=()):
    """A forest panel's medians and credible intervals at heights ``y``, the line of no
    effect, natural-scale ticks (a log axis for ratios) and no frame but the x axis; the
    rows of ``unanchored`` treatments hollow and dashed."""
    lo, hi = quantile_columns(ci_prob)
    treatments = rows["treatment"] if "treatment" in rows else rows.index.to_series()
    placed = ~np.asarray(treatments.isin(list(unanchored)))
    y = np.asarray(y)
    for mask, face, style in ((placed, "black", "-"), (~placed, "white", "--")):
        if not mask.any():
            continue
        part = rows[mask]
        bars = ax.errorbar(part["median"], y[mask],
                           xerr=[part["median"] - part[lo], part[hi] - part["median"]],
                           fmt="s", markersize=markersize, color="black", ecolor="0.25",
                           markerfacecolor=face, elinewidth=elinewidth, capsize=0)
        bars[2][0].set_linestyle(style)
    ax.axvline(m.null, color="0.55", linestyle="--", linewidth=1)
    if m.ratio:
        ax.set_xscale("log")
        _natural_log_ticks(ax, rows[lo].min(), rows[hi].max(), m.null)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _estimate(x: float) -> str:
    """An estimate for people: two decimals below 10, one below 100, none above; an
    exponent only beyond 1e5 or below 0.01."""
    ax = abs(x)
    if ax >= 1e5 or 0 < ax < 0.01:
        return f"{x:.2g}"
    return f"{x:.0f}" if ax >= 100 else f"{x:.1f}" if ax >= 10 else f"{x:.2f}"


def _natural_log_ticks(ax, low: float, high: float, null: float) -> None:
    """Ticks of a log axis at round natural-scale values (0.25, 0.5, 1, 2, 4, ...) written
    as plain numbers, no minor tick labels."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    low, high = min(low, null), max(high, null)
    span = np.log10(high / low) if low > 0 else 1.0
    # beyond four decades (an effect the data do not bound) powers of ten only
    steps = ((1,) if span > 4 else (1, 3) if span > 2 else (1, 2, 5) if span > 1.2
             else (1, 2, 3, 5) if span > 0.5 else (1, 1.25, 1.5, 2, 3, 4, 5, 6, 7, 8))
    lo_e, hi_e = (int(np.floor(np.log10(v))) for v in (low, high))
    candidates = sorted({round(b * 10.0**e, 6 - min(e, 0)) for e in range(lo_e - 1, hi_e + 2)
                         for b in steps})
    ticks = [t for t in candidates if low / 1.05 <= t <= high * 1.05] or [null]
    while len(ticks) > 7:
        ticks = ticks[::2]
    if null not in ticks:
        ticks = sorted([*ticks, null])
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _tick(x)))
    ax.xaxis.set_minor_locator(NullLocator())


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076"
                             "\u2077\u2078\u2079")


def _tick(x: float) -> str:
    """A log axis' tick as a plain number, or a power of ten beyond 10 000 and 0.001."""
    if x >= 1e4 or 0 < x <= 1e-3:
        exponent = round(np.log10(x))
        if np.isclose(x, 10.0**exponent):
            return "10" + str(exponent).translate(_SUPERSCRIPT)
        return f"{x:.0e}"
    return f"{x:g}"


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


def _by_sucra(rank_probs, ranks) -> tuple[list[str], dict[str, str]]:
    """Treatments best first (highest SUCRA) and their SUCRA as text (2 decimals, fewer
    when its Monte Carlo error supports fewer); data order without ranks."""
    if ranks is None:
        return list(dict.fromkeys(rank_probs["treatment"])), {}
    ordered = ranks.sort_values("sucra", ascending=False, kind="stable")
    errors = ordered["mcse_sucra"] if "mcse_sucra" in ordered else [None] * len(ordered)
    text = {}
    for trt, sucra, error in zip(ordered["treatment"], ordered["sucra"], errors, strict=True):
        supported = mc_decimals(error)
        text[trt] = f"{sucra:.{2 if supported is None else min(2, supported)}f}"
    return list(ordered["treatment"]), text


@_plain_text
def plot_rankogram(rank_probs, ranks=None, *, title: str = ""):
    """Rank probabilities (rank 1 = best) per treatment, best SUCRA first (with ``ranks``),
    each panel titled with its treatment and SUCRA."""
    trts, sucra = _by_sucra(rank_probs, ranks)
    n = len(trts)
    cols = min(n, 5)
    nrows = -(-n // cols)
    fig, axes = _subplots(nrows, cols, figsize=(2.2 * cols, 0.6 + 2.1 * nrows),
                          sharey=True, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, trt in zip(axes.flat, trts, strict=False):
        rows = rank_probs[rank_probs["treatment"] == trt]
        ax.bar(rows["rank"], rows["probability"], color=_COLOURS[0])
        ax.set_title(trt + (f"\nSUCRA {sucra[trt]}" if trt in sucra else ""), fontsize=9)
        ax.set_xticks(rows["rank"])
        ax.tick_params(labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("probability", fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("rank (1 = best)", fontsize=8)
    axes[0][0].set_ylim(0, 1)
    fig.suptitle(title or "Rank probabilities", fontsize=10)
    fig.tight_layout()
    return fig


@_plain_text
def plot_cumulative_ranks(rank_probs, ranks, *, title: str = ""):
    """Cumulative ranking curves, best SUCRA first; the key, beside the plot so that it
    covers no line, gives each treatment's SUCRA."""
    trts, sucra = _by_sucra(rank_probs, ranks)
    fig, ax = _subplots(figsize=(7.5, 4))
    markers = "osD^vP*Xh<>p"
    for i, trt in enumerate(trts):
        rows = rank_probs[rank_probs["treatment"] == trt]
        ax.plot(rows["rank"], rows["cumulative_probability"], marker=markers[i % len(markers)],
                color=_COLOURS[i % len(_COLOURS)], label=f"{trt} (SUCRA {sucra[trt]})")
    ax.set_xlabel("rank (1 = best)")
    ax.set_ylabel("probability of this rank or better")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(sorted(rank_probs["rank"].unique()))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1),
              title="best first", title_fontsize=8)
    ax.set_title(title or "Cumulative ranking (SUCRA)", fontsize=10)
    fig.tight_layout()
    return fig


def _gated_names(idata, var_names):
    return [v for v in var_names if v in idata.posterior]


@_plain_text
def plot_trace(idata, *, var_names=("d", "tau")):
    """Posterior density (left) and trace (right) of each chain, one row per treatment effect
    and tau (ArviZ ``plot_trace_dist``)."""
    from arviz_plots import plot_trace_dist

    pc = plot_trace_dist(idata, var_names=_gated_names(idata, var_names), compact=False,
                         backend="matplotlib")
    return pc.viz["figure"].item()


@_plain_text
def plot_chain_ranks(idata, *, var_names=("d", "tau")):
    """Rank ECDF plots of the chains (Vehtari et al. 2021; ArviZ ``plot_rank``): each chain's
    fractional-rank ECDF minus the uniform, with a simultaneous envelope; lines leaving it
    mean the chains disagree."""
    from arviz_plots import plot_rank

    # The envelope assumes independent draws: thin to about the effective sample size, or
    # ordinary autocorrelation alone leaves the envelope (p = 0.00 on fits R-hat passes).
    pc = plot_rank(idata, var_names=_gated_names(idata, var_names), backend="matplotlib",
                   thin=True)
    return pc.viz["figure"].item()


@_plain_text
def plot_leverage(pointwise, *, title: str = ""):
    """Leverage plot (NICE DSU TSD2 Fig. 4): each data point's leverage (its contribution to
    pD) against its signed square-root residual deviance, with the curves ``x^2 + y = c``
    on which a point's contribution to DIC is ``c`` (points beyond ``c = 3`` fit poorly).

    Parameters
    ----------
    pointwise : pandas.DataFrame
        Output of :func:`bayesnma.diagnostics.residual_deviance`; an optional ``model``
        column draws one panel per model.
    """
    models = list(dict.fromkeys(pointwise["model"])) if "model" in pointwise else [""]
    fig, axes = _subplots(1, len(models), figsize=(5.2 * len(models), 4.4), squeeze=False,
                          sharey=True)
    top = max(1.2, float(pointwise["leverage"].max()) * 1.15)
    span = max(2.2, float(pointwise["signed_sqrt_resdev"].abs().max()) * 1.1)
    for ax, model in zip(axes[0], models, strict=True):
        rows = pointwise[pointwise["model"] == model] if model else pointwise
        x = np.linspace(-span, span, 400)
        for c in (1, 2, 3, 4):
            ax.plot(x, c - x**2, color="0.6", linewidth=0.8, linestyle="-" if c < 3 else "--")
            ax.annotate(f"DIC = {c}", (np.sqrt(c) * 0.72, c * 0.48), fontsize=7, color="0.4")
        ax.scatter(rows["signed_sqrt_resdev"], rows["leverage"], s=18, color=_COLOURS[0],
                   alpha=0.8)
        poor = rows[rows["dic"] > 3]
        for r in poor.itertuples():
            ax.annotate(str(r.data_point), (r.signed_sqrt_resdev, r.leverage), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        ax.set_xlim(-span, span)
        ax.set_ylim(0, top)
        ax.set_xlabel("sign(observed - fitted) x sqrt(residual deviance)")
        ax.set_title(model or "", fontsize=9)
    axes[0][0].set_ylabel("leverage (contribution to pD)")
    fig.suptitle(title or "Leverage and fit of each data point (labelled: DIC contribution > 3)",
                 fontsize=10)
    fig.tight_layout()
    return fig


@_plain_text
def plot_dev_dev(pointwise, *, x_model: str = "consistency", y_model: str = "ume",
                 title: str = ""):
    """Dev-dev plot: each data point's posterior mean residual deviance under two models
    (NICE DSU TSD4). Points well below the line fit better without the consistency
    assumption and point to inconsistency."""
    pivot = pointwise.pivot_table(index="data_point", columns="model", values="resdev",
                                  sort=False)
    xs, ys = pivot[x_model], pivot[y_model]
    fig, ax = _subplots(figsize=(5.2, 5.0))
    top = float(max(xs.max(), ys.max(), 1.0)) * 1.08
    ax.plot([0, top], [0, top], color="0.5", linestyle="--", linewidth=1)
    ax.scatter(xs, ys, s=18, color=_COLOURS[0], alpha=0.8)
    for label, x, y in zip(pivot.index, xs, ys, strict=True):
        if x - y > max(1.0, 0.25 * x):
            ax.annotate(str(label), (x, y), fontsize=7, xytext=(3, -8),
                        textcoords="offset points")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_aspect("equal")
    ax.set_xlabel(f"residual deviance, {x_model} model")
    ax.set_ylabel(f"residual deviance, {y_model} model")
    ax.set_title(title or "Residual deviance of each data point (labelled: better fit "
                 f"under {y_model})", fontsize=10)
    fig.tight_layout()
    return fig


@_plain_text
def plot_nodesplit(splits, *, measure: str = "OR", lower_better: bool, ci_prob: float = 0.95,
                   title: str = ""):
    """Direct, indirect and network estimates of every split comparison on the natural
    scale, with the Bayesian p-value of their difference."""
    m = get_measure(measure)
    lo, hi = quantile_columns(ci_prob)
    natural = np.exp if m.ratio else (lambda v: v)
    keys = list(dict.fromkeys(zip(splits["treatment"], splits["comparator"], strict=True)))
    styles = {"network": ("s", "black"), "direct": ("o", _COLOURS[0]),
              "indirect": ("^", _COLOURS[1])}
    fig, ax = _subplots(figsize=(7.5, 0.9 + 0.75 * len(keys)))
    for i, (trt, comp) in enumerate(keys):
        rows = splits[(splits["treatment"] == trt) & (splits["comparator"] == comp)]
        y0 = len(keys) - 1 - i
        for j, (est, (marker, colour)) in enumerate(styles.items()):
            row = rows[rows["estimate"] == est]
            if row.empty:
                continue
            r = row.iloc[0]
            y = y0 + 0.22 * (1 - j)
            ax.plot([natural(r[lo]), natural(r[hi])], [y, y], color=colour, linewidth=1.5)
            ax.plot(natural(r["median"]), y, marker=marker, color=colour,
                    label=est if i == 0 else None, linestyle="none")
        ax.annotate(f"p = {rows['p_value'].iat[0]:.3f}", (1.02, y0),
                    xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.axvline(m.null, color="0.5", linestyle="--", linewidth=1)
    if m.ratio:
        ax.set_xscale("log")
    ax.set_yticks(range(len(keys))[::-1], [f"{t} vs {c}" for t, c in keys], fontsize=8)
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlabel(f"{m.code} (median, {ci_prob:.0%} CrI); {m.better_if(lower_better)}")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.12), ncol=3)
    ax.set_title(title or "Node-splitting: direct vs indirect evidence", fontsize=10)
    fig.tight_layout()
    return fig


@_plain_text
def plot_prior_posterior(panels, *, title: str = ""):
    """Prior (line) and posterior (histogram) of heterogeneity SDs, one panel each.

    Parameters
    ----------
    panels : list of dict
        ``label``, ``draws`` (posterior draws), ``prior`` (an object with ``pdf``) and
        ``verdict`` (words on how far the data moved the prior). Empty for a
        fixed-effect model: the figure says so.
    """
    if not panels:
        fig, ax = _subplots(figsize=(6, 1.6))
        ax.axis("off")
        ax.text(0.5, 0.5, "Fixed effects: no between-study heterogeneity parameter",
                ha="center", va="center")
        ax.set_title(title, fontsize=9)
        return fig
    fig, axes = _subplots(len(panels), 1, figsize=(7, 2.8 * len(panels)), squeeze=False)
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        draws = np.asarray(panel["draws"]).ravel()
        upper = max(np.quantile(draws, 0.995), 1e-3) * 1.3
        grid = np.linspace(1e-4, upper, 400)
        ax.hist(draws[draws <= upper], bins=60, density=True, color=_COLOURS[0], alpha=0.45,
                label="posterior")
        ax.plot(grid, panel["prior"].pdf(grid), color=_COLOURS[3], lw=2, label="prior")
        ax.set_xlim(0, upper)
        ax.set_xlabel(f"{panel['label']} (between-study SD, model scale)")
        ax.set_ylabel("density")
        ax.set_title(f"{panel['label']}: {panel['verdict']}\nprior: {panel['prior']}",
                     fontsize=8.5, loc="left")
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


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
