"""Render one analysis as a self-contained HTML page (tables and embedded figures).

A pure function of the results: it reads and writes nothing. This module turns results
into plain values (text, tables of formatted cells, figures as data URIs); the Jinja2
templates in ``bayesnma/templates`` lay them out and escape every value.
"""

from __future__ import annotations

import base64
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from bayesnma import __version__
from bayesnma.certainty import ANCHORED, CERTAINTY_LEVELS
from bayesnma.data import LIKELIHOODS
from bayesnma.diagnostics import is_prior_bound
from bayesnma.effects import mc_decimals, natural_scale
from bayesnma.measures import get_measure

__all__ = ["render_answer_html", "render_html", "run_summary_text"]

# Columns that repeat one value on every row of a CSV; the report states them once.
_REPEATED = ("better_if", "assumptions")
# Bookkeeping columns of every results table: the report's headings say them.
_BOOKKEEPING = ("analysis", "component", "converged")

#: What SUCRA is, next to every ranking.
SUCRA_MEANING = (
    "SUCRA (surface under the cumulative ranking curve) averages a treatment's probabilities "
    "of being among the best 1, 2, ..., n-1 treatments: 1 if it is certainly the best, 0 if "
    "certainly the worst. It summarises where the treatment's rank lies, not how much better "
    "it is: read it with the rank's 95% credible interval and the relative effects. A "
    "ranking compares the treatments of one model only; rankings of separate components are "
    "never on one scale.")

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


# --- numbers and tables for people -------------------------------------------------------

def _num(x: float) -> str:
    """A number as a reader wants it: 2 decimals in the usual range, thousands separated,
    powers of ten for the extremes (``3.8×10⁹``)."""
    x = float(x)
    if not math.isfinite(x):
        return "–" if math.isnan(x) else ("∞" if x > 0 else "-∞")
    a = abs(x)
    if a == 0:
        return "0"
    if a < 0.001 or a >= 1e5:
        mantissa, exponent = f"{x:.1e}".split("e")
        return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if a < 0.01:
        return f"{x:.2g}"
    if a < 100:
        return f"{x:.2f}"
    return f"{x:,.0f}"


def _mc_num(x, mcse=None) -> str:
    """:func:`_num`, with no more decimals than its Monte Carlo error supports (a value
    that rounds to zero prints as ``0``)."""
    text = _num(x)
    decimals = mc_decimals(mcse)
    if decimals is None or not math.isfinite(float(x)):
        return text
    a = abs(float(x))
    # decimals the text shows; a power of ten shows two significant digits
    shown = (len(text.partition(".")[2]) if "×" not in text
             else max(0, 1 - math.floor(math.log10(a))) if a else 0)
    if decimals >= shown:
        return text
    rounded = round(float(x), decimals)
    return "0" if rounded == 0 else f"{rounded:,.{decimals}f}"


