#!/usr/bin/python3
"""Runs beast-bench and wsnova-bench in alternation against bench-echo-server.

Full run: every case A B A B A B (three repetitions), medians, the wsnova/Beast ratio, a table on
stdout and in bench/results.md (or --out). Smoke run (--smoke): every mode of both clients with
tiny counts, ws and wss, checking that each prints one valid JSON object with the contract's
keys. See docs/benchmarks.md.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

KEYS = {
    "throughput": ["msgs_per_s", "MB_per_s", "msgs", "seconds", "cpu_s", "us_per_msg"],
    "latency": ["p50_us", "p99_us", "p999_us", "count"],
    "idle": ["rss_kb", "rss_before_kb", "kb_per_conn", "connect_s", "conns", "cpu_idle_pct"],
    "connect": ["connects_per_s", "count", "seconds"],
}

# (label, scheme, args, [(metric, higher_is_better, target ratio wsnova/beast or None)])
TP = [("msgs_per_s", True, None), ("MB_per_s", True, None), ("us_per_msg", False, None)]
FULL_CASES = [
    ("throughput 1x64 B", "ws", ["--mode", "throughput", "--conns", "1", "--size", "64",
                                  "--seconds", "3"],
     [("msgs_per_s", True, 1.2), ("us_per_msg", False, 0.8)]),
    ("throughput 100x64 B", "ws", ["--mode", "throughput", "--conns", "100", "--size", "64",
                                    "--seconds", "3"],
     [("msgs_per_s", True, 1.25), ("us_per_msg", False, 0.8)]),
    ("throughput 1x16 KiB", "ws", ["--mode", "throughput", "--conns", "1", "--size", "16384",
                                    "--seconds", "3"],
     [("msgs_per_s", True, 1.0), ("MB_per_s", True, 1.0), ("us_per_msg", False, 1.1)]),
    ("throughput 100x16 KiB", "ws", ["--mode", "throughput", "--conns", "100", "--size",
                                      "16384", "--seconds", "3"],
     [("msgs_per_s", True, 1.0), ("MB_per_s", True, 1.0), ("us_per_msg", False, 1.1)]),
    ("latency 64 B", "ws", ["--mode", "latency", "--size", "64", "--count", "20000"],
     [("p50_us", False, 1.05), ("p99_us", False, 1.1), ("p999_us", False, None)]),
    ("idle 1,000", "ws", ["--mode", "idle", "--conns", "1000", "--seconds", "1"],
     [("kb_per_conn", False, None), ("connect_s", False, None), ("cpu_idle_pct", False, None)]),
    ("idle 10,000", "ws", ["--mode", "idle", "--conns", "10000", "--seconds", "2"],
     [("kb_per_conn", False, "6.0 kB"), ("connect_s", False, None),
      ("cpu_idle_pct", False, None)]),
    ("connect ws x2000", "ws", ["--mode", "connect", "--count", "2000"],
     [("connects_per_s", True, 1.0)]),
    ("connect wss x500", "wss", ["--mode", "connect", "--count", "500"],
     [("connects_per_s", True, 1.2)]),
]

SMOKE_CASES = [
    ("smoke throughput ws", "ws", ["--mode", "throughput", "--conns", "2", "--window", "4",
                                   "--seconds", "0.2", "--warmup", "0.1"]),
    ("smoke throughput wss text", "wss", ["--mode", "throughput", "--conns", "2", "--text",
                                          "--size", "1000", "--seconds", "0.2",
                                          "--warmup", "0.1"]),
    ("smoke throughput deflate", "wsd", ["--mode", "throughput", "--deflate", "--size", "4096",
                                         "--seconds", "0.2", "--warmup", "0.1"]),
    ("smoke latency", "ws", ["--mode", "latency", "--count", "50"]),
    ("smoke idle", "ws", ["--mode", "idle", "--conns", "20", "--window", "4",
                          "--seconds", "0.1"]),
    ("smoke connect ws", "ws", ["--mode", "connect", "--count", "5"]),
    ("smoke connect wss", "wss", ["--mode", "connect", "--count", "3"]),
]


class Server:
    def __init__(self, binary, extra):
        self.proc = subprocess.Popen([binary, "--port", "0"] + extra, stdout=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.proc.kill()
            raise RuntimeError("echo server did not print PORT n: %r" % line)
        self.port = int(line[1])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_client(binary, url, args, timeout):
    cmd = [binary, "--url", url] + args
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return cmd, None, "timed out after %ss" % timeout
    lines = [l for l in p.stdout.strip().splitlines() if l.strip()]
    if not lines:
        return cmd, None, "no output (exit %d): %s" % (p.returncode, p.stderr.strip()[-500:])
    try:
        obj = json.loads(lines[-1])
    except ValueError as e:
        return cmd, None, "last line is not JSON (%s): %r" % (e, lines[-1][:200])
    if not isinstance(obj, dict):
        return cmd, None, "last line is not a JSON object"
    if p.returncode != 0 or "error" in obj:
        return cmd, obj, "exit %d, error %r" % (p.returncode, obj.get("error"))
    return cmd, obj, None


def check_keys(obj, mode):
    missing = [k for k in ["client", "mode"] + KEYS[mode] if k not in obj]
    return "missing keys %s" % missing if missing else None


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%d cores (nproc), %s, %s" % (os.cpu_count(), model, platform.platform())


def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return "{:,.0f}".format(x)
    if abs(x) >= 100:
        return "%.0f" % x
    if abs(x) >= 10:
        return "%.1f" % x
    return "%.2f" % x


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="tiny counts, check the JSON only")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-bench", "bench"),
                    help="directory holding the three programs")
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"), help="results table")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of A B")
    ap.add_argument("--only", default="", help="run only cases whose label contains this")
    ap.add_argument("--wsnova-args", default="", help="extra arguments for wsnova-bench")
    a = ap.parse_args()

    server_bin = os.path.join(a.bin, "bench-echo-server")
    clients = [("beast", os.path.join(a.bin, "beast-bench"), []),
               ("wsnova", os.path.join(a.bin, "wsnova-bench"), a.wsnova_args.split())]
    for _, path, _ in clients + [("server", server_bin, [])]:
        if not os.access(path, os.X_OK):
            print("missing program %s (build the bench targets first)" % path, file=sys.stderr)
            return 2

    servers = {"ws": Server(server_bin, []), "wss": Server(server_bin, ["--tls"])}
    if a.smoke:
        servers["wsd"] = Server(server_bin, ["--deflate"])

    def url(scheme):
        real = "wss" if scheme == "wss" else "ws"
        return "%s://127.0.0.1:%d/" % (real, servers[scheme].port)

    try:
        if a.smoke:
            failures = 0
            cases = SMOKE_CASES + [("smoke throughput owner path", "ws",
                                    ["--mode", "throughput", "--seconds", "0.2", "--warmup", "0.1",
                                     "--path", "owner"])]
            for label, scheme, args in cases:
                for name, path, extra in clients:
                    if "--path" in args and name != "wsnova":
                        continue
                    cmd, obj, err = run_client(path, url(scheme), args + extra, 120)
                    mode = args[args.index("--mode") + 1]
                    if not err:
                        err = check_keys(obj, mode)
                    status = "ok" if not err else "FAIL: " + err
                    print("%-28s %-7s %s" % (label, name, status))
                    if err:
                        print("  command: " + " ".join(cmd))
                        failures += 1
            print("smoke: %d failure(s)" % failures)
            return 1 if failures else 0

        started = time.time()
        load_start = open("/proc/loadavg").read().split()[:3]
        rows = []
        raw = {}
        for label, scheme, args, metrics in FULL_CASES:
            if a.only and a.only not in label:
                continue
            results = {"beast": [], "wsnova": []}
            for rep in range(a.reps):
                for name, path, extra in clients:
                    cmd, obj, err = run_client(path, url(scheme), args + extra, 300)
                    if err:
                        print("%s %s rep %d FAILED: %s\n  %s" % (label, name, rep, err,
                                                                 " ".join(cmd)))
                        continue
                    results[name].append(obj)
                    time.sleep(0.3)  # let the server settle (closes, TIME_WAIT)
            raw[label] = results
            for metric, higher, target in metrics:
                med = {}
                for name in results:
                    vals = [r[metric] for r in results[name] if metric in r]
                    med[name] = statistics.median(vals) if vals else None
                ratio = (med["wsnova"] / med["beast"]) if med["beast"] and med["wsnova"] else None
                if target is None:
                    tgt, ok = "", ""
                elif isinstance(target, str):  # absolute kB target
                    limit = float(target.split()[0])
                    tgt = "<= " + target
                    ok = "yes" if med["wsnova"] is not None and med["wsnova"] <= limit else "no"
                else:
                    tgt = (">= " if higher else "<= ") + "%.2fx" % target
                    ok = "" if ratio is None else (
                        "yes" if (ratio >= target if higher else ratio <= target) else "no")
                rows.append((label, metric, med["beast"], med["wsnova"], ratio, tgt, ok))
                print("%-22s %-15s beast %10s  wsnova %10s  ratio %6s  %s %s" % (
                    label, metric, fmt(med["beast"]), fmt(med["wsnova"]),
                    "%.2f" % ratio if ratio else "-", tgt, ok), flush=True)
        elapsed = time.time() - started
        load_end = open("/proc/loadavg").read().split()[:3]

        lines = ["| case | metric | Beast | wsnova | wsnova/Beast | target | met |",
                 "|---|---|---:|---:|---:|---|---|"]
        for label, metric, b, w, r, tgt, ok in rows:
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                label, metric, fmt(b), fmt(w), "%.2f" % r if r else "-", tgt, ok))
        header = ["# wsnova benchmark results", "",
                  "Machine: " + machine() + "  ",
                  "Command: `bench/run.sh %s`  " % " ".join(sys.argv[1:]),
                  "Medians of %d alternating runs (A B A B ...), %.0f s in all; µs/msg is client "
                  "CPU (user+sys) per echo; lower is better for µs/msg, latency, kB/conn and "
                  "connect_s.  " % (a.reps, elapsed),
                  "Load average (1/5/15 min) at start %s, at end %s: anything well above 0 means "
                  "other work shared the two cores and the absolute numbers are noisy; compare "
                  "ratios." % ("/".join(load_start), "/".join(load_end)),
                  ""]
        text = "\n".join(header + lines) + "\n"
        with open(a.out, "w") as f:
            f.write(text)
        with open(os.path.splitext(a.out)[0] + ".json", "w") as f:
            json.dump(raw, f, indent=1)
        print()
        print(text)
        failed = sum(1 for r in raw.values() for n in r.values() if len(n) < a.reps)
        return 1 if failed else 0
    finally:
        for s in servers.values():
            s.stop()


if __name__ == "__main__":
    sys.exit(main())
