#!/usr/bin/env bash
# Generates the HTML API reference from the public headers and docs/*.md with Doxygen:
# build/docs/html/index.html. Installs doxygen first when it is missing (as root).
# Undocumented public symbols are listed in build/docs/warnings.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

if ! command -v doxygen >/dev/null 2>&1; then
  "$WSNOVA_ROOT/scripts/setup.sh" --docs --no-build
fi
mkdir -p build/docs
doxygen Doxyfile
n=$(grep -c 'warning:' build/docs/warnings.log || true)
log "docs: $WSNOVA_ROOT/build/docs/html/index.html ($n doxygen warnings in build/docs/warnings.log)"