def _cell(value, column: str = ""):
    """One table cell: text, or a list of lines."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        col = column.lower()
        if col.startswith(("ess", "min_ess", "n_")) or col in ("total", "events"):
            return f"{round(float(value)):,}"
        if "r_hat" in col:
            return f"{value:.3f}"
        if col.startswith("mcse") and 0.001 <= abs(value) < 100:
            return f"{value:.2g}"
        return _num(value)
    return str(value)


_NUMERIC_CELL = re.compile(r"[-+]?[\d.,]+(×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?( \(.*\))?|–|∞|-∞")


@dataclass
class Table:
    """A table as the templates show it: column names, rows of formatted cells and which
    columns hold numbers (aligned right)."""

    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)


def _table(df: pd.DataFrame, drop=(), keep=()) -> Table:
    """A results table for reading: bookkeeping columns (other than ``keep``) and
    ``drop`` left out, cells formatted by :func:`_cell`, ``_`` in names as spaces. A
    column with a Monte Carlo standard error (``mcse_<column>``) is rounded to the digits
    it supports, and the error itself left out (the CSV keeps it)."""
    df = df.drop(columns=[c for c in (*_BOOKKEEPING, *_REPEATED, *drop) if c not in keep],
                 errors="ignore")
    errors = {c: f"mcse_{c}" for c in df.columns if f"mcse_{c}" in df.columns}
    cols = [c for c in df.columns if c not in set(errors.values()) - set(keep)]

    def cell(row, col):
        value = row[col]
        if col in errors and isinstance(value, float | np.floating):
            return _mc_num(value, row[errors[col]])
        return _cell(value, str(col))

    return _make_table([str(c).replace("_", " ") for c in cols],
                       [[cell(row, c) for c in cols] for row in df.to_dict("records")])


def _make_table(columns: list[str], rows: list[list]) -> Table:
    """A :class:`Table` of formatted cells; a column is numeric (aligned right) when every
    cell is a number or missing and one at least a number (a column of missing text, such
    as an empty ``design``, stays text)."""
    numeric = [any(r[j] != "–" for r in rows)
               and all(isinstance(r[j], str) and _NUMERIC_CELL.fullmatch(r[j]) for r in rows)
               for j in range(len(columns))]
    return Table(columns, rows, numeric)


def _characteristics(table: pd.DataFrame) -> Table:
    """Network characteristics with one column per part (``all``, ``c1``, ...): the long
    form reads down instead of scrolling across."""
    wide = table.drop(columns=["analysis"], errors="ignore").set_index("component")
    cols = list(wide.index)
    return _make_table(["characteristic", *cols],
                       [[name.replace("_", " "), *(_cell(v, name) for v in wide.loc[:, name])]
                        for name in wide.columns])


def _img(png: bytes | None) -> str | None:
    if png is None:
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _effect_cell(row) -> str:
    """``median (lower to upper)`` of a row of a relative-effects table, each number to
    the digits its Monte Carlo error supports."""
    median, lo, hi = (_mc_num(row[c], row.get(f"mcse_{c}")) for c in ("median", "q2.5", "q97.5"))
    return f"{median} ({lo} to {hi})"


def _sucra(row) -> str:
    """A row's SUCRA to the digits its Monte Carlo error supports."""
    return _mc_num(row["sucra"], row.get("mcse_sucra"))


def _effects_table(eff: pd.DataFrame) -> Table:
    """Relative effects for reading: natural scale, one ``median (95% CrI)`` column."""
    nat = natural_scale(eff)
    return _table(pd.DataFrame({
        "treatment": nat["treatment"], "vs": nat["comparator"], "scale": nat["scale"],
        "median (95% CrI)": nat.apply(_effect_cell, axis=1) if len(nat) else [],
        "P(better)": nat["p_better"], "mcse_P(better)": nat.get("mcse_p_better")}))


# --- the answer ---------------------------------------------------------------------------

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
        "nodesplits": (_table(tables["nodesplits"]) if "nodesplits" in tables else None),
        "nodesplit_figure": _img(figs.get("nodesplit")),
        "ume": _table(tables["ume_effects"]) if "ume_effects" in tables else None,
        "dev_dev": _img(figs.get("dev_dev")),
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
    likelihoods = "; ".join(f"{f}: {LIKELIHOODS[f][0]} likelihood, {LIKELIHOODS[f][1]} link"
                            for f in formats)
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

