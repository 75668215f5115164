#!/usr/bin/python3
"""Supervision across real OS processes on loopback (CTest label `distribution`).

    failover_test.py WSNOVA_NODE FAULT_PROXY CASE [--runs N] [--feeds N]

CASE `kill9`: a tree node T supervises feeds started by name on worker B, with worker C as the
fallback (placement in order B, C). Each run kill -9s the worker running the feeds and times the
way back to service: from the SIGKILL to the owner on T receiving `connected` from every feed's
new instance on the other worker. The dead worker is started again on its port, so the next run
kills the other one. Prints p50 / p99 / max over the runs and fails above one second (the goal).

CASE `partition`: T reaches B through a TCP proxy that starts to swallow every byte (a partition
without any socket closing). BASP heartbeats stop, both sides time the link out: T restarts the
feeds on C, B stops its orphaned instances. Then the proxy forwards again; killing C brings the
feeds back on B through the healed link, so nothing ran twice and the tree uses B again.

CASE `observer`: the tree node serves the observer (docs/observer.md); its JSON shows each feed
on worker B (a remote node, `local: false`) with its connection connected; after kill -9 of B
the same ids show on C with one restart each, connected again.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request

from nodes import Node, now_us

DEADLINE = 20  # seconds for any single expected line; generous for a loaded machine


def connected_from(node, feed_count):
    """Predicate factory: a `connected` event of any feed sent from `node`'s process."""
    return lambda text: text.startswith("event connected ") and text.endswith(f"pid={node.pid}")


def await_feeds_on(tree, node, feed_count):
    """Waits until every feed reported `connected` from `node`; returns the last stamp."""
    seen = set()
    stamp = 0
    while len(seen) < feed_count:
        stamp, text = tree.expect(connected_from(node, feed_count), DEADLINE)
        seen.add(text.split()[2])
    return stamp


def check_stream(tree, feed, count):
    """The numbers 1..count go through a feed on a worker and reach the owner on the tree node."""
    tree.send(f"stream {feed} {count}")
    _, text = tree.expect(lambda t: t.startswith(f"stream {feed} "), DEADLINE)
    if not text.endswith("in order"):
        raise AssertionError(f"stream through {feed}: {text}")


def kill9(node_bin, proxy_bin, runs, feeds):
    workers = [Node(node_bin, "--port", "0", name="B"), Node(node_bin, "--port", "0", name="C")]
    ports = [w.port for w in workers]
    peers = ",".join(f"127.0.0.1:{p}" for p in ports)
    tree = Node(node_bin, "--tree", "--peers", peers, "--feeds", str(feeds), name="T")
    try:
        await_feeds_on(tree, workers[0], feeds)
        check_stream(tree, "feed-1", 1000)
        host = 0  # index of the worker running the feeds
        times_ms = []
        for run in range(runs):
            other = 1 - host
            killed_at = workers[host].kill9()
            back_at = await_feeds_on(tree, workers[other], feeds)
            times_ms.append((back_at - killed_at) / 1000)
            # The dead worker comes back on its port, so the next run can fail over to it.
            workers[host] = Node(node_bin, "--port", str(ports[host]), name="BC"[host])
            host = other
        check_stream(tree, "feed-1", 1000)
        times_ms.sort()
        p50 = statistics.median(times_ms)
        p99 = times_ms[min(len(times_ms) - 1, int(round(0.99 * (len(times_ms) - 1))))]
        print(f"kill -9 failover over {runs} runs, {feeds} feeds: p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms, max {times_ms[-1]:.1f} ms, min {times_ms[0]:.1f} ms")
        if p99 >= 1000:
            raise AssertionError(f"back in service p99 {p99:.1f} ms, goal under 1000 ms")
    finally:
        for node in (tree, *workers):
            node.stop()


