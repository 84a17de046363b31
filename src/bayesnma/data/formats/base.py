"""What every data format declares (see :mod:`bayesnma.data.formats`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bayesnma.data.container import _empty_contrasts

__all__ = ["ArmFormat", "ContrastFormat", "counts_as_observed"]


def counts_as_observed(table, mapping, source, allow_single_arm):
    """Count formats: the likelihood uses the counts as they are."""
    return table, _empty_contrasts(), ()


def _no_own_result(arm) -> str:
    return ""


def _no_values(rows) -> dict:
    return {}


@dataclass(frozen=True)
class ArmFormat:
    """An arm-level data format: its columns, checks, conversion to the model scale,
    likelihood and how reports show its data. Read by
    :func:`~bayesnma.data.formats.readers.set_agd_arm`.

    ``to_model_scale(table, mapping, source, allow_single_arm)`` applies the format's own
    rules once its numbers are parsed and returns ``(arms, contrasts, notes)``: the arms
    with the columns the likelihood uses (``y`` and ``se`` of normal formats), contrasts
    the format yields (median studies with a log-rank p-value) and what was excluded or
    assumed. ``observed`` names the column the likelihood is evaluated on (counts, or the
    model-scale ``y`` of normal formats). ``events_of_patients``: each event is a patient
    (so ``events <= total`` and ``total >= 1``); not for rates, whose recurrent events may
    outnumber the patients. ``likelihood`` is one of :mod:`bayesnma.likelihoods` (with the
    numpy twin used for deviance and LOO). ``show(row)`` writes an arm's data as the
    paper reports it; ``own_result(row)`` what the arm alone shows (e.g. a response rate
    with its exact CI), or "" if the format has no such summary.

    ``several_rows``: an arm is given as several rows (intervals, patients, strata), each
    an observation with its arm's linear predictor. The rows are kept as
    ``NetworkData.observations``; ``NetworkData.arms`` has one row per arm (the first
    row's ``row`` and carried columns, and the values ``arm_values(rows)`` gives, e.g. its
    size as ``total`` and all its ``events``; no others), which is what the network, its
    tables and plots see. ``assumption``: what the
    format's conversion assumes, in a few words for the effect tables' ``assumptions``
    column ("" if nothing). ``kinds``: how the format's own columns are parsed, ``{column:
    (kind, what it is)}`` with kind ``count``, ``positive`` or ``real``, besides the shared
    ones.
    """

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    measure: str
    description: str
    likelihood: object
    to_model_scale: Callable = counts_as_observed
    observed: str = "events"
    events_of_patients: bool = False
    show: Callable = field(default=lambda row: "")
    own_result: Callable = field(default=_no_own_result)
    several_rows: bool = False
    arm_values: Callable = field(default=_no_values)
    assumption: str = ""
    kinds: dict = field(default_factory=dict)
    level: str = "arm"

    @property
    def counts(self) -> bool:
        """Whether the likelihood is evaluated on event counts (a zero cell, and with
        ``events_of_patients`` a full cell, leaves a study's effect unbounded)."""
        return self.observed == "events"


@dataclass(frozen=True)
class ContrastFormat:
    """A contrast-level data format: each arm's effect vs its study's baseline arm, read by
    its own ``reader(data, measure=, source=, **columns)``; the effect measure comes with
    the data."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    description: str
    likelihood: object
    reader: Callable
    assumption: str = ""
    level: str = "contrast"
