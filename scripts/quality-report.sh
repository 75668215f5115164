#!/usr/bin/env bash
# Groups the findings of the last quality runs by file into BUILD/lint/remaining.txt:
# format (scripts/format-check.sh), clang-tidy and cppcheck (scripts/lint.sh) and doxygen
# (scripts/docs.sh), each read from its findings file in the build folder. Run those first
# with WSNOVA_QUALITY_STRICT=1 so the findings of pending files are listed too.
# Option: --write-pending  also rewrites tests/quality/pending.txt to exactly the files with
#                          findings (to start a ratchet; review the diff before committing).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$WSNOVA_ROOT/scripts/lib/quality.sh"

write_pending=0
for arg in "$@"; do
  case "$arg" in
    --write-pending) write_pending=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown option: $arg" ;;
  esac
done
build="$(quality_abs_build_dir)"
/usr/bin/python3 - "$build" "$WSNOVA_PENDING" "$write_pending" <<'PY'
import collections, os, sys
build, pending_path, write_pending = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
sources = {
    "format": f"{build}/lint/format-findings.txt",
    "clang-tidy": f"{build}/lint/clang-tidy-findings.txt",
    "cppcheck": f"{build}/lint/cppcheck-findings.txt",
    "doxygen": f"{build}/docs/findings.txt",
}
by_file = collections.defaultdict(lambda: collections.defaultdict(list))
missing = []
for tool, path in sources.items():
    if not os.path.exists(path):
        missing.append(tool)
        continue
    for line in open(path):
        line = line.rstrip("\n")
        if line:
            by_file[line.split(":", 1)[0]][tool].append(line)
out = f"{build}/lint/remaining.txt"
os.makedirs(os.path.dirname(out), exist_ok=True)
totals = collections.Counter()
with open(out, "w") as f:
    f.write("# Quality findings by file (scripts/quality-report.sh).\n")
    if missing:
        f.write(f"# not run: {', '.join(missing)}\n")
    for path in sorted(by_file):
        counts = ", ".join(f"{t} {len(v)}" for t, v in sorted(by_file[path].items()))
        f.write(f"\n## {path} ({counts})\n")
        for tool, lines in sorted(by_file[path].items()):
            totals[tool] += len(lines)
            shown = lines if tool != "format" else lines[:3]
            for line in shown:
                f.write(f"  [{tool}] {line}\n")
            if len(shown) < len(lines):
                f.write(f"  [{tool}] ... {len(lines) - len(shown)} more (clang-format -i {path})\n")
summary = ", ".join(f"{t} {n} findings in "
                    f"{sum(1 for p in by_file if t in by_file[p])} files"
                    for t, n in sorted(totals.items())) or "no findings"
print(f"{out}: {summary}")
if write_pending:
    with open(pending_path, "w") as f:
        f.write("# Files whose quality findings are known and not fixed yet, one `TOOL PATH` a\n"
                "# line (TOOL: format, clang-tidy, cppcheck, doxygen). Findings there are\n"
                "# reported but do not fail; remove a line once its file is clean (the gate\n"
                "# fails on a line without findings). docs/quality.md explains the gate.\n")
        for tool in sources:
            for path in sorted(p for p in by_file if tool in by_file[p]):
                f.write(f"{tool} {path}\n")
    print(f"{pending_path}: rewritten")
PY
