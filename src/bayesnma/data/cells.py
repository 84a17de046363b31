"""Reading and checking cells: the CSV itself, numbers, labels, spellings, confidence
intervals and judgements, each problem named by file, row and column."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from bayesnma.errors import ConfigError, DataValidationError

# pandas' reading of a data row i (0-based) sits on spreadsheet row i + 2 (header is row 1).
_FIRST_DATA_ROW = 2


#: Largest count (events, patients) accepted: counts stay exact in floating point and no
#: trial arm comes near it, so anything larger is a typo.
MAX_COUNT = 10**9
#: Largest magnitude of every other number, and smallest of positive ones (SEs, SDs, times,
#: ratios) and of the model-scale SEs derived from them: squares and ratios of squares of
#: such numbers stay finite and non-zero in the likelihood.
MIN_MAGNITUDE, MAX_MAGNITUDE = 1e-50, 1e50


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


#: How each numeric column is parsed (:func:`_numbers`).
_KINDS = {
    "events": "count", "total": "count", "mean": "real", "diff": "real",
    "p_value": "probability",
    **dict.fromkeys(("se", "sd", "person_time", "follow_up", "median", "lower", "upper",
                     "ratio"), "positive"),
}


_WHAT = {
    "se": "a standard error", "sd": "a standard deviation",
    "person_time": "person-time at risk", "follow_up": "follow-up time",
    "median": "a median survival time", "ratio": "a ratio (HR, OR, RR)",
    "lower": "a limit of a ratio's or median's CI (taken on the log scale)",
    "upper": "a limit of a ratio's or median's CI (taken on the log scale)",
}


def _read_csv(path) -> tuple[pd.DataFrame, str]:
    """Read a CSV as text, remembering each row's line in the file (``attrs["lines"]``):
    blank lines are skipped, trailing empty fields (a comma at the end of each line) are
    dropped, and a row with more values than the header is refused with its line."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise DataValidationError("is a directory, not a data file", source=source)
    if not path.is_file():
        raise DataValidationError("file not found", source=source)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, skipinitialspace=True)
            records, last = [], 0
            for fields in reader:
                line, last = last + 1, reader.line_num
                if any(f.strip() for f in fields):
                    records.append((line, fields))
    except (csv.Error, UnicodeDecodeError) as err:
        raise DataValidationError(f"the file is not a readable CSV ({err})", source=source) \
            from None
    if not records:
        raise DataValidationError(
            "the file is empty; expected a header row and one row per arm", source=source)
    (header_line, header), body = records[0], records[1:]
    while header and not header[-1].strip():
        header = header[:-1]
    rows = []
    for line, fields in records:
        for k, value in enumerate(fields):
            if "\n" in value or "\r" in value:  # a value no data file has on purpose
                where = (f"column {header[k]!r}" if line != header_line and k < len(header)
                         else f"value {k + 1}")
                raise DataValidationError(
                    f"{where}: a value opened with a quote (\") runs over "
                    f"{len(value.splitlines())} lines: its closing quote is missing, so the "
                    "rows after it were read as part of it", source=source, row=line)
    for line, fields in body:
        extra = fields[len(header):]
        if any(f.strip() for f in extra):
            raise DataValidationError(
                f"{len(fields)} values but the header (row {header_line}) names "
                f"{len(header)} columns: value {len(header) + 1}, {extra[0]!r}, has no column "
                "(a comma inside a value needs quotes)", source=source, row=line)
        rows.append(fields[:len(header)] + [""] * (len(header) - len(fields)))
    df = pd.DataFrame(rows, columns=header, dtype=str)
    df.attrs["lines"] = [line for line, _ in body]
    return df, source


def _data_rows(data: pd.DataFrame) -> np.ndarray:
    """Each row's line in its file, or its spreadsheet row for a frame built in Python."""
    lines = data.attrs.get("lines")
    if lines is not None and len(lines) == len(data):
        return np.asarray(lines, dtype=np.int64)
    return np.arange(len(data)) + _FIRST_DATA_ROW


