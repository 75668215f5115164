#!/usr/bin/env bash
# Runs the `wsnova` program the way a user does and checks what it prints.
#
#   run_cli_test.sh WSNOVA_BINARY ECHO_SERVER_BINARY INTEROP_DIR CASE
#
# Servers: tests/interop/python_echo_server.py (an echo server nobody on the project
# wrote), wsnova's own echo server (ECHO_SERVER_BINARY, testing/echo_server.hpp), and
# scripted_server.py next to this script (faults a correct library would not commit). Each
# prints `PORT n` once listening and is stopped on exit. Every case checks output, not only
# the exit code, and prints what it saw on failure. No sleep synchronises anything: waits
# poll for the awaited output, and their deadlines only bound a failure.
set -u -o pipefail

wsnova=$1
echo_server_bin=$2
interop_dir=$3
case_name=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/wsnova-cli-test.XXXXXX)
server_pid=
pid=
cleanup() {
  if [[ -n $pid ]]; then kill -9 "$pid" 2>/dev/null; fi
  exec 4>&- 5>&- 2>/dev/null  # ends the C++ echo server (EOF) and any held-open stdin
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

# wait_for FILE REGEX [SECONDS]: polls until some line of $work/FILE matches (default 20 s).
wait_for() {
  local deadline=$((SECONDS + ${3:-20}))
  until grep -Eq -- "$2" "$work/$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# Reads the `PORT n` line the server started last prints into $port, or fails.
await_port() {
  wait_for server.out '^PORT [0-9]+$' \
    || { echo "FAIL ($case_name): server did not start"; cat "$work/server.err"; exit 1; }
  port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$work/server.out")
}

# Starts the Python echo server and sets $url.
start_server() {
  /usr/bin/python3 "$interop_dir/python_echo_server.py" --ignore-stdin \
    >"$work/server.out" 2>"$work/server.err" </dev/null &
  server_pid=$!
  await_port
  url="ws://127.0.0.1:$port/cli"
}

# Starts the Node `ws` echo server and sets $url.
start_node_server() {
  node "$interop_dir/node_ws_server.js" --ignore-stdin \
    >"$work/server.out" 2>"$work/server.err" </dev/null &
  server_pid=$!
  await_port
  url="ws://127.0.0.1:$port/cli"
}

# start_echo_server [ARGS...]: starts wsnova's own echo server with ARGS and sets $url; it
# serves until fd 4 closes. With --tls DIR, $url is wss://localhost and $ca, $client_cert
# and $client_key are set; with --proxy, $proxy_port.
start_echo_server() {
  mkfifo "$work/server.in"
  "$echo_server_bin" "$@" <"$work/server.in" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  exec 4>"$work/server.in"
  await_port
  url="ws://127.0.0.1:$port/cli"
  if [[ " $* " == *" --tls "* ]]; then
    wait_for server.out '^CLIENT_KEY ' || fail "server printed no certificates"
    url="wss://localhost:$port/cli"
    ca=$(sed -n 's/^CA //p' "$work/server.out")
    client_cert=$(sed -n 's/^CLIENT_CERT //p' "$work/server.out")
    client_key=$(sed -n 's/^CLIENT_KEY //p' "$work/server.out")
  fi
  if [[ " $* " == *" --proxy "* ]]; then
    wait_for server.out '^PROXY_PORT [0-9]+$' || fail "server printed no proxy port"
    proxy_port=$(sed -n 's/^PROXY_PORT //p' "$work/server.out")
  fi
}

# start_echo_for CASE: the echo server a case name ends with (_python, _wsnova; else Node).
start_echo_for() {
  case $1 in
    *_python) start_server ;;
    *_wsnova) start_echo_server ;;
    *) start_node_server ;;
  esac
}

# Makes a self-signed certificate for localhost: $work/cert.pem, $work/key.pem.
make_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.err" \
    || { echo "FAIL ($case_name): openssl"; cat "$work/openssl.err"; exit 1; }
}

# start_scripted [--tls] MODE ARGS...: starts scripted_server.py, sets $url (wss:// with
# --tls, trusted with --ca-file $work/cert.pem).
start_scripted() {
  local scheme=ws tls=()
  if [[ $1 == --tls ]]; then shift; make_cert; scheme=wss; tls=(--tls "$work/cert.pem" "$work/key.pem"); fi
  /usr/bin/python3 "$here/scripted_server.py" "${tls[@]}" "$@" \
    >"$work/server.out" 2>"$work/server.err" </dev/null &
  server_pid=$!
  await_port
  url="$scheme://localhost:$port/cli"
}

