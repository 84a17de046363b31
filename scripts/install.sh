#!/usr/bin/env bash
# Create a virtual environment with Python >= 3.12 and install the locked stack
# (requirements.lock, exact versions with hashes) and bayesnma itself (editable, no deps).
#
#   bash scripts/install.sh              # into .venv
#   BAYESNMA_VENV=/some/dir bash scripts/install.sh
#   PYTHON=/path/to/python3.12 bash scripts/install.sh
#
# Rerunning is cheap: the lock is installed again only when it changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${BAYESNMA_VENV:-.venv}"

is_supported() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null
}

find_python() {
    local candidates=()
    [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
    candidates+=(python3.13 python3.12 python3 python)
    local root
    root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
    # pyenv's own interpreters, newest first (its shims fail where a version is not active)
    while read -r dir; do
        [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
    done < <(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV)
    for c in "${candidates[@]}"; do
        if command -v "$c" >/dev/null 2>&1 && is_supported "$c"; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

if [ ! -x "$venv/bin/python" ] || ! is_supported "$venv/bin/python"; then
    if ! python="$(find_python)"; then
        echo "error: bayesnma needs Python >= 3.12 (PyMC 6, ArviZ 1.x); none was found." >&2
        echo "Install one (e.g. 'pyenv install 3.13') or set PYTHON=/path/to/python3.12." >&2
        exit 1
    fi
    echo "creating $venv with $python ($("$python" --version))"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi

pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
stamp="$venv/.requirements.lock.sha256"
lock_hash="$(sha256sum requirements.lock | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
    echo "installing the locked stack (requirements.lock) into $venv"
    "${pip[@]}" install --require-hashes --no-deps -r requirements.lock
    echo "$lock_hash" > "$stamp"
fi
"${pip[@]}" install --no-deps --no-build-isolation -e . 2>/dev/null \
    || "${pip[@]}" install --no-deps -e .
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null
echo "ready: $("$venv/bin/python" -c 'import arviz, pymc, bayesnma; print(f"bayesnma {bayesnma.__version__}, PyMC {pymc.__version__}, ArviZ {arviz.__version__}")') in $venv"
