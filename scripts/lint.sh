#!/usr/bin/env bash
# Static analysis of wsnova's library sources (core/ transport/ behaviors/ supervision/
# actors/ adapters/, including detail/): clang-tidy with .clang-tidy, then cppcheck, both on the main
# build's compile database (BUILD/compile_commands.json) filtered to those folders.
# Prints every finding and a count per tool; exits 1 on findings outside
# tests/quality/pending.txt (see scripts/lib/quality.sh). CTest tests `clang_tidy` and
# `cppcheck` (label `quality`) run `--tidy-only` and `--cppcheck-only`.
# Options: --tidy-only, --cppcheck-only. Environment: WSNOVA_BUILD_DIR, WSNOVA_JOBS,
# WSNOVA_QUALITY_STRICT=1 (ignore the pending list). Full outputs: BUILD/lint/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$WSNOVA_ROOT/scripts/lib/quality.sh"

run_tidy=1 run_cppcheck=1
for arg in "$@"; do
  case "$arg" in
    --tidy-only) run_cppcheck=0 ;;
    --cppcheck-only) run_tidy=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown option: $arg" ;;
  esac
done

build="$(quality_abs_build_dir)"
db="$build/compile_commands.json"
[[ -f "$db" ]] || die "$db not found: configure and build first (scripts/setup.sh)"
out="$build/lint"
mkdir -p "$out"

# The library's entries of the compile database, in a database of their own (cppcheck's
# --file-filter does not match absolute paths reliably in 2.10) and as a file list.
/usr/bin/python3 - "$db" "$out/compile_commands.json" "$out/sources.txt" "$WSNOVA_ROOT" \
  "$WSNOVA_LIB_FOLDERS" <<'PY'
import json, os, re, sys
db, dest, listing, root, folders = sys.argv[1:6]
ours = re.compile(r"(%s)/.*\.cpp$" % folders)
entries = []
for e in json.load(open(db)):
    path = os.path.relpath(os.path.normpath(os.path.join(e["directory"], e["file"])), root)
    if ours.fullmatch(path):
        entries.append(e)
json.dump(entries, open(dest, "w"), indent=1)
with open(listing, "w") as out:
    for e in entries:
        out.write(os.path.normpath(os.path.join(e["directory"], e["file"])) + "\n")
PY
mapfile -t sources <"$out/sources.txt"
(( ${#sources[@]} )) || die "no library sources in $db"
status=0

if (( run_tidy )); then
  command -v clang-tidy >/dev/null || die "clang-tidy not found; run scripts/setup.sh"
  log "clang-tidy ($(clang-tidy --version | grep -oE '[0-9]+\.[0-9.]+' | head -1)) on ${#sources[@]} files, -j$WSNOVA_JOBS"
  # One output file per source, so an interrupted run keeps what it finished; a source on
  # which clang-tidy itself fails (crash, unparsable code) leaves a .failed marker.
  rm -rf "$out/tidy" && mkdir -p "$out/tidy"
  printf '%s\n' "${sources[@]}" | xargs -P "$WSNOVA_JOBS" -I{} sh -c '
    f="$3/$(echo "$2" | tr / _)"
    clang-tidy -p "$1" --quiet "$2" >"$f.txt" 2>"$f.err" || echo "$2" >"$f.failed"' \
    sh "$build" {} "$out/tidy" || true
  cat "$out"/tidy/*.txt >"$out/clang-tidy.txt" 2>/dev/null || true
  # One finding per "file:line:col: warning|error: ... [check]" line, in our folders only;
  # a header seen by several sources counts once.
  grep -E "^/.*/($WSNOVA_LIB_FOLDERS)/.*:[0-9]+:[0-9]+: (warning|error):" "$out/clang-tidy.txt" \
    | quality_relative_paths | sort -u >"$out/clang-tidy-findings.txt" || true
  # Failed runs that left no diagnostic are findings too (with the tool's message).
  for marker in "$out"/tidy/*.failed; do
    [[ -e "$marker" ]] || continue
    src="$(cat "$marker")"
    rel="${src#"$WSNOVA_ROOT"/}"
    if ! grep -q "^$rel:" "$out/clang-tidy-findings.txt"; then
      printf '%s:1:1: error: clang-tidy failed: %s\n' "$rel" \
        "$(grep -m1 -i error "${marker%.failed}.err" || echo 'see its .err file')" \
        >>"$out/clang-tidy-findings.txt"
    fi
  done
  quality_gate clang-tidy "$out/clang-tidy-findings.txt" \
    "Each line ends with the check's name; notes and fix-its: $out/clang-tidy.txt" || status=1
fi

if (( run_cppcheck )); then
  command -v cppcheck >/dev/null || die "cppcheck not found; run scripts/setup.sh"
  log "cppcheck ($(cppcheck --version | grep -oE '[0-9]+\.[0-9.]+')) on ${#sources[@]} files, -j$WSNOVA_JOBS"
  mkdir -p "$out/cppcheck-cache"
  rc=0
  # Boost, CAF and OpenSSL are not handed to cppcheck (only our -I), hence
  # missingIncludeSystem in .cppcheck-suppressions; --library=boost knows Boost's macros.
  cppcheck --project="$out/compile_commands.json" \
    --std=c++20 --library=boost --enable=warning,style,performance,portability \
    --inline-suppr --suppressions-list=.cppcheck-suppressions -j "$WSNOVA_JOBS" --quiet \
    --cppcheck-build-dir="$out/cppcheck-cache" \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
    2>"$out/cppcheck.txt" || rc=$?
  if (( rc != 0 )); then
    cat "$out/cppcheck.txt" >&2
    die "cppcheck failed (exit $rc)"
  fi
  grep -E '^[^ ]+:[0-9]+:[0-9]+: ' "$out/cppcheck.txt" | quality_relative_paths \
    | grep -E "^($WSNOVA_LIB_FOLDERS)/" | sort -u >"$out/cppcheck-findings.txt" || true
  # Anything else cppcheck reports (e.g. on a file outside our folders, or without a
  # location) is shown but does not count: our folders are the scope.
  if grep -vE "^[^ ]+:[0-9]+:[0-9]+: " "$out/cppcheck.txt" | grep -q .; then
    log "cppcheck: other output (not counted), see $out/cppcheck.txt"
  fi
  quality_gate cppcheck "$out/cppcheck-findings.txt" \
    "Suppress only with a reason: an inline '// cppcheck-suppress ID' comment saying why." \
    || status=1
fi
exit "$status"