# run ARGS... : runs wsnova with stdin from $work/in, 20 s at most.
run() {
  timeout 20 "$wsnova" "$@" <"$work/in" >"$work/out" 2>"$work/err"
  status=$?
}

# run_open ARGS... : runs wsnova with the lines of $work/in on a stdin that never ends (a
# FIFO this script holds open), so only the server can end the connection.
run_open() {
  mkfifo "$work/stdin"
  exec 5<>"$work/stdin"
  cat "$work/in" >&5
  timeout 20 "$wsnova" "$@" <"$work/stdin" >"$work/out" 2>"$work/err"
  status=$?
  exec 5>&-
}

# start_open ARGS... : like run_open, in the background (pid in $pid); `finish` waits.
start_open() {
  mkfifo "$work/stdin"
  exec 5<>"$work/stdin"
  cat "$work/in" >&5
  # Not under `timeout`: it would pass a signal on twice (to wsnova and to its process
  # group), and a second Ctrl-C kills wsnova by design. `finish` bounds the wait instead.
  "$wsnova" "$@" <"$work/stdin" >"$work/out" 2>"$work/err" &
  pid=$!
}
finish() {
  local deadline=$((SECONDS + 20))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "wsnova still running 20 s after the signal"
    sleep 0.05
  done
  wait "$pid"
  status=$?
  exec 5>&-
}