def partition(node_bin, proxy_bin, runs, feeds):
    b = Node(node_bin, "--port", "0", name="B")
    c = Node(node_bin, "--port", "0", name="C")
    proxy = subprocess.Popen([proxy_bin, "--target", str(b.port)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, bufsize=1)
    proxy_port = int(proxy.stdout.readline().split()[1])

    def command(line):
        proxy.stdin.write(line + "\n")
        proxy.stdin.flush()
        answer = proxy.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise AssertionError(f"proxy {line}: {answer}")

    tree = Node(node_bin, "--tree", "--peers", f"127.0.0.1:{proxy_port},127.0.0.1:{c.port}",
                "--feeds", str(feeds), name="T")
    try:
        await_feeds_on(tree, b, feeds)
        command("blackhole")
        cut_at = now_us()
        back_at = await_feeds_on(tree, c, feeds)
        stopped = set()
        last_stop = 0
        while len(stopped) < feeds:
            last_stop, text = b.expect(lambda t: t.startswith("feed stopped "), DEADLINE)
            stopped.add(text.split()[2])
        print(f"partition: feeds back on C after {(back_at - cut_at) / 1000:.0f} ms, "
              f"orphans on B stopped after {(last_stop - cut_at) / 1000:.0f} ms")
        check_stream(tree, "feed-1", 1000)
        command("pass")
        c.kill9()
        await_feeds_on(tree, b, feeds)
        check_stream(tree, "feed-1", 1000)
        print("partition healed: after C died the feeds run on B again, through the proxy")
    finally:
        for node in (tree, b, c):
            node.stop()
        proxy.stdin.close()
        proxy.wait(timeout=10)


def feeds_in(tree_json):
    """Returns {feed id: node of the tree JSON} for the feeds under the root `tree`."""
    for root in tree_json["roots"]:
        if root["id"] == "tree":
            return {child["id"]: child for child in root.get("children", [])}
    return {}


def await_observed(url, predicate, what):
    """Polls the observer's JSON until `predicate(feeds)` holds; returns the feeds."""
    deadline = time.monotonic() + DEADLINE
    feeds = {}
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "tree.json", timeout=5) as response:
            feeds = feeds_in(json.load(response))
        if predicate(feeds):
            return feeds
        time.sleep(0.05)  # a poll interval, not a wait for an event: the JSON is polled
    raise AssertionError(f"observer never showed {what}; last: {json.dumps(feeds)[:600]}")


def observer(node_bin, proxy_bin, runs, feeds):
    b = Node(node_bin, "--port", "0", name="B")
    c = Node(node_bin, "--port", "0", name="C")
    tree = Node(node_bin, "--tree", "--peers", f"127.0.0.1:{b.port},127.0.0.1:{c.port}",
                "--feeds", str(feeds), "--observer-port", "0", name="T")
    try:
        _, line = tree.expect(lambda t: t.startswith("observer "), DEADLINE)
        url = line.split()[1]

        def on(node, restarts):
            def holds(shown):
                return len(shown) == feeds and all(
                    f["node"] and f["node"].endswith(f"#{node.pid}") and f["local"] is False
                    and f["state"] == "running" and f["restarts"] == restarts
                    and f.get("connection", {}).get("state") == "connected"
                    for f in shown.values())
            return holds

        await_observed(url, on(b, 0), f"every feed on B ({b.pid}), connected")
        b.kill9()
        await_observed(url, on(c, 1), f"every feed on C ({c.pid}) with one restart")
        print(f"observer: {feeds} feeds shown on B, then on C with restarts 1, connected")
    finally:
        for node in (tree, b, c):
            node.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("node")
    parser.add_argument("proxy")
    parser.add_argument("case", choices=["kill9", "partition", "observer"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--feeds", type=int, default=2)
    args = parser.parse_args()
    {"kill9": kill9, "partition": partition, "observer": observer}[args.case](args.node, args.proxy, args.runs,
                                                         args.feeds)
    print(f"{args.case}: OK")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
