"""The ``bayesnma`` command: run, validate, check and start analyses with the packaged
workflow.

``bayesnma run`` drives the Snakemake workflow shipped inside the package through
Snakemake's API, so ``pip install bayesnma`` is all an analysis needs; in a clone of the
repository ``snakemake --cores 4`` runs the same workflow.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shlex
import sys
from importlib.resources import files
from pathlib import Path

from bayesnma import __version__
from bayesnma.errors import BayesNMAError

__all__ = ["main", "snakefile"]

_STARTER_CONFIG = """\
# bayesnma configuration (written by `bayesnma init`). A key not set takes its default
# (random effects, for one); every key and its default:
# https://github.com/bayesnma/bayesnma/blob/main/config/README.md, or `bayesnma init
# --example hcc` for a full worked example.
analyses:
  example:
    data: data/arms.csv          # one row per trial arm: study,treatment,events,total
    outcome: Response rate
    lower_better: false          # false: OR > 1 favours the treatment
    trt_ref: A
"""

_STARTER_DATA = """\
study,treatment,events,total,design
s1,A,12,100,RCT
s1,B,20,100,RCT
s2,A,9,80,RCT
s2,C,19,82,RCT
s3,B,18,90,RCT
s3,C,22,88,RCT
s4,A,10,70,RCT
s4,B,15,72,RCT
s4,D,13,71,RCT
"""


def snakefile() -> Path:
    """The packaged workflow's ``Snakefile``."""
    return Path(str(files("bayesnma.pipeline").joinpath("Snakefile")))


def _configfiles(args) -> list[Path]:
    """The config files, relative to the working directory (``--directory``), each checked
    before anything else reads it: one with YTE templating is refused or, with
    ``--allow-yte``, rendered to plain YAML (``.bayesnma/rendered/`` in the working
    directory), which is what the workflow then reads."""
    import yaml

    from bayesnma.config import YTE_KEY, load_config_file, uses_yte

    paths = []
    for n, given in enumerate(args.configfile, start=1):
        path = (Path(args.directory) / given).resolve()
        if path.is_file():  # a missing one is reported by the command
            config = load_config_file(path, allow_yte=args.allow_yte)
            if uses_yte(path):
                path = Path(args.directory).resolve() / ".bayesnma" / "rendered" / (
                    f"{n}-{path.name}")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(yaml.safe_dump({key: value for key, value in config.items()
                                                if key != YTE_KEY}, sort_keys=False))
        paths.append(path)
    return paths


def _run(args) -> int:
    configs = _configfiles(args)
    for c in configs:
        if not c.is_file():
            print(f"bayesnma: config file not found: {c}", file=sys.stderr)
            return 2
    workdir = Path(args.directory).resolve()
    if args.unlock:
        return _snakemake(workdir, configs, cores=args.cores, unlock=True)
    status = _snakemake(workdir, configs, cores=args.cores, targets=args.targets,
                        dry_run=args.dry_run, keep_going=args.keep_going)
    if status == LOCKED:
        given = " ".join(shlex.quote(c) for c in args.configfile)
        where = f" -d {shlex.quote(args.directory)}" if args.directory != "." else ""
        print(f"bayesnma: {workdir} is locked: a run in it stopped without finishing "
              "(interrupted or killed) or is still going. If none is going, unlock it and run "
              f"again: bayesnma run {given}{where} --unlock (what the stopped run finished "
              "is kept; what it left half done is redone).", file=sys.stderr)
        return 1
    if status or args.dry_run:
        return status
    from bayesnma.workflow import not_converged_analyses

    plan = _plan(configs, workdir)
    targeted = [a for a in plan if not args.targets or f"analysis_{a}" in args.targets
                or any(Path(t).parts[:2] == ("results", a) for t in args.targets)]
    failing = not_converged_analyses(plan, workdir / "results", only=targeted)
    warned = [a for a in failing if plan[a]["settings"]["convergence"]["on_failure"] == "warn"]
    failing = [a for a in failing if a not in warned]
    # A sensitivity analysis that fails is written flagged (not failed: that would take
    # its batch down); with on_failure: error it still fails the run.
    failing += [s for s in not_converged_analyses(plan, workdir / "results", only=targeted,
                                                  scenarios=True)
                if plan[s]["settings"]["convergence"]["on_failure"] == "error"]
    if warned:
        print(f"bayesnma: warning: {', '.join(warned)} did not converge; its results are "
              "marked not converged (convergence.on_failure: warn, so the exit status is 0)",
              file=sys.stderr)
    if failing:
        print(f"bayesnma: {', '.join(failing)} did not converge (see the reports' Diagnostics "
              f"for what failed and what to try); exit status {NOT_CONVERGED}. Set "
              "convergence.on_failure: warn to exit 0 with results marked not converged.",
              file=sys.stderr)
        return NOT_CONVERGED
    return 0


