"""Derive the bundled HCC analysis files from the curated evidence in ``source/``.

Run from the repository root: ``python data/hcc/make_analysis_data.py``. It writes
``data/hcc_orr.csv`` and ``data/hcc_dcr.csv`` (binary format: study, treatment, events,
total, then study-level columns) and, for PFS and OS, ``data/hcc_<outcome>_hr.csv``
(contrast format: hazard ratios with 95% CIs vs each study's baseline row) and
``data/hcc_<outcome>_medians.csv`` (median format: median survival per arm with its 95% CI
where reported). Which arms enter, and why the others do not, is set out in ``SELECTION``,
``SURVIVAL`` and ``EXCLUDED`` below and in ``data/README.md``.
"""

from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent

# Treatment nodes. TKI+PD-1 is one node (lenvatinib or regorafenib plus an anti-PD-1);
# the mixed TKI monotherapy arm of YIN2025 (sorafenib- or regorafenib-based) stays its own
# node rather than being passed off as one drug.
NODE = {
    "lenvatinib": "lenvatinib",
    "sorafenib": "sorafenib",
    "regorafenib": "regorafenib",
    "placebo/BSC": "placebo",
    "lenvatinib + PD-1 inhibitor (TKI+PD-1)": "TKI+PD-1",
    "TKI + PD-1 inhibitor (TKI-ICI)": "TKI+PD-1",
    "TKI monotherapy (sorafenib- or regorafenib-based)": "TKI mono (SOR/REG)",
    "TKI monotherapy (mixed TKIs)": "TKI mono (mixed)",
    "TKI + PD-1 inhibitor": "TKI+PD-1",
    "HAIC": "HAIC",
}
PRIOR = {
    "CHON2024_PSM": "atezolizumab-bevacizumab",
    "RESORCE": "sorafenib",
    "TCRM2023_LPvsR": "sorafenib",
    "YIN2025": "lenvatinib",
    "CELESTIAL_ITT": "sorafenib",
    "CELESTIAL_2L": "sorafenib",
    "ZHANG2024_JHC": "lenvatinib",
    "TOVOLI2024_ARTE": "atezolizumab-bevacizumab",
    "JGO_PD1LEN_AFTER_LEN": "lenvatinib",
    "HAIC_FONC2024": "atezolizumab-bevacizumab",
    "CHEON2025_KJ_PSM": "atezolizumab-bevacizumab",
    "CHEON2025_KJ_UNM": "atezolizumab-bevacizumab",
}
# Per-study indirectness (data column `indirectness`, read by the certainty rating) where
# the population departs from the question, second-line therapy after one first-line
# therapy; every other study is taken to match it (low).
INDIRECTNESS = {
    "CELESTIAL_ITT": "some concerns",  # about 27% third line
    "JGO_PD1LEN_AFTER_LEN": "some concerns",  # second line or later
    "TCRM2023_LPvsR": "some concerns",  # most patients also had TACE or HAIC
}
# What the curation found about a study, shown in each report's study table (column `note`).
NOTES = {
    "CELESTIAL_ITT": "ITT population: about 27% had a second prior line (third-line use); the "
                     "second-line subgroup's PFS HR was not read",
    "JGO_PD1LEN_AFTER_LEN": "second line or later: lenvatinib's line (first or later) not "
                            "confirmed",
    "TCRM2023_LPvsR": "58.5% (LP) and 77.8% (R) also had concurrent TACE/HAIC. DCR: abstract "
                      "and Results say 'better in the R group (73.2% vs 44.4%)', the Discussion "
                      "the reverse; 73.2% and 44.4% are exact only as LP 30/41 and R 12/27, "
                      "which the data use (sensitivity analysis tcrm_dcr_swapped: R 20/27, "
                      "LP 18/41)",
    "HAIC_FONC2024": "arm size 17 inferred, not read: the only split of the 100 patients that "
                     "reproduces both ORRs (35.3% and 18.1%); second-line HAIC compared with "
                     "first-line HAIC (not a treatment comparison)",
    "TOVOLI2024_ARTE": "DCR 10.0% of 40 from the full paper's abstract (PMID 39168753); an "
                       "earlier congress cut (n = 29) gave 17.2%; it places sorafenib's DCR "
                       "(sensitivity analysis without_tovoli)",
    "RESORCE": "sorafenib-tolerant patients only; ORR 11.0% of 379 (41.7: rounded to 42), "
               "mRECIST",
    "CHON2024_PSM": "propensity-score-matched cohort (36 per arm); counts from percentages",
    "CHEON2025_KJ_PSM": "propensity-score-matched cohort (25 per arm); PFS only",
    "CHEON2025_KJ_UNM": "unmatched cohort (56 and 67); OS only: the matched cohort's sorafenib "
                        "OS is not readable",
    "YIN2025": "counts from percentages; the TKI monotherapy arm mixes sorafenib and "
               "regorafenib (at the class mean)",
}
# Response criterion of each study's ORR and DCR (data column `response_criterion`).
CRITERION = {
    "CHON2024_PSM": "RECIST 1.1",
    "TCRM2023_LPvsR": {"orr": "RECIST 1.1", "dcr": "not stated (given beside the mRECIST "
                                                    "responses)"},
    "RESORCE": "mRECIST",
    "JGO_PD1LEN_AFTER_LEN": "RECIST (version not stated)",
    "YIN2025": "not stated in the source read",
    "HAIC_FONC2024": "not stated in the source read",
    "TOVOLI2024_ARTE": "not stated in the source read",
}


