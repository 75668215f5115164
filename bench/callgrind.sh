#!/usr/bin/env bash
# Instructions per echo (callgrind) of beast-bench and wsnova-bench: stable where wall time is not.
#
# Usage: bench/callgrind.sh [--bin DIR] [--sizes "64 16384"] [--n1 2000] [--n2 12000]
#                           [--clients "beast wsnova"] [--json PATH] [--keep DIR]
#                           [--timeout SECONDS] [--help]
#
# Starts bench-echo-server from DIR (natively, not under valgrind) and runs each client under
# `valgrind --tool=callgrind` in latency mode: one connection, one message in flight, a fixed
# 1,000 warm-up round trips, then --count round trips. Throughput mode is time-based (--warmup,
# --seconds), so its echo count varies under valgrind; latency mode is the count-based echo loop.
# Each (client, size) runs twice, with N1 and N2 round trips, and
#     Ir/echo = (Ir(N2) - Ir(N1)) / (N2 - N1)
# so start-up, connect and warm-up cancel out. Ir is the total of all threads of the client
# (callgrind's default). Prints one table (client, payload, Ir/echo, epoll_wait calls per echo)
# and writes the rows as JSON to --json when given. The epoll column is the one part that depends
# on timing: an io-loop round that finds no event ready costs a few hundred Ir, so compare Ir/echo
# between runs with similar epoll/echo (or account for the difference). Exit 0 on success, 1 on a failed run, 2 on bad usage, 77 when valgrind
# is not installed (CTest's SKIP_RETURN_CODE).
#
# Example (see docs/benchmarks.md):
#   ninja -C build-bench bench-echo-server beast-bench wsnova-bench
#   bench/callgrind.sh --bin build-bench/bench --json /tmp/callgrind.json
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/../build-bench/bench"
sizes="64 16384"
n1=2000
n2=12000
clients="beast wsnova"
json=""
keep=""
timeout_s=1800

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() {
  printf 'callgrind.sh: %s\n' "$*" >&2
  exit 2
}

while (($#)); do
  case "$1" in
    --help | -h) usage; exit 0 ;;
    --bin) bin="${2:?--bin needs a directory}"; shift 2 ;;
    --sizes) sizes="${2:?--sizes needs a list}"; shift 2 ;;
    --n1) n1="${2:?--n1 needs a count}"; shift 2 ;;
    --n2) n2="${2:?--n2 needs a count}"; shift 2 ;;
    --clients) clients="${2:?--clients needs a list}"; shift 2 ;;
    --json) json="${2:?--json needs a path}"; shift 2 ;;
    --keep) keep="${2:?--keep needs a directory}"; shift 2 ;;
    --timeout) timeout_s="${2:?--timeout needs seconds}"; shift 2 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

[[ "$n1" =~ ^[0-9]+$ && "$n2" =~ ^[0-9]+$ ]] || die "--n1 and --n2 must be whole numbers"
((n2 > n1 && n1 > 0)) || die "need 0 < N1 < N2 (got $n1, $n2)"
for size in $sizes; do [[ "$size" =~ ^[0-9]+$ ]] || die "bad payload size $size"; done
for client in $clients; do
  [[ "$client" == beast || "$client" == wsnova ]] || die "unknown client $client (beast|wsnova)"
done
for program in bench-echo-server beast-bench wsnova-bench; do
  [[ -x "$bin/$program" ]] || die "missing $bin/$program (build the bench targets first)"
done
if ! command -v valgrind >/dev/null; then
  echo "callgrind.sh: valgrind is not installed; skipped" >&2
  exit 77
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$keep" ]] && mkdir -p "$keep"; then
    cp "$work"/* "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The server prints "PORT n" once it listens; read it from a pipe with a deadline.
exec {server_out}< <(exec "$bin/bench-echo-server" --port 0)
server_pid=$!
read -r -t 30 -u "$server_out" word port || die "echo server did not start within 30 s"
[[ "$word" == PORT && "$port" =~ ^[0-9]+$ ]] || die "echo server printed '$word $port', not PORT n"
url="ws://127.0.0.1:$port/"

# epoll_calls OUTFILE: prints how often the run called epoll_wait. Function names are
# compressed in the out file: "fn=(id) name" or "cfn=(id) name" once, then "cfn=(id)".
epoll_calls() {
  awk '/^c?fn=\(/ {
         id = substr($1, index($1, "(")); if (NF > 1) name[id] = $2
         callee = ($1 ~ /^cfn=/) ? name[id] : ""; next
       }
       /^calls=/ { if (callee == "epoll_wait") n += substr($1, 7); callee = "" }
       END { print n + 0 }' "$1"
}

# run_client CLIENT SIZE COUNT: prints the total Ir and the epoll_wait calls of one run.
run_client() {
  local client="$1" size="$2" count="$3"
  local name="$client-$size-$count"
  local rc=0
  timeout --kill-after=30 "$timeout_s" \
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" \
    "$bin/$client-bench" --url "$url" --mode latency --size "$size" --count "$count" \
    >"$work/$name.json" 2>"$work/$name.log" || rc=$?
  if ((rc != 0)) || grep -q '"error"' "$work/$name.json"; then
    echo "callgrind.sh: $name failed (exit $rc): $(tail -n 1 "$work/$name.json")" >&2
    tail -n 5 "$work/$name.log" >&2
    return 1
  fi
  # "totals:" (or "summary:") holds the events of the whole run; Ir is the only event here.
  local total
  total="$(awk '/^(totals|summary):/ { print $2; exit }' "$work/$name.out")"
  [[ "$total" =~ ^[0-9]+$ ]] || {
    echo "callgrind.sh: no totals line in $work/$name.out" >&2
    return 1
  }
  echo "$total $(epoll_calls "$work/$name.out")"
}

rows=()
printf '%-8s %8s %12s %12s   (N1=%d, N2=%d, %s)\n' client payload Ir/echo epoll/echo "$n1" "$n2" \
  "$url"
for size in $sizes; do
  for client in $clients; do
    run1="$(run_client "$client" "$size" "$n1")" || exit 1
    run2="$(run_client "$client" "$size" "$n2")" || exit 1
    read -r ir1 epoll1 <<<"$run1"
    read -r ir2 epoll2 <<<"$run2"
    if ((ir2 <= ir1)); then
      echo "callgrind.sh: $client $size B: Ir($n2) = $ir2 is not above Ir($n1) = $ir1" >&2
      exit 1
    fi
    per_echo="$(awk -v a="$ir1" -v b="$ir2" -v n="$((n2 - n1))" 'BEGIN { printf "%.0f", (b - a) / n }')"
    epoll_per_echo="$(awk -v a="$epoll1" -v b="$epoll2" -v n="$((n2 - n1))" \
      'BEGIN { printf "%.2f", (b - a) / n }')"
    printf '%-8s %8s %12s %12s\n' "$client" "$size" "$per_echo" "$epoll_per_echo"
    rows+=("{\"client\":\"$client\",\"size\":$size,\"ir_per_echo\":$per_echo,\"epoll_wait_per_echo\":$epoll_per_echo,\"ir_n1\":$ir1,\"ir_n2\":$ir2,\"n1\":$n1,\"n2\":$n2}")
  done
done

if [[ -n "$json" ]]; then
  (
    IFS=,
    printf '[%s]\n' "${rows[*]}"
  ) >"$json"
fi
