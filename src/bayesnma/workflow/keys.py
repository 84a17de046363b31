"""What a result depends on, and removing results that are out of date.

A step's key (:func:`settings_key`) is a hash of the settings it uses and of the installed
package; a fit's stamp (:func:`fit_stamp`) adds its data files' content. Rules carry keys in
their params, so that Snakemake reruns a step when they change; :func:`remove_stale_results`
removes what a run will redo before it starts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from functools import cache
from pathlib import Path

from bayesnma import io
from bayesnma.config import SENSITIVITY_SEP

log = logging.getLogger("bayesnma")


#: Settings that only label results, orient the ranking or add an analysis after the fit
#: (influence): a change reruns summaries, figures and reports, not the fits.
PRESENTATION_KEYS = ("outcome", "description", "lower_better", "sensitivity",
                     "sensitivity_of", "excluded", "influence")


@cache
def code_version() -> str:
    """Hash of the installed package (version, code, schemas, bundled data)."""
    from importlib.resources import files

    from bayesnma import __version__

    digest = hashlib.sha256(__version__.encode())
    root = Path(str(files("bayesnma")))
    for path in sorted(p for p in root.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts and p.suffix != ".pyc"):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_key(*settings: dict, model_only: bool = False) -> str:
    """What a workflow step depends on besides its input files, as a short hash: the
    settings it uses (without :data:`PRESENTATION_KEYS` for ``model_only``) and
    :func:`code_version`. Rules carry it in ``params``, so Snakemake reruns a step when it
    changes; user text never reaches the params (``snakemake --report`` shows them raw)."""
    used = [{k: v for k, v in s.items() if not (model_only and k in PRESENTATION_KEYS)}
            for s in settings]
    if model_only:  # what a run does with a fit that failed does not change the fit
        used = [{**s, "convergence": {k: v for k, v in s["convergence"].items()
                                      if k != "on_failure"}} if "convergence" in s else s
                for s in used]
    text = json.dumps([code_version(), used], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fit_stamp(settings: dict, data_files) -> str:
    """What a fit depends on: its settings key and the content of its data files."""
    digest = hashlib.sha256(settings_key(settings, model_only=True).encode())
    for path in data_files:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


#: The settings keys an analysis' results on disk were made with: all its settings (labels
#: included), then those of its influence analysis.
SETTINGS_STAMP = "settings_stamp.txt"


#: What a component keeps when only its presentation is out of date: the fits.
FIT_FILES = ("posterior.nc", "diagnostics.csv", "variants")


def remove_stale_results(plan: dict, results="results") -> None:
    """Remove every result a run will redo, so that a failed or killed run leaves nothing
    that looks current: for a fit that is out of date (its settings, data or bayesnma's
    code changed since, see :func:`fit_stamp`), the component's fit and everything
    computed from it; for an analysis whose other settings changed (a label, the
    direction, the certainty margin: :data:`SETTINGS_STAMP`), everything but its fits
    (and its influence analysis, when only labels changed).
    With either, its analysis' combined tables, influence analysis and report, the
    sensitivity comparison and report of the analysis it belongs to, and the answer page
    go too. Then records each analysis' settings. Called when a run starts (not in dry
    runs): a successful run rebuilds them all."""
    root = Path(results)
    for analysis, entry in plan.items():
        stamp = fit_stamp(entry["settings"], entry["data_files"])
        folders = [root / analysis / c for c in entry["components"]]
        stale = [f for f in folders if not (f / "posterior.nc").exists()
                 or io.read_posterior_attrs(f / "posterior.nc").get("fit_stamp") != stamp]
        recorded = root / analysis / SETTINGS_STAMP
        keys = [entry["keys"]["all"], entry["keys"]["influence"]]
        before = recorded.read_text().split("\n") if recorded.is_file() else keys
        if stale:
            _remove_stale(root, analysis, stale, keep=("variants",))
        if before[0] != keys[0]:  # the influence refits depend on the fits and direction only
            _remove_stale(root, analysis, [f for f in folders if f not in stale],
                          keep=FIT_FILES, keep_influence=before[1:] == keys[1:])
        recorded.parent.mkdir(parents=True, exist_ok=True)
        recorded.write_text("\n".join(keys))


def _remove_stale(results: Path, analysis: str, folders, *, keep,
                  keep_influence: bool = False) -> None:
    stale = [p for folder in folders if folder.is_dir()
             for p in folder.iterdir() if p.name not in keep]
    stale += [results / analysis / n for n in ("relative_effects.csv", "ranks.csv",
                                               "convergence.csv", "report.html")]
    if not keep_influence:
        stale += [results / analysis / n for n in ("influence.csv", "influence_studies.csv",
                                                   "influence.png")]
    main = analysis.split(SENSITIVITY_SEP, 1)[0]
    stale += [results / main / n for n in ("sensitivity.csv", "robustness.png", "report.html")]
    stale += [results / n for n in ("answer.html", "answer_forest.png", "answer_forest.svg")]
    for path in (p for p in stale if p.exists()):
        remove_paths([path])
        log.info("removed %s (computed from out-of-date settings or fits)", path)


def remove_paths(paths) -> None:
    for path in map(Path, paths):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
