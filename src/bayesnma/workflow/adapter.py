"""Running steps under Snakemake: a rule's script calls one step through :func:`run_step`,
which routes the package's logging to the rule's log and turns a
:class:`~bayesnma.errors.BayesNMAError` into a one-line message and a failed job."""

from __future__ import annotations

import gc
import hashlib
import inspect
import json
import logging
import os
import runpy
import shutil
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from bayesnma.config import validate_config
from bayesnma.errors import BayesNMAError
from bayesnma.versions import package_versions
from bayesnma.workflow.keys import remove_paths

log = logging.getLogger("bayesnma")


def name_clone_for_conda(basedir) -> None:
    """Tell the conda environment's post-deploy script (``workflow/envs``), which Snakemake
    runs from a copy in ``.snakemake/conda``, where the clone of bayesnma is: the
    ``BAYESNMA_CLONE`` variable of this process, empty when the workflow (``basedir``, the
    directory of its Snakefile) is not in a clone but in an installed package."""
    base = Path(basedir)
    os.environ["BAYESNMA_CLONE"] = next(
        (str(d) for d in (base, base.parent)
         if (d / "src" / "bayesnma").is_dir() and (d / "pyproject.toml").is_file()), "")


def _route_logger(logger: logging.Logger, handlers) -> None:
    """Send ``logger``'s INFO and above to ``handlers`` only (closing its earlier ones)."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def run_step(snakemake, step) -> None:
    """Run one workflow step from a Snakemake ``script:`` and report errors in one line.

    The package's logging (only its own logger) goes to the rule's log file and stderr.
    A :class:`BayesNMAError` is written without a traceback; any other exception is a bug
    and is written with its traceback. Either way the job fails (Snakemake deletes its
    outputs).
    """
    # Only our logger: other libraries' INFO lines (e.g. arviz_base's notes on optional
    # packages) read like errors in a rule's log.
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w"))
    _route_logger(logging.getLogger("bayesnma"), handlers)
    import matplotlib

    matplotlib.use("Agg")  # a job draws to files only: no display, whatever the machine has
    accepted = inspect.signature(step).parameters
    named = [*snakemake.input.items(), *snakemake.output.items(),
             *snakemake.params.items(), *snakemake.wildcards.items()]
    kwargs = {k: v for k, v in named if k in accepted and k not in ("settings", "key")}
    try:
        every = validate_config(snakemake.config)
        analysis = dict(snakemake.wildcards.items()).get("analysis")
        if analysis is None:  # a step over every main analysis
            settings = {a: s for a, s in every.items() if "sensitivity_of" not in s}
        else:
            settings = every[analysis]
        if "threads" in accepted:
            kwargs["threads"] = snakemake.threads
        if "question" in accepted:
            kwargs["question"] = snakemake.config.get("question") or {}
        if "scenario_settings" in accepted:
            kwargs["scenario_settings"] = [{**every[s], "name": s}
                                           for s in settings["sensitivity"]]
        step(settings, **kwargs)
    except BayesNMAError as err:
        log.error("%s", err)
        sys.exit(1)
    except Exception:
        log.exception("%s stopped on an unexpected error, a bug in bayesnma; please report it "
                      "with this log", step.__name__)
        sys.exit(1)
    _end_job(snakemake)


def _end_job(snakemake) -> None:
    """End a job's own process once its step has written and closed its outputs, without
    the interpreter's teardown (unloading PyMC, PyTensor and ArviZ takes most of a second
    per job; benchmarks/engines.md). Only under Snakemake's script directive: a step
    run inside a batch, or called from Python, returns."""
    from snakemake.iocontainers import Snakemake

    if not isinstance(snakemake, Snakemake):
        return
    logging.shutdown()  # flushes and closes the log files
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def job_files(named: dict) -> list[str]:
    """The paths of a job's named inputs or outputs (each a path or a list of paths)."""
    return [f for v in named.values() for f in ([v] if isinstance(v, str) else v)]


def order_jobs(jobs: list[dict]) -> list[dict]:
    """Jobs (dicts with ``input`` and ``output``: name -> path or list of paths) in an
    order that runs each after the jobs making its inputs; otherwise as given.

    Raises
    ------
    ValueError
        If the jobs' files form a cycle.
    """
    maker = {f: i for i, job in enumerate(jobs) for f in job_files(job["output"])}
    needs = [{maker[f] for f in job_files(job["input"]) if f in maker} - {i}
             for i, job in enumerate(jobs)]
    done: list[int] = []
    pending = list(range(len(jobs)))
    while pending:
        ready = [i for i in pending if needs[i] <= set(done)]
        if not ready:
            raise ValueError(f"jobs {[jobs[i]['rule'] for i in pending]} depend on each other")
        done += ready
        pending = [i for i in pending if i not in ready]
    return [jobs[i] for i in done]


class StepJobs(list):
    """The steps of a batch (see :func:`run_batch`), passed to its job in ``params``.

    Not a plain list, so that Snakemake does not keep a copy of it in the metadata of
    every output (megabytes per batch, read on every run); the batch's ``key`` param, a
    hash of the steps, is what tells Snakemake they changed.
    """

    def key(self) -> str:
        return hashlib.sha256(json.dumps(list(self), sort_keys=True, default=str)
                              .encode()).hexdigest()[:16]


