"""How long a workflow job's process takes to end, with and without the interpreter's
teardown.

Each Snakemake job runs its step in a new Python process. Once the step's outputs are
written, tearing the interpreter down (finalising PyMC's, PyTensor's and ArviZ's modules)
is pure cost; ``bayesnma.workflow.adapter._end_job`` ends the process with ``os._exit`` after
flushing the logs. This times a process that loads what a summarising step loads (the
workflow module, PyMC, ArviZ and a posterior) and then exits either way.

Run: ``python benchmarks/job_exit.py`` (writes a small posterior to a temporary folder).
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

JOB = """
import os, sys
import bayesnma.workflow, pymc, arviz
from bayesnma import io
idata = io.read_idata(sys.argv[1])
idata.posterior["d"].values.sum()
if sys.argv[2] == "fast":
    sys.stdout.flush(); os._exit(0)
"""


def _posterior(folder: Path) -> Path:
    from bayesnma import io
    from bayesnma.testing import synthetic_idata

    path = folder / "posterior.nc"
    io.write_idata(synthetic_idata({"B": 0.5, "C": 1.0}), path)
    return path


def main(repeats: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _posterior(Path(tmp))
        times = {"normal exit": [], "os._exit": []}
        for _ in range(repeats):
            for label, mode in (("normal exit", "normal"), ("os._exit", "fast")):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", JOB, str(path), mode], check=True)
                times[label].append(time.perf_counter() - start)
    for label, values in times.items():
        print(f"{label}: median {statistics.median(values):.2f} s over {repeats} processes")


if __name__ == "__main__":
    main()