def _criterion(study, outcome):
    value = CRITERION[study]
    return value[outcome] if isinstance(value, dict) else value


def _judgement_columns(studies):
    """The curated study-level columns: indirectness and the curation note."""
    return {"indirectness": [INDIRECTNESS.get(s, "") for s in studies],
            "note": [NOTES.get(s, "") for s in studies]}


# Single-arm studies (one arm of the study enters; used only by models with exchangeable
# baselines, dropped with the reason otherwise). RESORCE enters ORR as its regorafenib arm:
# the placebo ORR was not read. HAIC_FONC2024: only its second-line HAIC arm (the other arm
# is first-line HAIC, another population); its n = 17 is inferred (see hcc-evidence.md).
SINGLE_ARM = {
    "orr": {"RESORCE": "regorafenib", "JGO_PD1LEN_AFTER_LEN":
            "lenvatinib + PD-1 inhibitor (TKI+PD-1)", "HAIC_FONC2024": "HAIC"},
    "dcr": {"TOVOLI2024_ARTE": "sorafenib", "JGO_PD1LEN_AFTER_LEN":
            "lenvatinib + PD-1 inhibitor (TKI+PD-1)"},
    "pfs": {"TOVOLI2024_ARTE": "sorafenib", "JGO_PD1LEN_AFTER_LEN":
            "lenvatinib + PD-1 inhibitor (TKI+PD-1)", "HAIC_FONC2024": "HAIC"},
    "os": {"TOVOLI2024_ARTE": "sorafenib", "JGO_PD1LEN_AFTER_LEN":
           "lenvatinib + PD-1 inhibitor (TKI+PD-1)", "HAIC_FONC2024": "HAIC"},
}
# Two-sided log-rank p-values of two-arm studies reporting medians without HRs, with the
# sentence they were read from (hcc-evidence.md, section 2). They enter on the study's
# second arm; the workflow converts them to a log HR (Parmar 1998) when the arm sizes or
# events are known, and reports the study as excluded otherwise (ZHANG2024_JHC: arm sizes
# not in its abstract).
P_VALUES = {
    ("CHON2024_PSM", "pfs"): (0.001, "PFS 3.5 vs 1.8 months, P=0.001 (PSM cohort; seed 000)"),
    ("CHON2024_PSM", "os"): (0.353, "OS 10.3 vs 7.5 months, P=0.353 (PSM cohort; seed 000)"),
    ("TCRM2023_LPvsR", "pfs"): (0.633, "PFS 5.3 vs 3.0 months, p=0.633 (seed 002)"),
    ("TCRM2023_LPvsR", "os"): (0.699, "OS 11.8 vs 8.0 months, p=0.699 (seed 002)"),
    ("CHEON2025_KJ_PSM", "pfs"): (0.046, "PSM cohort, 25 per group: PFS median 4.8 vs 3.3 "
                                          "months, p=0.046 (abstract)"),
    ("CHEON2025_KJ_UNM", "os"): (0.651, "unmatched cohort: OS median 13.2 vs 11.5 months, "
                                        "p=0.651 (abstract)"),
    ("ZHANG2024_JHC", "pfs"): (0.008, "PFS 4.0 vs 7.0 months, P=0.008 (seed 004)"),
    ("ZHANG2024_JHC", "os"): (0.024, "OS 11.0 vs 23.0 months, P=0.024 (seed 004)"),
}
# Studies entering each outcome (every arm of the study must have the outcome).
SELECTION = {
    "orr": ("responders_orr", ["CHON2024_PSM", "TCRM2023_LPvsR", "YIN2025"]),
    "dcr": ("responders_dcr", ["CHON2024_PSM", "RESORCE", "TCRM2023_LPvsR", "YIN2025"]),
}
# Survival: randomised HRs as contrasts (placebo is each trial's baseline row), medians for
# the observational studies. CELESTIAL: the ITT HR for PFS (the only one read); for OS the
# second-line subgroup (sorafenib only; randomisation preserved), never both. Medians
# without a 95% CI or event count are kept in the file so that their exclusion is reported.
SURVIVAL = {
    "pfs": {"hr": ["RESORCE", "CELESTIAL_ITT"],
            "medians": ["TCRM2023_LPvsR", "CHON2024_PSM", "YIN2025", "ZHANG2024_JHC",
                        "CHEON2025_KJ_PSM"]},
    "os": {"hr": ["RESORCE", "CELESTIAL_2L"],
           "medians": ["TCRM2023_LPvsR", "CHON2024_PSM", "YIN2025", "ZHANG2024_JHC",
                       "CHEON2025_KJ_UNM"]},
}
EXCLUDED = {
    "CHON2024_UNM": "unmatched cohort of CHON2024; the PSM cohort is used (one per study)",
    "CHEON2025_KJ_UNM/PSM, PERSANO2024, LEE2024_APAC": "no ORR/DCR counts read",
    "CHEON2023_REG, CHAN2024_CAB": "single-arm, arm sizes and outcome counts not read",
    "HAIC_FONC2024 (first-line arm)": "first-line HAIC: another population; the second-line "
                                      "HAIC arm enters as a single arm",
    "CELESTIAL_ITT, CELESTIAL_2L": "placebo ORR '<1%' not derivable; DCR not reported",
    "REFLECT": "first-line trial: another population (sensitivity analyses only)",
    "KEYNOTE240": "pembrolizumab monotherapy is not a decision option; its placebo arm "
                  "links to no other ORR evidence",
    "XU2022": "LEN+PD-1 vs REG+PD-1 is within the TKI+PD-1 node, and its patients likely "
              "overlap TCRM2023_LPvsR (same centre and period)",
    "LI2023_TCRM, ZHANG2024_JHC (ORR/DCR)": "outcome counts or arm sizes not read",
    "KEYNOTE240, REACH (PFS/OS)": "pembrolizumab and ramucirumab monotherapy are not decision "
                                  "options; each would be a spur on placebo that informs no "
                                  "other comparison",
    "REFLECT (PFS/OS)": "first-line trial",
    "CHEON2025 (PFS/OS)": "enters PFS as its matched cohort (medians and log-rank p with 25 "
                          "per arm) and OS as its unmatched cohort (the matched cohort's "
                          "sorafenib OS is not readable)",
    "PERSANO2024 (OS)": "OS time origin not stated (its medians are long for second line: "
                        "perhaps from first-line start); arm sizes derived from percentages; "
                        "its multinational cohort may overlap CHON2024 and CHEON2025",
}


