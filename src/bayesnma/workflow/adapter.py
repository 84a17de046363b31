"""Running steps under Snakemake: a rule's script calls one step through :func:`run_step`,
which routes the package's logging to the rule's log and turns a
:class:`~bayesnma.errors.BayesNMAError` into a one-line message and a failed job."""

from __future__ import annotations

import inspect
import logging
import os
import sys
from pathlib import Path

from bayesnma.config import validate_config
from bayesnma.errors import BayesNMAError
from bayesnma.workflow.plan import Analysis

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

    The step gets the settings of its ``analysis`` wildcard (or, when its first parameter
    is ``analysis``, the :class:`~bayesnma.workflow.plan.Analysis` read from them) or,
    without one, those of the analyses its rule names in ``params.analyses`` (name ->
    settings), and every named input, output, param and wildcard its signature takes. The
    package's logging (only its own logger) goes to the rule's log file and stderr. A
    :class:`BayesNMAError` is written without a traceback; any other exception is a bug
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
    kwargs = {k: v for k, v in named
              if k in accepted and k not in ("settings", "key", "analyses")}
    try:
        every = validate_config(snakemake.config)
        analysis = dict(snakemake.wildcards.items()).get("analysis")
        if analysis is None:
            settings = {a: every[a] for a in snakemake.params.analyses}
        else:
            settings = every[analysis]
        if next(iter(accepted)) == "analysis":  # the step takes the analysis, read once
            kwargs.pop("analysis")
            settings = Analysis.load(settings, analysis)
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
    per job; benchmarks/engines.md). Only under Snakemake's script directive (its
    ``snakemake`` object): a step called from Python returns."""
    if not type(snakemake).__module__.startswith("snakemake."):
        return
    logging.shutdown()  # flushes and closes the log files
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
