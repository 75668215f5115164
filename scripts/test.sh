#!/usr/bin/env bash
# Installs and builds what is missing (scripts/setup.sh), then runs every CTest test (all
# labels: unit, integration, interop, install, sanitize, ...). Arguments are passed to ctest,
# e.g. `./scripts/test.sh -L unit` or `./scripts/test.sh -R supervisor`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

"$WSNOVA_ROOT/scripts/setup.sh"
phase "ctest" ctest --test-dir "$WSNOVA_BUILD_DIR" --output-on-failure -j "$WSNOVA_JOBS" "$@"
