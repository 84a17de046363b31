#!/usr/bin/env bash
# Run every test: the fast suite, the published-analysis validation fits and the
# end-to-end workflow tests. pytest exit code 5 (no tests collected) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
python3 -m pytest -m "" "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
