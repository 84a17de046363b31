"""Convergence: rank-normalised R-hat, bulk and tail ESS and divergences of every
parameter against the criteria, and what to try when a fit fails them."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from bayesnma.parameters import ROLES, gated_variables, role_of


@dataclass(frozen=True)
class ConvergenceCriteria:
    """Thresholds a fit must meet to count as converged.

    Defaults follow Vehtari et al. (2021): rank-normalised split R-hat below 1.01, bulk and
    tail ESS of at least 400, and no divergent transitions.
    """

    max_rhat: float = 1.01
    min_ess_bulk: float = 400.0
    min_ess_tail: float = 400.0
    max_divergences: int = 0


@dataclass(frozen=True)
class Convergence:
    """Outcome of :func:`check_convergence`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per scalar parameter: ``parameter``, ``role``, ``mean``, ``sd``,
        ``r_hat``, ``ess_bulk``, ``ess_tail``, ``mcse_mean``.
    converged : bool
    n_divergent : int
        Divergent transitions after tuning, over all chains.
    n_max_treedepth : int
        Transitions that hit the maximum tree depth (information; not a criterion).
    problems : tuple of str
        Why the fit failed the criteria (empty when converged).
    criteria : ConvergenceCriteria
    """

    table: pd.DataFrame
    converged: bool
    n_divergent: int
    n_max_treedepth: int
    problems: tuple[str, ...]
    criteria: ConvergenceCriteria

    @property
    def diverged(self) -> bool:
        """More divergent transitions than the criteria allow."""
        return self.n_divergent > self.criteria.max_divergences

    @property
    def mixing_problems(self) -> tuple[str, ...]:
        """The problems that are R-hat or ESS (the chains mixed too little), not divergences."""
        return tuple(p for p in self.problems if p.startswith(("R-hat", "ess_")))

    def summary(self) -> pd.DataFrame:
        """One-row overview: worst R-hat, smallest ESS, divergences and the verdict."""
        return pd.DataFrame(
            [{
                **summarise_diagnostics(self.table, converged=self.converged,
                                        n_divergent=self.n_divergent),
                "n_max_treedepth": self.n_max_treedepth,
                "problems": "; ".join(self.problems),
            }]
        )


def summarise_diagnostics(table: pd.DataFrame, *, converged: bool, n_divergent: int) -> dict:
    """Verdict, worst R-hat, smallest bulk and tail ESS and divergences of a diagnostics table."""
    return {
        "converged": bool(converged),
        "max_r_hat": table["r_hat"].max(),
        "min_ess_bulk": table["ess_bulk"].min(),
        "min_ess_tail": table["ess_tail"].min(),
        "n_divergent": int(n_divergent),
    }


def check_convergence(idata, criteria: ConvergenceCriteria | None = None) -> Convergence:
    """Compute R-hat, bulk and tail ESS and divergences of every sampled parameter (every
    posterior variable whose role is gated, see :mod:`bayesnma.parameters`).

    Parameters
    ----------
    idata : xarray.DataTree
    criteria : ConvergenceCriteria, optional

    Returns
    -------
    Convergence
    """
    from arviz_stats import summary

    criteria = criteria or ConvergenceCriteria()
    names = gated_variables(idata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        summ = summary(idata, var_names=names, kind="all", round_to="none")
    table = summ[["mean", "sd", "r_hat", "ess_bulk", "ess_tail", "mcse_mean"]]
    table = table.rename_axis("parameter").reset_index()
    table.insert(1, "role", [role_of(idata, p.split("[", 1)[0]).name for p in table["parameter"]])
    stats = getattr(idata, "sample_stats", {})
    n_div = int(stats["diverging"].sum()) if "diverging" in stats else 0
    depth_var = next((v for v in ("maxdepth_reached", "reached_max_treedepth") if v in stats), None)
    n_depth = int(stats[depth_var].sum()) if depth_var else 0

    problems = []
    fails = _failing(table, criteria)
    undefined = table.loc[table["r_hat"].isna(), "parameter"]
    if len(undefined):  # constant draws: the chains never moved
        problems.append(f"R-hat undefined (constant draws) ({', '.join(undefined)})")
    if (table["r_hat"] >= criteria.max_rhat).any():
        worst = table.loc[table["r_hat"].idxmax()]
        problems.append(f"R-hat {worst['r_hat']:.3f} >= {criteria.max_rhat} ({worst['parameter']})")
    for col, limit in (("ess_bulk", criteria.min_ess_bulk), ("ess_tail", criteria.min_ess_tail)):
        if fails[col].any():
            worst = table.loc[table[col].idxmin()]
            problems.append(f"{col} {worst[col]:.0f} < {limit:g} ({worst['parameter']})")
    if n_div > criteria.max_divergences:
        problems.append(f"{n_div} divergent transition{'' if n_div == 1 else 's'} (allowed: "
                        f"{criteria.max_divergences})")
    return Convergence(table, not problems, n_div, n_depth, tuple(problems), criteria)


def _failing(table: pd.DataFrame, criteria: ConvergenceCriteria) -> dict[str, pd.Series]:
    """Per criterion, the rows of a diagnostics table that fail it (a value that could not
    be computed fails)."""
    return {"r_hat": ~(table["r_hat"] < criteria.max_rhat),
            "ess_bulk": ~(table["ess_bulk"] >= criteria.min_ess_bulk),
            "ess_tail": ~(table["ess_tail"] >= criteria.min_ess_tail)}


def failing_parameters(conv: Convergence) -> pd.DataFrame:
    """The rows of a verdict's table that fail R-hat or ESS, worst R-hat first."""
    fails = _failing(conv.table, conv.criteria)
    bad = fails["r_hat"] | fails["ess_bulk"] | fails["ess_tail"]
    return conv.table[bad].sort_values(["r_hat", "ess_bulk"], ascending=[False, True])


def remedies(conv: Convergence, *, shown: int = 5) -> str:
    """What failed in a fit that did not converge and what to try, in words for a log line,
    an error message or a report.

    The parameters that fail R-hat or ESS are named (at most ``shown``); what to change
    comes from their roles (:data:`bayesnma.parameters.ROLES`), and for divergences from
    every variance parameter of the model, since a funnel between a variance and the
    effects it scales is their usual cause.
    """
    if conv.converged:
        return ""
    failing = failing_parameters(conv)
    words = []
    if len(failing):
        names = [f"{r.parameter} (R-hat {r.r_hat:.3f}, bulk ESS {r.ess_bulk:.0f}, tail ESS "
                 f"{r.ess_tail:.0f})" for r in failing.head(shown).itertuples()]
        more = f" and {len(failing) - shown} more" if len(failing) > shown else ""
        words.append(f"Parameters that failed R-hat or ESS: {', '.join(names)}{more}.")
    roles = list(dict.fromkeys(failing["role"]))
    if conv.diverged:
        roles += [r for r in dict.fromkeys(conv.table["role"])
                  if r.endswith(("_sd", "heterogeneity")) and r not in roles]
    tries = list(dict.fromkeys(ROLES[r].remedy for r in roles if ROLES[r].remedy))
    if conv.mixing_problems:
        tries.append("more draws (sampler.draws)")
    if tries:
        words.append("What to try: " + "; ".join(tries) + ".")
    return " ".join(words)
