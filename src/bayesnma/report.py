"""Render one analysis as a self-contained HTML page (tables and embedded figures).

A pure function of the results: it reads and writes nothing.
"""

from __future__ import annotations

import base64
import html
import json

import pandas as pd

from bayesnma import __version__
from bayesnma.data import LIKELIHOODS
from bayesnma.effects import natural_scale
from bayesnma.measures import get_measure

__all__ = ["render_answer_html", "render_html"]

# Columns that repeat one value on every row of a CSV; the report states them once.
_REPEATED = ("better_if", "assumptions")

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.bad{background:#fde2e1;border-left:6px solid #c0392b;padding:.6em 1em}
.ok{background:#e3f4e6;border-left:6px solid #2e8b57;padding:.6em 1em}
.note{background:#fff6dc;border-left:6px solid #d4a017;padding:.6em 1em}
img{max-width:100%;height:auto}small{color:#666}
"""


def _table(df: pd.DataFrame, digits: int = 3) -> str:
    df = df.map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return df.to_html(index=False, border=0, float_format=lambda x: f"{x:.{digits}g}"
                      if abs(x) >= 1000 else f"{x:.{digits}f}", na_rep="–")


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _software(parts: dict) -> str:
    """Package versions the fits ran on (one line per distinct set)."""
    sets = list(dict.fromkeys(p.get("versions", "{}") for p in parts.values()))
    lines = [", ".join(f"{k} {v}" for k, v in json.loads(s).items()) for s in sets]
    return "; ".join(line for line in lines if line) or f"bayesnma {__version__}"


def _consistency_section(checks: dict, esc) -> list[str]:
    """Model checking and consistency of one component (from ``check_consistency``)."""
    tables, figs = checks["tables"], checks["figures"]
    if not tables:
        return []
    drop = ["analysis", "component"]
    out = ["<h3>Consistency and model checking</h3>"]
    verdict = tables["verdict"].iloc[0]
    out.append(f"<p><b>Verdict:</b> {esc(verdict['verdict'])}. Comparisons with both direct "
               f"and independent indirect evidence: {int(verdict['n_splittable'])}; "
               f"node-split: {int(verdict['n_split'])}.</p>")
    out.append("<p>Model comparison: residual deviance (compare with the number of data "
               "points), pD, DIC and PSIS-LOO (elpd_loo; higher is better). A UME model that "
               "fits clearly better (DIC lower by more than about 3-5) than the consistency "
               "model points to inconsistency.</p>")
    out.append(_table(tables["model_comparison"].drop(columns=drop, errors="ignore")))
    if "nodesplits" in tables:
        out.append("<p>Node-splitting (Dias et al. 2010): direct, indirect and network "
                   "estimates on the model scale; <i>difference</i> = direct - indirect, with "
                   "its two-sided Bayesian p-value.</p>")
        out.append(_table(tables["nodesplits"].drop(columns=drop, errors="ignore")))
        out.append(_img(figs["nodesplit"], "node-splitting"))
    if "ume_effects" in tables:
        out.append("<p>Unrelated mean effects (UME) beside the consistency estimates.</p>")
        out.append(_table(tables["ume_effects"].drop(columns=drop, errors="ignore")))
        out.append(_img(figs["dev_dev"], "dev-dev plot"))
    loo = tables.get("loo_pointwise")
    if loo is not None and loo["high_k"].astype(bool).any():
        high = loo[loo["high_k"].astype(bool)]
        out.append("<p class='note'><b>Influential data (Pareto k &gt; 0.7):</b> "
                   f"{esc(', '.join(map(str, high['loo_unit'])))}. PSIS-LOO is unreliable for "
                   "them; each one's fit depends strongly on its own data.</p>")
    out.append(_img(figs["leverage"], "leverage plot"))
    return out


def _sensitivity_section(table: pd.DataFrame, esc, figure: bytes | None = None) -> list[str]:
    """Effects and SUCRA of every treatment under each scenario, side by side."""
    out = ["<h2>Sensitivity analyses</h2>",
           "<p>Each scenario refits the model with one assumption changed. Cells: effect vs "
           "the component's reference, median (95% CrI); SUCRA (under a meta-regression: at "
           "the covariates' centre or reference level). A ranking or interval that moves "
           "between scenarios rests on that assumption.</p><ul>"]
    for (label, what) in table[["scenario", "description"]].drop_duplicates().values:
        out.append(f"<li><b>{esc(label)}</b>: {esc(str(what))}</li>")
    out.append("</ul>")

    def cell(r):
        flag = "" if bool(r.get("converged", True)) else " [NOT CONVERGED]"
        if pd.isna(r["median"]):
            return f"reference; SUCRA {r['sucra']:.2f}{flag}"
        return f"{_effect_cell(r)}; SUCRA {r['sucra']:.2f}{flag}"

    if figure is not None:
        out.append(_img(figure, "ranking under each scenario"))
    out.append(_table(_wide(table.assign(cell=table.apply(cell, axis=1)),
                            ["component", "treatment", "reference", "scale"], "scenario")))
    bad = table.loc[~table.get("converged", pd.Series(True, table.index)).astype(bool),
                    "scenario"].unique()
    if len(bad):
        out.append("<p class='bad'><b>Not converged:</b> scenario(s) "
                   f"{esc(', '.join(bad))} failed the convergence criteria; their cells are "
                   "marked and must not be read as results.</p>")
    fit_cols = [c for c in ("resdev_mean", "n_data_points", "pD", "DIC", "elpd_loo",
                            "elpd_loo_se") if c in table]
    per = table.drop_duplicates(["scenario", "component"])[
        ["scenario", "component", "tau_median", "tau_verdict", *fit_cols]]
    out.append("<p>Heterogeneity and model fit per scenario: tau's posterior median and the "
               "verdict on its prior; residual deviance (compare with the number of data "
               "points), pD, DIC (lower is better; differences under about 3 do not "
               "matter) and PSIS-LOO elpd (higher is better; compare differences with their "
               "SE) of each scenario's model of the same data.</p>" + _table(per))
    return out


def _heterogeneity_section(tables, figs, esc) -> list[str]:
    """tau's prior and posterior, in a figure and in words."""
    het = tables.get("heterogeneity")
    out = ["<h3>Heterogeneity: prior and posterior of tau</h3>"]
    if het is None or not len(het):
        out.append("<p>Fixed effects: no between-study heterogeneity parameter.</p>")
        return out
    for _, row in het.iterrows():
        css = "bad" if str(row["verdict"]).startswith("posterior is essentially") else "note"
        out.append(f"<p class='{css}'><b>{esc(row['parameter'])}</b>: {esc(row['verdict'])}. "
                   f"Prior {esc(row['prior'])}: median {row['prior_median']:.3f} "
                   f"({row['prior_q2.5']:.3f} to {row['prior_q97.5']:.3f}); posterior median "
                   f"{row['median']:.3f} ({row['q2.5']:.3f} to {row['q97.5']:.3f})."
                   + (" Random-effects intervals here rest on this prior, not on the data."
                      if css == "bad" else "") + "</p>")
    out.append(_img(figs["heterogeneity"], "prior and posterior of tau"))
    return out


def _wide(long: pd.DataFrame, index: list[str], columns: str) -> pd.DataFrame:
    """One column per value of ``columns`` (in order of appearance) holding ``cell``."""
    wide = long.pivot_table(index=index, columns=columns, values="cell", aggfunc="first",
                            sort=False)[list(dict.fromkeys(long[columns]))].reset_index()
    wide.columns.name = None
    return wide


def _num(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 1000 else f"{x:.3g}"


def _effect_cell(row) -> str:
    """``median (lower to upper)`` of a row of a relative-effects table."""
    return f"{_num(row['median'])} ({_num(row['q2.5'])} to {_num(row['q97.5'])})"


def _covariate_section(tables, trt_ref: str, esc) -> list[str]:
    """Relative effects vs the reference and SUCRA at each covariate setting."""
    eff, ranks = tables.get("covariate_effects"), tables.get("covariate_ranks")
    if eff is None or not len(eff):
        return []
    settings = list(dict.fromkeys(ranks["setting"]))
    vs_ref = natural_scale(eff[eff["comparator"] == trt_ref])
    cells = {(r["setting"], r["treatment"]): _effect_cell(r) for _, r in vs_ref.iterrows()}
    rows = []
    for _, r in ranks.iterrows():
        effect = cells.get((r["setting"], r["treatment"]), "reference")
        rows.append({"treatment": r["treatment"], "setting": r["setting"],
                     "cell": f"{effect}; SUCRA {r['sucra']:.2f}"})
    wide = _wide(pd.DataFrame(rows), ["treatment"], "setting")
    out = ["<h3>Meta-regression: effects and rankings at covariate values</h3>",
           f"<p>Effect vs {esc(trt_ref)} (median, 95% CrI) and SUCRA at each setting. "
           f"<i>{esc(settings[0])}</i> is the centre / reference level, where the "
           "treatment effects above apply; each other column changes one covariate. Every "
           "pair at every setting: <code>covariate_effects.csv</code>.</p>", _table(wide)]
    params = tables.get("parameters", pd.DataFrame(columns=["parameter", "verdict"]))
    bound = params[params["parameter"].str.startswith("beta")
                   & params["verdict"].astype(str).str.startswith("posterior is essentially")]
    if len(bound):
        out.append("<p class='bad'><b>The data do not inform the interaction</b> "
                   f"({esc(', '.join(bound['parameter']))}: posterior essentially its prior). "
                   "Effects and rankings at settings other than the first rest on that "
                   "prior, not on evidence: typically because each comparison comes from "
                   "studies with one value of the covariate, so the covariate cannot be "
                   "told apart from the treatment effects.</p>")
    return out


def _class_section(tables, esc) -> list[str]:
    """Class-level ranking and effects vs the reference treatment's class."""
    eff, ranks = tables.get("class_effects"), tables.get("class_ranks")
    if ranks is None or not len(ranks):
        return []
    first = str(ranks["class"].iat[0]) if not len(eff) else str(eff["class"].iat[0])
    vs_ref = natural_scale(eff[eff["comparator"] == first])
    cells = dict(zip(vs_ref["class"], vs_ref.apply(_effect_cell, axis=1), strict=True))
    keep = ranks.drop(columns=["analysis", "component", "converged"], errors="ignore").copy()
    keep.insert(1, f"effect vs {first}", keep["class"].map(cells).fillna("reference class"))
    return ["<h3>Class effects: ranking of the classes</h3>",
            f"<p>Each class by its class mean (a class with one member: that treatment's "
            f"effect), vs the reference treatment's class <b>{esc(first)}</b>. Every pair "
            "of classes: <code>class_effects.csv</code>.</p>", _table(keep)]


def _answer_section(parts: dict, components, evidence, sensitivity, measure, cfg,
                    esc) -> list[str]:
    """The ranking, how certain it is, what places each treatment and how the ranking
    moves across the sensitivity analyses."""
    out = ["<h2>Ranking of treatments</h2>",
           f"<p>{esc(cfg.description or 'The analysis as configured')}. Rank 1 = best "
           f"({esc(measure.better_if(cfg.lower_better))}). <i>Evidence</i> counts the "
           "randomised (R), observational (O) and single-arm (S) studies of each treatment; "
           "<i>placed by</i> says what connects it to the reference. "
           + ("<i>SUCRA across scenarios</i> is its lowest and highest SUCRA over the "
              "sensitivity analyses that converged and rank the same treatments (a "
              "component-wise analysis ranks within each component, on another scale; see "
              "the sensitivity section)." if sensitivity is not None else "")
           + "</p>"]
    ev = evidence.set_index("treatment") if evidence is not None and len(evidence) else None
    for label, part in parts.items():
        ranks = part["tables"]["ranks"]
        ref = components.set_index("component").loc[label, "trt_ref"]
        eff = natural_scale(part["tables"]["relative_effects"])
        vs_ref = {r["treatment"]: _effect_cell(r)
                  for _, r in eff[eff["comparator"] == ref].iterrows()}
        rows = []
        for _, r in ranks.iterrows():
            trt = r["treatment"]
            row = {"treatment": trt, "SUCRA": f"{r['sucra']:.2f}",
                   "rank (95% CrI)": f"{r['median_rank']} ({r['q2.5']}-{r['q97.5']})",
                   f"{measure.code} vs {ref}": vs_ref.get(trt, "reference")}
            if ev is not None and trt in ev.index:
                e = ev.loc[trt]
                n_r, n_o, n_s = (len(e[k]) for k in ("randomised", "observational",
                                                      "single_arm"))
                row["evidence"] = f"R {n_r}, O {n_o}, S {n_s}"
                row["placed by"] = e["placed_by"]
                row["caution"] = _caution(n_r, n_o, n_s, e.get("n_patients"),
                                          is_ref=trt == ref)
            if sensitivity is not None and len(sensitivity):
                sub = sensitivity[(sensitivity["treatment"] == trt)
                                  & sensitivity.get("converged", True)
                                  & sensitivity.get("same_ranking_set", True)]
                if len(sub):
                    lo, hi = sub.loc[sub["sucra"].idxmin()], sub.loc[sub["sucra"].idxmax()]
                    row["SUCRA across scenarios"] = (f"{lo['sucra']:.2f} ({lo['scenario']}) to "
                                                     f"{hi['sucra']:.2f} ({hi['scenario']})")
            rows.append(row)
        title = "" if len(parts) == 1 else f"<h3>Component {esc(label)}</h3>"
        out += [title, _table(pd.DataFrame(rows))]
    if ev is not None:
        gone = evidence[evidence["placed_by"].astype(str).str.startswith("not analysed")]
        if len(gone):
            single = gone["single_arm"].map("; ".join)
            out.append("<p class='note'><b>Not ranked:</b> "
                       + esc("; ".join(f"{t} (single-arm studies: {s or 'none'})" for t, s in
                                       zip(gone["treatment"], single, strict=True)))
                       + ": no comparison and no bridging assumption reaches "
                       + ("it" if len(gone) == 1 else "them") + ".</p>")
    return out


def _caution(n_r: int, n_o: int, n_s: int, n_patients, *, is_ref: bool) -> str:
    """Next to a treatment's rank: what its place rests on when no randomised study
    compares it, with how many patients that evidence has."""
    if n_r or is_ref or not (n_o or n_s):
        return ""
    kind = " and ".join(k for k, n in (("observational", n_o), ("single-arm", n_s)) if n)
    n = n_o + n_s
    size = f", {n_patients:.0f} patients" if pd.notna(n_patients) else ""
    return f"{kind} evidence only ({n} stud{'y' if n == 1 else 'ies'}{size})"


def _prior_bound(parts: dict) -> list[str]:
    """Key parameters whose posterior is essentially their prior, by component."""
    out = []
    for label, part in parts.items():
        params = part["tables"].get("parameters", pd.DataFrame())
        for _, row in params.iterrows():
            if str(row.get("verdict", "")).startswith("posterior is essentially"):
                out.append(f"{label}: {row['parameter']} ({row['role']})")
    return out


def _parameters_section(tables, esc) -> list[str]:
    params = tables.get("parameters")
    if params is None or not len(params):
        return []
    keep = params.drop(columns=["analysis", "component", "converged"], errors="ignore")
    return ["<h3>Model parameters</h3><p>Every key parameter on the model scale with its "
            "prior; <i>overlap</i> is the prior-posterior overlap (1 = the data did not move "
            "the prior).</p>", _table(keep)]


def render_html(cfg, *, characteristics, components, convergence, network_plot: bytes,
                parts: dict, notes=(), sensitivity=None, evidence=None,
                robustness: bytes | None = None) -> str:
    """Render the report of one analysis.

    Parameters
    ----------
    cfg : AnalysisConfig
    characteristics, components, convergence : pandas.DataFrame
        Network characteristics, component list (with ``measure`` and ``formats``) and
        per-component convergence summary.
    notes : sequence of str
        Exclusions and assumptions made when the data were read.
    sensitivity : pandas.DataFrame, optional
        The sensitivity comparison (:func:`bayesnma.workflow.compare_sensitivity`).
    evidence : pandas.DataFrame, optional
        What places each treatment (:func:`bayesnma.network.treatment_evidence`).
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
    esc = html.escape
    measure = get_measure(str(components["measure"].iat[0]))
    formats = list(dict.fromkeys(f for fs in components["formats"] for f in fs))
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(cfg.outcome)}"
           f"</title><style>{_CSS}</style></head><body>",
           f"<h1>{esc(cfg.outcome)} <small>analysis <code>{esc(cfg.name)}</code></small></h1>"]

    bad = convergence[~convergence["converged"].astype(bool)]
    if len(bad):
        out.append(f"<p class='bad'><b>Not converged:</b> component(s) "
                   f"{esc(', '.join(bad['component']))} failed the convergence criteria "
                   "(see Diagnostics). Their estimates and rankings must not be interpreted.</p>")
    else:
        out.append("<p class='ok'><b>Converged:</b> every component meets the criteria (R-hat "
                   f"&lt; {cfg.convergence.max_rhat}, bulk and tail ESS &ge; "
                   f"{cfg.convergence.min_ess_bulk:g}, divergences &le; "
                   f"{cfg.convergence.max_divergences}).</p>")

    prior_bound = _prior_bound(parts)
    if prior_bound:
        items = "".join(f"<li>{esc(p)}</li>" for p in prior_bound)
        out.append("<div class='note'><b>Parameters that rest on their prior</b> (the data "
                   "hardly moved them: prior-posterior overlap &ge; 0.75). Results that depend "
                   "on them, such as the width of random-effects intervals (tau) or effects "
                   "at other covariate values (interactions), are set by the prior, not by "
                   "the data; see Model parameters under each component and the sensitivity "
                   f"analyses.<ul>{items}</ul></div>")
    out += _answer_section(parts, components, evidence, sensitivity, measure, cfg, esc)
    out.append("<h2>Analysis</h2><table>")
    likelihoods = "; ".join(f"{f}: {LIKELIHOODS[f][0]} likelihood, {LIKELIHOODS[f][1]} link"
                            for f in formats)
    prior_rows = {"data": "; ".join(src.describe() for src in cfg.sources),
                  "effect measure": f"{measure.name} ({measure.code}), modelled as "
                                    f"{measure.model_scale}; {measure.better_if(cfg.lower_better)}",
                  "model": f"{cfg.trt_effects} effects, NICE DSU TSD2 consistency model "
                           f"({likelihoods}"
                           + ("; random effects correlated 0.5 in multi-arm studies)"
                              if cfg.trt_effects == "random" else ")")}
    prior_rows.update(cfg.priors.describe())
    if cfg.regression is not None:
        reg = cfg.regression
        prior_rows["meta-regression"] = (
            f"{reg.interactions} interactions with "
            + ", ".join([*reg.covariates, *(["baseline risk"] if reg.baseline_risk else [])])
            + f"; coefficients ~ {reg.prior}")
    if cfg.baseline is not None and cfg.baseline.exchangeable:
        prior_rows["baselines"] = cfg.baseline.describe()
    if cfg.disconnected == "bridge":
        prior_rows["disconnected parts"] = ("one model of the whole network, its parts placed "
                                            "by the class model and/or exchangeable baselines "
                                            "(see Ranking: placed by)")
    if cfg.class_effects:
        ce = cfg.class_effects
        prior_rows["class effects"] = (f"{ce.get('model', 'exchangeable')} class effects"
                                       + (f"; at the class mean: {', '.join(ce['at_class_mean'])}"
                                          if ce.get("at_class_mean") else ""))
    if cfg.trt_effects == "fixed":
        prior_rows.pop("tau (heterogeneity SD)", None)
    s = cfg.sampler
    prior_rows["sampler"] = (f"{s.backend} NUTS, {s.chains} chains x {s.draws} draws after "
                             f"{s.tune} tuning, seed {s.random_seed}, target_accept "
                             f"{s.target_accept}")
    prior_rows["software"] = _software(parts)
    out += [f"<tr><th>{esc(k)}</th><td style='text-align:left'>{esc(str(v))}</td></tr>"
            for k, v in prior_rows.items()]
    out.append("</table>")

    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        out.append("<div class='note'><b>Data notes: exclusions and assumptions</b>"
                   f"<ul>{items}</ul></div>")
    out.append("<h2>Network</h2>")
    out.append(_img(network_plot, "network plot"))
    out.append(_table(characteristics.drop(columns=["analysis"], errors="ignore")))
    if len(components) > 1:
        out.append(
            f"<p class='note'><b>Disconnected network:</b> the evidence forms {len(components)} "
            "separate components. Each is analysed on its own with its own reference; no "
            "comparison or ranking across components can be estimated, and rankings are "
            "only within a component.</p>")
    if "prior_therapy" in characteristics.columns:
        for _, row in characteristics.iloc[1:].iterrows():
            lines = list(row["prior_therapy"])
            regressed = cfg.regression is not None and "prior_therapy" in cfg.regression.covariates
            if len(lines) > 1:
                out.append(
                    f"<p class='note'><b>Component {esc(row['component'])} mixes prior "
                    f"therapies</b> ({esc('; '.join(lines))}). "
                    + ("The meta-regression on prior_therapy lets the relative effects differ "
                       "by prior therapy (see the effects at each level under the component)."
                       if regressed else "Pooling assumes the relative effects do not depend "
                       "on prior therapy.") + "</p>")
    out.append(_table(components.drop(columns=["analysis"], errors="ignore")))
    if evidence is not None and len(evidence):
        out.append("<h3>Evidence and assumptions per treatment</h3><p>Randomised and "
                   "observational comparisons and single-arm studies of each treatment, and "
                   "what places it against the reference.</p>")
        out.append(_table(evidence.drop(columns=["analysis"], errors="ignore")))

    for label, part in parts.items():
        tables, figs = part["tables"], part["figures"]
        comp = components.set_index("component").loc[label]
        conv = convergence.set_index("component").loc[label]
        out.append(f"<h2>Component {esc(label)}: {esc('; '.join(comp['treatments']))}</h2>")
        out.append(f"<p>Reference: <b>{esc(comp['trt_ref'])}</b>. Studies: "
                   f"{esc('; '.join(comp['studies']))}.</p>")
        if not bool(conv["converged"]):
            out.append("<p class='bad'><b>Not converged</b>: do not interpret.</p>")
        for note in part.get("model_notes", ()):
            out.append(f"<p class='note'><b>Model:</b> {esc(note)}.</p>")
        ranks = tables["ranks"].drop(columns=["analysis", "component", *_REPEATED],
                                     errors="ignore")
        checks = part.get("consistency", {"tables": {}, "figures": {}})
        verdict = checks["tables"].get("verdict")
        at = tables.get("covariate_ranks")
        at_text = (f" Meta-regression: rankings and effects here are at "
                   f"<i>{esc(str(at['setting'].iat[0]))}</i>; other covariate values below."
                   if at is not None and len(at) else "")
        out.append(f"<h3>Ranking (SUCRA)</h3><p>Rank 1 = best: "
                   f"{esc(measure.better_if(cfg.lower_better))}.{at_text}</p>" + _table(ranks))
        if verdict is not None:
            out.append(f"<p class='note'><b>Consistency:</b> {esc(verdict['verdict'].iat[0])}"
                       ".</p>")
        out.append(_img(figs["cumulative_ranks"], "cumulative ranking"))
        out.append(_img(figs["rankogram"], "rank probabilities"))
        out.append("<h3>Relative effects vs reference</h3>")
        out.append(_img(figs["forest"], "forest plot"))
        eff = tables["relative_effects"]
        eff = eff[(eff["comparator"] == comp["trt_ref"])].drop(
            columns=["analysis", "component", "converged", *_REPEATED], errors="ignore")
        out.append(_table(eff))
        out.append(f"<h3>League table</h3><p>Cell = {esc(measure.code)} of row vs column, "
                   f"median (95% CrI); {esc(measure.better_if(cfg.lower_better))}.</p>")
        out.append(_table(tables["league_table"].drop(
            columns=["analysis", "component", "converged", "cell", *_REPEATED],
            errors="ignore")))
        out.append(_img(figs["league_heatmap"], "league table heatmap"))
        out += _covariate_section(tables, comp["trt_ref"], esc)
        out += _class_section(tables, esc)
        out += _heterogeneity_section(tables, figs, esc)
        out += _parameters_section(tables, esc)
        out.append("<h3>Model fit</h3>")
        out.append(_table(tables["model_fit"][["quantity", "value"]]))
        out += _consistency_section(checks, esc)
        out.append("<h3>Diagnostics</h3>")
        out.append(_table(pd.DataFrame([conv]).reset_index(drop=True)))
        diag = tables["diagnostics"].drop(columns=["analysis", "component"])
        out.append(_table(diag[~diag["parameter"].str.startswith("z[")]))
        out.append(_img(figs["trace"], "posterior density and trace plots"))
        out.append(_img(figs["chain_ranks"], "rank ECDF plots of the chains"))
    if sensitivity is not None and len(sensitivity):
        out += _sensitivity_section(sensitivity, esc, robustness)
    out.append("</body></html>")
    return "\n".join(out)


def render_answer_html(sections: list[dict], *, title: str = "Ranking of treatments") -> str:
    """One page with the ranking of every analysis, each as its report opens with it.

    Parameters
    ----------
    sections : list of dict
        Per analysis: ``cfg`` (AnalysisConfig), ``parts`` (as :func:`render_html`),
        ``components``, ``evidence``, ``sensitivity`` (or None), ``notes`` (the data
        notes) and ``report`` (relative link to the analysis' full report). A treatment
        ranked for one outcome but absent from another is listed there with the data
        notes that concern it.
    """
    esc = html.escape
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>"
           f"<style>{_CSS}</style></head><body><h1>{esc(title)}</h1>",
           "<p>Each outcome's ranking under its primary assumptions, with the evidence and the "
           "assumption that places each treatment, cautions where a rank rests on "
           "observational or single-arm evidence, and how far each SUCRA moves across the "
           "sensitivity analyses. Every number comes from the analysis' own report, linked "
           "under its heading.</p>"]
    everywhere = list(dict.fromkeys(t for sec in sections
                                    for t in sec["evidence"]["treatment"]))
    for sec in sections:
        cfg = sec["cfg"]
        measure = get_measure(str(sec["components"]["measure"].iat[0]))
        out.append(f"<h2>{esc(cfg.outcome)} <small><a href='{esc(sec['report'])}'>full "
                   f"report</a></small></h2>")
        body = _answer_section(sec["parts"], sec["components"], sec["evidence"],
                               sec["sensitivity"], measure, cfg, esc)
        out += body[1:]  # the section's own heading is the outcome's
        absent = [t for t in everywhere if t not in set(sec["evidence"]["treatment"])]
        if absent:
            items = []
            for trt in absent:
                why = [n for n in sec.get("notes", ()) if f"'{trt}'" in n]
                items.append(f"<li><b>{esc(trt)}</b>: "
                             + (esc("; ".join(why)) if why else
                                "no study of it reports this outcome in the data") + "</li>")
            out.append("<div class='note'><b>Not in this ranking</b> (ranked for another "
                       f"outcome):<ul>{''.join(items)}</ul></div>")
    out.append("</body></html>")
    return "\n".join(out)
