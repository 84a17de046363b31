"""What every figure shares: figures outside pyplot, names as plain text, intervals and
log-scale ticks."""

from __future__ import annotations

import functools

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from bayesnma.effects import quantile_columns

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

    def within(steps):
        candidates = {round(b * 10.0**e, 6 - min(e, 0)) for e in range(lo_e - 1, hi_e + 2)
                      for b in steps}
        return sorted(t for t in candidates if low / 1.05 <= t <= high * 1.05)

    ticks = within(steps)
    if len(ticks) < 3:  # a narrow range between the round values: finer ones
        ticks = within((1, 1.25, 1.5, 2, 3, 4, 5, 6, 7, 8))
    ticks = ticks or [null]
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
