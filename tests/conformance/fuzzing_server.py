#!/usr/bin/python3
"""A WebSocket client-conformance server in the manner of Autobahn's fuzzingserver.

    /usr/bin/python3 tests/conformance/fuzzing_server.py [--tls CERT KEY] [--deflate]
        [--cases REGEX] [--report FILE] [--ignore-stdin]

Listens on 127.0.0.1 on an ephemeral port and prints `PORT <n>` on its own line on stdout
once listening. Endpoints (all WebSocket upgrades, like Autobahn's):

    /getCaseCount                  sends the number of cases as a text message, closes 1000
    /getCaseInfo?case=N            sends {"id", "description"} of case N as text, closes 1000
    /runCase?case=N&agent=A        runs case N (1-based) against the connecting client
    /updateReports?agent=A         writes the report file, closes 1000

The report (JSON, `--report`, default conformance-report.json) maps agent -> case id ->
{"index", "description", "behavior" (OK, NON-STRICT, FAILED), "reason", "duration_ms",
"trace"}. It is rewritten after every case too, so a crashed agent still leaves one.
Exits on SIGTERM, SIGINT, or EOF on stdin (unless --ignore-stdin). Standard library only.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases as case_table  # noqa: E402
from wsproto import (CaseFailure, Deflate, NonStrict, Session, Transport,  # noqa: E402
                     OP_TEXT, parse_extension_offers)

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Server:
    def __init__(self, args):
        self.args = args
        self.cases = [c for c in case_table.all_cases(deflate=args.deflate)
                      if re.search(args.cases, c.id)]
        self.results = {}
        self.ssl_context = None
        if args.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(args.tls[0], args.tls[1])
            self.ssl_context = ctx

    # -- HTTP upgrade --------------------------------------------------------------------

    async def read_request(self, transport):
        """Reads the upgrade request; returns (path, headers, leftover bytes)."""
        buf = b""
        while b"\r\n\r\n" not in buf:
            data = await transport.recv()
            if not data:
                raise CaseFailure("client closed before finishing its upgrade request")
            buf += data
            if len(buf) > 65536:
                raise CaseFailure("upgrade request over 64 KiB")
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = (lines[0].split(" ") + ["", "", ""])[:3]
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            key = k.strip().lower()
            headers[key] = (headers[key] + ", " + v.strip()) if key in headers else v.strip()
        if method != "GET" or version != "HTTP/1.1":
            raise CaseFailure(f"bad request line {lines[0]!r}")
        return target, headers, rest

    def check_upgrade(self, headers):
        if "websocket" not in headers.get("upgrade", "").lower():
            raise CaseFailure("upgrade request lacks Upgrade: websocket")
        if "upgrade" not in headers.get("connection", "").lower():
            raise CaseFailure("upgrade request lacks Connection: Upgrade")
        if headers.get("sec-websocket-version") != "13":
            raise CaseFailure("upgrade request lacks Sec-WebSocket-Version: 13")
        key = headers.get("sec-websocket-key", "")
        try:
            if len(base64.b64decode(key, validate=True)) != 16:
                raise ValueError
        except ValueError:
            raise CaseFailure(f"bad Sec-WebSocket-Key {key!r}")
        return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()

    def negotiate(self, headers, want):
        """Returns (Deflate or None, response header value or None, note). `want` is the
        case's permessage-deflate wish: None declines, a dict sets response parameters."""
        if want is None or not self.args.deflate:
            return None, None, ""
        offers = [p for name, p in parse_extension_offers(
            headers.get("sec-websocket-extensions", "")) if name == "permessage-deflate"]
        if not offers:
            raise CaseFailure("client did not offer permessage-deflate (agent run with "
                              "compression?)")
        offer = offers[0]
        params, note = [], ""
        d = Deflate()
        if want.get("server_no_context_takeover") or "server_no_context_takeover" in offer:
            d.server_nct = True
            params.append("server_no_context_takeover")
        if want.get("client_no_context_takeover"):
            d.client_nct = True
            params.append("client_no_context_takeover")
        smwb = want.get("server_max_window_bits")
        offered_smwb = offer.get("server_max_window_bits")
        if offered_smwb not in (None, True):
            smwb = min(smwb or 15, int(offered_smwb))
        if smwb:
            d.server_bits = smwb
            params.append(f"server_max_window_bits={smwb}")
        cmwb = want.get("client_max_window_bits")
        offered_cmwb = offer.get("client_max_window_bits")
        if cmwb and offered_cmwb is None:
            note = "client did not offer client_max_window_bits (response may not set it)"
        elif cmwb:
            if offered_cmwb is not True:
                cmwb = min(cmwb, int(offered_cmwb))
            d.client_bits = cmwb
            params.append(f"client_max_window_bits={cmwb}")
        return d, "; ".join(["permessage-deflate"] + params), note

    async def accept(self, transport, headers, leftover, want=None, max_message=1 << 25):
        accept_key = self.check_upgrade(headers)
        deflate, ext, note = self.negotiate(headers, want)
        response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept_key}\r\n")
        if ext:
            response += f"Sec-WebSocket-Extensions: {ext}\r\n"
        await transport.send((response + "\r\n").encode())
        session = Session(transport, deflate, max_message)
        session.reader.buf += leftover
        session.negotiation_note = note
        session.offer = headers.get("sec-websocket-extensions", "")
        return session

    # -- connections ---------------------------------------------------------------------

    async def handle(self, sock):
        transport = Transport(sock, self.ssl_context)
        transport.strict_teardown = not self.args.lenient_teardown
        try:
            await asyncio.wait_for(transport.handshake(), 10)
            target, headers, leftover = await asyncio.wait_for(
                self.read_request(transport), 10)
            url = urllib.parse.urlsplit(target)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/runCase":
                await self.run_case(transport, headers, leftover, query)
            elif url.path in ("/getCaseCount", "/getCaseInfo", "/updateReports"):
                session = await self.accept(transport, headers, leftover, want={})
                if url.path == "/getCaseCount":
                    text = str(len(self.cases))
                elif url.path == "/getCaseInfo":
                    c = self.cases[int(query.get("case", "1")) - 1]
                    text = json.dumps({"id": c.id, "description": c.description})
                else:
                    self.write_report()
                    text = "ok"
                await session.send_message(OP_TEXT, text.encode())
                await asyncio.wait_for(session.close_handshake(1000), 10)
            else:
                await transport.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                     b"Connection: close\r\n\r\n")
        except (CaseFailure, NonStrict, asyncio.TimeoutError, OSError, ssl.SSLError) as exc:
            print(f"fuzzing_server: control connection: {exc!r}", file=sys.stderr)
        finally:
            transport.close()

    async def run_case(self, transport, headers, leftover, query):
        agent = query.get("agent", "unknown")
        index = int(query.get("case", "0"))
        if not 1 <= index <= len(self.cases):
            await transport.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        case = self.cases[index - 1]
        started = time.monotonic()
        behavior, reason, session = "OK", "", None
        try:
            session = await self.accept(transport, headers, leftover, case.deflate,
                                        case.max_message)
            note = await asyncio.wait_for(case.run(session), case.timeout)
            reason = note or session.negotiation_note or ""
        except NonStrict as exc:
            behavior, reason = "NON-STRICT", str(exc)
        except CaseFailure as exc:
            behavior, reason = "FAILED", str(exc)
        except asyncio.TimeoutError:
            behavior, reason = "FAILED", f"case did not finish within {case.timeout} s"
        except (ConnectionResetError, BrokenPipeError):
            behavior, reason = "FAILED", ("client reset the TCP connection while the server "
                                          "was still writing")
        except (OSError, ssl.SSLError) as exc:
            behavior, reason = "FAILED", f"socket error: {exc}"
        result = {
            "index": index,
            "description": case.description,
            "behavior": behavior,
            "reason": reason,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        if session is not None and behavior != "OK":
            result["trace"] = session.trace
            result["offer"] = session.offer
        self.results.setdefault(agent, {})[case.id] = result
        self.write_report()
        if not self.args.quiet or behavior != "OK":
            print(f"{agent} {case.id}: {behavior} {reason}", file=sys.stderr, flush=True)

    def write_report(self):
        tmp = self.args.report + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.results, f, indent=1)
        os.replace(tmp, self.args.report)

    async def serve(self):
        loop = asyncio.get_running_loop()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        listener.setblocking(False)
        print(f"PORT {listener.getsockname()[1]}", flush=True)
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        if not self.args.ignore_stdin:
            loop.add_reader(sys.stdin.fileno(),
                            lambda: (os.read(sys.stdin.fileno(), 4096) or
                                     (stop.done() or stop.set_result(None))))
        tasks = set()

        async def accept_loop():
            while True:
                sock, _ = await loop.sock_accept(listener)
                task = asyncio.create_task(self.handle(sock))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        acceptor = asyncio.create_task(accept_loop())
        await stop
        acceptor.cancel()
        listener.close()
        self.write_report()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--deflate", action="store_true",
                        help="negotiate permessage-deflate and add the deflate cases")
    parser.add_argument("--cases", default="", help="regex on case ids to keep")
    parser.add_argument("--report", default="conformance-report.json")
    parser.add_argument("--ignore-stdin", action="store_true")
    parser.add_argument("--lenient-teardown", action="store_true",
                        help="do not judge who closes TCP first (diagnostics only)")
    parser.add_argument("--quiet", action="store_true", help="print only non-OK cases")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args()
    if args.list:
        kept = [c for c in case_table.all_cases(deflate=args.deflate)
                if re.search(args.cases, c.id)]
        for i, c in enumerate(kept, 1):
            print(f"{i:4} {c.id:10} {c.description}")
        return
    asyncio.run(Server(args).serve())


if __name__ == "__main__":
    main()
