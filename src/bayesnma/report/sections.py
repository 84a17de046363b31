"""The sections of an analysis' report below its answer: structured effects,
heterogeneity, consistency, certainty tables, convergence, methods, sensitivity and
influence."""

from __future__ import annotations

import json

import pandas as pd

from bayesnma import __version__
from bayesnma.data import likelihood_of
from bayesnma.diagnostics import is_prior_bound
from bayesnma.effects import natural_scale
from bayesnma.report.cells import (
    Table,
    _cell,
    _effect_cell,
    _effects_table,
    _img,
    _make_table,
    _mc_num,
    _num,
    _sucra,
    _table,
)
from bayesnma.variants import VARIANTS


def _prior_bound(parts: dict) -> list[str]:
    """Key parameters whose posterior is essentially their prior, by component."""
    out = []
    for label, part in parts.items():
        params = part["tables"].get("parameters", pd.DataFrame())
        for _, row in params.iterrows():
            if is_prior_bound(row.get("verdict", "")):
                out.append(f"{label}: {row['parameter']} ({row['role']})")
    return out


def _wide(long: pd.DataFrame, index: list[str], columns: str) -> pd.DataFrame:
    """One column per value of ``columns`` (in order of appearance) holding ``cell``."""
    wide = long.pivot_table(index=index, columns=columns, values="cell", aggfunc="first",
                            sort=False)[list(dict.fromkeys(long[columns]))].reset_index()
    wide.columns.name = None
    return wide


def _covariates(tables, trt_ref: str) -> dict | None:
    """Relative effects vs the reference and SUCRA at each covariate setting."""
    eff, ranks = tables.get("covariate_effects"), tables.get("covariate_ranks")
    if eff is None or not len(eff):
        return None
    settings = list(dict.fromkeys(ranks["setting"]))
    vs_ref = natural_scale(eff[eff["comparator"] == trt_ref])
    cells = {(r["setting"], r["treatment"]): _effect_cell(r) for _, r in vs_ref.iterrows()}
    rows = []
    for _, r in ranks.iterrows():
        effect = cells.get((r["setting"], r["treatment"]), "reference")
        rows.append({"treatment": r["treatment"], "setting": r["setting"],
                     "cell": f"{effect}; SUCRA {_sucra(r)}"})
    params = tables.get("parameters", pd.DataFrame(columns=["parameter", "verdict"]))
    bound = params[params["parameter"].str.startswith("beta")
                   & params["verdict"].map(is_prior_bound).astype(bool)]
    return {"reference": trt_ref, "centre": settings[0],
            "table": _table(_wide(pd.DataFrame(rows), ["treatment"], "setting")),
            "prior_bound": ", ".join(bound["parameter"])}


def _classes(tables) -> dict | None:
    """Class-level ranking and effects vs the reference treatment's class."""
    eff, ranks = tables.get("class_effects"), tables.get("class_ranks")
    if ranks is None or not len(ranks):
        return None
    first = str(ranks["class"].iat[0]) if not len(eff) else str(eff["class"].iat[0])
    vs_ref = natural_scale(eff[eff["comparator"] == first])
    cells = dict(zip(vs_ref["class"], vs_ref.apply(_effect_cell, axis=1), strict=True))
    keep = ranks.copy()
    keep.insert(int(keep.columns.get_loc("class")) + 1, f"effect vs {first}",
                keep["class"].map(cells).fillna("reference class"))
    return {"reference": first, "table": _table(keep)}


def _heterogeneity(tables) -> list[dict]:
    """tau's prior and posterior in words, one per heterogeneity parameter."""
    het = tables.get("heterogeneity")
    out = []
    for _, row in (het.iterrows() if het is not None else ()):
        bound = is_prior_bound(row["verdict"])
        out.append({"bound": bound, "parameter": row["parameter"], "verdict": row["verdict"],
                    "text": f"Prior {row['prior']}: median {_num(row['prior_median'])} "
                            f"({_num(row['prior_q2.5'])} to {_num(row['prior_q97.5'])}); "
                            f"posterior median {_num(row['median'])} ({_num(row['q2.5'])} to "
                            f"{_num(row['q97.5'])})."})
    return out