# cpu_ticks PID: user + system CPU time of PID so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

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
    expect_in err '^end of input: closing with 1000 once replies stop \(--linger 1000 ms\)$'
    expect_in err '^closed: 1000'
    expect_not_in out 'connected'
    ;;
  server_close)
    start_server
    printf '!close 4001 going away now\n' >"$work/in"
    run_open "$url"
    expect_status 8
    expect_in err '^closed: 4001 going away now \(closed by the server\)$'
    ;;
  server_close_normal)
    start_server
    printf '!close 1000 bye\n' >"$work/in"
    run_open --quiet "$url"
    expect_status 0
    [[ ! -s $work/err ]] || fail "--quiet and a 1000 close: stderr should be empty"
    ;;
  # -- Nothing lost at close: every echo owed is printed. Node's ws echoes all it owes even
  # after the client's Close; wsnova's echo server and Python's websockets answer a Close
  # before the echoes they still owe (RFC 6455 allows both), so against them only --linger
  # (the default: wait until the replies pause before closing) gets every echo. --
  echo_all_1000 | echo_all_1000_python | echo_all_1000_wsnova)
    start_echo_for "$case_name"
    seq 1 1000 >"$work/in"
    run --quiet "$url"
    expect_status 0
    diff "$work/in" "$work/out" >/dev/null || fail "stdout should be exactly the 1000 echoes"
    ;;
  echo_big_line | echo_big_line_python)
    start_echo_for "$case_name"
    head -c 1048576 /dev/zero | tr '\0' x >"$work/in"
    echo >>"$work/in"
    run --quiet "$url"
    expect_status 0
    cmp -s "$work/in" "$work/out" || fail "the 1 MiB line should come back whole"
    ;;
  echo_short_runs | echo_short_runs_python)
    start_echo_for "$case_name"
    echo hello >"$work/in"
    for i in $(seq 10); do
      run --quiet "$url"
      expect_status 0
      [[ $(cat "$work/out") == hello ]] || fail "run $i: stdout should be the echo"
    done
    ;;
  linger_zero)
    # --linger 0 closes at the end of input at once: against Python's server, which stops
    # echoing at our Close, the echoes owed are then cut short (what --linger is for).
    start_server
    seq 1 1000 >"$work/in"
    run --linger 0 "$url"
    expect_status 0
    expect_in err '^end of input: closing with 1000$'
    expect_not_in err 'once replies stop'
    ;;
  linger_interrupted)
    # Ctrl-C while lingering after the end of input closes at once, not after 10 x --linger.
    start_server
    printf 'hello\n' >"$work/in"
    "$wsnova" --linger 60000 "$url" <"$work/in" >"$work/out" 2>"$work/err" &
    pid=$!
    wait_for err 'once replies stop' || fail "wsnova should say it lingers"
    wait_for out '^hello$' || fail "the echo should print while lingering"
    kill -INT "$pid"
    local_deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null; do
      ((SECONDS < local_deadline)) || fail "wsnova still lingering 15 s after Ctrl-C"
      sleep 0.05
    done
    wait "$pid"; status=$?; pid=
    expect_status 0
    expect_in err '^interrupted: closing with 1000$'
    ;;
  # -- One case per row of the exit-code table that can be provoked locally. --
  close_1001 | close_1011)
    code=${case_name#close_}
    start_scripted close "$code" server says bye
    run_open "$url"
    expect_status 8
    expect_in err "^closed: $code server says bye \(closed by the server\)$"
    expect_not_in err 'reconnection disabled'
    ;;
  dropped)
    start_scripted drop
    run_open "$url"
    expect_status 7
    expect_in err '^closed: 1006.*\(connection dropped without a close handshake\)$'
    expect_in err '^wsnova: error: connection_lost: '
    ;;
  tls_bad_close_code)
    # 999 is not a close code (RFC 6455 section 7.4): a protocol violation, and over TLS
    # the stream's end after it must not take the blame.
    start_scripted --tls close 999
    run_open --ca-file "$work/cert.pem" "$url"
    expect_status 7
    expect_in err '^closed: 1002.*\(closed by wsnova\)$'
    expect_in err '^wsnova: error: protocol_violation: '
    expect_not_in err 'connection_lost'
    ;;
  tls_untrusted)
    start_scripted --tls close 1000
    run_open "$url"
    expect_status 4
    expect_in err '^wsnova: error: tls_verify_failed: '
    ;;
  rejected)
    start_scripted reject 403
    run_open "$url"
    expect_status 5
    expect_in err '^wsnova: error: upgrade_rejected: .*403'
    ;;
  connect_timeout)
    start_scripted silent
    run_open --connect-timeout 500 "$url"
    expect_status 6
    expect_in err '^wsnova: error: timeout: '
    ;;
  too_big)
    start_scripted send 2000
    run_open --max-message 1000 "$url"
    expect_status 7
    expect_in err '^closed: 1009.*\(closed by wsnova\)$'
    expect_in err '^wsnova: error: message_too_big: '
    ;;
  server_bad_utf8)
    start_scripted bad_utf8
    run_open "$url"
    expect_status 7
    expect_in err '^closed: 1007.*\(closed by wsnova\)$'
    expect_in err '^wsnova: error: protocol_violation: '
    ;;
  stdin_bad_utf8)
    start_echo_server
    printf 'fine\nnot \xff utf-8\nnever sent\n' >"$work/in"
    run_open "$url"
    expect_status 2
    expect_in err '^wsnova: error: invalid_argument: line 2 of stdin is not valid UTF-8 \(byte 5\).*--binary'
    expect_in err '^closed: 1000 \(closed by wsnova\)$'
    expect_not_in out 'never sent'
    ;;
  stdin_line_too_long)
    start_echo_server
    head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' x >"$work/in"
    run --quiet "$url"
    expect_status 2
    expect_in err '^wsnova: error: invalid_argument: line 1 of stdin is longer than 16777216 bytes'
    expect_not_in out '.'
    ;;
  stdin_binary_any_bytes)
    start_echo_server
    printf '\xff\xfe\n' >"$work/in"
    run --quiet --binary "$url"
    expect_status 0
    expect_in out '^binary\(base64\): //4=$'
    ;;
  # -- Signals: SIGINT and SIGTERM close with 1000 and say what was not sent. --
  sigint | sigterm)
    start_echo_server
    printf 'before the signal\n' >"$work/in"
    start_open "$url"
    wait_for out '^before the signal$' || fail "the echo should print while stdin is open"
    kill -"${case_name#sig}" "$pid"
    finish
    expect_status 0
    expect_in err '^interrupted: closing with 1000$'
    expect_in err '^closed: 1000 \(closed by wsnova\)$'
    ;;
  backpressure)
    # A server that reads 4 KiB every 200 ms. wsnova must stop reading stdin, wait without
    # burning CPU, keep its memory bounded, and leave promptly on Ctrl-C.
    start_scripted slow
    line=$(head -c 1000 /dev/zero | tr '\0' x)
    "$wsnova" --connect-timeout 2000 "$url" < <(yes "$line") >"$work/out" 2>"$work/err" &
    pid=$!
    wait_for err 'send queue full, stdin paused' 30 || fail "wsnova should say it paused stdin"
    before=$(cpu_ticks "$pid")
    sleep 3  # a measuring window, not a synchronisation
    used=$(( $(cpu_ticks "$pid") - before ))
    rss_kb=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status")
    (( used <= 30 )) || fail "blocked on the server, wsnova used $used CPU ticks in 3 s"
    (( rss_kb <= 100 * 1024 )) || fail "RSS $rss_kb kB exceeds 100 MB"
    kill -INT "$pid"
    deadline=$((SECONDS + 10))  # --connect-timeout bounds the close, plus slack
    while kill -0 "$pid" 2>/dev/null; do
      ((SECONDS < deadline)) || fail "still running 10 s after Ctrl-C"
      sleep 0.05
    done
    expect_in err '^interrupted: closing with 1000; [0-9]+ line\(s\) read from stdin were not sent'
    ;;
  profile)
    start_server
    printf 'one\n' >"$work/in"
    converse 1 --profile chat "$url"
    expect_status 0
    expect_in out '^one$'
    expect_in err "^connected to ws://127\.0\.0\.1:[0-9]+/cli \(permessage-deflate\)"
    run --profile fast "$url"
    expect_status 2
    expect_in err "^wsnova: error: usage: --profile: unknown profile 'fast'"
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
  proxy_wss)
    # wss through the CONNECT proxy with credentials: the echoes come back, the status line
    # names the proxy and nothing prints the password.
    start_echo_server --tls "$work/certs" --proxy 'alice:s3cret'
    printf 'one\ntwo\n' >"$work/in"
    run --ca-file "$ca" --proxy "http://alice:s3cret@127.0.0.1:$proxy_port" "$url"
    expect_status 0
    expect_in out '^one$'
    expect_in out '^two$'
    expect_in err "through proxy 127\.0\.0\.1:$proxy_port"
    expect_not_in err 's3cret'
    ;;
  proxy_auth)
    start_echo_server --proxy 'alice:s3cret'
    printf 'one\n' >"$work/in"
    run --proxy "http://alice:wrong@127.0.0.1:$proxy_port" "$url"
    expect_status 3
    expect_in err '^wsnova: error: proxy_auth_required: .*407'
    expect_not_in err 'wrong'
    run --proxy 'ftp://alice:wrong@127.0.0.1:1' "$url"
    expect_status 2
    expect_in err '^wsnova: error: usage: --proxy: '
    expect_not_in err 'wrong'
    ;;
  proxy_env)
    # Opt-in only: the variable is ignored without --proxy-from-env, used with it, and
    # no_proxy sends the same host around the proxy.
    start_echo_server --proxy -
    printf 'one\n' >"$work/in"
    http_proxy="http://127.0.0.1:1" run --quiet "$url"
    expect_status 0
    http_proxy="http://127.0.0.1:$proxy_port" run --proxy-from-env "$url"
    expect_status 0
    expect_in err "through proxy 127\.0\.0\.1:$proxy_port"
    http_proxy="http://127.0.0.1:1" no_proxy=127.0.0.1 run --proxy-from-env "$url"
    expect_status 0
    expect_in out '^one$'
    expect_not_in err 'through proxy'
    ;;
  mutual_tls)
    start_echo_server --tls "$work/certs" --require-client-cert
    printf 'one\n' >"$work/in"
    run --ca-file "$ca" --cert "$client_cert" --key "$client_key" "$url"
    expect_status 0
    expect_in out '^one$'
    run --ca-file "$ca" "$url"
    expect_status 4
    expect_in err '^wsnova: error: tls_handshake: .*requires a client certificate'
    ;;
  help)
    run --help
    expect_status 0
    expect_in out '^usage: wsnova'
    expect_in out '--ping-interval'
    expect_in out '--proxy URL'
    expect_in out '--cert'
    expect_in out '--profile NAME'
    expect_in out 'binary\(base64\)'
    expect_in out '^exit codes:'
    expect_in out '^  7  the open connection failed'
    expect_in out '^  8  the server closed'
    expect_in out 'must be UTF-8'
    expect_in out 'SIGTERM'
    run --version
    expect_status 0
    expect_in out '^wsnova [0-9]+\.[0-9]+\.[0-9]+$'
    ;;
  *)
    echo "unknown case: $case_name"; exit 2 ;;
esac
echo "PASS ($case_name)"
