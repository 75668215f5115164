# Shared by the quality scripts (format-check.sh, lint.sh, docs.sh). Source it after
# common.sh; do not run it.
#
# Every tool's findings are normalised to one line each, "path:line[:col]: message", with the
# path relative to the repository root, then passed through quality_gate:
#   - findings in files listed for that tool in tests/quality/pending.txt are "pending"
#     (known, not yet fixed): reported as a count per file, they do not fail the check;
#   - every other finding fails the check and is printed in full;
#   - a pending entry without findings fails too ("fixed: remove it"), so the list only
#     shrinks and a fixed file cannot regress unnoticed.
# WSNOVA_QUALITY_STRICT=1 ignores the pending list (every finding fails).
# WSNOVA_QUALITY_REPORT_ONLY=1 reports the same but never fails on findings (CTest sets it
# while the CMake option WSNOVA_QUALITY_GATE is OFF); a tool that cannot run still fails.

WSNOVA_PENDING="$WSNOVA_ROOT/tests/quality/pending.txt"

# The folders whose code the static analysers check (the library, not tests or examples).
WSNOVA_LIB_FOLDERS='core|transport|behaviors|supervision|actors|adapters|distribution|observer'

# quality_abs_build_dir: prints the build directory as an absolute path.
quality_abs_build_dir() {
  case "$WSNOVA_BUILD_DIR" in
    /*) printf '%s\n' "$WSNOVA_BUILD_DIR" ;;
    *) printf '%s\n' "$WSNOVA_ROOT/$WSNOVA_BUILD_DIR" ;;
  esac
}

# quality_relative_paths: stdin to stdout, turns the absolute paths tools print into paths
# relative to the repository root. Headers reached through the build tree's include link
# (BUILD/include/wsnova -> the repository root) become their source path.
quality_relative_paths() {
  local build
  build="$(quality_abs_build_dir)"
  sed -e "s|^$build/include/wsnova/||" -e "s|^$WSNOVA_ROOT/||"
}

# quality_gate TOOL FINDINGS_FILE [HINT]: prints the findings of TOOL (one per line in
# FINDINGS_FILE) split into failing and pending ones, and returns 1 when the check fails.
quality_gate() {
  local tool="$1" findings="$2" hint="${3:-}"
  local pending=()
  if [[ "${WSNOVA_QUALITY_STRICT:-0}" != 1 && -f "$WSNOVA_PENDING" ]]; then
    mapfile -t pending < <(awk -v t="$tool" '$1 == t && $2 != "" { print $2 }' "$WSNOVA_PENDING")
  fi
  local failing held stale
  failing="$(mktemp)" held="$(mktemp)" stale="$(mktemp)"
  /usr/bin/python3 - "$findings" "$failing" "$held" "$stale" "${pending[@]}" <<'PY'
import collections, sys
findings, failing, held, stale = sys.argv[1:5]
pending = set(sys.argv[5:])
counts = collections.Counter()
with open(findings) as src, open(failing, "w") as bad:
    for line in src:
        path = line.split(":", 1)[0]
        if path in pending:
            counts[path] += 1
        else:
            bad.write(line)
with open(held, "w") as out:
    for path in sorted(counts):
        out.write(f"{path}: {counts[path]}\n")
with open(stale, "w") as out:
    for path in sorted(pending - set(counts)):
        out.write(f"{path}\n")
PY
  local n_fail n_held n_stale status=0
  n_fail=$(wc -l <"$failing")
  n_held=$(awk -F': ' '{ s += $2 } END { print s + 0 }' "$held")
  n_stale=$(wc -l <"$stale")
  if (( n_held )); then
    printf '%s: %d pending findings in files listed in tests/quality/pending.txt (not failing):\n' \
      "$tool" "$n_held"
    sed 's/^/  /' "$held"
  fi
  if (( n_stale )); then
    printf '%s: no findings left in these pending files; remove their "%s PATH" lines from tests/quality/pending.txt:\n' \
      "$tool" "$tool"
    sed 's/^/  /' "$stale"
    status=1
  fi
  if (( n_fail )); then
    printf '%s: %d findings:\n' "$tool" "$n_fail"
    cat "$failing"
    [[ -n "$hint" ]] && printf '%s\n' "$hint"
    status=1
  fi
  rm -f "$failing" "$held" "$stale"
  if (( status == 0 )); then
    printf '%s: OK (0 findings outside the pending list)\n' "$tool"
  elif [[ "${WSNOVA_QUALITY_REPORT_ONLY:-0}" == 1 ]]; then
    printf '%s: would fail; report only (WSNOVA_QUALITY_GATE=OFF, docs/quality.md)\n' "$tool"
    status=0
  else
    printf '%s: FAILED\n' "$tool"
  fi
  return "$status"
}
