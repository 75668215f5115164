#!/usr/bin/env bash
# Driver of the `sanitize` and `tsan` CTest tests:
#   run_sanitized.sh asan SOURCE_DIR BUILD_DIR LABEL_REGEX [GENERATOR] [CXX_COMPILER]
#   run_sanitized.sh tsan SOURCE_DIR BUILD_DIR "TEST ..."  [GENERATOR] [CXX_COMPILER]
# asan: configures BUILD_DIR with -DWSNOVA_SANITIZE=ON (AddressSanitizer, LeakSanitizer,
# UndefinedBehaviorSanitizer), builds it, and runs the tests whose labels match LABEL_REGEX
# (never the sanitizer, install, quality, compile or soak tests).
# tsan: configures BUILD_DIR with -DWSNOVA_TSAN=ON (ThreadSanitizer), builds only the named
# tests and runs them. Meant for the transport suites, which run without an actor system: CAF
# 0.17 comes from Debian uninstrumented, so TSan cannot see its synchronisation and would
# report every mailbox hand-off between scheduler threads.
# Either fails when a test fails or when any sanitizer report appears in the test output (also
# from child processes whose exit status a test might not check).
set -euo pipefail
kind="$1" src="$2" build="$3" selection="$4" generator="${5:-Ninja}" cxx="${6:-c++}"
jobs="${WSNOVA_JOBS:-2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

case $kind in
  asan)
    option=-DWSNOVA_SANITIZE=ON
    targets=()
    tests=(-L "$selection" -LE '^(sanitize|tsan|install|quality|compile|soak)$')
    reports='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer'
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
    ;;
  tsan)
    option=-DWSNOVA_TSAN=ON
    read -r -a names <<<"$selection"
    targets=(--target "${names[@]}")
    tests=(-R "^($(IFS='|'; echo "${names[*]}"))\$")
    reports='WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer'
    export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1"
    ;;
  *) echo "usage: run_sanitized.sh asan|tsan SOURCE_DIR BUILD_DIR SELECTION [GENERATOR] [CXX]" >&2; exit 2 ;;
esac

now() { date +%s; }
t0=$(now)
cmake -S "$src" -B "$build" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" "$option" \
  -DWSNOVA_BUILD_TESTS=ON -DWSNOVA_BUILD_EXAMPLES=OFF -DWSNOVA_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" >/dev/null
cmake --build "$build" -j "$jobs" "${targets[@]}"
t1=$(now)

rc=0
ctest --test-dir "$build" "${tests[@]}" --output-on-failure -j "$jobs" --no-tests=error || rc=$?
log="$build/Testing/Temporary/LastTest.log"  # the full output of every test, passed or not
t2=$(now)

if grep -E -n "$reports" "$log" >"$build/sanitizer-reports.txt"; then
  echo "$kind: sanitizer reports found in the test output:" >&2
  cat "$build/sanitizer-reports.txt" >&2
  rc=1
fi
echo "$kind: build $((t1 - t0))s, tests $((t2 - t1))s, selection '$selection', exit $rc"
exit "$rc"
