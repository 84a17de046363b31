"""What the report claims and how surely: the headline of a ranking, the certainty beside
each claim, the answer for a component, and the run's summary for the terminal."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bayesnma.certainty import ANCHORED, CERTAINTY_LEVELS
from bayesnma.effects import natural_scale
from bayesnma.report.cells import _effect_cell, _mc_num, _num, _sucra, _table
from bayesnma.report.sections import influence_sentence


def _caution(n_r: int, n_o: int, n_s: int, n_patients, *, is_ref: bool) -> str:
    """Next to a treatment's rank: what its place rests on when no randomised study
    compares it, with how many patients that evidence has."""
    if n_r or is_ref or not (n_o or n_s):
        return ""
    kind = " and ".join(k for k, n in (("observational", n_o), ("single-arm", n_s)) if n)
    n = n_o + n_s
    size = f", {n_patients:.0f} patients" if pd.notna(n_patients) else ""
    return f"{kind} evidence only ({n} stud{'y' if n == 1 else 'ies'}{size})"


def _spans_half(row, n: int) -> bool:
    """Whether a treatment's 95% rank interval spans half the ranks or more."""
    return (row["q97.5"] - row["q2.5"] + 1) >= (n + 1) / 2


def claim_certainty(rating: pd.DataFrame | None, trt: str, others) -> tuple[str, str]:
    """The certainty of a claim about ``trt`` against ``others``: that of its least certain
    comparison with them (a claim is no more certain than its weakest comparison), with
    that comparison's reason; ``("", "")`` without a rating."""
    if rating is None or not len(rating):
        return "", ""
    rows = rating[((rating["treatment"] == trt) & rating["comparator"].isin(others))
                  | ((rating["comparator"] == trt) & rating["treatment"].isin(others))]
    if not len(rows):
        return "", ""
    worst = rows.loc[rows["certainty"].map(CERTAINTY_LEVELS.index).idxmax()]
    other = worst["comparator"] if worst["treatment"] == trt else worst["treatment"]
    return str(worst["certainty"]), f"vs {other}: {worst['certainty_reason']}"


def _headline(ranks: pd.DataFrame, placed_by: dict, rating: pd.DataFrame | None = None) -> str:
    """The ranking's claim: which treatment is best and how sure that is, named only when
    it is placed by comparisons, its rank interval spans less than half the ranks and the
    certainty of its comparisons with the other treatments placed by comparisons is not
    very low (``rating``: the component's certainty table)."""
    n = len(ranks)
    anchored = [placed_by.get(t, ANCHORED[1]) in ANCHORED for t in ranks["treatment"]]
    words, scope, nobody = [], "", "no treatment"
    top = ranks.iloc[0]
    if not anchored[0]:
        words.append(f"{top['treatment']} ranks first by SUCRA ({_sucra(top)}), but its place "
                     f"rests on an assumption ({placed_by[top['treatment']]}), not on "
                     "comparisons: it is not named best.")
        if not any(anchored):
            return " ".join(words)
        top = ranks[anchored].iloc[0]
        scope, nobody = "of the treatments placed by comparisons, ", "none"
    p_best = float(top.get("p_best", np.nan))
    shown = _mc_num(p_best, top.get("mcse_p_best"))
    rank = f"median rank {top['median_rank']}, 95% CrI {top['q2.5']}-{top['q97.5']}"
    rivals = [t for t, a in zip(ranks["treatment"], anchored, strict=True)
              if a and t != top["treatment"]]
    level, why = claim_certainty(rating, top["treatment"], rivals)
    if _spans_half(top, n):
        claim = (f"{scope}{nobody} is clearly the best: {top['treatment']} ranks first (SUCRA "
                 f"{_sucra(top)}; probability of being best {shown}) but its 95% rank "
                 f"interval ({top['q2.5']}-{top['q97.5']}) spans half the ranks or more.")
    elif level == "very low":
        claim = (f"{scope}{nobody} is shown to be the best: {top['treatment']} ranks first "
                 f"(SUCRA {_sucra(top)}; probability of being best {shown}) but the "
                 f"certainty of its comparisons is very low ({why}).")
    elif p_best >= 0.9:
        claim = f"{scope}{top['treatment']} is very likely the best (probability {shown}; {rank})."
    elif p_best >= 0.5:
        claim = f"{scope}{top['treatment']} is probably the best (probability {shown}; {rank})."
    else:
        claim = (f"{scope}{nobody} is likely the best: {top['treatment']} ranks first by SUCRA "
                 f"({_sucra(top)}) but its probability of being best is {shown} ({rank}).")
    if level and level != "very low" and not _spans_half(top, n) and p_best >= 0.5:
        claim = claim[:-1] + f"; certainty {level}."
    words.append(claim[0].upper() + claim[1:])
    return " ".join(words)