def _consistency(checks: dict) -> dict | None:
    """Model checking and consistency of one component (from ``check_consistency``)."""
    tables, figs = checks["tables"], checks["figures"]
    if not tables:
        return None
    verdict = tables["verdict"].iloc[0]
    loo = tables.get("loo_pointwise")
    high = (list(map(str, loo.loc[loo["high_k"].astype(bool), "loo_unit"]))
            if loo is not None else [])
    return {
        "verdict": verdict["verdict"], "n_splittable": int(verdict["n_splittable"]),
        "n_split": int(verdict["n_split"]),
        "comparison": _table(tables["model_comparison"]),
        "variants": [{"intro": part.intro, "tables": [_table(tables[t]) for t in part.tables],
                      "figures": [(_img(figs.get(f)), alt) for f, alt in part.figures]}
                     for part in (v.report_section(tables) for v in VARIANTS.values())
                     if part is not None],
        "high_k": ", ".join(high), "leverage": _img(figs.get("leverage"))}


def _component(label, part, comp, conv) -> dict:
    tables, figs = part["tables"], part["figures"]
    ranks = tables["ranks"]
    checks = _consistency(part.get("consistency", {"tables": {}, "figures": {}}))
    at = tables.get("covariate_ranks")
    eff = tables["relative_effects"]
    diag = tables["diagnostics"]
    params = tables.get("parameters")
    return {
        "label": label, "id": f"component-{label}", "treatments": list(comp["treatments"]),
        "studies": list(comp["studies"]), "reference": comp["trt_ref"],
        "converged": bool(conv["converged"]), "model_notes": part.get("model_notes", ()),
        "ranked": len(ranks) >= 3,
        "ranks": _table(ranks),
        "at_setting": (str(at["setting"].iat[0]) if at is not None and len(at) else None),
        "cumulative_ranks": _img(figs["cumulative_ranks"]),
        "rankogram": _img(figs["rankogram"]),
        "forest": _img(figs["forest"]),
        "effects": _effects_table(eff[eff["comparator"] == comp["trt_ref"]]),
        "certainty": _certainty_tables(tables.get("certainty"), eff),
        "league": _table(tables["league_table"], drop=("cell",)),
        "league_heatmap": _img(figs["league_heatmap"]),
        "covariates": _covariates(tables, comp["trt_ref"]),
        "classes": _classes(tables),
        "heterogeneity": _heterogeneity(tables),
        "heterogeneity_figure": _img(figs.get("heterogeneity")),
        "parameters": (_table(params) if params is not None and len(params) else None),
        "model_fit": _make_table(["quantity", "value"],
                                 [[q.replace("_", " "), _cell(v, q)] for q, v in
                                  zip(tables["model_fit"]["quantity"],
                                      tables["model_fit"]["value"], strict=True)]),
        "consistency": checks,
        "convergence": _table(pd.DataFrame([conv]).reset_index(drop=True)),
        "attempts": _attempts(part.get("attempts", [])),
        "remedies": part.get("remedies", ""),
        "diagnostics": _table(diag[~diag["parameter"].str.startswith("z[")],
                              keep=("mcse_mean",)),
        "trace": _img(figs["trace"]), "chain_ranks": _img(figs["chain_ranks"]),
    }


#: Domain columns of ``certainty.csv`` and their headings.
_DOMAIN_HEADINGS = {"within_study_bias": "within-study bias", "reporting_bias": "reporting bias",
                    "indirectness": "indirectness", "imprecision": "imprecision",
                    "heterogeneity": "heterogeneity", "incoherence": "incoherence",
                    "placement": "placement"}


def _certainty_tables(rating: pd.DataFrame | None, effects: pd.DataFrame) -> dict | None:
    """Each relative effect (from ``effects``, to its Monte Carlo digits) with its judgement
    per domain and overall certainty, and every judgement's reason (for a collapsed list)."""
    if rating is None or not len(rating):
        return None
    nat = natural_scale(effects).set_index(["treatment", "comparator"])
    cells = [_effect_cell(nat.loc[(t, c)]) for t, c in zip(rating["treatment"],
                                                             rating["comparator"], strict=True)]
    summary = pd.DataFrame({"comparison": rating["treatment"] + " vs " + rating["comparator"],
                            f"{nat['scale'].iat[0]} (95% CrI)": cells,
                            **{head: rating[col] for col, head in _DOMAIN_HEADINGS.items()},
                            "certainty": rating["certainty"]})
    reasons = [(f"{r['treatment']} vs {r['comparator']}",
                [f"{head}: {r[col]}: {r[col + '_reason']}" for col, head in
                 _DOMAIN_HEADINGS.items()] + [f"overall: {r['certainty']} "
                                              f"({r['certainty_reason']})"])
               for _, r in rating.iterrows()]
    return {"table": _table(summary), "reasons": reasons}


def _checks_not_converged(parts: dict) -> str:
    """The consistency-check fits (UME, node-splits) that failed the convergence
    criteria, by component (``c1: ume, ns2``)."""
    out = []
    for label, part in parts.items():
        comparison = part.get("consistency", {}).get("tables", {}).get("model_comparison")
        if comparison is not None and "converged" in comparison:
            bad = comparison.loc[~comparison["converged"].astype(bool), "model"]
            if len(bad):
                out.append(f"{label}: {', '.join(bad)}")
    return "; ".join(out)


