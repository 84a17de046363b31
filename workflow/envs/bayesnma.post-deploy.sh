#!/usr/bin/env bash
# Run by Snakemake in the new environment of bayesnma.yaml: install bayesnma from the clone
# this workflow belongs to (editable, so the environment runs the clone's code).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ ! -f "$root/pyproject.toml" ]; then
    echo "error: the conda environment installs bayesnma from a clone of its repository;" >&2
    echo "$root is not one. With bayesnma installed by pip, run without --sdm conda." >&2
    exit 1
fi
python -m pip install --no-deps --no-build-isolation -e "$root"
