"""The treatment network: graph, connected components and characteristics."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd

from bayesnma.data import NetworkData
from bayesnma.errors import NetworkError

__all__ = [
    "STUDY_NOTE_COLUMNS",
    "Component",
    "anchored_groups",
    "is_randomised",
    "study_values",
    "build_graph",
    "has_direct_evidence",
    "has_indirect_evidence",
    "nodesplit_comparisons",
    "choose_trt_ref",
    "connected_components",
    "network_characteristics",
    "require_placed",
    "treatment_evidence",
    "require_connected",
    "sparse_cell_notes",
    "study_table",
]


@dataclass(frozen=True)
class Component:
    """A connected part of the network, analysed on its own.

    Attributes
    ----------
    label : str
        ``c1``, ``c2``, ... in order of decreasing number of studies (ties: treatment names).
    treatments : tuple of str
        Treatments in the component, sorted.
    studies : tuple of str
        Studies in the component, in data order.
    """

    label: str
    treatments: tuple[str, ...]
    studies: tuple[str, ...]


def build_graph(network: NetworkData) -> nx.Graph:
    """Build the treatment graph.

    Nodes are treatments with ``n_patients`` (None if an arm size is not reported),
    ``n_arms`` and ``n_studies``; edges join treatments compared within a study and carry
    ``n_studies``, ``n_patients``, ``studies`` and ``formats`` (the data formats of those
    studies).
    """
    graph = nx.Graph()
    arms = network.study_arms
    for trt, grp in arms.groupby("treatment", sort=True):
        graph.add_node(
            trt,
            n_patients=_total(grp["total"]),
            n_arms=len(grp),
            n_studies=grp["study"].nunique(),
        )
    for study, grp in arms.groupby("study", sort=False):
        size = dict(zip(grp["treatment"], grp["total"], strict=True))
        fmt = grp["format"].iat[0]
        for a, b in combinations(sorted(size), 2):
            n = _total(pd.Series([size[a], size[b]]))
            if graph.has_edge(a, b):
                edge = graph.edges[a, b]
                edge["n_studies"] += 1
                edge["n_patients"] = (None if edge["n_patients"] is None or n is None
                                      else edge["n_patients"] + n)
                edge["studies"].append(study)
                edge["formats"].add(fmt)
            else:
                graph.add_edge(a, b, n_studies=1, n_patients=n, studies=[study], formats={fmt})
    return graph


def _design_graph(network: NetworkData, exclude=None) -> nx.Graph:
    """Treatments joined when some study compares them (every pair within a study),
    leaving out the studies for which ``exclude(treatments)`` is true."""
    graph = nx.Graph()
    for _, grp in network.study_arms.groupby("study", sort=False):
        trts = sorted(set(grp["treatment"]))
        if exclude is not None and exclude(trts):
            continue
        graph.add_nodes_from(trts)
        graph.add_edges_from(combinations(trts, 2))
    return graph


def has_direct_evidence(network: NetworkData, a: str, b: str) -> bool:
    """Whether some study compares ``a`` with ``b``."""
    return _design_graph(network).has_edge(a, b)


def has_indirect_evidence(network: NetworkData, a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` stay connected after removing every study that compares them
    (van Valkenhoef et al. 2016): indirect evidence independent of the direct evidence. A
    loop closed only by one multi-arm study is internally consistent and does not count."""
    graph = _design_graph(network, exclude=lambda trts: a in trts and b in trts)
    return a in graph and b in graph and nx.has_path(graph, a, b)


def anchored_groups(network: NetworkData) -> list[set[str]]:
    """Sets of treatments joined by chains of comparisons (studies with two or more arms):
    any two treatments of a set have a relative effect that no assumption places."""
    graph = _design_graph(network, exclude=lambda trts: len(trts) < 2)
    return [set(c) for c in nx.connected_components(graph)]


def nodesplit_comparisons(network: NetworkData, order) -> list[tuple[str, str]]:
    """Comparisons that can be split: direct evidence and independent indirect evidence
    (van Valkenhoef et al. 2016, as in gemtc and multinma).

    Parameters
    ----------
    order : sequence of str
        Treatments in model order; each pair is ``(comparator, treatment)`` with the
        comparator first in this order, and pairs are sorted by it.

    Returns
    -------
    list of tuple
        ``(comparator, treatment)`` pairs; empty when the network has no closed loop of
        independent evidence.
    """
    rank = {t: i for i, t in enumerate(order)}
    pairs = sorted((tuple(sorted(e, key=rank.__getitem__)) for e in _design_graph(network).edges),
                   key=lambda p: (rank[p[0]], rank[p[1]]))
    return [(a, b) for a, b in pairs if has_indirect_evidence(network, a, b)]


