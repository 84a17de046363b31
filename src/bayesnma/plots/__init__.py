"""Figures. Each function takes computed results and returns a matplotlib Figure.

Nothing here computes statistics or writes files. :mod:`~bayesnma.plots.base` (what every
figure shares), :mod:`~bayesnma.plots.network`, :mod:`~bayesnma.plots.effects` (forest plots,
league heatmap), :mod:`~bayesnma.plots.ranks`, :mod:`~bayesnma.plots.checks` (chains, fit,
node-splits, priors) and :mod:`~bayesnma.plots.robustness` (sensitivity, influence).
"""

from bayesnma.plots.base import PLAIN_TEXT, UNANCHORED_NOTE
from bayesnma.plots.checks import (
    plot_chain_ranks,
    plot_dev_dev,
    plot_leverage,
    plot_nodesplit,
    plot_prior_posterior,
    plot_trace,
)
from bayesnma.plots.effects import plot_forest, plot_forest_outcomes, plot_league_heatmap
from bayesnma.plots.network import plot_network
from bayesnma.plots.ranks import plot_cumulative_ranks, plot_rankogram
from bayesnma.plots.robustness import plot_influence, plot_robustness

__all__ = [
    "PLAIN_TEXT",
    "UNANCHORED_NOTE",
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
    "plot_robustness",
    "plot_trace",
]
