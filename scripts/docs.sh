#!/usr/bin/env bash
# Generates the HTML API reference with Doxygen (Doxyfile): the public headers of core/
# transport/ behaviors/ supervision/ actors/ adapters/ (not detail/ or impl/), wsnova.hpp and docs/*.md, into
# BUILD/docs/html/index.html. Every Doxygen warning (an undocumented public declaration, a
# broken \ref, ...) is a finding: listed, and the script exits 1 unless the file is in
# tests/quality/pending.txt (see scripts/lib/quality.sh). CTest test `doxygen` (label
# `quality`). Environment: WSNOVA_BUILD_DIR, WSNOVA_QUALITY_STRICT=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$WSNOVA_ROOT/scripts/lib/quality.sh"

command -v doxygen >/dev/null 2>&1 || die "doxygen not found; run scripts/setup.sh"
out="$(quality_abs_build_dir)/docs"
rm -rf "$out" && mkdir -p "$out"
log "doxygen $(doxygen --version) -> $out/html"
# The output folder follows WSNOVA_BUILD_DIR: settings given after the Doxyfile win.
rc=0
{ cat Doxyfile
  echo "OUTPUT_DIRECTORY = $out"
  echo "WARN_LOGFILE = $out/warnings.log"
} | doxygen - >"$out/doxygen.txt" 2>&1 || rc=$?
touch "$out/warnings.log"
# Doxygen's warnings are "FILE:LINE: warning: ..."; one without a location (a setting) is
# reported against the Doxyfile.
{ grep -E '^/.*:[0-9]+: (warning|error):' "$out/warnings.log" | quality_relative_paths || true
  grep -vE '^/.*:[0-9]+: ' "$out/warnings.log" | grep -E '^(warning|error):' \
    | sed 's/^/Doxyfile:1: /' || true
} >"$out/findings.txt"
# FAIL_ON_WARNINGS makes doxygen exit 1 on any warning; anything else is a broken run.
if (( rc != 0 )) && [[ ! -s "$out/findings.txt" ]]; then
  cat "$out/doxygen.txt" >&2
  die "doxygen failed (exit $rc)"
fi
[[ -f "$out/html/index.html" ]] || die "doxygen wrote no $out/html/index.html"
status=0
quality_gate doxygen "$out/findings.txt" \
  "Document each public declaration with /// (the first sentence is the brief)." || status=1
log "docs: $out/html/index.html"
exit "$status"
