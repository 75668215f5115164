#!/usr/bin/env bash
# Driver of the `sanitize` CTest test:
#   run_sanitized.sh SOURCE_DIR BUILD_DIR LABEL_REGEX [GENERATOR] [CXX_COMPILER]
# Configures BUILD_DIR with -DWSNOVA_SANITIZE=ON (ASan + UBSan), builds it, and runs the tests
# whose labels match LABEL_REGEX (never the sanitize or install tests). Fails when a test
# fails or when any sanitizer report appears in the test output (also from child processes
# whose exit status a test might not check).
set -euo pipefail
src="$1" build="$2" labels="$3" generator="${4:-Ninja}" cxx="${5:-c++}"
jobs="${WSNOVA_JOBS:-2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

now() { date +%s; }
t0=$(now)
cmake -S "$src" -B "$build" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" \
  -DWSNOVA_SANITIZE=ON -DWSNOVA_BUILD_TESTS=ON -DWSNOVA_BUILD_EXAMPLES=OFF -DWSNOVA_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" >/dev/null
cmake --build "$build" -j "$jobs"
t1=$(now)

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"

rc=0
ctest --test-dir "$build" -L "$labels" -LE '^(sanitize|tsan|install|quality|compile|soak)$' --output-on-failure \
  -j "$jobs" --no-tests=error || rc=$?
log="$build/Testing/Temporary/LastTest.log"  # the full output of every test, passed or not
t2=$(now)

if grep -E -n 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer' \
     "$log" >"$build/sanitizer-reports.txt"; then
  echo "sanitize: sanitizer reports found in the test output:" >&2
  cat "$build/sanitizer-reports.txt" >&2
  rc=1
fi
echo "sanitize: build $((t1 - t0))s, tests $((t2 - t1))s, labels '$labels', exit $rc"
exit "$rc"
