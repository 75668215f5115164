# Shared helpers for scripts/*.sh and .ci/run. Source it; do not run it.
# Sets WSNOVA_ROOT (the repository root) and cds there, so every script works from any cwd.

WSNOVA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$WSNOVA_ROOT"

: "${WSNOVA_BUILD_DIR:=build}"   # relative to the repository root unless absolute
: "${WSNOVA_JOBS:=2}"
# ccache's objects outlive the clone: CI runs in a fresh clone on the same machine, so paths
# are hashed relative to the clone (BASEDIR) and the working directory is not hashed.
: "${CCACHE_DIR:=/var/cache/wsnova-ccache}"
: "${CCACHE_BASEDIR:=$WSNOVA_ROOT}"
: "${CCACHE_NOHASHDIR:=true}"
: "${CCACHE_MAXSIZE:=6G}"
export CCACHE_DIR CCACHE_BASEDIR CCACHE_NOHASHDIR CCACHE_MAXSIZE

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# phase NAME CMD...: runs CMD, prints its wall time, and appends "NAME<TAB>seconds<TAB>rc" to
# $WSNOVA_TIMINGS when set (.ci/run prints the table at the end).
phase() {
  local name="$1"; shift
  local start end rc=0
  start=$(date +%s.%N)
  log "$name"
  "$@" || rc=$?
  end=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  log "$name: ${secs}s (exit $rc)"
  if [[ -n "${WSNOVA_TIMINGS:-}" ]]; then
    printf '%s\t%s\t%s\n' "$name" "$secs" "$rc" >>"$WSNOVA_TIMINGS"
  fi
  return "$rc"
}