def _total(sizes: pd.Series) -> int | None:
    """Sum of arm sizes, or None if any is unknown (contrast rows often have none)."""
    sizes = pd.to_numeric(sizes, errors="coerce")
    return None if sizes.isna().any() else int(sizes.sum())


def connected_components(network: NetworkData) -> list[Component]:
    """Connected components with at least two treatments, labelled ``c1``, ``c2``, ..."""
    graph = build_graph(network)
    found = []
    for nodes in nx.connected_components(graph):
        if len(nodes) < 2:
            continue
        arms = network.study_arms
        studies = tuple(
            s for s in network.studies if arms.loc[arms["study"] == s, "treatment"].iat[0] in nodes
        )
        found.append((tuple(sorted(nodes)), studies))
    found.sort(key=lambda c: (-len(c[1]), c[0]))
    return [Component(f"c{i + 1}", trts, studies) for i, (trts, studies) in enumerate(found)]


def _with_class_links(graph: nx.Graph, class_links) -> nx.Graph:
    """A copy of ``graph`` with the treatments of each class-link group joined."""
    linked = graph.copy()
    for group in class_links:
        group = [t for t in group if t in linked]
        linked.add_edges_from(zip(group, group[1:], strict=False))
    return linked


def is_randomised(design) -> bool:
    text = str(design).lower()
    return "rct" in text or "randomi" in text


def study_values(network: NetworkData, column: str) -> pd.Series | None:
    """A per-study column of the data (``design``, ``prior_therapy``): its distinct values
    by study, in data order (None when the data have no such column)."""
    frames = [f for f in (network.arms, network.contrasts) if column in f]
    if not frames:
        return None
    both = pd.concat([f[["study", column]] for f in frames]).dropna()
    return both.groupby("study", sort=False)[column].agg(lambda v: list(dict.fromkeys(map(str, v))))


def _evidence_form(n_arms: int, design) -> str:
    """single-arm, randomised (the design says RCT or randomised) or observational."""
    if n_arms == 1:
        return "single-arm"
    return "randomised" if is_randomised(design) else "observational"


def _designs(network: NetworkData) -> dict:
    """Each study's design as the data state it (its first value)."""
    values = study_values(network, "design")
    return {} if values is None else {s: v[0] for s, v in values.items()}


def treatment_evidence(network: NetworkData, trt_ref: str, *, exchangeable_baselines=False,
                       class_links=()) -> pd.DataFrame:
    """What places each treatment in the model: its evidence and the assumption that
    connects it to the reference.

    Studies are randomised when their ``design`` column says RCT or randomised, otherwise
    observational (or of unknown design when there is no such column).

    Returns
    -------
    pandas.DataFrame
        One row per treatment: ``treatment``, ``randomised`` and ``observational``
        (comparative studies, ``study (vs others)``), ``single_arm`` (studies),
        ``n_patients`` (randomised or observed on the treatment, summed over its arms with a
        known size; NaN if none is known) and ``placed_by``: the reference itself,
        comparisons connected to it, a class bridge, or exchangeable baselines.
    """
    arms = network.study_arms
    design = _designs(network)
    graph = build_graph(network)
    linked = _with_class_links(graph, class_links)
    near = nx.node_connected_component(graph, trt_ref) if trt_ref in graph else {trt_ref}
    via_class = (nx.node_connected_component(linked, trt_ref) if trt_ref in linked
                 else {trt_ref})
    rows = []
    for trt in network.treatments:
        ev = {"randomised": [], "observational": [], "single_arm": []}
        for study, grp in arms.groupby("study", sort=False):
            trts = list(grp["treatment"])
            if trt not in trts:
                continue
            kind = _evidence_form(len(trts), design.get(study, ""))
            if kind == "single-arm":
                ev["single_arm"].append(study)
                continue
            others = ", ".join(t for t in trts if t != trt)
            ev[kind].append(f"{study} (vs {others})")
        if trt == trt_ref:
            placed = "reference treatment"
        elif trt in near:
            placed = "comparisons connected to the reference"
        elif trt in via_class:
            placed = "class bridge: exchangeable with its class members elsewhere"
        elif exchangeable_baselines:
            placed = "exchangeable baselines: its studies' absolute level"
        else:
            placed = "not placed"
        sizes = arms.loc[arms["treatment"] == trt, "total"]
        rows.append({"treatment": trt, **ev,
                     "n_patients": sizes.sum() if sizes.notna().any() else np.nan,
                     "placed_by": placed})
    return pd.DataFrame(rows, columns=["treatment", "randomised", "observational",
                                       "single_arm", "n_patients", "placed_by"])


