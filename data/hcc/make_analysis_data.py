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
    "CELESTIAL_ITT": "sorafenib (about 27% also a second prior line)",
    "CELESTIAL_2L": "sorafenib",
    "ZHANG2024_JHC": "lenvatinib",
    "TOVOLI2024_ARTE": "atezolizumab-bevacizumab",
    "JGO_PD1LEN_AFTER_LEN": "lenvatinib",
    "HAIC_FONC2024": "atezolizumab-bevacizumab",
}
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
            "medians": ["TCRM2023_LPvsR", "CHON2024_PSM", "YIN2025", "ZHANG2024_JHC"]},
    "os": {"hr": ["RESORCE", "CELESTIAL_2L"],
           "medians": ["TCRM2023_LPvsR", "CHON2024_PSM", "YIN2025", "ZHANG2024_JHC"]},
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
    "CHEON2025_KJ_PSM/UNM, PERSANO2024 (PFS/OS)": "medians without CIs or event counts "
                                                  "(and PERSANO2024 overlaps CHON2024 and "
                                                  "CHEON2025): no SE can be derived",
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
        })
        assert table.notna().all().all(), table[table.isna().any(axis=1)]
        table.to_csv(HERE.parent / f"hcc_{outcome}.csv", index=False)
    contrasts = pd.read_csv(HERE / "source" / "hcc-contrasts.csv", dtype=str)
    for outcome, spec in SURVIVAL.items():
        hr_table(arms, contrasts, outcome, spec["hr"]).to_csv(
            HERE.parent / f"hcc_{outcome}_hr.csv", index=False)
        median_table(arms, outcome, spec["medians"]).to_csv(
            HERE.parent / f"hcc_{outcome}_medians.csv", index=False)


def _study_columns(arms, study):
    first = arms[arms["study_id"] == study].iloc[0]
    return {"prior_therapy": PRIOR[study], "design": first["design"],
            "source": f"{first['citation']} doi:{first['doi'] if first['doi'] else 'n/a'}"}


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
    })
    assert table[["study", "treatment", "median"]].notna().all().all()
    return table.fillna("")


if __name__ == "__main__":
    main()