@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(loader=PackageLoader("bayesnma", "templates"),
                       autoescape=select_autoescape(["html", "j2"], default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


def render_html(cfg, *, characteristics, components, convergence, network_plot: bytes,
                parts: dict, notes=(), sensitivity=None, evidence=None, studies=None,
                robustness: bytes | None = None, influence=None,
                influence_plot: bytes | None = None) -> str:
    """Render the report of one analysis.

    Parameters
    ----------
    cfg : AnalysisConfig
    characteristics, components, convergence : pandas.DataFrame
        Network characteristics, component list (with ``measure`` and ``formats``) and
        per-component convergence summary.
    notes : sequence of str
        Studies left out when the data were curated, and exclusions and assumptions made
        when the data were read.
    sensitivity : pandas.DataFrame, optional
        The sensitivity comparison (:func:`bayesnma.workflow.compare_sensitivity`).
    influence : pandas.DataFrame, optional
        Per study left out, what moves most (:func:`bayesnma.influence.study_influence`),
        with ``influence_plot`` (PNG).
    evidence : pandas.DataFrame, optional
        What places each treatment (:func:`bayesnma.network.treatment_evidence`).
    studies : pandas.DataFrame, optional
        The study table (:func:`bayesnma.network.study_table`).
    network_plot : bytes
        PNG of the network.
    parts : dict
        Component label -> ``{"tables": {name: DataFrame}, "figures": {name: PNG bytes}}``
        with tables ``relative_effects``, ``league_table``, ``ranks``, ``model_fit``,
        ``diagnostics`` and figures ``forest``, ``league_heatmap``, ``rankogram``,
        ``cumulative_ranks``, ``trace``, ``chain_ranks``; ``versions`` (JSON of the
        package versions the fit ran on).

    Returns
    -------
    str
        A complete HTML document.
    """
    measure = get_measure(str(components["measure"].iat[0]))
    formats = list(dict.fromkeys(f for fs in components["formats"] for f in fs))
    bad = convergence[~convergence["converged"].astype(bool)]
    comps = components.set_index("component")
    conv = convergence.set_index("component")
    prior_lines = []
    if "prior_therapy" in characteristics.columns:
        regressed = cfg.regression is not None and "prior_therapy" in cfg.regression.covariates
        for _, row in characteristics.iloc[1:].iterrows():
            lines = list(row["prior_therapy"])
            if len(lines) > 1:
                prior_lines.append({"component": row["component"], "lines": "; ".join(lines),
                                    "regressed": regressed})
    return _render(
        "report.html.j2",
        cfg=cfg, measure=measure, better_if=measure.better_if(cfg.lower_better),
        not_converged=", ".join(bad["component"]),
        checks_not_converged=_checks_not_converged(parts),
        remedies=[f"{label}: {part['remedies']}" for label, part in parts.items()
                  if part.get("remedies")],
        prior_bound=_prior_bound(parts),
        answer=_answer(parts, components, evidence, sensitivity, measure, cfg,
                       influence=influence),
        sucra_meaning=SUCRA_MEANING,
        network_plot=_img(network_plot),
        characteristics=_characteristics(characteristics),
        components_table=_table(components, keep=("component",)),
        n_components=len(components),
        prior_lines=prior_lines,
        studies=_table(studies) if studies is not None else None,
        evidence=_table(evidence) if evidence is not None and len(evidence) else None,
        notes=list(notes),
        components=[_component(label, part, comps.loc[label], conv.loc[label])
                    for label, part in parts.items()],
        sensitivity=(_sensitivity(sensitivity, robustness)
                     if sensitivity is not None and len(sensitivity) else None),
        influence=(_influence(influence, influence_plot, measure.model_scale)
                   if influence is not None and len(influence) else None),
        methods=_methods(cfg, measure, formats, parts),
    )


def _placed_short(placed: str) -> str:
    """What places a treatment, in a word or two."""
    if placed in ("", ANCHORED[1]):
        return "comparisons"
    return placed.split(":")[0]


def _summary(sections: list[dict], treatments) -> dict:
    """The question's treatments by outcome: each cell the treatment's classification
    against the outcome's reference (worded by its certainty), the certainty and what
    places it."""
    columns, cells = ["treatment"], {t: [t] for t in treatments}
    refs = []
    for sec in sections:
        found = {}
        for label, part in sec["parts"].items():
            classes = part["tables"].get("classification")
            if classes is None:
                continue
            ref = sec["components"].set_index("component").loc[label, "trt_ref"]
            refs.append(f"{sec['cfg'].outcome}: {ref}")
            for _, row in classes.iterrows():
                found.setdefault(row["treatment"], (row, ref))
        columns.append(sec["cfg"].outcome)
        for trt in treatments:
            if trt not in found:
                why = _notes_about(sec.get("notes", ()), trt)
                elsewhere = list(dict.fromkeys(
                    _placing_scenarios(sec.get("sensitivity"), trt)["scenario"]))
                cells[trt].append(["not in this analysis", why[0] if why else
                                   "no study of it reports this outcome in the data",
                                   *([f"placed only in: {', '.join(elsewhere)} (see below)"]
                                     if elsewhere else [])])
                continue
            row, ref = found[trt]
            if trt == ref:
                cells[trt].append(["the reference", "the others are classified against it"])
                continue
            cells[trt].append([row["statement"], f"certainty: {row['certainty']}",
                               f"placed by: {_placed_short(row['placed_by'])}"])
    return {"table": Table(columns, [cells[t] for t in treatments], [False] * len(columns)),
            "references": "; ".join(refs)}


def _unanchored(parts: dict) -> list[dict]:
    """Treatments placed by an assumption, with their own results."""
    out = []
    for part in parts.values():
        classes = part["tables"].get("classification")
        if classes is None:
            continue
        for _, row in classes[~classes["anchored"].astype(bool)].iterrows():
            out.append({"treatment": row["treatment"], "placed_by": row["placed_by"],
                        "statement": row["statement"],
                        "own_results": row["own_results"] if isinstance(row["own_results"], str)
                        else ""})
    return out


def _placed_elsewhere(sensitivity: pd.DataFrame | None, trt: str) -> list[str]:
    """Where a treatment the main analysis leaves out is placed by a sensitivity analysis
    that converged: its effect vs that scenario's reference and its SUCRA."""
    return [f"sensitivity analysis {r['scenario']} ({r['description']}) places it: "
            f"{r['scale']} vs {r['reference']} {_effect_cell(r)}, SUCRA {_sucra(r)}"
            for _, r in _placing_scenarios(sensitivity, trt).iterrows()]


def _placing_scenarios(sensitivity: pd.DataFrame | None, trt: str) -> pd.DataFrame:
    """The rows of the sensitivity table where a converged scenario places ``trt``."""
    if sensitivity is None or not len(sensitivity):
        return pd.DataFrame(columns=["scenario"])
    return sensitivity[(sensitivity["treatment"] == trt)
                       & sensitivity.get("converged", True).astype(bool)]


def _notes_about(notes, trt: str) -> list[str]:
    """The data notes that name treatment ``trt``."""
    return [n for n in notes if f"'{trt}'" in n]


#: The methods the answer rests on, with the reference a methods section cites.
_CITATIONS = {
    "nma": "Dias S, Sutton AJ, Ades AE, Welton NJ. Evidence synthesis for decision making 2: "
           "a generalized linear modeling framework for pairwise and network meta-analysis "
           "of randomized controlled trials. Med Decis Making 2013;33:607-17 (NICE DSU TSD2)",
    "tsd3": "Dias S, et al. NICE DSU TSD3: heterogeneity (subgroups, meta-regression, bias "
            "and bias-adjustment), 2011",
    "tsd4": "Dias S, et al. NICE DSU TSD4: inconsistency in networks of evidence based on "
            "randomised controlled trials, 2011",
    "tsd5": "Dias S, et al. NICE DSU TSD5: evidence synthesis in the baseline natural history "
            "model, 2011",
    "tsd18": "Phillippo DM, et al. NICE DSU TSD18: methods for population-adjusted indirect "
             "comparisons in submissions to NICE, 2016",
    "turner": "Turner RM, Jackson D, Wei Y, Thompson SG, Higgins JPT. Predictive distributions "
              "for between-study heterogeneity and simple methods for their application in "
              "Bayesian meta-analysis. Stat Med 2015;34:984-98",
    "parmar": "Parmar MKB, Torri V, Stewart L. Extracting summary statistics to perform "
              "meta-analyses of the published literature for survival endpoints. Stat Med "
              "1998;17:2815-34; Tierney JF, et al. Trials 2007;8:16",
    "cinema": "Nikolakopoulou A, et al. CINeMA: an approach for assessing confidence in the "
              "results of a network meta-analysis. PLoS Med 2020;17:e1003082",
    "grade": "Brignardello-Petersen R, et al. GRADE approach to drawing conclusions from a "
             "network meta-analysis using a minimally contextualised framework. BMJ "
             "2020;371:m3900",
    "chaimani": "Chaimani A, Higgins JPT, Mavridis D, Spyridonos P, Salanti G. Graphical "
                "tools for network meta-analysis in STATA. PLoS ONE 2013;8:e76654",
}


def _methods_paragraph(sections: list[dict]) -> tuple[str, list[str]]:
    """A methods paragraph for a paper, from the analyses' settings, and the references it
    cites, in the order of their numbers ([1], [2], ...)."""
    cited: list[str] = []

    def cite(*keys):
        for k in keys:
            if k not in cited:
                cited.append(k)
        return "[" + ", ".join(str(cited.index(k) + 1) for k in keys) + "]"

    words = [f"Treatments were compared by Bayesian network meta-analysis within the "
             f"generalised linear model framework {cite('nma')}, fitted with bayesnma "
             f"{__version__} (PyMC, NUTS); each outcome's model is stated below."]
    for sec in sections:
        cfg = sec["cfg"]
        parts = [f"{cfg.trt_effects} effects"]
        if cfg.trt_effects == "random":
            het = str(cfg.priors.het or "")
            parts.append(f"heterogeneity prior {het}" + (f" {cite('turner')}"
                                                         if "Turner" in het else ""))
        if cfg.class_effects:
            parts.append(f"exchangeable class effects {cite('tsd3')}")
        if cfg.baseline is not None and cfg.baseline.exchangeable:
            parts.append(f"exchangeable study baselines {cite('tsd5')}")
        if any(src.format == "median" for src in cfg.sources):
            parts.append(f"medians converted to log hazards under an exponential model and "
                         f"log-rank p-values to log hazard ratios {cite('parmar')}")
        words.append(f"{cfg.outcome}: " + "; ".join(parts) + ".")
    words.append(
        f"Consistency was checked by node-splitting and unrelated mean effects where a loop "
        f"allowed it {cite('tsd4')}. Treatments placed by an assumption rather than by "
        f"comparisons (class bridge, exchangeable baselines) are unanchored "
        f"{cite('tsd18')} and reported apart. The certainty of every relative effect was "
        f"rated on the CINeMA domains {cite('cinema')}, with study contributions from the "
        f"hat matrix {cite('chaimani')}, and treatments were classified against the "
        f"reference by GRADE's minimally contextualised approach {cite('grade')}; sensitivity "
        "analyses refitted each assumption and data reading.")
    return " ".join(words), [f"{_CITATIONS[k]}." for k in cited]


def render_answer_html(sections: list[dict], *, forest: bytes | None = None,
                       title: str = "Ranking of treatments", treatments=None,
                       provenance: str = "") -> str:
    """One page with the ranking of every analysis, each as its report opens with it.

    Parameters
    ----------
    sections : list of dict
        Per analysis: ``cfg`` (AnalysisConfig), ``parts`` (as :func:`render_html`),
        ``components``, ``evidence``, ``sensitivity`` (or None), ``influence`` (optional:
        :func:`bayesnma.influence.study_influence`), ``notes`` (the data notes) and
        ``report`` (relative link to the analysis' full report). A treatment
        ranked for one outcome but absent from another is listed there with the data
        notes that concern it.
    forest : bytes, optional
        PNG of the effects of every outcome side by side, shown first.
    treatments : sequence of str, optional
        The question's treatments, in order, for the summary (default: every treatment).
    provenance : str
        Version, code and inputs the page comes from, and its date.
    """
    everywhere = list(dict.fromkeys(t for sec in sections
                                    for t in sec["evidence"]["treatment"]))
    outcomes = []
    for sec in sections:
        cfg = sec["cfg"]
        measure = get_measure(str(sec["components"]["measure"].iat[0]))
        absent = []
        for trt in [t for t in everywhere if t not in set(sec["evidence"]["treatment"])]:
            why = _notes_about(sec.get("notes", ()), trt)
            absent.append((trt, "; ".join(why + _placed_elsewhere(sec["sensitivity"], trt))
                           if why else "no study of it reports this outcome in the data"))
        outcomes.append({"outcome": cfg.outcome, "report": sec["report"], "absent": absent,
                         "unanchored": _unanchored(sec["parts"]),
                         "answer": _answer(sec["parts"], sec["components"], sec["evidence"],
                                           sec["sensitivity"], measure, cfg,
                                           influence=sec.get("influence"))})
    methods, references = _methods_paragraph(sections)
    return _render("answer.html.j2", title=title, outcomes=outcomes, forest=_img(forest),
                   sucra_meaning=SUCRA_MEANING, provenance=provenance, methods=methods,
                   references=references,
                   summary=_summary(sections, list(treatments or everywhere)))