#: Exit status of ``bayesnma run`` when a main analysis did not converge.
NOT_CONVERGED = 3


def _terminal_only_progress(record) -> bool:
    """Leave out Snakemake's listing of each job (rule, inputs, outputs, wildcards,
    resources): it goes to Snakemake's log file only, so that the terminal shows progress,
    errors and the run's summary."""
    from snakemake_interface_logger_plugins.common import LogEvent

    return getattr(record, "event", None) not in (LogEvent.JOB_INFO, LogEvent.GROUP_INFO,
                                                   LogEvent.SHELLCMD)


#: What :func:`_snakemake` returns when the working directory is locked by another run.
LOCKED = -1


def _snakemake(workdir: Path, configs, *, cores: int, targets=(), dry_run: bool = False,
               keep_going: bool = False, hooks: bool = True, unlock: bool = False) -> int:
    """Run the packaged workflow in ``workdir``; 0 if it succeeded, :data:`LOCKED` if the
    directory is locked by another run. ``hooks=False`` leaves out the workflow's
    ``onstart``/``onsuccess`` (removing stale results, the summary); ``unlock`` removes the
    locks a stopped run left, and runs nothing."""
    from snakemake.api import SnakemakeApi
    from snakemake.exceptions import LockException
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        ExecutionSettings,
        OutputSettings,
        ResourceSettings,
    )

    with SnakemakeApi(OutputSettings()) as api:
        # Snakemake logs through the standard logger "snakemake.logging"; at this point its
        # only handler writes to the terminal (the log file's is added per run). A dry run
        # is a listing of jobs: it keeps them.
        if not dry_run:
            for handler in logging.getLogger("snakemake.logging").handlers:
                handler.addFilter(_terminal_only_progress)
        try:
            workflow = api.workflow(
                resource_settings=ResourceSettings(cores=cores),
                config_settings=ConfigSettings(configfiles=list(configs)),
                snakefile=snakefile(), workdir=workdir)
            # A job a stopped run left half done is redone, as the lock message promises
            # (Snakemake's --rerun-incomplete): its outputs are not results.
            dag = workflow.dag(DAGSettings(targets=frozenset(targets), force_incomplete=True))
            if unlock:
                dag.unlock()
                print(f"bayesnma: unlocked {workdir}", file=sys.stderr)
                return 0
            dag.execute_workflow(
                executor="local", pseudo_executor="dryrun" if dry_run else None,
                execution_settings=ExecutionSettings(keep_going=keep_going,
                                                     no_hooks=not hooks))
        except LockException:
            return LOCKED
        except Exception as err:  # Snakemake's own errors: shown as its command line does
            api.print_exception(err)
            return 1
    return 0