def _with_single_arms(arms, studies, outcome):
    """The arms of ``studies`` and the single arms of ``SINGLE_ARM[outcome]``."""
    keep = arms["study_id"].isin(studies)
    for study, arm in SINGLE_ARM[outcome].items():
        keep |= (arms["study_id"] == study) & (arms["treatment"] == arm)
    return arms[keep]


def main():
    arms = pd.read_csv(HERE / "source" / "hcc-arms.csv", dtype=str)
    for outcome, (column, studies) in SELECTION.items():
        rows = _with_single_arms(arms, [s for s in studies if s not in SINGLE_ARM[outcome]],
                                 outcome)
        table = pd.DataFrame({
            "study": rows["study_id"],
            "treatment": rows["treatment"].map(NODE),
            "events": rows[column],
            "total": rows["n"],
            "prior_therapy": rows["study_id"].map(PRIOR),
            "design": rows.groupby("study_id")["design"].transform("first"),
            "arm_as_reported": rows["treatment"],
            "derived": rows["derived"].fillna(""),
            "source": rows["citation"] + " doi:" + rows["doi"].fillna("n/a"),
            "response_criterion": [_criterion(sid, outcome) for sid in rows["study_id"]],
            **_judgement_columns(rows["study_id"]),
        })
        assert table.notna().all().all(), table[table.isna().any(axis=1)]
        table.to_csv(HERE.parent / f"hcc_{outcome}.csv", index=False)
        if outcome == "dcr":
            swapped_dcr(table).to_csv(HERE.parent / "hcc_dcr_tcrm_swapped.csv", index=False)
    contrasts = pd.read_csv(HERE / "source" / "hcc-contrasts.csv", dtype=str)
    for outcome, spec in SURVIVAL.items():
        hr_table(arms, contrasts, outcome, spec["hr"]).to_csv(
            HERE.parent / f"hcc_{outcome}_hr.csv", index=False)
        median_table(arms, outcome, spec["medians"]).to_csv(
            HERE.parent / f"hcc_{outcome}_medians.csv", index=False)