#: Where a batch keeps the outputs of its steps, by step, to reuse them (see run_batch).
STEP_STORE = Path(".bayesnma") / "steps"


def run_batch(snakemake) -> None:
    """Run the steps of a batch of sensitivity analyses in this one process.

    ``snakemake.params.jobs`` lists the steps as the workflow's rules would run them (rule,
    script, wildcards, input, output, params and log of each, see
    ``workflow/rules/sensitivity.smk``); each rule's own script is run here with them, in
    an order that makes every input first. The steps therefore write the same files as
    one job per step, with the imports paid once. The first failing step fails the batch
    (Snakemake removes all its outputs).

    A batch reruns when any of its steps would; within it, a step whose rule, script,
    wildcards, params, outputs, input files and package versions are those of its last
    run is not run again: its outputs and log are restored (outputs as hard links) from
    ``.bayesnma/steps/<analysis>/``, which keeps each step's last ones. So, as with one
    job per step, a changed label re-summarises but does not refit, and a changed scenario
    refits only itself. Delete ``.bayesnma/steps`` to redo every step.
    """
    from snakemake.iocontainers import Namedlist

    batch = logging.getLogger("bayesnma.batch")
    _route_logger(batch, [logging.FileHandler(p, mode="w") for p in snakemake.log[:1]])
    scripts = Path(snakemake.scriptdir)
    versions = json.dumps(package_versions(), sort_keys=True)
    jobs = order_jobs(list(snakemake.params.jobs))
    kept: dict[Path, set[str]] = {}
    for n, job in enumerate(jobs, start=1):
        where = ", ".join(f"{k}={v}" for k, v in job["wildcards"].items())
        store = STEP_STORE / job["wildcards"]["analysis"]
        key = _step_key(job, versions)
        kept.setdefault(store, set()).add(key)
        if _restore(job, store / key):
            batch.info("step %d of %d: %s (%s): unchanged, outputs reused", n, len(jobs),
                       job["rule"], where)
            continue
        batch.info("step %d of %d: %s (%s)", n, len(jobs), job["rule"], where)
        start = time.perf_counter()
        remove_paths(job_files(job["output"]))  # a hard link to a kept output is not written
        job_snakemake = SimpleNamespace(
            input=Namedlist(fromdict=job["input"]), output=Namedlist(fromdict=job["output"]),
            params=Namedlist(fromdict=job["params"]),
            wildcards=Namedlist(fromdict=job["wildcards"]), threads=snakemake.threads,
            resources=snakemake.resources, log=list(job["log"]), config=snakemake.config,
            rule=job["rule"], scriptdir=str(scripts))
        runpy.run_path(str(scripts / job["script"]), init_globals={"snakemake": job_snakemake},
                       run_name="__main__")
        _keep(job, store / key)
        gc.collect()  # a posterior (an xarray DataTree) has reference cycles
        batch.info("step %d done in %.1f s", n, time.perf_counter() - start)
    for store, keys in kept.items():  # only the current run's steps are kept
        for entry in store.iterdir():
            if entry.name not in keys:
                shutil.rmtree(entry)
    _end_job(snakemake)


def _step_key(job: dict, versions: str) -> str:
    """What a step's outputs depend on: the job as planned (rule, script and its hash,
    wildcards, inputs, outputs, params, log), the package versions, and the content of
    its input files (folders: of every file in them)."""
    digest = hashlib.sha256()

    def add(data: bytes) -> None:  # length first, so that no two sequences run together
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    add(json.dumps(job, sort_keys=True, default=str).encode())
    add(versions.encode())
    for name in sorted(job_files(job["input"])):
        path = Path(name)
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                add(str(file).encode())
                with file.open("rb") as handle:
                    add(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:24]


def _link(src: Path, dst: Path, *, copy: bool = False) -> None:
    """Hard-link (or copy) a file or folder tree; copy where links are not possible."""
    def link_file(a, b):
        if not copy:
            try:
                return os.link(a, b)
            except OSError:
                pass
        return shutil.copy2(a, b)

    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, copy_function=link_file, dirs_exist_ok=True)
    else:
        link_file(src, dst)


def _keep(job: dict, entry: Path) -> None:
    """Keep a step's outputs (hard links) and log (a copy) under ``entry``; ``complete``
    marks a whole entry."""
    if entry.exists():
        shutil.rmtree(entry)
    for path in job_files(job["output"]):
        _link(Path(path), entry / "outputs" / path)
    for path in job["log"]:
        if Path(path).exists():
            _link(Path(path), entry / "logs" / path, copy=True)
    (entry / "complete").touch()


def _restore(job: dict, entry: Path) -> bool:
    """Restore a step's kept outputs and log; False (nothing restored) if any output is
    not kept."""
    kept = [entry / "outputs" / path for path in job_files(job["output"])]
    if not (entry / "complete").exists() or not all(k.exists() for k in kept):
        return False
    remove_paths(job_files(job["output"]))
    for path, source in zip(job_files(job["output"]), kept, strict=True):
        _link(source, Path(path))
    for path in job["log"]:
        if (entry / "logs" / path).exists():
            Path(path).unlink(missing_ok=True)
            _link(entry / "logs" / path, Path(path), copy=True)
    return True
