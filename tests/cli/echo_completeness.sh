#!/usr/bin/env bash
# echo_completeness.sh WSNOVA_BINARY: how many echoes the CLI prints against Python websockets and
# Node ws (tests/interop), plain, TLS (a certificate made by openssl) and permessage-deflate:
# 10 x `seq 1 1000`, 3 x a 1 MiB line, 10 x `echo hello`, each compared byte for byte. A
# measurement for issue notes (about 3 minutes), not a CTest test: the echo_* CLI cases pin it.
set -u
wsnova=$(realpath "$1"); interop="$(cd "$(dirname "$0")/../interop" && pwd)"
work=$(mktemp -d); cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout key.pem -out cert.pem 2>/dev/null
seq 1 1000 > seq.txt; head -c 1048576 /dev/zero | tr '\0' x > big.txt; echo >> big.txt; echo hello > hello.txt
# start python|node plain|tls: starts that echo server and sets $port.
start() {
  local tls=()
  [[ $2 == tls ]] && tls=(--tls cert.pem key.pem)
  if [[ $1 == python ]]; then /usr/bin/python3 $interop/python_echo_server.py "${tls[@]}" --ignore-stdin > srv.out 2>srv.err </dev/null &
  else node $interop/node_ws_server.js "${tls[@]}" --ignore-stdin > srv.out 2>srv.err </dev/null & fi
  spid=$!
  for i in $(seq 100); do grep -q '^PORT' srv.out 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^PORT //p' srv.out)
}
for server in python node; do
  for mode in plain tls deflate; do
    start $server $([[ $mode == tls ]] && echo tls || echo plain)
    scheme=ws; args=(--quiet); [[ $mode == tls ]] && { scheme=wss; args+=(--ca-file cert.pem); }
    [[ $mode == deflate ]] && args+=(--compress)
    host=127.0.0.1; [[ $mode == tls ]] && host=localhost
    url="$scheme://$host:$port/"
    ok_seq=0; counts=""; for i in $(seq 10); do $wsnova "${args[@]}" "$url" < seq.txt > out.txt 2>err.txt; n=$(wc -l < out.txt); counts+="$n "; cmp -s seq.txt out.txt && ok_seq=$((ok_seq+1)); done
    ok_big=0; for i in $(seq 3); do $wsnova "${args[@]}" "$url" < big.txt > out.txt 2>err.txt; cmp -s big.txt out.txt && ok_big=$((ok_big+1)); done
    ok_hello=0; for i in $(seq 10); do $wsnova "${args[@]}" "$url" < hello.txt > out.txt 2>err.txt; [[ $(cat out.txt) == hello ]] && ok_hello=$((ok_hello+1)); done
    echo "$server $mode: seq1000 complete $ok_seq/10 (lines: $counts); 1MiB $ok_big/3; hello $ok_hello/10"
    kill $spid; wait $spid 2>/dev/null
  done
done
rm -rf "$work"