def require_placed(network: NetworkData, trt_ref: str, *, exchangeable_baselines: bool,
                   class_links=()) -> None:
    """Check that every part of a disconnected network is placed against ``trt_ref`` by a
    bridging assumption.

    Parameters
    ----------
    exchangeable_baselines : bool
        Exchangeable baselines place every part with arm-level data (contrasts alone carry
        no absolute level).
    class_links : iterable of sets of str
        Treatments tied by a class model (members of one class mean, or in the reference's
        class under a common class model).

    Raises
    ------
    NetworkError
        Naming each unplaced part and what would place it.
    """
    graph = _with_class_links(build_graph(network), class_links)
    if exchangeable_baselines:
        anchor = ("exchangeable baselines",)
        graph.add_edge(trt_ref, anchor)
        graph.add_edges_from((t, anchor) for t in set(network.arms["treatment"]))
    unplaced = [sorted(nodes) for nodes in nx.connected_components(graph)
                if trt_ref not in nodes]
    if unplaced:
        parts = "; ".join("{" + ", ".join(p) + "}" for p in unplaced)
        raise NetworkError(
            f"{network.source}: no evidence or assumption links {parts} to the reference "
            f"{trt_ref}. A separate part is placed by exchangeable baselines (through its "
            "arm-level studies) or by a class whose members span the parts (class_effects, "
            "exchangeable or common)")


def require_connected(network: NetworkData) -> None:
    """Raise :class:`NetworkError` listing the components if the network is disconnected."""
    comps = connected_components(network)
    if len(comps) > 1:
        listing = "; ".join(
            f"{c.label}: {{{', '.join(c.treatments)}}} ({len(c.studies)} "
            f"stud{'y' if len(c.studies) == 1 else 'ies'})"
            for c in comps
        )
        raise NetworkError(
            f"{network.source}: the network is disconnected into {len(comps)} components "
            f"({listing}); no comparison across components can be estimated. Analyse the "
            "components separately (config: disconnected: split) or add evidence that "
            "connects them."
        )


def choose_trt_ref(treatments, trt_ref, *, all_treatments=None, source="data") -> str:
    """Pick the reference treatment of a (sub)network.

    Parameters
    ----------
    treatments : sequence of str
        Treatments of the network or component.
    trt_ref : str, sequence of str or None
        Preferred reference(s), in priority order; the first present is used. ``None``
        uses the first treatment alphabetically.
    all_treatments : sequence of str, optional
        Treatments of the whole data set; every name in ``trt_ref`` must be one of them.
    source : str
        Data label for messages.

    Raises
    ------
    NetworkError
        If a name in ``trt_ref`` is not a treatment of the data.
    """
    treatments = sorted(treatments)
    valid = sorted(all_treatments) if all_treatments is not None else treatments
    prefs = [trt_ref] if isinstance(trt_ref, str) else list(trt_ref or [])
    unknown = [p for p in prefs if p not in valid]
    if unknown:
        raise NetworkError(
            f"{source}: reference treatment {', '.join(repr(u) for u in unknown)} is not a "
            f"treatment in the data; valid treatments: {', '.join(valid)}"
        )
    for pref in prefs:
        if pref in treatments:
            return pref
    return treatments[0]


def network_characteristics(network: NetworkData, components=None) -> pd.DataFrame:
    """Summarise the network, overall and per connected component.

    Returns
    -------
    pandas.DataFrame
        One row per component plus an ``all`` row, with columns ``component``,
        ``treatments``, ``n_treatments``, ``n_studies``, ``n_patients``, ``n_events``,
        ``n_direct_comparisons`` (pairs of treatments with head-to-head data),
        ``n_multi_arm_studies``, ``n_components`` and, when the data carry a
        ``prior_therapy`` column, ``prior_therapy`` (its distinct values).
    """
    components = components if components is not None else connected_components(network)
    rows = [_characteristics("all", network, len(components))]
    for comp in components:
        rows.append(_characteristics(comp.label, network.subset(comp.studies), 1))
    return pd.DataFrame(rows)


def _characteristics(label: str, network: NetworkData, n_components: int) -> dict:
    arms = network.study_arms
    graph = build_graph(network)
    n_arms = arms.groupby("study", sort=False).size()
    events = network.arms["events"] if "events" in network.arms else pd.Series(dtype=float)
    row = {
        "component": label,
        "treatments": list(network.treatments),
        "n_treatments": graph.number_of_nodes(),
        "n_studies": len(n_arms),
        "n_studies_arm_level": network.arms["study"].nunique(),
        "n_studies_contrast_level": network.contrasts["study"].nunique(),
        "formats": list(network.formats),
        "measure": network.measure,
        "n_patients": network.n_patients,
        "n_events": int(events.sum()) if events.notna().any() else None,
        "n_direct_comparisons": graph.number_of_edges(),
        "n_multi_arm_studies": int((n_arms > 2).sum()),
        "n_components": n_components,
    }
    studies = pd.concat([network.arms, network.contrasts], ignore_index=True)
    if "prior_therapy" in studies.columns:
        values = studies["prior_therapy"].dropna().astype(str).str.strip()
        row["prior_therapy"] = sorted(v for v in values.unique() if v)
    return row