def _check_baselines(table: pd.DataFrame, mapping, source) -> None:
    base = table["diff"].isna()
    for study, grp in table.groupby("study", sort=False):
        is_base = base.loc[grp.index]
        rows = grp["row"].tolist()
        if not is_base.any():
            raise DataValidationError(
                f"study '{study}' (rows {', '.join(map(str, rows))}) has no baseline row: in "
                "contrast-level data one arm of each study has an empty diff (and ratio) and "
                "every other row is its effect relative to that arm",
                source=source, row=rows[0], column=mapping.get("diff", mapping.get("ratio")))
        if is_base.sum() > 1:
            both = grp.loc[is_base, "row"].tolist()
            raise DataValidationError(
                f"study '{study}' has {len(both)} baseline rows (rows "
                f"{', '.join(map(str, both))}, empty diff); a study has exactly one, and "
                "every other row needs its effect vs that arm",
                source=source, row=both[1], column=mapping.get("diff", mapping.get("ratio")))
        if len(grp) > 2:
            b = grp.loc[is_base]
            se_b = float(b["se"].iat[0])
            if np.isnan(se_b):
                raise DataValidationError(
                    f"study '{study}' has {len(grp)} arms, so its baseline row needs se: the "
                    "SE of the baseline arm, which is the covariance of the study's contrasts",
                    source=source, row=int(b["row"].iat[0]), column=mapping.get("se", "se"))
            se = grp.loc[~is_base, "se"].to_numpy()
            cov = np.full((se.size, se.size), se_b**2)
            np.fill_diagonal(cov, se**2)
            if np.any(np.linalg.eigvalsh(cov) <= 0):
                raise DataValidationError(
                    f"the contrasts of study '{study}' have an impossible covariance: each "
                    f"contrast's se must exceed the baseline arm's se ({se_b:g})",
                    source=source, row=int(b["row"].iat[0]), column=mapping.get("se", "se"))


# --- shared checks -----------------------------------------------------------------------


def _mapping(columns: dict, required, optional, format, data) -> dict:
    """Canonical name -> data column: required ones, and optional ones that are mapped or
    present under their canonical name."""
    known = (*required, *optional)
    unknown = [k for k in columns if k not in known]
    if unknown:
        raise ConfigError(
            f"unknown column key(s) {', '.join(map(repr, unknown))} for {format} data; "
            f"expected some of {', '.join(known)}"
        )
    mapping = {c: columns.get(c, c) for c in required}
    present = data.columns if isinstance(data, pd.DataFrame) else ()
    mapping.update({c: columns.get(c, c) for c in optional if c in columns or c in present})
    return mapping


#: Per-study judgements the certainty rating reads (:mod:`bayesnma.certainty`): risk of
#: bias and indirectness, each low, some concerns or high (empty: the rating's default).
JUDGEMENT_COLUMNS = ("rob", "indirectness")


JUDGEMENT_LEVELS = ("low", "some concerns", "high")


def _judgements(table: pd.DataFrame, column: str, source) -> pd.Series:
    """A judgement column, lower case, checked: one of :data:`JUDGEMENT_LEVELS` (or empty),
    the same on every row of a study."""
    values = table[column].astype("string").str.strip().str.lower()
    values = values.mask(values == "")
    seen: dict = {}
    for study, value, row in zip(table["study"], values, table["row"], strict=True):
        if pd.isna(value):
            continue
        if value not in JUDGEMENT_LEVELS:
            raise DataValidationError(
                f"{value!r} is not a judgement: use {', '.join(JUDGEMENT_LEVELS)} (or leave it "
                "empty for the default from the study's design)", source=source,
                row=int(row), column=column)
        first = seen.setdefault(study, (value, row))
        if first[0] != value:
            raise DataValidationError(
                f"study '{study}' is judged {first[0]!r} on row {first[1]} and {value!r} here; "
                f"{column} is a judgement of the whole study: give every row the same",
                source=source, row=int(row), column=column)
    return values.astype(object).where(values.notna(), np.nan)


def arm_label(study, treatment) -> str:
    """The label of one arm in posteriors and tables: ``"study | treatment"``."""
    return f"{study} | {treatment}"


