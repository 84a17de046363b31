"""Empirical heterogeneity priors by name: Turner et al. (2012, 2015) and Rhodes et al. (2015).

Predictive distributions for the between-study variance of a new meta-analysis, by outcome
type and type of comparison, estimated from the Cochrane Database of Systematic Reviews:

- ``turner`` (Turner et al. 2015, Stat Med 34:984-998, Table IV; binary outcomes, log odds
  ratios): ``log(tau^2) ~ Normal(mean, sd^2)`` for 16 outcome types x 5 comparison types,
  and the marginal prior (outcome and comparison ``any``). ``version: 2012`` gives Turner
  et al. (2012, Int J Epidemiol 41:818-827), 3 outcome types x 3 comparison types, the
  table R's gemtc offers.
- ``rhodes`` (Rhodes et al. 2015, J Clin Epidemiol 68:52-60; continuous outcomes, SMDs):
  ``log(tau^2) ~ t_5(location, scale)`` by outcome type, comparison type and medical area
  (``other`` as in their Table 3, ``respiratory``, ``cancer``), and the general prior.

The table (``datasets/heterogeneity_priors.csv``) names its source cell by cell, with three
corrections to published transcriptions explained in its ``note`` column.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

import pandas as pd

from bayesnma.errors import ConfigError
from bayesnma.priors import LogNormalVariance, LogTVariance

__all__ = ["HET_PRIOR_TABLES", "het_prior_table", "named_het_prior"]

#: Named tables and the settings that pick a cell (the rest default to ``any``/``other``).
HET_PRIOR_TABLES = {"turner": ("outcome", "comparison", "version"),
                    "rhodes": ("outcome", "comparison", "area")}


@lru_cache(maxsize=1)
def het_prior_table() -> pd.DataFrame:
    """The bundled table: ``table, outcome, comparison, area, distribution, location,
    scale, published_outcome, published_comparison, source, note``."""
    with files("bayesnma.datasets").joinpath("heterogeneity_priors.csv").open() as fh:
        return pd.read_csv(fh, skiprows=1, keep_default_na=False)


def _norm(text) -> str:
    """Lower case, no punctuation: ``"Pharmacological vs. placebo / control"`` matches
    ``"pharmacological vs placebo control"``."""
    return " ".join(re.sub(r"[^a-z0-9+-]+", " ", str(text).lower()).split())


def _pick(rows: pd.DataFrame, column: str, value, table: str) -> pd.DataFrame:
    published = f"published_{column}"
    keys = [_norm(value)]
    hit = rows[[_norm(k) in keys or _norm(p) in keys for k, p in
                zip(rows[column], rows.get(published, rows[column]), strict=True)]]
    if hit.empty:
        valid = "; ".join(dict.fromkeys(rows[column]))
        raise ConfigError(f"priors.het.{table}: unknown {column} {value!r}; valid {column}s: "
                          f"{valid}")
    return hit


def named_het_prior(table: str, *, outcome: str = "any", comparison: str = "any",
                    area: str | None = None, version: int | str = 2015):
    """The prior on ``tau`` of one cell of a published table.

    Parameters
    ----------
    table : {"turner", "rhodes"}
    outcome, comparison : str
        Outcome type and comparison type, by their short key (e.g. ``"all-cause
        mortality"``, ``"pharmacological vs placebo"``) or published label; case and
        punctuation are ignored. ``"any"`` for both gives the marginal (general) prior.
    area : str, optional
        ``rhodes`` only: ``other`` (default), ``respiratory`` or ``cancer``.
    version : {2015, 2012}
        ``turner`` only.

    Returns
    -------
    LogNormalVariance or LogTVariance
        With ``source`` naming the table and cell.

    Raises
    ------
    ConfigError
        Naming the valid values when a name is unknown.
    """
    if table not in HET_PRIOR_TABLES:
        raise ConfigError(f"priors.het: unknown table {table!r}; choose one of "
                          f"{', '.join(HET_PRIOR_TABLES)}")
    rows = het_prior_table()
    if table == "turner":
        if str(version) not in ("2015", "2012"):
            raise ConfigError(f"priors.het.turner: version must be 2015 or 2012; got {version!r}")
        if area is not None:
            raise ConfigError("priors.het.turner: area applies to rhodes only")
        rows = rows[rows["table"] == ("turner" if str(version) == "2015" else "turner2012")]
    else:
        if str(version) != "2015":
            raise ConfigError("priors.het.rhodes: version applies to turner only")
        rows = rows[rows["table"] == "rhodes"]
        general = _norm(outcome) == "any" and _norm(comparison) == "any"
        area = "any" if general and area is None else (area or "other")
        rows = _pick(rows, "area", area, table)
    rows = _pick(rows, "outcome", outcome, table)
    row = _pick(rows, "comparison", comparison, table).iloc[0]
    name = "Turner et al. " + str(version) if table == "turner" else "Rhodes et al. 2015"
    where = "" if row["area"] == "any" else f", {row['area']}"
    cell = (f"{row['outcome']}, {row['comparison']}{where}" if row["outcome"] != "any"
            else "general prior, any outcome and comparison")
    source = f"{name}: {cell}"
    if row["distribution"] == "normal":
        return LogNormalVariance(float(row["location"]), float(row["scale"]), source=source)
    return LogTVariance(float(row["location"]), float(row["scale"]), 5.0, source=source)
