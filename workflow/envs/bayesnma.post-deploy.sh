#!/usr/bin/env bash
# Run by Snakemake in the new environment of bayesnma.yaml: install the locked stack and
# bayesnma (editable, so the environment runs the clone's code) from the clone the
# workflow set in BAYESNMA_CLONE (workflow/rules/common.smk).
set -euo pipefail
root="${BAYESNMA_CLONE:-}"
if [ -z "$root" ] || [ ! -f "$root/pyproject.toml" ]; then
    echo "error: the conda environment installs bayesnma from a clone of its repository," >&2
    echo "and this workflow is not in one. With bayesnma installed by pip, run without" >&2
    echo "--sdm conda." >&2
    exit 1
fi
python -m pip install --require-hashes -r "$root/requirements.lock"
python -m pip install --no-deps -e "$root"