def _check(args) -> int:
    import shutil
    import tempfile

    from bayesnma.reproduce import (
        MC_TOLERANCE,
        UNJUDGED,
        compare_results,
        fit_records,
        same_fitting_setup,
    )

    workdir = Path(args.directory).resolve()
    results = workdir / "results"
    if not results.is_dir():
        print(f"bayesnma: no results to check: {results} does not exist; run the analyses "
              "first (bayesnma run)", file=sys.stderr)
        return 2
    configs = _configfiles(args)
    for c in configs:
        if not c.is_file():
            print(f"bayesnma: config file not found: {c}", file=sys.stderr)
            return 2
    plan = _plan(configs, workdir)
    data = list(dict.fromkeys(f for p in plan.values() for f in p["data_files"]))
    outside = [f for f in data if not Path(f).is_absolute()
               and not (workdir / f).resolve().is_relative_to(workdir)]
    if outside:
        print(f"bayesnma: check copies the data into the rerun's folder; {outside[0]} is "
              f"outside {workdir}: give its absolute path in the config", file=sys.stderr)
        return 2
    if args.keep and Path(args.keep).exists() and any(Path(args.keep).iterdir()):
        print(f"bayesnma: --keep {args.keep} is not empty: the rerun needs an empty folder",
              file=sys.stderr)
        return 2
    rerun = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(
        prefix="bayesnma-check-"))
    try:
        # The rerun gets the config's data files at the same relative paths, nothing else.
        for name in (f for f in data if not Path(f).is_absolute()):
            (rerun / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(workdir / name, rerun / name)
        print(f"bayesnma check: rerunning {len(plan)} analyses in {rerun}", flush=True)
        # A fresh folder has no stale results; its summary would name a folder about to go.
        if _snakemake(rerun, configs, cores=args.cores, targets=args.targets,
                      hooks=False) != 0:
            print("bayesnma check: the rerun failed (see above); nothing compared",
                  file=sys.stderr)
            return 1
        made = ([a for a in plan if (rerun / "results" / a).is_dir()] if args.targets
                else list(plan))  # a full rerun must have made every analysis
        table = compare_results(results, rerun / "results", analyses=made)
        before, now = (r[r["posterior"].str.split("/").str[0].isin(made)]
                       for r in (fit_records(results), fit_records(rerun / "results")))
    finally:
        if not args.keep:
            shutil.rmtree(rerun, ignore_errors=True)
    if table.empty:
        print("bayesnma check: the rerun made no table to compare", file=sys.stderr)
        return 1
    counts = table["status"].value_counts()
    print(f"\n{len(table)} tables: " + ", ".join(f"{n} {status}" for status, n
                                                in counts.items()))
    for row in table[table["status"] != "identical"].itertuples():
        detail = f" ({row.n_cells} cells)" if row.n_cells else ""
        print(f"  {row.status}: {row.table}{detail}{'; ' + row.worst if row.worst else ''}")
    _print_fit_differences(before, now)
    same_setup = same_fitting_setup(before, now)
    bad = table["status"].isin(["differs", "missing in rerun", "only in rerun"]).any()
    if (table["status"] == "identical").all():
        print("\nresults match the rerun exactly (every table byte-identical)")
        return 0
    if bad:
        print(f"\nresults do NOT match the rerun (beyond {MC_TOLERANCE:g} Monte Carlo "
              "standard errors, or tables missing)")
        return 1
    if same_setup:
        print("\nresults do NOT match the rerun: the same machine type, packages and compile "
              "flags must give byte-identical tables")
        return 1
    unjudged = int((table["status"] == UNJUDGED).sum())
    print(f"\nresults match the rerun within Monte Carlo error ({MC_TOLERANCE:g} standard "
          "errors) on another machine type or package set"
          + (f"; {unjudged} tables differ in numbers or text without a Monte Carlo error "
             "to judge by (expected to move there)" if unjudged else ""))
    return 0


def _print_fit_differences(before, now) -> None:
    """What the original fits and the rerun's were made with, where it differs."""
    both = before.merge(now, on="posterior", suffixes=("", "_rerun"))
    for col in before.columns[1:]:
        changed = both[both[col] != both[f"{col}_rerun"]]
        if len(changed) and col != "fit_stamp":
            first = changed.iloc[0]
            print(f"  {col} differs in {len(changed)} of {len(both)} fits, e.g. "
                  f"{first['posterior']}: {first[col]} (results) vs {first[col + '_rerun']} "
                  "(rerun)")


def _plan(configs, workdir: Path) -> dict:
    """The validated plan of the merged config files, read in ``workdir``."""
    from snakemake.utils import update_config

    from bayesnma.config import load_config_file
    from bayesnma.workflow import plan_analyses

    config: dict = {}
    for path in configs:  # merged as Snakemake merges --configfile files
        update_config(config, load_config_file(path))
    with contextlib.chdir(workdir):
        return plan_analyses(config)


def _validate(args) -> int:
    from bayesnma.workflow import describe_plan

    workdir = Path(args.directory)
    plan = _plan(_configfiles(args), workdir)
    with contextlib.chdir(workdir):  # data paths are relative to it
        print(describe_plan(plan))
    return 0


def _init(args) -> int:
    target = Path(args.directory)
    config = target / "config" / "config.yaml"
    if config.exists() and not args.force:
        print(f"bayesnma: {config} exists; use --force to overwrite it", file=sys.stderr)
        return 2
    (target / "config").mkdir(parents=True, exist_ok=True)
    (target / "data").mkdir(parents=True, exist_ok=True)
    if args.example == "hcc":
        config.write_bytes(files("bayesnma.example_config").joinpath("config.yaml").read_bytes())
        for item in files("bayesnma.example_data").iterdir():
            if item.is_file() and item.name.endswith((".csv", ".md")):
                (target / "data" / item.name).write_bytes(item.read_bytes())
    else:
        config.write_text(_STARTER_CONFIG)
        (target / "data" / "arms.csv").write_text(_STARTER_DATA)
    print(f"wrote {config} and {target / 'data'}/; next: bayesnma run "
          f"{config.relative_to(target)} --directory {target}")
    return 0


def _config_arguments(parser, *, cores: str | None = None,
                      directory: str = "working directory: data paths are relative to it "
                                       "(default .)") -> None:
    """The arguments every command that reads a config takes: the config files and the
    working directory, and ``--cores`` where it runs the workflow."""
    parser.add_argument("configfile", nargs="+",
                        help="config file(s), relative to --directory; later ones override")
    if cores:
        parser.add_argument("--cores", "-c", type=int, default=1, help=cores)
    parser.add_argument("--directory", "-d", default=".", help=directory)
    parser.add_argument("--allow-yte", action="store_true",
                        help="run the Python code of a config that uses YTE templating "
                        "(__use_yte__: true); refused otherwise: only for files you trust")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bayesnma", description="Bayesian network meta-analysis: fit, rank and report "
        "with the packaged Snakemake workflow.")
    parser.add_argument("--version", action="version", version=f"bayesnma {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the analyses of a config (reruns only what changed)",
                         description="Run every analysis of the config files with the "
                         "packaged workflow; results go to <directory>/results. The "
                         "terminal shows progress and, at the end, what each analysis found "
                         "(Snakemake's list of jobs goes to its log in .snakemake/log). A fit "
                         "that fails the convergence criteria is refitted with safer sampler "
                         "settings (sampler.retries). Exit status: 0 done; 1 invalid config or "
                         "data, or a job failed; 2 bad arguments; 3 a main analysis did not "
                         "converge (its results are "
                         "written, marked not converged; convergence.on_failure: warn exits "
                         "0 instead).")
    _config_arguments(run, cores="CPU cores to use (a fit uses one per chain; default 1)")
    run.add_argument("--dry-run", "-n", action="store_true", help="list the jobs, run none")
    run.add_argument("--keep-going", "-k", action="store_true",
                     help="go on with independent jobs when one fails")
    run.add_argument("--targets", nargs="*", default=[], metavar="TARGET",
                     help="files or rules to build (e.g. analysis_hcc_orr); default all")
    run.add_argument("--unlock", action="store_true",
                     help="remove the lock a stopped (interrupted or killed) run left on "
                     "the directory, and run nothing")
    run.set_defaults(func=_run)

    val = sub.add_parser("validate", help="check a config and its data files; fit nothing",
                         description="Check the config files and every data file they name, "
                         "as a run does before any job, and say what a run would do: per "
                         "analysis the data read, its components and loops, the model and "
                         "its priors (from the config or the defaults), the fits, the "
                         "sampler and what is written.")
    _config_arguments(val)
    val.set_defaults(func=_validate)

    check = sub.add_parser(
        "check", help="rerun a config and compare with its results folder",
        description="Rerun the analyses of the config files in a temporary folder (a copy "
        "of their data files) and compare every table with <directory>/results: on the same "
        "machine type and locked packages every table should be byte-identical; elsewhere "
        "numbers may differ within Monte Carlo error (3 combined MCSEs). Lists what "
        "differs, and the package versions, compile flags or CPU type that changed. Exit "
        "status 1 if a table differs beyond Monte Carlo error or is missing.")
    _config_arguments(check, cores="CPU cores to use for the rerun (default 1)",
                      directory="working directory holding data/ and results/ (default .)")
    check.add_argument("--targets", nargs="*", default=[], metavar="TARGET",
                       help="rerun and compare only these (e.g. analysis_hcc_orr)")
    check.add_argument("--keep", metavar="DIR",
                       help="rerun in DIR (new or empty) and keep it (default: a temporary "
                       "folder, removed)")
    check.set_defaults(func=_check)

    init = sub.add_parser("init", help="write a starter config and data template",
                          description="Write config/config.yaml and data/ in a directory: "
                          "a minimal starter, or the bundled HCC example.")
    init.add_argument("directory", nargs="?", default=".", help="where (default .)")
    init.add_argument("--example", choices=["starter", "hcc"], default="starter",
                      help="starter: one small binary analysis; hcc: the bundled "
                      "second-line HCC analyses")
    init.add_argument("--force", action="store_true", help="overwrite an existing config")
    init.set_defaults(func=_init)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``bayesnma`` command."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except BayesNMAError as err:
        print(f"bayesnma: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