def _labels(col: pd.Series, name: str, rows, source) -> np.ndarray:
    """Study or treatment names: text, stripped, with no invisible characters, and no two
    spellings of one name (see :func:`_check_spellings`)."""
    values = col.astype("string").str.strip()
    bad = values.isna() | (values == "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataValidationError(
            f"{name} is missing; every arm needs a {name}", source=source, row=int(rows[i]),
            column=name,
        )
    values = values.to_numpy(dtype=object)
    for i, text in enumerate(values):
        odd = next((c for c in text if c != " " and (
            unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Zs"))), None)
        if odd is not None:
            kind = ("a space other than the plain space"
                    if unicodedata.category(odd) == "Zs" else "an invisible character")
            raise DataValidationError(
                f"{name} {text!r} contains {kind}, U+{ord(odd):04X} "
                f"({unicodedata.name(odd, 'control character')}), which makes it a different "
                f"name from the same name typed plainly; retype it with plain spaces",
                source=source, row=int(rows[i]), column=name)
    _check_spellings(values, rows, name, [source] * len(values))
    return values


def _spelling_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _check_spellings(names, rows, column, files) -> None:
    """Refuse two spellings of one name (letter case, runs of spaces): they would silently
    become two treatments (or studies). ``files``: each row's data file."""
    first: dict[str, tuple] = {}
    for name, row, file in zip(names, rows, files, strict=True):
        other = first.setdefault(_spelling_key(name), (name, int(row), file))
        if other[0] != name:
            where = f"row {other[1]}" + ("" if other[2] == file else f" of {other[2]}")
            raise DataValidationError(
                f"{column} {name!r} and {other[0]!r} ({where}) differ only in letter case or "
                f"spacing, so they would be two different {column}s; spell them the same way "
                "(or, if they really differ, name them so)",
                source=file, row=int(row), column=column)


def _check_arm_labels(table: pd.DataFrame, column) -> None:
    """Refuse two arms whose ``study | treatment`` labels coincide (names with " | ")."""
    seen: dict[str, tuple] = {}
    for study, trt, row, file in table[["study", "treatment", "row", "data_file"]].itertuples(
            index=False):
        label = arm_label(study, trt)
        s0, t0, r0, f0 = seen.setdefault(label, (study, trt, row, file))
        if (s0, t0) != (study, trt):
            where = f"row {r0}" + ("" if f0 == file else f" of {f0}")
            raise DataValidationError(
                f"arm ({study!r}, {trt!r}) and arm ({s0!r}, {t0!r}) ({where}) both get the "
                f"label {label!r} in the outputs; rename one so that ' | ' does not join them "
                "into the same text", source=file, row=int(row), column=column)


def _numbers(data, mapping, canon, rows, source, *, kind: str, required: bool,
             what: str | None = None) -> np.ndarray:
    """Parse a numeric column: ``count`` (whole, >= 0), ``positive`` (> 0) or ``real``;
    ``what`` names the quantity in messages (default: :data:`_WHAT`)."""
    name = mapping.get(canon)
    if name is None or name not in data:
        return np.full(len(rows), np.nan)
    out = np.full(len(rows), np.nan)
    for i, raw in enumerate(data[name].to_numpy(dtype=object)):
        text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        text = text.strip()
        if text == "" or text.lower() in ("na", "nan", "n/a"):
            if required:
                raise DataValidationError(
                    f"{name} is missing; every arm needs a value", source=source,
                    row=int(rows[i]), column=name)
            continue
        if text.lower().lstrip("+-") in ("inf", "infinity"):
            raise DataValidationError(f"{text} is not a finite number", source=source,
                                      row=int(rows[i]), column=name)
        if not _NUMBER.fullmatch(text):
            what = "a whole number of patients" if kind == "count" else "a number"
            raise DataValidationError(
                f"'{text}' is not a number; {name} must be {what}, written with the digits "
                "0-9, a decimal point and no thousands separators (e.g. 1000.5 or 2.5e-3)",
                source=source, row=int(rows[i]), column=name,
            )
        number = float(text)
        if not np.isfinite(number) or abs(number) > MAX_MAGNITUDE or (
                kind == "positive" and 0 < number < MIN_MAGNITUDE):
            raise DataValidationError(
                f"{text} is outside the range the model computes with (magnitudes up to "
                f"{MAX_MAGNITUDE:g}; positive values such as SEs from {MIN_MAGNITUDE:g}); "
                "check the value and its units", source=source, row=int(rows[i]),
                column=name)
        if kind == "count":
            if number != np.floor(number):
                raise DataValidationError(
                    f"{text} is not a whole number; {name} must be a count "
                    "(derive it as round(proportion x total) and record how in the data's "
                    "notes)", source=source, row=int(rows[i]), column=name)
            if number < 0:
                raise DataValidationError(
                    f"{text} is negative; {name} must be 0 or more",
                    source=source, row=int(rows[i]), column=name)
            if number > MAX_COUNT:
                raise DataValidationError(
                    f"{text} is more than {MAX_COUNT:,} ({name}); no trial arm is that large, "
                    "so the value is probably mistyped", source=source, row=int(rows[i]),
                    column=name)
        elif kind == "probability" and not 0 < number < 1:
            raise DataValidationError(
                f"{name} is {text}; a p-value must be between 0 and 1 (exclusive; enter "
                "'p < 0.001' as 0.001)", source=source, row=int(rows[i]), column=name)
        elif kind == "positive" and number <= 0:
            raise DataValidationError(
                f"{name} is {text}; {what or _WHAT[canon]} must be greater than 0",
                source=source, row=int(rows[i]), column=name)
        out[i] = number
    return out


def _check_ci(estimate, lower, upper, what, source, row, mapping) -> None:
    if lower > upper:
        raise DataValidationError(
            f"lower ({lower:g}) > upper ({upper:g}); the limits of the 95% CI are swapped or "
            "mistyped", source=source, row=row, column=mapping["lower"])
    if lower == upper:
        raise DataValidationError(
            f"lower equals upper ({lower:g}); a CI of zero width gives SE = 0",
            source=source, row=row, column=mapping["lower"])
    if not lower <= estimate <= upper:
        raise DataValidationError(
            f"the 95% CI ({lower:g}, {upper:g}) does not contain the {what} {estimate:g}; "
            "check the row against its source",
            source=source, row=row, column=mapping[what])


def _check_arms_per_study(table: pd.DataFrame, mapping: dict, source, *, level,
                          repeated_arms: bool = False, allow_single_arm: bool = False) -> None:
    dup = table.duplicated(["study", "treatment"], keep=False)
    if dup.any() and not repeated_arms:
        first = table.loc[dup].iloc[0]
        both = table.loc[
            dup & (table["study"] == first["study"]) & (table["treatment"] == first["treatment"]),
            "row",
        ].tolist()
        raise DataValidationError(
            f"study '{first['study']}' lists treatment '{first['treatment']}' twice "
            f"(rows {', '.join(map(str, both))}); a study has one row per treatment: combine "
            "the arms if they are the same treatment (sum events and totals for counts), or "
            "give them distinct treatment names "
            "if they differ (e.g. doses)",
            source=source, row=int(both[1]), column=mapping["treatment"],
        )
    _check_arm_labels(table, mapping["treatment"])
    n_arms = table.groupby("study", sort=False)["treatment"].size()
    single = n_arms[n_arms < 2].index.tolist()
    if single and not allow_single_arm:
        rows = table.set_index("study").loc[single, "row"].tolist()
        listing = ", ".join(f"'{s}' (row {r})" for s, r in zip(single, rows, strict=True))
        what = ("a study with one arm has no comparison and cannot inform a contrast-based "
                "network meta-analysis; remove it or add its comparator arm"
                if level == "arm" else
                "a contrast-level study needs its baseline row and at least one contrast")
        raise DataValidationError(
            f"single-arm stud{'y' if len(single) == 1 else 'ies'} {listing}: {what}"
            + (" (or allow single-arm studies with exchangeable baselines: allow_single_arm: "
               "true, baseline: {model: exchangeable})" if level == "arm" else ""),
            source=source, column=mapping["study"],
        )


# --- combining sources -------------------------------------------------------------------
