"""Effect measures: how an analysis' relative effects are named, scaled and read.

Every analysis has one measure. The model works on its linear scale (log OR, log HR, mean
difference, ...); ratio measures are also reported exponentiated.
"""

from __future__ import annotations

from dataclasses import dataclass

from bayesnma.errors import ConfigError

__all__ = ["MEASURES", "Measure", "get_measure"]


@dataclass(frozen=True)
class Measure:
    """An effect measure.

    Attributes
    ----------
    code : str
        Short name used in tables and config (``OR``, ``HR``, ``MD``, ...).
    name : str
        Full name for reports.
    ratio : bool
        True for ratio measures: the model scale is the log of the measure and the null
        value is 1; False for differences (null value 0, no transformation).
    """

    code: str
    name: str
    ratio: bool

    @property
    def model_scale(self) -> str:
        """Label of the scale the model works on, e.g. ``log HR`` or ``MD``."""
        return f"log {self.code}" if self.ratio else self.code

    @property
    def null(self) -> float:
        """Value of no effect on the natural scale."""
        return 1.0 if self.ratio else 0.0

    def better_if(self, lower_better: bool) -> str:
        """Direction of benefit in words, e.g. ``HR < 1 favours the treatment``."""
        sign = "<" if lower_better else ">"
        return f"{self.code} {sign} {self.null:g} favours the treatment"


MEASURES = {
    m.code: m
    for m in (
        Measure("OR", "odds ratio", True),
        Measure("RR", "risk ratio", True),
        Measure("HR", "hazard ratio", True),
        Measure("IRR", "incidence rate ratio", True),
        Measure("MD", "mean difference", False),
        Measure("SMD", "standardised mean difference", False),
    )
}


def get_measure(code: str) -> Measure:
    """Look up a measure by its code.

    Raises
    ------
    ConfigError
        If the code is not one of :data:`MEASURES`.
    """
    try:
        return MEASURES[code]
    except KeyError:
        raise ConfigError(
            f"unknown effect measure {code!r}; choose one of {', '.join(MEASURES)}"
        ) from None
