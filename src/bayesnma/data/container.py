"""The :class:`NetworkData` container: a network's arms and contrasts with their source,
notes and formats; joining sources (:func:`combine_data`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from bayesnma.data.cells import (
    JUDGEMENT_COLUMNS,
    _check_arm_labels,
    _check_spellings,
    _data_rows,
    _judgements,
    _labels,
)
from bayesnma.errors import DataValidationError
from bayesnma.measures import get_measure

_ARM_VALUES = ("events", "total", "person_time", "follow_up", "mean", "sd", "median",
               "lower", "upper", "y", "se")


_CONTRAST_VALUES = ("diff", "se", "ratio", "lower", "upper", "total")


@dataclass(frozen=True)
class NetworkData:
    """Validated trial data of one outcome, from one or more sources.

    Attributes
    ----------
    arms : pandas.DataFrame
        Arm-level rows: ``study``, ``treatment``, ``format``, the format's values
        (``events``, ``total``, ``person_time``, ``follow_up``, ``mean``, ``sd``,
        ``median``, ``lower``, ``upper``; NaN where a format has none), the model-scale
        ``y`` and ``se`` of normal formats, ``row`` and ``data_file`` (for messages), and the
        carried user columns. Sorted by study, in file order within study.
    contrasts : pandas.DataFrame
        Contrast-level rows: ``study``, ``treatment``, ``diff`` (model scale, vs the study's
        baseline arm; NaN on the baseline row), ``se``, the reported ``ratio``, ``lower``,
        ``upper`` where given, ``total``, ``row``, ``data_file`` and carried columns.
    measure : str
        Effect measure code (``OR``, ``HR``, ``MD``, ...; see :mod:`bayesnma.measures`).
    source : str
        File name(s) or label of the data, used in messages and outputs.
    notes : tuple of str
        What was excluded or assumed when the data were read (shown in every output).
    carried_columns : tuple of str
        User columns carried along (study-level covariates, provenance, ...).
    observations : pandas.DataFrame
        The rows of arms given as several rows (formats with ``several_rows``: intervals,
        patients), with the columns of ``arms``; their arms are in ``arms`` once each.
        Empty for formats with one row per arm.
    """

    arms: pd.DataFrame
    contrasts: pd.DataFrame = field(default_factory=lambda: _empty_contrasts())
    measure: str = "OR"
    source: str = "data"
    notes: tuple[str, ...] = ()
    carried_columns: tuple[str, ...] = ()
    observations: pd.DataFrame = field(default_factory=lambda: _EMPTY_OBSERVATIONS.copy())

    @property
    def formats(self) -> list[str]:
        """Formats present: arm-level formats in data order, then ``contrast``."""
        found = list(dict.fromkeys(self.arms["format"]))
        return found + (["contrast"] if len(self.contrasts) else [])

    @cached_property
    def study_arms(self) -> pd.DataFrame:
        """Every arm of every study (arm- and contrast-level): ``study``, ``treatment``,
        ``total`` (NaN where unknown), ``row``, ``data_file``, ``format`` and ``level``."""
        cols = ["study", "treatment", "total", "row", "data_file", "format"]
        contrasts = self.contrasts.assign(format="contrast")
        return pd.concat(
            [self.arms[cols].assign(level="arm"), contrasts[cols].assign(level="contrast")],
            ignore_index=True,
        )

    @cached_property
    def single_arm_studies(self) -> list[str]:
        """Arm-level studies with one arm, in data order."""
        n_arms = self.arms.groupby("study", sort=False).size()
        return [str(s) for s in n_arms.index[n_arms == 1]]

    @cached_property
    def treatments(self) -> list[str]:
        """Treatments, sorted alphabetically."""
        return sorted(self.study_arms["treatment"].unique())

    @cached_property
    def studies(self) -> list[str]:
        """Study labels in order of first appearance (arm-level sources first)."""
        return list(dict.fromkeys(self.study_arms["study"]))

    @property
    def n_patients(self) -> int | None:
        """Patients over all arms whose size is known (None if no arm size is given)."""
        total = self.study_arms["total"]
        return int(total.sum()) if total.notna().any() else None

    def subset(self, studies) -> NetworkData:
        """Return the data of the given studies only (e.g. one connected component)."""
        studies = list(studies)
        return NetworkData(
            arms=self.arms.loc[self.arms["study"].isin(studies)].reset_index(drop=True),
            contrasts=self.contrasts.loc[self.contrasts["study"].isin(studies)]
            .reset_index(drop=True),
            measure=self.measure,
            source=self.source,
            notes=self.notes,
            carried_columns=self.carried_columns,
            observations=self.observations.loc[self.observations["study"].isin(studies)]
            .reset_index(drop=True),
        )


def _empty_contrasts() -> pd.DataFrame:
    return _EMPTY_CONTRASTS.copy()


_EMPTY_OBSERVATIONS = pd.DataFrame(columns=["study", "treatment", "format", "row",
                                            "data_file"])

_EMPTY_CONTRASTS = pd.DataFrame({c: pd.Series(dtype=float) for c in _CONTRAST_VALUES}).assign(
    study=pd.Series(dtype=object), treatment=pd.Series(dtype=object),
    row=pd.Series(dtype=np.int64), data_file=pd.Series(dtype=object))


# --- reading -----------------------------------------------------------------------------


def _start(data, mapping, required, source, format):
    """Check the frame and its columns; return the canonical table and spreadsheet rows."""
    if not isinstance(data, pd.DataFrame):
        raise DataValidationError(
            f"expected a pandas DataFrame, got {type(data).__name__}", source=source
        )
    dup = data.columns[data.columns.duplicated()]
    if len(dup):
        where = [i + 1 for i, c in enumerate(data.columns) if c == dup[0]]
        raise DataValidationError(
            f"column {dup[0]!r} appears {len(where)} times in the header (columns "
            f"{', '.join(map(str, where))}); give each column one name", source=source)
    needed = [mapping[c] for c in ("study", "treatment", *required)]
    missing = [col for col in mapping.values() if col not in data.columns]
    if missing:
        found = ", ".join(f"'{c}'" for c in data.columns) or "none"
        raise DataValidationError(
            f"missing required column(s) {', '.join(repr(c) for c in missing)}; "
            f"{format} data need {', '.join(repr(c) for c in needed)} "
            f"(columns found: {found})",
            source=source,
        )
    if len(data) == 0:
        raise DataValidationError("the file has a header but no data rows", source=source)
    rows = _data_rows(data)
    table = pd.DataFrame({"row": rows})
    table["data_file"] = source
    for canon in ("study", "treatment"):
        table[canon] = _labels(data[mapping[canon]], mapping[canon], rows, source)
    return table, rows


def _finish(data, table, mapping, source, measure, notes, *, level) -> NetworkData:
    carried = tuple(c for c in data.columns if c not in mapping.values())
    reserved = [c for c in carried if c in table.columns]
    for col in reserved:
        if col in mapping:  # the config reads this quantity from another column
            raise DataValidationError(
                f"column {col!r} is not read: the config's columns maps {col} to "
                f"{mapping[col]!r}; remove that mapping or rename the column {col!r}",
                source=source)
        raise DataValidationError(
            f"column {col!r} has the name of a quantity bayesnma computes for this format "
            f"and would be overwritten; rename it in the file (e.g. '{col}_reported')",
            source=source)
    extra = data.iloc[pd.Index(_data_rows(data)).get_indexer(table["row"])][list(carried)]
    for col in carried:
        table[col] = extra[col].to_numpy()
    for col in JUDGEMENT_COLUMNS:
        if col in carried:
            table[col] = _judgements(table, col, source)
    # Stable sort keeps file order within each study; studies in order of first appearance.
    order = {s: i for i, s in enumerate(dict.fromkeys(table["study"]))}
    table = table.sort_values("study", key=lambda s: s.map(order), kind="stable")
    table = table.reset_index(drop=True)
    if level == "arm":
        return NetworkData(arms=table, measure=measure, source=source, notes=tuple(notes),
                           carried_columns=carried)
    empty = pd.DataFrame(columns=["study", "treatment", "format", "total", "row", "data_file"])
    return NetworkData(arms=empty, contrasts=table, measure=measure, source=source,
                       notes=tuple(notes), carried_columns=carried)


def combine_data(*networks: NetworkData) -> NetworkData:
    """Join the sources of one analysis (e.g. arm-level data and contrasts) into one network.

    Raises
    ------
    DataValidationError
        If the sources use different effect measures, or a study appears in more than one
        source (each study enters once, in one form).
    """
    if not networks:
        raise ValueError("combine_data needs at least one NetworkData")
    if len(networks) == 1:
        return networks[0]
    measures = {n.measure for n in networks}
    if len(measures) > 1:
        listing = "; ".join(f"{n.source}: {get_measure(n.measure).model_scale} "
                            f"({', '.join(n.formats)})" for n in networks)
        raise DataValidationError(
            f"the sources estimate different effect measures ({listing}); one analysis "
            "combines evidence on one scale")
    seen: dict[str, NetworkData] = {}
    for net in networks:
        for study in net.studies:
            if study in seen:
                first = seen[study]
                rows_a = first.study_arms.query("study == @study")["row"].tolist()
                rows_b = net.study_arms.query("study == @study")["row"].tolist()
                raise DataValidationError(
                    f"study '{study}' is given in two forms: {first.source} (rows "
                    f"{', '.join(map(str, rows_a))}, {'/'.join(first.formats)}) and "
                    f"{net.source} (rows {', '.join(map(str, rows_b))}, "
                    f"{'/'.join(net.formats)}); each study enters once, in one form: remove "
                    "it from one of the files", source=net.source, row=rows_b[0])
            seen[study] = net
    joined = pd.concat([n.study_arms for n in networks], ignore_index=True)
    for column in ("study", "treatment"):
        _check_spellings(joined[column], joined["row"], column, joined["data_file"])
    _check_arm_labels(joined, "treatment")
    arms = [n.arms for n in networks if len(n.arms)]
    contrasts = [n.contrasts for n in networks if len(n.contrasts)]
    observations = [n.observations for n in networks if len(n.observations)]
    return NetworkData(
        arms=pd.concat(arms, ignore_index=True) if arms else networks[0].arms.iloc[:0],
        contrasts=(pd.concat(contrasts, ignore_index=True) if contrasts
                   else _empty_contrasts()),
        measure=measures.pop(),
        source=" + ".join(n.source for n in networks),
        notes=tuple(dict.fromkeys(note for n in networks for note in n.notes)),
        carried_columns=tuple(dict.fromkeys(c for n in networks for c in n.carried_columns)),
        observations=(pd.concat(observations, ignore_index=True) if observations
                      else networks[0].observations.iloc[:0]),
    )
