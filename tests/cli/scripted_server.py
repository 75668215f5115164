#!/usr/bin/python3
"""A misbehaving WebSocket server on raw sockets, for the `wsnova` command's tests.

    /usr/bin/python3 scripted_server.py [--tls CERT KEY] MODE [ARGS...]

Listens on 127.0.0.1 on an ephemeral port, prints `PORT <n>` on stdout once listening,
serves ONE client the way MODE says, and exits when that client is done (or on SIGTERM).
Raw sockets, because the faults below are what a correct WebSocket library refuses to send.

Modes (after the upgrade unless said otherwise):
  silent            never accept: TCP completes in the backlog, the upgrade is never answered
  reject STATUS     answer the upgrade with HTTP STATUS and close
  close CODE [WHY]  send a Close frame with CODE (any 16-bit value, valid or not) and WHY
  drop              reset the TCP connection (RST), no Close frame
  send N            send one text message of N bytes ('x' * N), then wait
  bad_utf8          send one text message that is not UTF-8
  slow              read 4 KiB every 200 ms and nothing else: a server that cannot keep up
After its action the server reads (and discards) until the client's Close, then closes
TCP, except in `slow`, which goes on reading slowly. Prints `UPGRADED` on stdout after the 101 response.
"""

import argparse
import base64
import hashlib
import signal
import socket
import ssl
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode, payload):
    """An unmasked server frame (RFC 6455 section 5.2), FIN set."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    headers = {}
    for line in data.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


def upgrade(conn):
    headers = read_request(conn)
    if headers is None:
        return False
    accept = base64.b64encode(hashlib.sha1(headers[b"sec-websocket-key"] + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    print("UPGRADED", flush=True)
    return True


def drain(conn):
    """Reads client frames until the client's Close, then closes TCP first, as a server
    should (RFC 6455 section 7.1.1); a TLS server sends close_notify before that."""
    data = b""
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
            while len(data) >= 2:
                opcode, n, at = data[0] & 0x0F, data[1] & 0x7F, 2
                if n == 126:
                    n, at = (struct.unpack("!H", data[2:4])[0], 4) if len(data) >= 4 else (None, 0)
                elif n == 127:
                    n, at = (struct.unpack("!Q", data[2:10])[0], 10) if len(data) >= 10 else (None, 0)
                if n is None or len(data) < at + 4 + n:
                    break  # incomplete frame (client frames carry a 4-byte mask)
                data = data[at + 4 + n:]
                if opcode == 0x8:
                    if isinstance(conn, ssl.SSLSocket):
                        conn.unwrap()
                    return
    except (OSError, ValueError):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("mode")
    parser.add_argument("args", nargs="*")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if args.mode == "slow":
        # Small buffers, so back-pressure reaches the client after little data.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    if args.mode == "silent":
        signal.pause()  # until SIGTERM
        return

    conn, _ = listener.accept()
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        try:
            conn = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused our certificate: the point of that test
    if args.mode == "reject":
        read_request(conn)
        conn.sendall(f"HTTP/1.1 {args.args[0]} Nope\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n".encode())
        drain(conn)
        return
    if not upgrade(conn):
        return
    if args.mode == "close":
        why = " ".join(args.args[1:]).encode()
        conn.sendall(frame(0x8, struct.pack("!H", int(args.args[0])) + why))
    elif args.mode == "drop":
        # SSLSocket.close() sends no close_notify, so TLS or not the client sees a reset.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        return
    elif args.mode == "send":
        conn.sendall(frame(0x1, b"x" * int(args.args[0])))
    elif args.mode == "bad_utf8":
        conn.sendall(frame(0x1, b"caf\xc3\x28"))
    elif args.mode == "slow":
        try:
            while conn.recv(4096):
                time.sleep(0.2)
        except OSError:
            pass
        return
    else:
        sys.exit(f"unknown mode {args.mode}")
    drain(conn)


if __name__ == "__main__":
    main()
