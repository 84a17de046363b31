"""Derive the bundled HCC analysis files from the curated evidence in ``source/``.

Run from the repository root: ``python data/hcc/make_analysis_data.py``. It writes
``data/hcc_orr.csv`` and ``data/hcc_dcr.csv`` (documented format: study, treatment, events,
total, then study-level columns). Which arms enter, and why the others do not, is set out
in ``SELECTION`` and ``EXCLUDED`` below and in ``data/README.md``.
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
}
PRIOR = {
    "CHON2024_PSM": "atezolizumab-bevacizumab",
    "RESORCE": "sorafenib",
    "TCRM2023_LPvsR": "sorafenib",
    "YIN2025": "lenvatinib",
}
# Studies entering each outcome (every arm of the study must have the outcome).
SELECTION = {
    "orr": ("responders_orr", ["CHON2024_PSM", "TCRM2023_LPvsR", "YIN2025"]),
    "dcr": ("responders_dcr", ["CHON2024_PSM", "RESORCE", "TCRM2023_LPvsR", "YIN2025"]),
}
EXCLUDED = {
    "CHON2024_UNM": "unmatched cohort of CHON2024; the PSM cohort is used (one per study)",
    "CHEON2025_KJ_UNM/PSM, PERSANO2024, LEE2024_APAC": "no ORR/DCR counts read",
    "TOVOLI2024_ARTE, CHEON2023_REG, CHAN2024_CAB, JGO_PD1LEN_AFTER_LEN": "single-arm",
    "HAIC_FONC2024": "HAIC second line vs HAIC first line: same treatment in two "
                     "populations, not a treatment comparison; HAIC has no comparative arm",
    "RESORCE (ORR)": "placebo ORR not read, so a single arm for ORR",
    "CELESTIAL_ITT, CELESTIAL_2L": "placebo ORR '<1%' not derivable; DCR not reported",
    "REFLECT": "first-line trial: another population (sensitivity analyses only)",
    "KEYNOTE240": "pembrolizumab monotherapy is not a decision option; its placebo arm "
                  "links to no other ORR evidence",
    "XU2022": "LEN+PD-1 vs REG+PD-1 is within the TKI+PD-1 node, and its patients likely "
              "overlap TCRM2023_LPvsR (same centre and period)",
    "LI2023_TCRM, ZHANG2024_JHC": "outcome counts or arm sizes not read",
}


def main():
    arms = pd.read_csv(HERE / "source" / "hcc-arms.csv", dtype=str)
    for outcome, (column, studies) in SELECTION.items():
        rows = arms[arms["study_id"].isin(studies)]
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


if __name__ == "__main__":
    main()