def _certainty(ranks: pd.DataFrame, cautions: dict, measure_code: str,
               placed_by: dict | None = None, rating: pd.DataFrame | None = None) -> list[str]:
    """The answer of one ranking in words: which treatment is likely best, how sure that
    is, and what it rests on (``placed_by``: treatment -> what places it; ``rating``: the
    certainty of each relative effect)."""
    n = len(ranks)
    out = [_headline(ranks, placed_by or {}, rating)]
    wide = int(sum(_spans_half(r, n) for _, r in ranks.iterrows()))
    out.append(f"{wide} of {n} treatments have a 95% rank interval spanning half the ranks "
               "or more: their order is uncertain." if wide else
               "Every treatment's 95% rank interval spans less than half the ranks.")
    top = ranks.iloc[0]
    if cautions.get(top["treatment"]):
        out.append(f"{top['treatment']}'s place rests on {cautions[top['treatment']]}.")
    out.append(f"The relative effects ({measure_code}) below say how large the differences "
               "are.")
    return out


#: What places a treatment whose effect the prior on d sets, for the headline's rules.
PRIOR_SET_PLACEMENT = ("the prior on d: zero or full cells leave its effect unbounded by the "
                       "data")


def _prior_set(table: pd.DataFrame | None, measure) -> dict[str, str]:
    """Treatment -> a caution for each effect the prior on d sets
    (:func:`bayesnma.diagnostics.prior_set_effects`), with the effect under a prior half
    as wide."""
    if table is None or not len(table):
        return {}
    out = {}
    for _, r in table[table["prior_set"].astype(bool)].iterrows():
        values = [r["median_halved"], r["q2.5_halved"], r["q97.5_halved"]]
        if measure.ratio:
            values = np.exp(values)
        median, lo, hi = map(_num, values)
        out[r["treatment"]] = (f"effect set by the prior on d ({r['prior']}), not bounded by "
                               "the data (zero or full cells); with "
                               f"{r['halved_prior']}: {measure.code} {median} ({lo} to {hi})")
    return out


