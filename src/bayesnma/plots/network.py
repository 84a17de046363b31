"""The treatment network."""

from __future__ import annotations

import networkx as nx
import numpy as np

from bayesnma.plots.base import _COLOURS, _plain_text, _subplots


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
