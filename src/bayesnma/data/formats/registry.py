"""The registry of data formats: every format module, by name."""

from __future__ import annotations

from bayesnma.data.formats.base import ArmFormat, ContrastFormat
from bayesnma.data.formats.binary import BINARY
from bayesnma.data.formats.continuous import CONTINUOUS
from bayesnma.data.formats.contrast import CONTRAST
from bayesnma.data.formats.events_followup import EVENTS_FOLLOWUP
from bayesnma.data.formats.grouped import GROUPED
from bayesnma.data.formats.ipd import IPD
from bayesnma.data.formats.median import MEDIAN
from bayesnma.data.formats.rate import RATE

__all__ = ["ARM_FORMATS", "DATA_FORMATS", "FORMATS", "likelihood_of"]

#: Every data format by name, arm-level formats first.
DATA_FORMATS: dict[str, ArmFormat | ContrastFormat] = {
    f.name: f for f in (BINARY, CONTINUOUS, RATE, EVENTS_FOLLOWUP, MEDIAN, GROUPED,
                        IPD, CONTRAST)}

#: The arm-level formats (read by :func:`~bayesnma.data.formats.readers.set_agd_arm`).
ARM_FORMATS: dict[str, ArmFormat] = {
    name: f for name, f in DATA_FORMATS.items() if isinstance(f, ArmFormat)}

#: Names of every data format accepted by :func:`~bayesnma.data.read_data`.
FORMATS = tuple(DATA_FORMATS)


def likelihood_of(fmt: str):
    """Likelihood of a data format (``"binary"``, ..., ``"contrast"``)."""
    return DATA_FORMATS[fmt].likelihood

