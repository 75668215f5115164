#!/usr/bin/env bash
# Checks that every tracked C++ file (git ls-files '*.cpp' '*.hpp') conforms to .clang-format:
# `clang-format --dry-run --Werror`, nothing is changed. Prints one line per place that would
# be reformatted and exits 1 when there is any (files in tests/quality/pending.txt excepted,
# see scripts/lib/quality.sh). CTest test `format_check` (label `quality`).
# Usage: scripts/format-check.sh [FILE...]   (default: every tracked .cpp/.hpp)
# Fix a file with `clang-format -i FILE`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$WSNOVA_ROOT/scripts/lib/quality.sh"

command -v clang-format >/dev/null || die "clang-format not found; run scripts/setup.sh"
if (( $# )); then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp')
fi
(( ${#files[@]} )) || die "no files to check"

out="$(quality_abs_build_dir)/lint"
mkdir -p "$out"
log "clang-format ($(clang-format --version | grep -oE '[0-9]+\.[0-9.]+' | head -1)) on ${#files[@]} files"
# --dry-run prints "FILE:LINE:COL: error: code should be clang-formatted" and the offending
# line; keep the first line of each.
printf '%s\0' "${files[@]}" \
  | xargs -0 clang-format --dry-run --Werror >"$out/format.txt" 2>&1 || true
grep -E '^[^ ].*:[0-9]+:[0-9]+: (error|warning):' "$out/format.txt" \
  | quality_relative_paths >"$out/format-findings.txt" || true
# A file clang-format cannot read is a finding too, not a silent pass.
grep -E '^No such file|^clang-format: |^error: ' "$out/format.txt" \
  | sed 's/^/clang-format: /' >>"$out/format-findings.txt" || true
quality_gate format "$out/format-findings.txt" \
  "Fix: clang-format -i FILE (the .clang-format at the root applies)."
