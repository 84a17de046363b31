"""Checks of a fit: chains (trace, rank plots), fit of each data point (leverage,
deviance-deviance), node-splits and priors against posteriors."""

from __future__ import annotations

import numpy as np

from bayesnma.effects import quantile_columns
from bayesnma.measures import get_measure
from bayesnma.plots.base import _COLOURS, _natural_log_ticks, _plain_text, _subplots


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
def plot_dev_dev(pointwise, *, y_model: str, x_model: str = "consistency",
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
    height = 1.2 + 0.75 * len(keys)
    fig, ax = _subplots(figsize=(7.5, height))
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
        # round natural-scale ticks as plain numbers (matplotlib's defaults came out
        # as raw mathtext with mathtext off, one tick for a narrow range)
        _natural_log_ticks(ax, float(natural(splits[lo]).min()),
                           float(natural(splits[hi]).max()), m.null)
    ax.set_yticks(range(len(keys))[::-1], [f"{t} vs {c}" for t, c in keys], fontsize=8)
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlabel(f"{m.code} (median, {ci_prob:.0%} CrI); {m.better_if(lower_better)}")
    # The legend under the plot: beside the title a long title ran into it.
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, frameon=False,
               loc="lower center", ncol=3)
    ax.set_title(title or "Node-splitting: direct vs indirect evidence", fontsize=10)
    fig.tight_layout(rect=(0, 0.3 / height, 1, 1))
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
