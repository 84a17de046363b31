"""What drives a ranking: each study left out in turn and the model refitted.

A leave-one-study-out influence analysis compares, for every treatment, its effect against
the reference and its SUCRA without each study with those of the whole analysis. Exact
refits, not importance sampling: with one or two studies per comparison (the usual sparse
network) a study's removal changes the posterior far more than PSIS can reweight (Pareto
k above 0.7 for most studies of the HCC analyses).

Post-processing only: functions take tables and return tables; the refits are made by
:func:`bayesnma.workflow.assess_influence`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["INFLUENCE_COLUMNS", "LEFT_OUT", "NOT_IN_NETWORK", "influence_table",
           "study_influence"]

#: The reason a refit gives for the study it leaves out (shown in its data notes).
LEFT_OUT = "left out in turn (influence analysis)"

#: Why a treatment has no estimate without a study that had it.
NOT_IN_NETWORK = "not in the network without this study"

#: Columns of :func:`influence_table`.
INFLUENCE_COLUMNS = ["study", "component", "treatment", "trt_ref", "scale", "median", "q2.5",
                     "q97.5", "median_without", "q2.5_without", "q97.5_without", "shift",
                     "shift_in_sd", "sucra", "sucra_without", "sucra_change",
                     "mcse_sucra", "mcse_sucra_without", "same_ranking_set", "converged",
                     "note"]


def influence_table(main_effects: pd.DataFrame, main_ranks: pd.DataFrame, trt_refs: dict,
                    refits: list[dict]) -> pd.DataFrame:
    """Every treatment's effect against its reference and SUCRA, with and without each study.

    Parameters
    ----------
    main_effects, main_ranks : pandas.DataFrame
        The analysis' relative effects and rankings (every component, with a ``component``
        column): :func:`bayesnma.effects.relative_effects` and
        :func:`bayesnma.ranking.posterior_ranks`.
    trt_refs : dict
        Component -> its reference treatment.
    refits : list of dict
        One per study left out: ``study``; ``components``, the components that had it
        (the others do not change and get no rows); ``parts``, a list of ``{"component", "trt_ref",
        "effects", "ranks", "main_ranks", "converged"}`` (the refit of the part of the
        network left without the study that keeps most of a component, ``component`` that
        component's label in the whole analysis; ``effects`` against ``trt_ref``, the
        component's reference or, if the study was its only one, another; ``main_ranks``
        the whole analysis ranked among the treatments ``ranks`` ranks); ``note``, what
        changed (another reference) or why nothing could be refitted.

    Returns
    -------
    pandas.DataFrame
        One row per (study, treatment) with :data:`INFLUENCE_COLUMNS`: the effect (median
        and 95% CrI on the natural scale) with and without the study, ``shift`` (the change
        of the median on the model scale, e.g. log OR) and ``shift_in_sd`` (that change in
        posterior SDs of the whole analysis), SUCRA with and without and its change, with
        their Monte Carlo standard errors (both among the treatments the refit ranks: with
        every study among those only, so that a treatment only the study had does not move
        the others' SUCRA), ``same_ranking_set`` (False when the refit ranks fewer
        treatments than the whole analysis), ``converged`` and ``note`` (why a treatment
        has no estimate without the study, or against which reference when the study was
        the reference's only one).
    """
    model_scale, natural = _scales(main_effects)
    rows = []
    for refit in refits:
        by_component = {p["component"]: p for p in refit["parts"]}
        for comp in refit["components"]:
            main_ref = trt_refs[comp]
            part = by_component.get(comp)
            ref = part["trt_ref"] if part is not None else main_ref
            main_rk = main_ranks[main_ranks["component"] == comp].set_index("treatment")
            main_eff = main_effects[(main_effects["component"] == comp)
                                    & (main_effects["comparator"] == ref)]
            treatments = list(dict.fromkeys([ref, *main_rk.index, *main_eff["treatment"]]))
            if part is not None:
                eff = part["effects"][part["effects"]["comparator"] == ref]
                ranks = part["ranks"].set_index("treatment")
                whole = part["main_ranks"].set_index("treatment")
                same_set = set(ranks.index) == set(main_rk.index)
            for trt in treatments:
                row = {"study": refit["study"], "component": comp, "treatment": trt,
                       "trt_ref": ref, "scale": natural, "same_ranking_set": False,
                       "converged": np.nan, "note": refit["note"]}
                row.update(_effect(main_eff, trt, model_scale, natural, ""))
                if trt in main_rk.index:
                    row["sucra"] = main_rk.loc[trt, "sucra"]
                    row["mcse_sucra"] = main_rk.loc[trt].get("mcse_sucra", np.nan)
                if part is None:
                    row["note"] = refit["note"] or ("no comparison left in its part of the "
                                                    "network without this study")
                    rows.append(row)
                    continue
                row["converged"] = bool(part["converged"])
                if trt != ref and trt not in set(eff["treatment"]):
                    row["note"] = NOT_IN_NETWORK
                    rows.append(row)
                    continue
                row.update(_effect(eff, trt, model_scale, natural, "_without"))
                if trt in ranks.index and trt in whole.index:
                    row["sucra"] = whole.loc[trt, "sucra"]
                    row["sucra_without"] = ranks.loc[trt, "sucra"]
                    row["mcse_sucra"] = whole.loc[trt].get("mcse_sucra", np.nan)
                    row["mcse_sucra_without"] = ranks.loc[trt].get("mcse_sucra", np.nan)
                    row["same_ranking_set"] = same_set
                rows.append(row)
    helpers = ["median_model", "sd_model", "median_without_model"]
    table = pd.DataFrame(rows).reindex(columns=[*INFLUENCE_COLUMNS, *helpers])
    table["shift"] = table["median_without_model"] - table["median_model"]
    table["shift_in_sd"] = table["shift"] / table["sd_model"]
    table["sucra_change"] = table["sucra_without"] - table["sucra"]
    return table[INFLUENCE_COLUMNS]


def _scales(effects: pd.DataFrame) -> tuple[str, str]:
    """The model scale (``log OR``) and the natural scale (``OR``; the same for
    differences) of a relative-effects table."""
    scales = list(dict.fromkeys(effects["scale"].astype(str)))
    model = next((s for s in scales if s.startswith("log ")), scales[0])
    natural = next((s for s in scales if not s.startswith("log ")), model)
    return model, natural


def _effect(effects: pd.DataFrame, trt: str, model_scale: str, natural: str,
            suffix: str) -> dict:
    """A treatment's median and 95% CrI on the natural scale, and its median and SD on the
    model scale (for the shift), named with ``suffix``; nothing for the reference."""
    rows = effects[effects["treatment"] == trt].set_index("scale")
    if not len(rows):
        return {}
    nat, mod = rows.loc[natural], rows.loc[model_scale]
    return {f"median{suffix}": nat["median"], f"q2.5{suffix}": nat["q2.5"],
            f"q97.5{suffix}": nat["q97.5"], f"median{suffix}_model": mod["median"],
            f"sd{suffix}_model": mod["sd"]}


def study_influence(table: pd.DataFrame) -> pd.DataFrame:
    """Per study left out: the treatment whose SUCRA moves most and the one whose effect
    moves most, in posterior SDs (among refits that converged); the treatments the network
    loses; most influential first.

    Returns
    -------
    pandas.DataFrame
        Columns ``study``, ``converged``, ``sucra_treatment``, ``sucra``,
        ``sucra_without``, ``sucra_change`` (with ``mcse_sucra`` and
        ``mcse_sucra_without``), ``shift_treatment``, ``shift_in_sd``, ``lost`` and
        ``note``, sorted by the absolute SUCRA change, then the absolute shift.
    """
    out = []
    for study, rows in table.groupby("study", sort=False):
        ok = rows[_flag(rows["converged"], missing=False)]
        comparable = ok[ok["sucra_change"].notna()]
        shifted = ok[ok["shift_in_sd"].notna()]
        entry = {"study": study,
                 "converged": bool(_flag(rows["converged"], missing=True).all()),
                 "sucra_treatment": "", "sucra": np.nan, "sucra_without": np.nan,
                 "sucra_change": np.nan, "mcse_sucra": np.nan, "mcse_sucra_without": np.nan,
                 "shift_treatment": "", "shift_in_sd": np.nan,
                 "lost": ", ".join(rows.loc[(rows["treatment"] != rows["trt_ref"])
                                            & rows["median_without"].isna(), "treatment"]),
                 # the treatments gone are in ``lost``
                 "note": "; ".join(dict.fromkeys(n for n in rows["note"]
                                                 if n and n != NOT_IN_NETWORK))}
        if len(comparable):
            top = comparable.loc[comparable["sucra_change"].abs().idxmax()]
            entry.update({"sucra_treatment": top["treatment"],
                          **{c: top[c] for c in ("sucra", "sucra_without", "sucra_change",
                                                 "mcse_sucra", "mcse_sucra_without")}})
        if len(shifted):
            top = shifted.loc[shifted["shift_in_sd"].abs().idxmax()]
            entry.update(shift_treatment=top["treatment"], shift_in_sd=top["shift_in_sd"])
        out.append(entry)
    summary = pd.DataFrame(out)
    if not len(summary):
        return summary
    order = summary.assign(a=summary["sucra_change"].abs().fillna(-1),
                           b=summary["shift_in_sd"].abs().fillna(-1))
    return summary.loc[order.sort_values(["a", "b", "study"], ascending=[False, False, True])
                       .index].reset_index(drop=True)


def _flag(values: pd.Series, *, missing: bool) -> pd.Series:
    """A column of True/False/missing as booleans, missing as ``missing``."""
    return values.map(lambda v: missing if pd.isna(v) else bool(v)).astype(bool)
