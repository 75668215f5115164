#!/usr/bin/env bash
# Runs the benchmark comparison (or, with --smoke, the JSON check); see bench/run.py --help.
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/run.py" "$@"
