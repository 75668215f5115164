#!/usr/bin/env bash
# Static analysis of wsnova's own sources (actors/ behaviors/ supervision/ transport/):
#   clang-tidy with .clang-tidy on build/compile_commands.json, then cppcheck.
# Prints every finding and a count per tool; exits 1 when there are findings, so it can
# gate a pipeline (it is not part of .ci/run yet).
# Options: --tidy-only, --cppcheck-only. Environment: WSNOVA_BUILD_DIR, WSNOVA_JOBS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

run_tidy=1 run_cppcheck=1
for arg in "$@"; do
  case "$arg" in
    --tidy-only) run_cppcheck=0 ;;
    --cppcheck-only) run_tidy=0 ;;
    *) die "unknown option: $arg" ;;
  esac
done

for tool in clang-tidy cppcheck; do
  command -v "$tool" >/dev/null || die "$tool not found; apt-get install clang-tidy cppcheck"
done
db="$WSNOVA_BUILD_DIR/compile_commands.json"
if [[ ! -f "$db" ]]; then
  "$WSNOVA_ROOT/scripts/setup.sh" --no-build
  cmake -S . -B "$WSNOVA_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi

folders='(actors|behaviors|supervision|transport)'
mapfile -t sources < <(git ls-files -- 'actors/*.cpp' 'behaviors/*.cpp' 'supervision/*.cpp' \
                                       'transport/*.cpp')
(( ${#sources[@]} )) || die "no sources found"
out="$WSNOVA_BUILD_DIR/lint"
mkdir -p "$out"
status=0

if (( run_tidy )); then
  log "clang-tidy on ${#sources[@]} files"
  # One output file per source, so an interrupted run keeps what it finished.
  rm -rf "$out/tidy" && mkdir -p "$out/tidy"
  printf '%s\n' "${sources[@]}" | xargs -P "$WSNOVA_JOBS" -I{} sh -c \
    'f="$3/$(echo "$2" | tr / _)"; clang-tidy -p "$1" --quiet "$2" >"$f.part" 2>/dev/null
     mv "$f.part" "$f.txt"' \
    sh "$WSNOVA_BUILD_DIR" {} "$out/tidy" || true
  done_files=$(find "$out/tidy" -name '*.txt' | wc -l)
  (( done_files == ${#sources[@]} )) \
    || { log "clang-tidy: only $done_files of ${#sources[@]} files finished"; status=1; }
  cat "$out"/tidy/*.txt "$out"/tidy/*.part >"$out/clang-tidy.txt" 2>/dev/null || true
  # One finding per "file:line:col: warning|error: ... [check]" line; duplicates from
  # headers seen by several sources count once.
  grep -E "^/.*/$folders/.*:[0-9]+:[0-9]+: (warning|error):" "$out/clang-tidy.txt" \
    | sed "s|^$WSNOVA_ROOT/||" | sort -u >"$out/clang-tidy-findings.txt" || true
  n=$(wc -l <"$out/clang-tidy-findings.txt")
  cat "$out/clang-tidy-findings.txt"
  log "clang-tidy: $n findings (full output: $out/clang-tidy.txt)"
  (( n == 0 )) || status=1
fi

if (( run_cppcheck )); then
  log "cppcheck"
  supp=()
  [[ -f .cppcheck-suppressions ]] && supp=(--suppressions-list=.cppcheck-suppressions)
  # cppcheck's --file-filter does not match absolute paths reliably (2.10): hand it a
  # compilation database with only our sources instead.
  /usr/bin/python3 - "$db" "$out/compile_commands.json" "${sources[@]/#/$WSNOVA_ROOT/}" <<'PY'
import json, os, sys
db, dest, wanted = sys.argv[1], sys.argv[2], set(sys.argv[3:])
entries = [e for e in json.load(open(db))
           if os.path.normpath(os.path.join(e["directory"], e["file"])) in wanted]
json.dump(entries, open(dest, "w"), indent=1)
PY
  rc=0
  cppcheck --project="$out/compile_commands.json" \
    --std=c++20 --library=boost --enable=warning,style,performance,portability \
    --inline-suppr "${supp[@]}" -j "$WSNOVA_JOBS" --quiet \
    --cppcheck-build-dir="$out" \
    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
    2>"$out/cppcheck.txt" || rc=$?
  if (( rc != 0 )); then
    cat "$out/cppcheck.txt" >&2
    die "cppcheck failed (exit $rc)"
  fi
  grep -E "^(/.*/)?$folders/" "$out/cppcheck.txt" | sed "s|^$WSNOVA_ROOT/||" | sort -u \
    >"$out/cppcheck-findings.txt" || true
  n=$(wc -l <"$out/cppcheck-findings.txt")
  cat "$out/cppcheck-findings.txt"
  log "cppcheck: $n findings (full output: $out/cppcheck.txt)"
  (( n == 0 )) || status=1
fi
exit "$status"