def _answer(parts: dict, components, evidence, sensitivity, measure, cfg, *,
            influence=None) -> dict:
    """The ranking, how certain it is, what places each treatment, how the ranking moves
    across the sensitivity analyses and which study moves it most (``influence``:
    :func:`bayesnma.influence.study_influence`): the report's first section."""
    intro = (f"{cfg.description or 'The analysis as configured'}. Rank 1 = best "
             f"({measure.better_if(cfg.lower_better)}). Evidence counts the randomised (R), "
             "observational (O) and single-arm (S) studies of each treatment; placed by says "
             "what connects it to the reference. The GRADE classification groups each "
             "treatment against the reference by its 95% CrI, worded by the certainty of "
             "that comparison (Certainty of evidence gives each domain's judgement).")
    if sensitivity is not None:
        intro += (" SUCRA across scenarios is its lowest and highest SUCRA over the "
                  "sensitivity analyses that converged, rank the same treatments and rest on "
                  "nothing the data leave at its prior; the others (not converged, ranking it "
                  "among other treatments or not at all, or resting on an interaction the "
                  "data do not inform) are counted beside it.")
    ev = evidence.set_index("treatment") if evidence is not None and len(evidence) else None
    blocks = []
    for label, part in parts.items():
        ranks = part["tables"]["ranks"].reset_index(drop=True)
        ref = components.set_index("component").loc[label, "trt_ref"]
        eff = natural_scale(part["tables"]["relative_effects"])
        vs_ref = {r["treatment"]: _effect_cell(r)
                  for _, r in eff[eff["comparator"] == ref].iterrows()}
        ranked = len(ranks) >= 3
        unbounded = _prior_set(part["tables"].get("prior_sensitivity"), measure)
        classification = part["tables"].get("classification")
        classes = (classification.set_index("treatment") if classification is not None
                   else pd.DataFrame())
        rows, cautions = [], {}
        for _, r in ranks.iterrows():
            trt = r["treatment"]
            row = {"treatment": trt}
            if ranked:
                row.update({"SUCRA": _sucra(r),
                            "rank (95% CrI)": f"{r['median_rank']} ({r['q2.5']}-{r['q97.5']})"})
            row[f"{measure.code} vs {ref}"] = vs_ref.get(trt, "reference") + (
                " [set by the prior]" if trt in unbounded else "")
            if trt in classes.index:
                row[f"GRADE classification vs {ref}"] = classes.loc[trt, "statement"]
                row["certainty"] = classes.loc[trt, "certainty"]
            if ev is not None and trt in ev.index:
                e = ev.loc[trt]
                n_r, n_o, n_s = (len(e[k]) for k in ("randomised", "observational",
                                                      "single_arm"))
                row["evidence"] = f"R {n_r}, O {n_o}, S {n_s}"
                row["placed by"] = e["placed_by"]
                cautions[trt] = _caution(n_r, n_o, n_s, e.get("n_patients"),
                                         is_ref=trt == ref)
                row["caution"] = cautions[trt]
            if trt in unbounded:
                row["caution"] = "; ".join(filter(None, [row.get("caution"), unbounded[trt]]))
            if ranked and sensitivity is not None and len(sensitivity):
                sub = sensitivity[(sensitivity["treatment"] == trt)
                                  & sensitivity.get("converged", True)
                                  & sensitivity.get("same_ranking_set", True)
                                  & sensitivity.get("identified", True)]
                # Scenarios that do not rank it among the same treatments (or at all) are
                # counted, not hidden: the range covers the others only.
                others = sorted(set(sensitivity["scenario"]) - set(sub["scenario"]))
                if len(sub):
                    lo, hi = sub.loc[sub["sucra"].idxmin()], sub.loc[sub["sucra"].idxmax()]
                    row["SUCRA across scenarios"] = (
                        f"{_sucra(lo)} ({lo['scenario']}) to {_sucra(hi)} ({hi['scenario']})"
                        + (f"; not comparably ranked in {len(others)} of "
                           f"{sensitivity['scenario'].nunique()} ({', '.join(others)})"
                           if others else ""))
            rows.append(row)
        if not ranks.get("converged", pd.Series(True)).astype(bool).all():
            words = ["Not converged: the fit failed the convergence criteria, so this ranking "
                     "is not an answer and no treatment is named best (Diagnostics says what "
                     "failed and what to try)."]
        elif ranked:
            placed = dict(zip(ev.index, ev["placed_by"], strict=True)) if ev is not None \
                else {}
            # an effect the prior sets is no more a finding than one an assumption places
            placed.update(dict.fromkeys(unbounded, PRIOR_SET_PLACEMENT))
            words = _certainty(ranks, cautions, measure.code, placed,
                               part["tables"].get("certainty"))
            unranked = [t for t in vs_ref if t not in set(ranks["treatment"])]
            if unranked:
                words.append(f"{', '.join(unranked)} {'is' if len(unranked) == 1 else 'are'} "
                             "fixed at the class mean (an arm of mixed class members): "
                             "among the effects, not ranked.")
            verdict = part.get("consistency", {}).get("tables", {}).get("verdict")
            if verdict is not None and len(verdict):
                words.append(f"Consistency of direct and indirect evidence: "
                             f"{verdict['verdict'].iat[0]}.")
        else:
            other = [t for t in ranks["treatment"] if t != ref]
            words = [f"Two treatments only: {other[0] if other else ref} vs {ref}, "
                     f"{measure.code} {vs_ref.get(other[0], '') if other else ''}; "
                     "the effect is the answer, a ranking would add nothing."]
        blocks.append({"label": label, "ranked": ranked, "sentences": words,
                       "table": _table(pd.DataFrame(rows))})
    not_ranked = ""
    if ev is not None:
        gone = evidence[evidence["placed_by"].astype(str).str.startswith("not analysed")]
        if len(gone):
            single = gone["single_arm"].map("; ".join)
            not_ranked = ("; ".join(f"{t} (single-arm studies: {s or 'none'})" for t, s in
                                    zip(gone["treatment"], single, strict=True))
                          + ": no comparison and no bridging assumption reaches "
                          + ("it" if len(gone) == 1 else "them") + ".")
    return {"intro": intro, "blocks": blocks, "not_ranked": not_ranked,
            "several": len(blocks) > 1, "influence": influence_sentence(influence)}