def _contrast_text(row, measure) -> str:
    """A contrast row's data as reported (the baseline row: its comparator role)."""
    if pd.notna(row.get("ratio")):
        return f"{measure.code} {row['ratio']:g} ({row['lower']:g}-{row['upper']:g})"
    if pd.notna(row.get("diff")):
        scale = measure.model_scale if measure.ratio else measure.code
        return f"{scale} {row['diff']:.3g} (SE {row['se']:.3g})"
    return "comparator"


#: Study-level data columns the study table shows when the data carry them: the response
#: criterion, the judgements the certainty rating reads, and notes from the curation.
STUDY_NOTE_COLUMNS = ("response_criterion", "rob", "indirectness", "note")


def study_table(network: NetworkData) -> pd.DataFrame:
    """One row per study as a report's study table shows it.

    Returns
    -------
    pandas.DataFrame
        ``study``, ``design`` (as the data state it; empty if not given), ``evidence``
        (randomised, observational or single-arm: the classification that
        :func:`treatment_evidence` uses), ``data`` (arm-level format or contrast-level),
        ``prior_therapy`` (its values, when the data carry it), ``arms``
        (``treatment: data`` per arm, as reported), ``n_patients`` (summed over arms with
        a known size), ``source`` (``file, rows``) and, when the data carry them, the
        study-level columns of :data:`STUDY_NOTE_COLUMNS` (criterion, judgements, notes).
    """
    from bayesnma.data import ARM_FORMATS
    from bayesnma.measures import get_measure

    measure = get_measure(network.measure)
    design = _designs(network)
    prior = study_values(network, "prior_therapy")
    notes = {c: v for c in STUDY_NOTE_COLUMNS if (v := study_values(network, c)) is not None}
    texts = {}
    for _, row in network.arms.iterrows():
        texts[(row["study"], row["treatment"])] = ARM_FORMATS[row["format"]].show(row)
    for _, row in network.contrasts.iterrows():
        texts[(row["study"], row["treatment"])] = _contrast_text(row, measure)
    rows = []
    for study, grp in network.study_arms.groupby("study", sort=False):
        fmt = grp["format"].iat[0]
        lines = ", ".join(str(r) for r in dict.fromkeys(grp["row"]))
        row = {"study": study, "design": design.get(study, ""),
               "evidence": _evidence_form(len(grp), design.get(study, "")),
               "data": "contrast-level" if fmt == "contrast" else f"arm-level ({fmt})"}
        if prior is not None:
            row["prior_therapy"] = prior.get(study, [])
        total = grp["total"]
        # Counts out of total already show the arm's size.
        shows_n = fmt in ARM_FORMATS and "total" in ARM_FORMATS[fmt].required
        row.update({
            "arms": [f"{t}: {texts[(study, t)]}"
                     + (f", n = {n:g}" if pd.notna(n) and not shows_n else "")
                     for t, n in zip(grp["treatment"], total, strict=True)],
            "n_patients": total.sum() if total.notna().any() else np.nan,
            "source": f"{grp['data_file'].iat[0]}, rows {lines}"})
        for column, values in notes.items():
            row[column] = "; ".join(values.get(study, []))
        rows.append(row)
    return pd.DataFrame(rows)


def sparse_cell_notes(network: NetworkData) -> list[str]:
    """A note per study with an arm of no events or (binary, events with follow-up) every
    patient with an event: such a cell leaves the study's relative effect unbounded by its
    data (with a zero and a full cell, the arms are separated), so its size comes from the
    prior and the other studies."""
    arms = network.arms
    if not len(arms) or "events" not in arms:
        return []
    from bayesnma.data import ARM_FORMATS

    counts = {name for name, f in ARM_FORMATS.items() if f.counts}
    of_patients = {name for name in counts if ARM_FORMATS[name].events_of_patients}
    counted = arms[arms["format"].isin(counts)]
    full_possible = counted["format"].isin(of_patients)
    notes = []
    for study, rows in counted.groupby("study", sort=False):
        zero = rows[rows["events"] == 0]
        full = rows[full_possible.loc[rows.index] & (rows["events"] == rows["total"])]
        if not len(zero) and not len(full):
            continue
        cells = [f"'{r.treatment}' {int(r.events)} of {int(r.total)}"
                 if r.format in of_patients else f"'{r.treatment}' 0 events"
                 for r in pd.concat([zero, full]).itertuples()]
        what = ("zero and full cells: its arms are separated" if len(zero) and len(full)
                else "a zero cell" if len(zero) else "a full cell")
        notes.append(f"{network.source}: study '{study}' has {what} ({'; '.join(cells)}): "
                     "its data do not bound its relative effect, which the prior and the "
                     "other studies then set (an effect they do not bound is flagged as set "
                     "by the prior)")
    return notes
