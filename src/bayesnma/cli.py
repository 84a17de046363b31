"""The ``bayesnma`` command: run, check and start analyses with the packaged workflow.

``bayesnma run`` drives the Snakemake workflow shipped inside the package through
Snakemake's API, so ``pip install bayesnma`` is all an analysis needs; in a clone of the
repository ``snakemake --cores 4`` runs the same workflow.
"""

from __future__ import annotations

import argparse
import contextlib
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
s2,A,8,80,RCT
s2,C,15,80,RCT
s3,B,18,90,RCT
s3,C,16,90,RCT
"""


def snakefile() -> Path:
    """The packaged workflow's ``Snakefile``."""
    return Path(str(files("bayesnma.pipeline").joinpath("Snakefile")))


def _configfiles(args) -> list[Path]:
    """The config files, relative to the working directory (``--directory``)."""
    return [(Path(args.directory) / c).resolve() for c in args.configfile]


def _run(args) -> int:
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        ExecutionSettings,
        OutputSettings,
        ResourceSettings,
    )

    workdir = Path(args.directory).resolve()
    configs = _configfiles(args)
    for c in configs:
        if not c.is_file():
            print(f"bayesnma: config file not found: {c}", file=sys.stderr)
            return 2
    with SnakemakeApi(OutputSettings()) as api:
        try:
            workflow = api.workflow(
                resource_settings=ResourceSettings(cores=args.cores),
                config_settings=ConfigSettings(configfiles=configs),
                snakefile=snakefile(), workdir=workdir)
            dag = workflow.dag(DAGSettings(targets=frozenset(args.targets)))
            dag.execute_workflow(
                executor="local", pseudo_executor="dryrun" if args.dry_run else None,
                execution_settings=ExecutionSettings(keep_going=args.keep_going))
        except Exception as err:  # Snakemake's own errors: shown as its command line does
            api.print_exception(err)
            return 1
    return 0


def _validate(args) -> int:
    from snakemake.utils import update_config

    from bayesnma.config import load_config_file
    from bayesnma.workflow import main_analyses, plan_analyses

    config: dict = {}
    for path in _configfiles(args):  # merged as Snakemake merges --configfile files
        update_config(config, load_config_file(path))
    with contextlib.chdir(args.directory):
        plan = plan_analyses(config)
    n_fits = sum(1 + len(v) for p in plan.values() for v in p["variants"].values())
    main = main_analyses(plan)
    print(f"valid: {len(main)} analyses, {len(plan) - len(main)} sensitivity analyses, "
          f"{n_fits} fits")
    for analysis, p in plan.items():
        print(f"  {analysis}: {p['measure']['name']}; components {', '.join(p['components'])}")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bayesnma", description="Bayesian network meta-analysis: fit, rank and report "
        "with the packaged Snakemake workflow.")
    parser.add_argument("--version", action="version", version=f"bayesnma {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the analyses of a config (reruns only what changed)",
                         description="Run every analysis of the config files with the "
                         "packaged workflow; results go to <directory>/results.")
    run.add_argument("configfile", nargs="+",
                     help="config file(s), relative to --directory; later ones override")
    run.add_argument("--cores", "-c", type=int, default=1,
                     help="CPU cores to use (a fit uses one per chain; default 1)")
    run.add_argument("--directory", "-d", default=".",
                     help="working directory: data paths are relative to it (default .)")
    run.add_argument("--dry-run", "-n", action="store_true", help="list the jobs, run none")
    run.add_argument("--keep-going", "-k", action="store_true",
                     help="go on with independent jobs when one fails")
    run.add_argument("--targets", nargs="*", default=[], metavar="TARGET",
                     help="files or rules to build (e.g. analysis_hcc_orr); default all")
    run.set_defaults(func=_run)

    val = sub.add_parser("validate", help="check a config and its data files; fit nothing",
                         description="Check the config files and every data file they name, "
                         "as a run does before any job, and list the analyses.")
    val.add_argument("configfile", nargs="+",
                     help="config file(s), relative to --directory; later ones override")
    val.add_argument("--directory", "-d", default=".",
                     help="working directory: data paths are relative to it (default .)")
    val.set_defaults(func=_validate)

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