def run_summary_text(analyses: list[dict], *, answer: str | None = None,
                     not_converged_scenarios: list[str] = (), n_scenarios: int = 0,
                     n_scenarios_made: int | None = None) -> str:
    """What a run found, for the terminal: per main analysis whether it converged, the
    claim its ranking supports (with how sure it is) and where its report is.

    Parameters
    ----------
    analyses : list of dict
        ``name``, ``outcome``, ``report`` (path or None if not made) and ``components``:
        dicts with ``label``, ``converged``, ``diagnostics`` (its row of
        ``convergence.csv``), ``ranks`` (its ranks table or None), ``placed_by``
        (treatment -> what places it, from ``evidence.csv``), ``verdict`` (the
        consistency verdict or None) and ``certainty`` (its ``certainty.csv`` or None).
    answer : str, optional
        Path of ``answer.html`` if it was made.
    not_converged_scenarios, n_scenarios, n_scenarios_made
        The sensitivity analyses that did not converge, planned and run.
    """
    lines = []
    for a in analyses:
        if a["report"] is None:
            lines.append(f"{a['name']} ({a['outcome']}): not run")
            continue
        ok = all(c["converged"] for c in a["components"])
        lines.append(f"{a['name']} ({a['outcome']}): "
                     + ("converged" if ok else "NOT CONVERGED: its rankings are not answers"))
        several = len(a["components"]) > 1
        for c in a["components"]:
            head = f"  {c['label']}: " if several else "  "
            if not c["converged"]:
                d = c["diagnostics"]
                lines.append(f"{head}not converged (largest R-hat {d['max_r_hat']:.3f}, "
                             f"smallest bulk ESS {d['min_ess_bulk']:.0f}, "
                             f"{int(d['n_divergent'])} divergent transition"
                             f"{'' if int(d['n_divergent']) == 1 else 's'})")
            elif c["ranks"] is not None and len(c["ranks"]) >= 3:
                lines.append(head + _headline(c["ranks"].reset_index(drop=True),
                                              c.get("placed_by", {}), c.get("certainty")))
            elif c["ranks"] is not None:
                lines.append(f"{head}two treatments: "
                             + " vs ".join(c["ranks"]["treatment"]) + " (see the report)")
            if c["verdict"]:
                lines.append(f"    consistency: {c['verdict']}")
        lines.append(f"  report: {a['report']}")
    if n_scenarios:
        made = n_scenarios if n_scenarios_made is None else n_scenarios_made
        lines.append(f"sensitivity analyses: {made} of {n_scenarios} run"
                     + (f", not converged: {', '.join(not_converged_scenarios)}"
                        if not_converged_scenarios else ", all converged" if made else ""))
    if answer:
        lines.append(f"answer: {answer}")
    return "\n".join(lines)


# --- sections of one component ------------------------------------------------------------