def swapped_dcr(table):
    """DCR with TCRM2023's arms read as its abstract and Results word them ("better in the
    R group"): the same percentages on the other arms, as the nearest counts (R 73.2% of
    27 = 19.8 -> 20; LP 44.4% of 41 = 18.2 -> 18). A sensitivity analysis: the reported
    percentages are exact only as the data have them."""
    out = table.copy()
    tcrm = out["study"] == "TCRM2023_LPvsR"
    new = {"TKI+PD-1": 18, "regorafenib": 20}
    out.loc[tcrm, "events"] = out.loc[tcrm, "treatment"].map(new).astype(str)
    out.loc[tcrm, "derived"] = ("arms swapped (abstract and Results wording): "
                                "regorafenib round(0.732*27)=20; TKI+PD-1 round(0.444*41)=18")
    return out


def _study_columns(arms, study):
    first = arms[arms["study_id"] == study].iloc[0]
    return {"prior_therapy": PRIOR[study], "design": first["design"],
            "source": f"{first['citation']} doi:{first['doi'] if first['doi'] else 'n/a'}",
            "indirectness": INDIRECTNESS.get(study, ""), "note": NOTES.get(study, "")}


def hr_table(arms, contrasts, outcome, studies):
    """Contrast format: a baseline row (the comparator) and the HR row, per trial."""
    rows = []
    for study in studies:
        hr = contrasts[(contrasts["study_id"] == study) & (contrasts["outcome"] == outcome.upper())
                       & (contrasts["adjusted"] == "no")]
        assert len(hr) == 1, (study, outcome)
        hr = hr.iloc[0]
        size = arms[arms["study_id"] == study].set_index("treatment")["n"]
        common = _study_columns(arms, study)
        rows.append({"study": study, "treatment": NODE[hr["comparator"]], "ratio": "",
                     "lower": "", "upper": "", "total": size[hr["comparator"]], **common,
                     "source_note": "baseline (comparator) arm"})
        rows.append({"study": study, "treatment": NODE.get(hr["treatment"], hr["treatment"]),
                     "ratio": hr["hr"], "lower": hr["lo"], "upper": hr["hi"],
                     "total": size[hr["treatment"]], **common,
                     "source_note": hr["source_note"]})
    return pd.DataFrame(rows)


def median_table(arms, outcome, studies):
    """Median format: one row per arm; empty CIs where the source gives none; the study's
    log-rank p-value on its second arm where one was read."""
    rows = _with_single_arms(arms, studies, outcome)
    second = rows.groupby("study_id").cumcount() == 1
    p_value = [P_VALUES.get((sid, outcome), ("", ""))[0] if is_second else ""
               for sid, is_second in zip(rows["study_id"], second, strict=True)]
    p_source = [P_VALUES.get((sid, outcome), ("", ""))[1] if is_second else ""
                for sid, is_second in zip(rows["study_id"], second, strict=True)]
    table = pd.DataFrame({
        "study": rows["study_id"],
        "treatment": rows["treatment"].map(NODE),
        "median": rows[f"median_{outcome}"],
        "lower": rows[f"{outcome}_lo"],
        "upper": rows[f"{outcome}_hi"],
        "total": rows["n"],
        "p_value": p_value,
        "p_value_source": p_source,
        "prior_therapy": rows["study_id"].map(PRIOR),
        "design": rows.groupby("study_id")["design"].transform("first"),
        "arm_as_reported": rows["treatment"],
        "source": rows["citation"] + " doi:" + rows["doi"].fillna("n/a"),
        **_judgement_columns(rows["study_id"]),
        # Events approximated as half the arm, rounded up: no source reports events. A
        # reached median means half the arm had an event by then unless patients were
        # censored before it (few, this early in second line), and final analyses count
        # more events: the approximation errs towards too few events, i.e. too wide SEs.
        # The PFS/OS analyses read it as the events: log-rank p-values convert by events
        # (Parmar) and medians without a CI get an SE (1 / sqrt(events)); sensitivity
        # analyses take the whole arm (events_whole_arm) or no events (median_ratio).
        "events_half_arm": [str(-(-int(n) // 2)) if n else "" for n in rows["n"].fillna("")],
    })
    assert table[["study", "treatment", "median"]].notna().all().all()
    return table.fillna("")


if __name__ == "__main__":
    main()