def _attempts(attempts: list[dict]) -> Table | None:
    """The sampler's attempts at a fit (see ``sampler.retries``), when there was a retry."""
    if len(attempts) < 2:
        return None
    return _make_table(
        ["attempt", "target_accept", "tune", "draws", "result"],
        [[str(k), f"{a['target_accept']:g}", f"{a['tune']:,}", f"{a['draws']:,}",
          "; ".join(a["problems"]) or "converged"] for k, a in enumerate(attempts, 1)])


# --- methods ------------------------------------------------------------------------------


def _software(parts: dict) -> str:
    """Package versions the fits ran on (one line per distinct set)."""
    sets = list(dict.fromkeys(p.get("versions", "{}") for p in parts.values()))
    lines = [", ".join(f"{k} {v}" for k, v in json.loads(s).items()) for s in sets]
    return "; ".join(line for line in lines if line) or f"bayesnma {__version__}"


def _methods(cfg, measure, formats, parts) -> list[tuple[str, str]]:
    likelihoods = "; ".join(f"{f}: {lik.family} likelihood, {lik.link} link"
                            for f, lik in ((f, likelihood_of(f)) for f in formats))
    rows = {"data": "; ".join(src.describe() for src in cfg.sources),
            "effect measure": f"{measure.name} ({measure.code}), modelled as "
                              f"{measure.model_scale}; {measure.better_if(cfg.lower_better)}",
            "model": f"{cfg.trt_effects} effects, NICE DSU TSD2 consistency model "
                     f"({likelihoods}"
                     + ("; random effects correlated 0.5 in multi-arm studies)"
                        if cfg.trt_effects == "random" else ")")}
    rows.update(cfg.priors.describe())
    if cfg.regression is not None:
        reg = cfg.regression
        rows["meta-regression"] = (
            f"{reg.interactions} interactions with "
            + ", ".join([*reg.covariates, *(["baseline risk"] if reg.baseline_risk else [])])
            + f"; coefficients ~ {reg.prior}")
    if cfg.baseline is not None and cfg.baseline.exchangeable:
        rows["baselines"] = cfg.baseline.describe()
    if cfg.disconnected == "bridge":
        rows["disconnected parts"] = ("one model of the whole network, its parts placed by the "
                                      "class model and/or exchangeable baselines (see the "
                                      "summary: placed by)")
    if cfg.class_effects:
        ce = cfg.class_effects
        rows["class effects"] = (f"{ce.get('model', 'exchangeable')} class effects"
                                 + (f"; at the class mean: {', '.join(ce['at_class_mean'])}"
                                    if ce.get("at_class_mean") else ""))
    if cfg.trt_effects == "fixed":
        rows.pop("tau (heterogeneity SD)", None)
    s = cfg.sampler
    rows["sampler"] = (f"{s.backend} NUTS, {s.chains} chains x {s.draws:,} draws after "
                       f"{s.tune:,} tuning, seed {s.random_seed}, target_accept "
                       f"{s.target_accept}"
                       + (f"; a fit that fails the convergence criteria is refitted up to "
                          f"{s.retries} time(s), each with 1 - target_accept cut tenfold, "
                          "twice the tuning and, when R-hat or ESS failed, twice the draws"
                          if s.retries else "")
                       + "".join(f"; {label}'s estimates come from attempt {len(a)} "
                                 f"(target_accept {a[-1]['target_accept']:g}, "
                                 f"{a[-1]['tune']:,} tuning, {a[-1]['draws']:,} draws)"
                                 for label, part in parts.items()
                                 if len(a := part.get("attempts", [])) > 1))
    c = cfg.convergence
    rows["convergence criteria"] = (f"R-hat < {c.max_rhat}, bulk and tail ESS >= "
                                    f"{c.min_ess_bulk:,g}, divergences <= {c.max_divergences}")
    rows["software"] = _software(parts)
    rows["reproducibility"] = _reproducibility(parts)
    return [(k, str(v)) for k, v in rows.items()]


