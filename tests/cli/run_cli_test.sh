#!/usr/bin/env bash
# Runs the `wsnova` program the way a user does and checks what it prints.
#
#   run_cli_test.sh WSNOVA_BINARY INTEROP_DIR CASE
#
# Cases that need a server start tests/interop/python_echo_server.py (an echo server
# nobody on the project wrote; it prints `PORT n` once listening) and kill it on exit.
# Every case checks output, not only the exit code. Prints what it saw on failure.
set -u -o pipefail

wsnova=$1
interop_dir=$2
case_name=$3
work=$(mktemp -d /tmp/wsnova-cli-test.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL ($case_name): $*"
  echo "--- exit code: ${status:-?}"
  echo "--- stdout:"; cat "$work/out" 2>/dev/null
  echo "--- stderr:"; cat "$work/err" 2>/dev/null
  exit 1
}

# expect_status N: the last run exited with N.
expect_status() { [[ $status -eq $1 ]] || fail "expected exit code $1"; }
# expect_in FILE REGEX [why]: some line of FILE matches the extended regex.
expect_in() { grep -Eq -- "$2" "$work/$1" || fail "${3:-$1 should match /$2/}"; }
# expect_not_in FILE REGEX: no line matches.
expect_not_in() { ! grep -Eq -- "$2" "$work/$1" || fail "$1 should not match /$2/"; }

# Starts the Python echo server and sets $url.
start_server() {
  /usr/bin/python3 "$interop_dir/python_echo_server.py" --ignore-stdin \
    >"$work/server.out" 2>"$work/server.err" </dev/null &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$work/server.out")
    if [[ -n $port ]]; then url="ws://127.0.0.1:$port/cli"; return; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL ($case_name): python echo server did not start"; cat "$work/server.err"; exit 1
}

# run ARGS... : runs wsnova with stdin from $work/in, 20 s at most.
run() {
  timeout 20 "$wsnova" "$@" <"$work/in" >"$work/out" 2>"$work/err"
  status=$?
}

# converse N ARGS... : runs wsnova with the lines of $work/in on its stdin, keeps stdin open
# until N lines came back on stdout (10 s at most), then ends the input. Holding stdin
# open shows that replies print while input is still open, and is needed because the
# Python server drops echoes it has not sent yet once the client's close arrives.
converse() {
  local want=$1; shift
  mkfifo "$work/fifo"
  timeout 20 "$wsnova" "$@" <"$work/fifo" >"$work/out" 2>"$work/err" &
  local pid=$!
  exec 3>"$work/fifo"
  cat "$work/in" >&3
  for _ in $(seq 100); do
    (( $(wc -l <"$work/out") >= want )) && break
    sleep 0.1
  done
  exec 3>&-
  wait "$pid"
  status=$?
}

: >"$work/in"
case $case_name in
  demo)
    run
    expect_status 0
    expect_in out 'embedded echo server' "the demo should say it uses an embedded server"
    expect_in out 'listening at ws://127\.0\.0\.1:[0-9]+/demo'
    expect_in out 'received: +text "hello"'
    expect_in out 'received: +text "Grüße, κόσμε, 世界 ✓"'
    expect_in out 'received: +binary, 5 bytes, base64: AAEC/v8='
    expect_in out 'pong received, round trip [0-9.]+ ms'
    expect_in out 'received: +text "3"'
    expect_in out 'closed by the server: code 4000, reason "demo done"'
    expect_in out 'demo finished'
    ;;
  echo_text)
    start_server
    printf 'hello\nsecond line with spaces\nGrüße ✓\n' >"$work/in"
    converse 3 --quiet "$url"
    expect_status 0
    diff <(printf 'hello\nsecond line with spaces\nGrüße ✓\n') "$work/out" >/dev/null \
      || fail "stdout should be exactly the three lines echoed"
    [[ ! -s $work/err ]] || fail "--quiet should leave stderr empty"
    ;;
  echo_binary)
    start_server
    printf 'hello\nwsnova\n' >"$work/in"
    converse 2 --quiet --binary "$url"
    expect_status 0
    diff <(printf 'binary(base64): aGVsbG8=\nbinary(base64): d3Nub3Zh\n') "$work/out" >/dev/null \
      || fail "binary echoes should print as base64 lines"
    ;;
  status_lines)
    start_server
    printf 'ping me\n' >"$work/in"
    converse 1 --header 'X-Test: 1' --subprotocol chat --ping-interval 1000 --compress "$url"
    expect_status 0
    expect_in out '^ping me$'
    expect_in err "^connected to ws://127\.0\.0\.1:[0-9]+/cli \(permessage-deflate\)"
    expect_in err '^end of input: closing with 1000$'
    expect_in err '^closed: 1000'
    expect_not_in out 'connected'
    ;;
  server_close)
    start_server
    # Keep stdin open after the command so that the server's close comes first.
    { printf '!close 4001 going away now\n'; sleep 3; } \
      | timeout 20 "$wsnova" "$url" >"$work/out" 2>"$work/err"
    status=$?
    expect_status 8
    expect_in err '^closed: 4001 going away now$'
    ;;
  server_close_normal)
    start_server
    { printf '!close 1000 bye\n'; sleep 3; } \
      | timeout 20 "$wsnova" --quiet "$url" >"$work/out" 2>"$work/err"
    status=$?
    expect_status 0
    [[ ! -s $work/err ]] || fail "--quiet and a 1000 close: stderr should be empty"
    ;;
  bad_url)
    run 'http://example.com/'
    expect_status 2
    expect_in err '^wsnova: error: bad_url: '
    expect_not_in out '.'
    ;;
  bad_flag)
    run --no-such-flag
    expect_status 2
    expect_in err '^wsnova: error: usage: .*no-such-flag'
    ;;
  connect_refused)
    # Port 1 on loopback: nothing listens there, the kernel refuses at once.
    run --connect-timeout 3000 'ws://127.0.0.1:1/'
    expect_status 3
    expect_in err '^wsnova: error: connect_refused: '
    ;;
  insecure)
    run --insecure --connect-timeout 3000 'ws://127.0.0.1:1/'
    expect_in err '^wsnova: warning: --insecure: TLS certificate verification disabled'
    expect_status 3
    ;;
  help)
    run --help
    expect_status 0
    expect_in out '^usage: wsnova'
    expect_in out '--ping-interval'
    expect_in out 'binary\(base64\)'
    expect_in out '^exit codes:'
    expect_in out '^  8  the server closed'
    run --version
    expect_status 0
    expect_in out '^wsnova [0-9]+\.[0-9]+\.[0-9]+$'
    ;;
  *)
    echo "unknown case: $case_name"; exit 2 ;;
esac
echo "PASS ($case_name)"
