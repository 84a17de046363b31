"""The data formats, one module each, and reading a file in one.

Each format module declares everything about its format (:class:`ArmFormat` or
:class:`ContrastFormat`): its columns, its checks and conversion to the model scale, its
likelihood (:mod:`bayesnma.likelihoods`, with the numpy twin behind deviance and LOO), and
how reports show its data. :data:`DATA_FORMATS` is the registry; readers, the backend,
diagnostics and reports read it, so adding a format is a module here and a line in
:mod:`~bayesnma.data.formats.registry`.
"""

from bayesnma.data.formats.base import ArmFormat, ContrastFormat
from bayesnma.data.formats.contrast import CONTRAST_OPTIONAL, set_agd_contrast
from bayesnma.data.formats.readers import (
    read_arm_data,
    read_contrast_data,
    read_data,
    set_agd_arm,
)
from bayesnma.data.formats.registry import (
    ARM_FORMATS,
    DATA_FORMATS,
    FORMATS,
    likelihood_of,
)

__all__ = ["ARM_FORMATS", "CONTRAST_OPTIONAL", "DATA_FORMATS", "FORMATS",
           "ArmFormat", "ContrastFormat", "likelihood_of", "read_arm_data",
           "read_contrast_data", "read_data", "set_agd_arm", "set_agd_contrast"]