def _reproducibility(parts: dict) -> str:
    """Where the fits ran and what a rerun gives."""
    fitted = [p.get("fitted_on", ("", "")) for p in parts.values()]
    machines = sorted({machine for machine, _ in fitted if machine})
    flags = sorted({flag for _, flag in fitted if flag})
    where = (f"fitted on {' and '.join(machines)}" + (f" with compile flags {'; '.join(flags)}"
                                                       if flags else "")
             + ": a rerun with the same data, config, seed and lock on this machine type "
               "gives byte-identical tables (bayesnma check); elsewhere they differ within "
               "Monte Carlo error. " if machines else "")
    return (where + "Effects, probabilities and SUCRA are printed with no more decimals than "
            "their Monte Carlo standard error supports (one unit of the last digit at least "
            "twice the error); the CSV tables give the errors (mcse_ columns).")


def _sensitivity(table: pd.DataFrame, figure: bytes | None) -> dict:
    """Effects and SUCRA of every treatment under each scenario, side by side."""
    def cell(r):
        flag = "" if bool(r.get("converged", True)) else " [NOT CONVERGED]"
        if pd.isna(r["median"]):
            return f"reference; SUCRA {_sucra(r)}{flag}"
        return f"{_effect_cell(r)}; SUCRA {_sucra(r)}{flag}"

    converged = table.get("converged", pd.Series(True, table.index)).astype(bool)
    fit_cols = [c for c in ("resdev_mean", "n_data_points", "pD", "DIC", "elpd_loo",
                            "elpd_loo_se") if c in table]
    per = table.drop_duplicates(["scenario", "component"])[
        ["scenario", "component", "tau_median", "tau_verdict", *fit_cols]]
    return {
        "scenarios": [(str(a), str(b)) for a, b in
                      table[["scenario", "description"]].drop_duplicates().values],
        "figure": _img(figure),
        "table": _table(_wide(table.assign(cell=table.apply(cell, axis=1)),
                              ["component", "treatment", "reference", "scale"], "scenario"),
                        keep=("component",)),
        "not_converged": ", ".join(table.loc[~converged, "scenario"].unique()),
        # ``component`` stays: scenarios may split the network differently.
        "fit": _table(per, keep=("component",)),
    }


def influence_sentence(studies: pd.DataFrame | None) -> str:
    """What moves most when each study is left out in turn, in one sentence
    (:func:`bayesnma.influence.study_influence`; empty without an influence analysis)."""
    if studies is None or not len(studies):
        return ""
    words = []
    moved = studies[studies["sucra_change"].notna()]
    if len(moved):
        top = moved.loc[moved["sucra_change"].abs().idxmax()]
        words.append(f"the largest move of a SUCRA is {top['sucra_treatment']}'s, from "
                     f"{_mc_num(top['sucra'], top['mcse_sucra'])} to "
                     f"{_mc_num(top['sucra_without'], top['mcse_sucra_without'])} without "
                     f"{top['study']}")
    shifted = studies[studies["shift_in_sd"].notna()]
    if len(shifted):
        top = shifted.loc[shifted["shift_in_sd"].abs().idxmax()]
        words.append(f"the largest move of an effect is {top['shift_treatment']}'s, by "
                     f"{abs(top['shift_in_sd']):.1f} posterior SDs without {top['study']}")
    lost = studies["lost"].fillna("").astype(str)
    if (lost != "").any():
        words.append("without one study, these cannot be estimated: " + "; ".join(
            f"{trts} ({study})" for study, trts in zip(studies["study"], lost, strict=True)
            if trts))
    failed = studies.loc[~studies["converged"].astype(bool), "study"]
    if len(failed):
        words.append(f"the refits without {', '.join(failed)} did not converge and are left "
                     "out of these moves")
    return "Each study left out in turn: " + "; ".join(words) + "."


def _influence(studies: pd.DataFrame, figure: bytes | None, scale: str) -> dict:
    """The influence section: the sentence, the figure and per study what moves most."""
    rows = [{"study left out": r["study"],
             "refit converged": bool(r["converged"]),
             "SUCRA that moves most": (
                 f"{r['sucra_treatment']}: {_mc_num(r['sucra'], r['mcse_sucra'])} to "
                 f"{_mc_num(r['sucra_without'], r['mcse_sucra_without'])}"
                 if pd.notna(r["sucra_change"]) else "–"),
             "effect that moves most": (
                 f"{r['shift_treatment']}: {r['shift_in_sd']:+.1f} SD"
                 if pd.notna(r["shift_in_sd"]) else "–"),
             "not estimable without it": r["lost"] if isinstance(r["lost"], str) and r["lost"]
             else "–",
             "note": r["note"] if isinstance(r["note"], str) and r["note"] else "–"}
            for _, r in studies.iterrows()]
    return {"sentence": influence_sentence(studies), "figure": _img(figure),
            "table": _make_table(list(rows[0]), [[_cell(v) for v in row.values()]
                                                 for row in rows]),
            "n": len(studies), "scale": scale}


# --- pages ----------------------------------------------------------------------------------
