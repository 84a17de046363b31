"""Rankings: rank probabilities and cumulative ranking curves."""

from __future__ import annotations

from bayesnma.effects import mc_decimals
from bayesnma.plots.base import _COLOURS, _plain_text, _subplots


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
