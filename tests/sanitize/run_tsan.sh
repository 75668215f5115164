#!/usr/bin/env bash
# Driver of the `tsan` CTest test:
#   run_tsan.sh SOURCE_DIR BUILD_DIR [GENERATOR] [CXX_COMPILER]
# Configures BUILD_DIR with -DWSNOVA_TSAN=ON (ThreadSanitizer), builds the transport tests
# and runs them. They are the suites without an actor system: a session's I/O thread against
# the test thread and the loopback echo server's threads, with Asio and Beast (header-only)
# instrumented. The actor suites stay out: CAF 0.17 comes from Debian uninstrumented, so
# TSan cannot see its synchronisation and would report every mailbox hand-off.
# Fails when a test fails or any ThreadSanitizer report appears in the test output.
set -euo pipefail
src="$1" build="$2" generator="${3:-Ninja}" cxx="${4:-c++}"
jobs="${WSNOVA_JOBS:-2}"
tests=(session_test session_close_test session_options_test url_test echo_server_test)

now() { date +%s; }
t0=$(now)
cmake -S "$src" -B "$build" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" \
  -DWSNOVA_TSAN=ON -DWSNOVA_BUILD_TESTS=ON -DWSNOVA_BUILD_EXAMPLES=OFF -DWSNOVA_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" >/dev/null
cmake --build "$build" -j "$jobs" --target "${tests[@]}"
t1=$(now)

export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1"
rc=0
regex="^($(IFS='|'; echo "${tests[*]}"))\$"
ctest --test-dir "$build" -R "$regex" --output-on-failure -j "$jobs" --no-tests=error || rc=$?
log="$build/Testing/Temporary/LastTest.log"
t2=$(now)

if grep -E -n 'WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer' "$log" >"$build/tsan-reports.txt"; then
  echo "tsan: ThreadSanitizer reports found in the test output:" >&2
  cat "$build/tsan-reports.txt" >&2
  rc=1
fi
echo "tsan: build $((t1 - t0))s, tests $((t2 - t1))s, exit $rc"
exit "$rc"
