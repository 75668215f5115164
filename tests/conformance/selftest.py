#!/usr/bin/python3
"""Checks that fuzzing_server.py catches misbehaving clients (it must not pass everything).

    /usr/bin/python3 tests/conformance/selftest.py

Runs a few cases against scripted raw-socket clients, one correct and several broken, and
fails unless each gets the expected verdict. Standard library only; about a second.
"""

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from wsproto import OP_CLOSE, OP_TEXT, encode_frame  # noqa: E402

MASK = b"\x01\x02\x03\x04"


class RawClient:
    """A blocking WebSocket client whose every step a scenario chooses."""

    def __init__(self, port, path):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        self.buf = self.buf.split(b"\r\n\r\n", 1)[1]
        self.inconclusive = False

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        return data

    def read_frame(self):
        """Returns (opcode, payload) of the next (unmasked, server) frame."""
        while len(self.buf) < 2:
            self.buf += self._recv()
        n, pos = self.buf[1] & 0x7F, 2
        if n == 126:
            while len(self.buf) < 4:
                self.buf += self._recv()
            n, pos = struct.unpack_from("!H", self.buf, 2)[0], 4
        elif n == 127:
            while len(self.buf) < 10:
                self.buf += self._recv()
            n, pos = struct.unpack_from("!Q", self.buf, 2)[0], 10
        while len(self.buf) < pos + n:
            self.buf += self._recv()
        op, payload = self.buf[0] & 0xF, self.buf[pos:pos + n]
        self.buf = self.buf[pos + n:]
        return op, payload

    def send(self, op, payload, mask=MASK):
        self.sock.sendall(encode_frame(op, payload, mask=mask))

    def wait_eof(self):
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.sock.close()


def echo_until_close(c, close_code=None, mask=MASK, early_fin=False):
    """Echoes data frames; answers the server's Close with `close_code` (default: echo)."""
    while True:
        op, payload = c.read_frame()
        if op == OP_CLOSE:
            code = payload[:2] if close_code is None else struct.pack("!H", close_code)
            if early_fin:
                # Corked, the Close frame waits in the kernel and leaves in one segment with
                # the FIN, so the server sees both at once. Linux holds corked data 200 ms
                # at most: if this thread stalls longer, the server may close first, which
                # the state check below notices (the scenario then proves nothing).
                c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            c.send(OP_CLOSE, code, mask)
            if early_fin:
                if c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] != 1:
                    c.inconclusive = True  # not ESTABLISHED: the server's FIN came first
                c.sock.shutdown(socket.SHUT_WR)  # before the server's FIN: a violation
            c.wait_eof()
            return
        c.send(op, payload, mask)


SCENARIOS = [
    # (case id, description, client behaviour, expected verdict, reason fragment)
    ("1.1.2", "correct client", lambda c: echo_until_close(c), "OK", ""),
    ("1.1.2", "FIN right after its Close reply", lambda c: echo_until_close(c, early_fin=True),
     "FAILED", "closed TCP (FIN) before the server"),
    ("1.1.2", "unmasked frames", lambda c: echo_until_close(c, mask=None), "FAILED",
     "unmasked"),
    ("7.7.1", "answers Close 1000 with 1001", lambda c: echo_until_close(c, 1001), "FAILED",
     "code 1001"),
    ("6.4.1", "echoes invalid UTF-8", lambda c: echo_until_close(c), "FAILED",
     "echoed"),
    ("2.1", "drops TCP instead of answering the ping", lambda c: c.sock.close(), "FAILED",
     "expected a pong"),
]


def close_control(c):
    """Reads a control connection's frames until the server's Close, answers it."""
    while True:
        op, payload = c.read_frame()
        if op == OP_CLOSE:
            c.send(OP_CLOSE, payload[:2])
            c.wait_eof()
            return


def main():
    report = os.path.join(tempfile.mkdtemp(prefix="wsnova-selftest-"), "report.json")
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "fuzzing_server.py"),
                               "--report", report, "--quiet"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    listing = subprocess.run([sys.executable, os.path.join(HERE, "fuzzing_server.py"), "--list"],
                             capture_output=True, text=True, check=True).stdout
    index = {line.split()[1]: int(line.split()[0]) for line in listing.splitlines()}
    failures = 0
    try:
        port = int(server.stdout.readline().split()[1])
        for i, (case, desc, behave, verdict, fragment) in enumerate(SCENARIOS):
            agent = f"selftest{i}"
            c = RawClient(port, f"/runCase?case={index[case]}&agent={agent}")
            try:
                behave(c)
            except (EOFError, OSError):
                pass
            close_control(RawClient(port, f"/updateReports?agent={agent}"))
            with open(report) as f:
                got = json.load(f)[agent][case]
            ok = c.inconclusive or (got["behavior"] == verdict and fragment in got["reason"])
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {case} {desc}: {got['behavior']} {got['reason']}")
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
