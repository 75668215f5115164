#!/usr/bin/env bash
# Installs and builds what is missing (scripts/setup.sh), then runs the wsnova command-line
# tool with the arguments given. Without arguments the tool runs its demo (an embedded echo
# server on 127.0.0.1 and a client round trip); e.g. `./scripts/demo.sh --help`,
# `./scripts/demo.sh wss://echo.example/ws`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

"$WSNOVA_ROOT/scripts/setup.sh" >&2
tool="$WSNOVA_BUILD_DIR/examples/cli/wsnova"
[[ -x "$tool" ]] || die "$tool was not built (is examples/cli present?)"
exec "$tool" "$@"
