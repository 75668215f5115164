"""Runs wsnova-node processes for the distribution tests and reads their stamped lines.

Every line a node prints starts with the steady clock in microseconds (CLOCK_MONOTONIC, the
same in every process of a host), so a test can time what happens across processes.
"""
import os
import queue
import signal
import subprocess
import threading
import time


def now_us():
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6)


class Node:
    """One wsnova-node process; its output lines are queued as (stamp_us, text)."""

    def __init__(self, binary, *args, name="node"):
        self.name = name
        self.proc = subprocess.Popen([binary, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        stamp, line = self.expect(lambda text: text.startswith("node port="), 10)
        fields = dict(item.split("=", 1) for item in line.split()[1:])
        self.port = int(fields["port"])
        self.pid = fields["pid"]

    def _read(self):
        for raw in self.proc.stdout:
            raw = raw.rstrip("\n")
            stamp, _, text = raw.partition(" ")
            try:
                self.lines.put((int(stamp), text))
            except ValueError:
                self.lines.put((now_us(), raw))
        self.lines.put(None)

    def expect(self, predicate, timeout):
        """Returns the first (stamp, text) after the ones already consumed that matches."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name}: no matching line within {timeout}s; "
                                     f"last lines: {self.seen[-15:]}")
            try:
                item = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if item is None:
                raise AssertionError(f"{self.name} exited ({self.proc.poll()}); "
                                     f"last lines: {self.seen[-15:]}")
            self.seen.append(item[1])
            if predicate(item[1]):
                return item

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def kill9(self):
        stamp = now_us()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        return stamp

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
