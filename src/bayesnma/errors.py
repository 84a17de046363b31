"""Exceptions raised by bayesnma.

Every problem with the user's input is raised as a :class:`BayesNMAError` subclass whose
message says where the problem is and how to fix it. The workflow prints that message and
nothing else, so a user never sees a sampler traceback for bad input.
"""

from __future__ import annotations

__all__ = ["BayesNMAError", "ConfigError", "DataValidationError", "NetworkError"]


class BayesNMAError(ValueError):
    """Base class for errors in the user's data, network or configuration."""


class DataValidationError(BayesNMAError):
    """A data file (or data frame) that cannot be analysed.

    Parameters
    ----------
    problem : str
        What is wrong and, where possible, how to fix it.
    source : str, optional
        File name (or a label for an in-memory data frame).
    row : int, optional
        Row as a spreadsheet shows it, i.e. the line in the file (blank lines count).
    column : str, optional
        Column name as it appears in the file.
    """

    def __init__(self, problem, *, source=None, row=None, column=None):
        self.problem = problem
        self.source = source
        self.row = row
        self.column = column
        where = [str(source) if source else "data"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {problem}")


class NetworkError(BayesNMAError):
    """A network that cannot be analysed as requested (disconnected, unknown reference, ...)."""


class ConfigError(BayesNMAError):
    """An analysis configuration that does not validate."""
