"""Trial data: reading, validation and the :class:`NetworkData` container.

Data come as long tables, one row per study arm. Arm-level formats (``ARM_FORMATS``)::

    binary           study,treatment,events,total
    continuous       study,treatment,mean,se        (or mean,sd,total)
    rate             study,treatment,events,person_time
    events_followup  study,treatment,events,total,follow_up
    grouped          study,treatment,t_start,t_end,events,at_risk[,censored]   (a row per
                     interval: several rows per arm)
    ipd              study,treatment,time,status                 (a row per patient)
    median           study,treatment,median,lower,upper[,events][,total]

Contrast-level data give each arm's effect relative to the study's baseline arm::

    contrast         study,treatment,diff,se        (or ratio,lower,upper)

The baseline arm's row has an empty ``diff`` (and ``ratio``); its ``se`` is the SE of the
baseline arm, which is the covariance of the contrasts of a multi-arm study (NICE DSU
TSD2). Every other column is carried along unchanged. Validation happens here, once,
before any model is built; each problem raises
:class:`~bayesnma.errors.DataValidationError` naming the file, the row (as a spreadsheet
shows it: header = row 1) and the column. Sources of one analysis are joined with
:func:`combine_data`; each study enters once, in one form.

:mod:`~bayesnma.data.formats` (one module per format: columns, checks, conversion,
likelihood; the registry :data:`DATA_FORMATS`; reading),
:mod:`~bayesnma.data.cells` (reading and checking cells) and
:mod:`~bayesnma.data.container` (:class:`NetworkData`, joining sources).
"""

from bayesnma.data.cells import JUDGEMENT_COLUMNS, JUDGEMENT_LEVELS, arm_label
from bayesnma.data.container import NetworkData, combine_data
from bayesnma.data.formats import (
    ARM_FORMATS,
    CONTRAST_OPTIONAL,
    DATA_FORMATS,
    FORMATS,
    ArmFormat,
    ContrastFormat,
    likelihood_of,
    read_arm_data,
    read_contrast_data,
    read_data,
    set_agd_arm,
    set_agd_contrast,
)

__all__ = [
    "ARM_FORMATS",
    "CONTRAST_OPTIONAL",
    "DATA_FORMATS",
    "FORMATS",
    "ArmFormat",
    "ContrastFormat",
    "JUDGEMENT_COLUMNS",
    "JUDGEMENT_LEVELS",
    "NetworkData",
    "arm_label",
    "combine_data",
    "likelihood_of",
    "read_arm_data",
    "read_contrast_data",
    "read_data",
    "set_agd_arm",
    "set_agd_contrast",
]
