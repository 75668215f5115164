"""The case table, numbered like Autobahn's sections where it helps.

Every case is an `async run(session)` that raises `CaseFailure` / `NonStrict` or returns an
optional note. Rules that keep the verdicts free of timing luck:
  * a case waits for the echo of every valid message before it sends anything invalid, so
    "echo, then fail" never races with the failure;
  * deadlines (`Case.timeout`, the teardown wait) only bound a failure, never order events.
"""

import asyncio

from wsproto import (CaseFailure, NonStrict, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT,
                     close_payload, describe, encode_frame, random_bytes)

MIB = 1 << 20


class Case:
    def __init__(self, id, description, run, deflate=None, timeout=20, max_message=1 << 25):
        self.id = id
        self.description = description
        self.run = run
        # permessage-deflate wish in --deflate mode: {} accepts the client's offer with
        # defaults, a dict sets response parameters, None declines the offer.
        self.deflate = {} if deflate is None else deflate
        if deflate is False:
            self.deflate = None
        self.timeout = timeout
        self.max_message = max_message
        # True when the client must fail the connection (it sends the first Close).
        self.client_fails = getattr(run, "client_fails", False)


# -- building blocks -------------------------------------------------------------------------

def echo_case(messages, close=True):
    """Sends each (opcode, payload, options) and expects its echo, then closes 1000."""
    async def run(s):
        for op, payload, opts in messages:
            await s.send_message(op, payload, **opts)
            await s.expect_echo(op, payload)
        if close:
            await s.close_handshake(1000)
    return run


def fail_case(frames_before_echo, bad, codes=(1002,), nonstrict=(), chunk=None):
    """Sends valid messages (waiting for their echoes), then the raw bytes `bad` (written
    in `chunk`-byte pieces when given); the client must fail with a code in `codes`."""
    async def run(s):
        for op, payload in frames_before_echo:
            await s.send_message(op, payload)
            await s.expect_echo(op, payload)
        await s.send_raw(bad, chunk)
        await s.expect_fail(set(codes), set(nonstrict))
    run.client_fails = True
    return run


def oversized_case(send, codes):
    """The client must fail with a code in `codes` while the server may still be writing
    the oversized message (`send(session)`): reading and writing run side by side. A client
    that fails and then stops reading, or closes TCP with the frame unread, leaves the
    server mid-frame, unable to send its Close: NON-STRICT (the code was right)."""
    async def run(s):
        writer = asyncio.ensure_future(send(s))
        ev = await s.next_event()
        if ev[0] != "close":
            writer.cancel()
            raise CaseFailure(f"expected Close {sorted(codes)}, got {describe(ev)}")
        if ev[1] not in codes:
            writer.cancel()
            raise CaseFailure(f"client failed with close code {ev[1]}, expected "
                              f"{sorted(codes)}")
        # 30 s bounds a client that stops reading and keeps the connection; clients that
        # give up waiting (python-websockets' close_timeout is 10 s) reset well before.
        try:
            await asyncio.wait_for(writer, 30)
        except asyncio.TimeoutError:
            raise NonStrict("client stopped reading after its Close; the server could not "
                            "finish its frame nor send its Close")
        except OSError as exc:
            raise NonStrict(f"client closed TCP with the rest of the server's frame unread "
                            f"({exc.strerror}); RFC 6455 7.1.1 has it wait for the server")
        await s.send_close(ev[1])
        await s.t.teardown(10)
    run.client_fails = True
    return run


def frame(op, payload=b"", fin=True, rsv=0, length=None):
    return encode_frame(op, payload, fin, rsv, length=length)


def fragments(op, payload, size):
    """Raw frames of an uncompressed message cut into `size`-byte fragments."""
    pieces = [payload[i:i + size] for i in range(0, len(payload), size)] or [b""]
    return b"".join(frame(op if i == 0 else OP_CONT, p, i == len(pieces) - 1)
                    for i, p in enumerate(pieces))


def raw_echo_case(raw, op, expected, chunk=None, pongs=()):
    """Sends raw frames forming one valid message (plus pings inside); expects the pongs
    (in order) and the echo, in either order relative to each other, then closes."""
    async def run(s):
        await s.send_raw(raw, chunk)
        want_pongs = list(pongs)
        echoed = False
        while want_pongs or not echoed:
            ev = await s.next_event(pongs=True)
            if ev[0] == "pong" and want_pongs:
                s.pongs.pop(0)
                got, exp = ev[1], want_pongs.pop(0)
                if got != exp:
                    raise CaseFailure(f"pong payload {got[:20]!r} differs from {exp[:20]!r}")
            elif ev[0] == "message" and not echoed:
                if ev[1] != op or ev[2] != expected:
                    raise CaseFailure(f"echo differs: opcode {ev[1]}, {len(ev[2])} bytes "
                                      f"(sent opcode {op}, {len(expected)} bytes)")
                echoed = True
            else:
                raise CaseFailure(f"unexpected {describe(ev) if ev[0] != 'pong' else 'pong'}")
        await s.close_handshake(1000)
    return run


def text(n, seed=0):
    """ASCII text of n bytes: random below 4 KiB, a repeated random 4 KiB block above (a
    compressor finds long matches, so the deflate mode stays fast on 16 MiB)."""
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789 "
    r = random_bytes(min(n, 4096), f"text{seed}")
    block = bytes(alphabet[b % len(alphabet)] for b in r)
    return (block * (n // 4096 + 1))[:n] if n > 4096 else block


def binary(n, seed=0):
    """Random bytes of n bytes: a repeated random 4 KiB block above 4 KiB (see `text`)."""
    block = random_bytes(min(n, 4096), f"bin{seed}")
    return (block * (n // 4096 + 1))[:n] if n > 4096 else block


# -- 1 framing ------------------------------------------------------------------------------

def section1():
    out = []
    for sub, op in ((1, OP_TEXT), (2, OP_BINARY)):
        kind = "text" if op == OP_TEXT else "binary"
        sizes = [0, 125, 126, 127, 128, 65535, 65536]
        for i, n in enumerate(sizes, 1):
            payload = text(n) if op == OP_TEXT else random_bytes(n, n)
            out.append(Case(f"1.{sub}.{i}", f"{kind} message of {n} bytes",
                            echo_case([(op, payload, {})])))
        payload = text(65536) if op == OP_TEXT else random_bytes(65536, 7)
        out.append(Case(f"1.{sub}.8", f"{kind} message of 65536 bytes written in 997-byte "
                        "pieces", echo_case([(op, payload, {"chunk": 997})])))
        payload = text(300) if op == OP_TEXT else random_bytes(300, 8)
        out.append(Case(f"1.{sub}.9", f"{kind} message of 300 bytes written 1 byte at a time",
                        echo_case([(op, payload, {"chunk": 1})])))
    out.append(Case("1.3.1", "three text messages in one write", raw_many_echo()))
    return out


def raw_many_echo():
    msgs = [b"first", b"second \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", b""]

    async def run(s):
        await s.send_raw(b"".join(frame(OP_TEXT, m) for m in msgs))
        for m in msgs:
            await s.expect_echo(OP_TEXT, m)
        await s.close_handshake(1000)
    return run


# -- 2 ping/pong ----------------------------------------------------------------------------

def ping_case(payload, chunk=None, length=None):
    async def run(s):
        await s.send_raw(frame(OP_PING, payload, length=length), chunk)
        await s.expect_pong(payload)
        await s.close_handshake(1000)
    return run


def unsolicited_pong_case(payload):
    async def run(s):
        await s.send_frame(OP_PONG, payload)
        await s.send_message(OP_TEXT, b"after pong")
        await s.expect_echo(OP_TEXT, b"after pong")
        await s.close_handshake(1000)
    return run


def many_pings_case(n):
    async def run(s):
        payloads = [f"ping {i}".encode() for i in range(n)]
        await s.send_raw(b"".join(frame(OP_PING, p) for p in payloads))
        # RFC 6455 5.5.3 allows answering only the most recent of several pings.
        got = []
        while not got or got[-1] != payloads[-1]:
            ev = await s.next_event(pongs=True)
            if ev[0] != "pong":
                raise CaseFailure(f"expected pongs, got {ev[0]} after {len(got)} pongs")
            s.pongs.pop(0)
            if ev[1] not in payloads or (got and payloads.index(ev[1]) <= payloads.index(got[-1])):
                raise CaseFailure(f"pong {ev[1]!r} is not an answer to a ping in order")
            got.append(ev[1])
        await s.close_handshake(1000)
        if len(got) < n:
            return f"answered {len(got)} of {n} pings (the most recent one included)"
    return run


def section2():
    out = []
    for i, n in enumerate([0, 1, 64, 125], 1):
        out.append(Case(f"2.{i}", f"ping with {n}-byte payload, expect pong",
                        ping_case(random_bytes(n, f"ping{n}"))))
    out.append(Case("2.5", "ping with 126-byte payload -> fail 1002",
                    fail_case([], frame(OP_PING, b"x" * 126))))
    out.append(Case("2.6", "ping with 125-byte payload written 1 byte at a time",
                    ping_case(b"p" * 125, chunk=1)))
    out.append(Case("2.7", "unsolicited empty pong is ignored", unsolicited_pong_case(b"")))
    out.append(Case("2.8", "unsolicited pong with payload is ignored",
                    unsolicited_pong_case(b"unsolicited")))
    out.append(Case("2.9", "unsolicited pong, then ping: pong answers the ping",
                    unsolicited_then_ping()))
    out.append(Case("2.10", "ten pings in one write: pongs answer them in order",
                    many_pings_case(10)))
    out.append(Case("2.11", "fragmented ping (FIN=0) -> fail 1002",
                    fail_case([], frame(OP_PING, b"ab", fin=False) + frame(OP_CONT, b"cd"))))
    return out


def unsolicited_then_ping():
    async def run(s):
        await s.send_frame(OP_PONG, b"unsolicited")
        await s.send_frame(OP_PING, b"solicited")
        await s.expect_pong(b"solicited")
        await s.close_handshake(1000)
    return run


# -- 3 reserved bits ------------------------------------------------------------------------

def section3():
    out = []
    hello = [(OP_TEXT, b"Hello")]
    for i, rsv in enumerate([4, 2, 1, 6, 7], 1):
        out.append(Case(f"3.{i}", f"text with RSV={rsv:03b} and no extension -> fail 1002",
                        fail_case(hello, frame(OP_TEXT, b"small", rsv=rsv)), deflate=False))
    out.append(Case("3.6", "binary with RSV=010 -> fail 1002",
                    fail_case(hello, frame(OP_BINARY, b"\x00\xff", rsv=2)), deflate=False))
    out.append(Case("3.7", "ping with RSV=001 -> fail 1002",
                    fail_case(hello, frame(OP_PING, b"p", rsv=1)), deflate=False))
    out.append(Case("3.8", "close with RSV=100 -> fail 1002",
                    fail_case(hello, frame(OP_CLOSE, close_payload(1000), rsv=4)),
                    deflate=False))
    out.append(Case("3.9", "continuation with RSV=100 -> fail 1002",
                    fail_case(hello, frame(OP_TEXT, b"ab", fin=False)
                              + frame(OP_CONT, b"cd", rsv=4)), deflate=False))
    return out


# -- 4 opcodes ------------------------------------------------------------------------------

def section4():
    out = []
    hello = [(OP_TEXT, b"Hello")]
    for op in (3, 4, 5, 6, 7):
        out.append(Case(f"4.1.{op - 2}", f"reserved data opcode {op} -> fail 1002",
                        fail_case(hello, frame(op, b"reserved" if op % 2 else b""))))
    for op in (11, 12, 13, 14, 15):
        out.append(Case(f"4.2.{op - 10}", f"reserved control opcode {op} -> fail 1002",
                        fail_case(hello, frame(op, b"reserved" if op % 2 else b""))))
    return out


# -- 5 fragmentation ------------------------------------------------------------------------

def section5():
    out = []
    msg = b"fragmented message"
    out.append(Case("5.1", "pong fragmented into 2 frames -> fail 1002",
                    fail_case([], frame(OP_PONG, b"ab", fin=False) + frame(OP_CONT, b"cd"))))
    out.append(Case("5.2", "text in 2 fragments", raw_echo_case(
        frame(OP_TEXT, msg[:5], fin=False) + frame(OP_CONT, msg[5:]), OP_TEXT, msg)))
    out.append(Case("5.3", "binary in 2 fragments", raw_echo_case(
        frame(OP_BINARY, b"\x00\x01", fin=False) + frame(OP_CONT, b"\xfe\xff"), OP_BINARY,
        b"\x00\x01\xfe\xff")))
    out.append(Case("5.4", "text in 1-octet fragments", raw_echo_case(
        fragments(OP_TEXT, msg, 1), OP_TEXT, msg)))
    out.append(Case("5.5", "text in 1-octet fragments written 1 byte at a time",
                    raw_echo_case(fragments(OP_TEXT, msg, 1), OP_TEXT, msg, chunk=1)))
    out.append(Case("5.6", "ping between two text fragments: pong and echo", raw_echo_case(
        frame(OP_TEXT, msg[:5], fin=False) + frame(OP_PING, b"between")
        + frame(OP_CONT, msg[5:]), OP_TEXT, msg, pongs=[b"between"])))
    out.append(Case("5.7", "ping between fragments, written 1 byte at a time", raw_echo_case(
        frame(OP_TEXT, msg[:5], fin=False) + frame(OP_PING, b"between")
        + frame(OP_CONT, msg[5:]), OP_TEXT, msg, chunk=1, pongs=[b"between"])))
    out.append(Case("5.8", "pong between two text fragments is ignored", raw_echo_case(
        frame(OP_TEXT, msg[:5], fin=False) + frame(OP_PONG, b"between")
        + frame(OP_CONT, msg[5:]), OP_TEXT, msg)))
    out.append(Case("5.9", "empty fragments around a text message", raw_echo_case(
        frame(OP_TEXT, b"", fin=False) + frame(OP_CONT, msg, fin=False)
        + frame(OP_CONT, b""), OP_TEXT, msg)))
    out.append(Case("5.10", "continuation (FIN=1) with nothing to continue -> fail 1002",
                    fail_case([(OP_TEXT, b"Hello")], frame(OP_CONT, b"orphan"))))
    out.append(Case("5.11", "continuation (FIN=0) with nothing to continue -> fail 1002",
                    fail_case([(OP_TEXT, b"Hello")], frame(OP_CONT, b"orphan", fin=False)
                              + frame(OP_CONT, b"end"))))
    out.append(Case("5.12", "new text message while a fragmented one is open -> fail 1002",
                    fail_case([], frame(OP_TEXT, b"start", fin=False)
                              + frame(OP_TEXT, b"again"))))
    out.append(Case("5.13", "new binary message while a fragmented text is open -> fail 1002",
                    fail_case([], frame(OP_TEXT, b"start", fin=False)
                              + frame(OP_BINARY, b"again"))))
    out.append(Case("5.14", "pings inside 1-octet fragments", raw_echo_case(
        b"".join(frame(OP_TEXT if i == 0 else OP_CONT, msg[i:i + 1], i == len(msg) - 1)
                 + (frame(OP_PING, bytes([i])) if i < 3 else b"") for i in range(len(msg))),
        OP_TEXT, msg, pongs=[bytes([i]) for i in range(3)])))
    out.append(Case("5.15", "Close between text fragments: the client closes, no echo",
                    close_inside_fragments()))
    return out


def close_inside_fragments():
    async def run(s):
        await s.send_frame(OP_TEXT, b"start", fin=False)
        await s.close_handshake(1000)
    return run


# -- 6 UTF-8 --------------------------------------------------------------------------------

VALID_UTF8 = [
    ("Hello-µ@ßöäüàá-UTF-8!!", "Latin-1 supplement"),
    ("κόσμε", "Greek (2-byte sequences)"),
    ("\u0800\uffff\ue000\ufffd", "3-byte boundaries U+0800, U+FFFF, U+E000, U+FFFD"),
    ("\U00010000\U0010ffff\U0001d11e", "4-byte sequences U+10000, U+10FFFF, U+1D11E"),
    ("\ufffe\uffff\U0010fffe", "noncharacters are valid UTF-8"),
    ("\u007f\u0080\u07ff", "1/2-byte boundaries U+007F, U+0080, U+07FF"),
]

INVALID_UTF8 = [
    (b"\xed\xa0\x80", "UTF-16 surrogate U+D800"),
    (b"\xed\xbf\xbf", "UTF-16 surrogate U+DFFF"),
    (b"\x80", "lone continuation byte 0x80"),
    (b"\xbf", "lone continuation byte 0xBF"),
    (b"\xc0\xaf", "overlong 2-byte '/'"),
    (b"\xc1\xbf", "overlong 2-byte U+007F"),
    (b"\xe0\x80\xaf", "overlong 3-byte '/'"),
    (b"\xf0\x80\x80\xaf", "overlong 4-byte '/'"),
    (b"\xf4\x90\x80\x80", "beyond U+10FFFF"),
    (b"\xf5\x80\x80\x80", "lead byte 0xF5"),
    (b"\xfe", "byte 0xFE"),
    (b"\xff", "byte 0xFF"),
    (b"\xce", "truncated 2-byte sequence at the end"),
    (b"\xe2\x82", "truncated 3-byte sequence at the end"),
    (b"\xf0\x9d\x84", "truncated 4-byte sequence at the end"),
    (b"\xc2\x41", "2-byte lead followed by ASCII"),
    (b"\xe1\x80\xe2\xf0\x91\x92\xf1\xbf\x41", "several truncated sequences"),
]


def invalid_message(seq, desc):
    # Truncated sequences are only invalid at the very end; others get context around.
    prefix = "κό".encode()
    return prefix + seq if "end" in desc else prefix + seq + b"edited"


def section6():
    out = []
    for i, (t, desc) in enumerate(VALID_UTF8, 1):
        b = t.encode()
        out.append(Case(f"6.1.{i}", f"valid text: {desc}", echo_case([(OP_TEXT, b, {})])))
        out.append(Case(f"6.2.{i}", f"valid text in 1-octet fragments: {desc}",
                        raw_echo_case(fragments(OP_TEXT, b, 1), OP_TEXT, b)))
        out.append(Case(f"6.3.{i}", f"valid text written 1 byte at a time: {desc}",
                        raw_echo_case(frame(OP_TEXT, b), OP_TEXT, b, chunk=1)))
    for i, (seq, desc) in enumerate(INVALID_UTF8, 1):
        m = invalid_message(seq, desc)
        out.append(Case(f"6.4.{i}", f"invalid text in one frame: {desc} -> fail 1007",
                        fail_case([], frame(OP_TEXT, m), codes=(1007,))))
        out.append(Case(f"6.5.{i}", f"invalid text in 1-octet fragments: {desc} -> 1007",
                        fail_case([], fragments(OP_TEXT, m, 1), codes=(1007,))))
        out.append(Case(f"6.6.{i}", f"invalid text, 1-octet fragments written 1 byte at a "
                        f"time: {desc} -> 1007",
                        fail_case([], fragments(OP_TEXT, m, 1), codes=(1007,), chunk=1)))
        for cut in range(1, len(m)):
            out.append(Case(f"6.7.{i}.{cut}", f"invalid text split in 2 fragments at byte "
                            f"{cut}: {desc} -> 1007",
                            fail_case([], frame(OP_TEXT, m[:cut], fin=False)
                                      + frame(OP_CONT, m[cut:]), codes=(1007,))))
    # Valid code points split at every position across fragments must be accepted.
    b = "κ€\U0001d11e".encode()
    for cut in range(1, len(b)):
        out.append(Case(f"6.8.{cut}", f"valid text split at byte {cut} across fragments",
                        raw_echo_case(frame(OP_TEXT, b[:cut], fin=False)
                                      + frame(OP_CONT, b[cut:]), OP_TEXT, b)))
    return out


# -- 7 close --------------------------------------------------------------------------------

VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 3999,
               4000, 4999]
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999]
# RFC 6455 7.4.2 defines nothing at or above 5000; like Autobahn's 7.13.x these are only
# informational: failing with 1002 and echoing the code are both accepted.
UNDEFINED_CODES = [5000, 65535]


def close_then(after, desc_after):
    """Server sends Close, then `after` frames; the client replies Close 1000 and sends
    nothing else (a frame after its Close fails the case)."""
    async def run(s):
        await s.send_close(1000)
        await s.send_raw(after)
        ev = await s.next_event()
        if ev[0] != "close" or ev[1] != 1000:
            raise CaseFailure(f"expected Close 1000 after {desc_after}, got "
                              f"{ev[0]} {ev[1:2]}")
        await s.t.teardown(10)
    return run


def close_reply_case(payload, accept):
    async def run(s):
        await s.close_handshake(accept=accept, raw_payload=payload)
    return run


def section7():
    out = [
        Case("7.1.1", "echo, then server closes 1000",
             echo_case([(OP_TEXT, b"Hello World!", {})])),
        Case("7.1.2", "two Close frames: the client answers once",
             close_then(frame(OP_CLOSE, close_payload(1000)), "a second Close")),
        Case("7.1.3", "ping after Close: no pong after the client's Close",
             close_then(frame(OP_PING, b"late"), "a ping")),
        Case("7.1.4", "text after Close: not echoed",
             close_then(frame(OP_TEXT, b"late"), "a text message")),
        Case("7.1.5", "Close between fragments, then the last fragment: not echoed",
             close_fragment_case()),
        Case("7.3.1", "Close with empty payload: reply with empty payload or 1000",
             close_reply_case(b"", {None, 1000})),
        Case("7.3.2", "Close with 1-byte payload -> fail 1002",
             fail_case([], frame(OP_CLOSE, b"\x03"))),
        Case("7.3.3", "Close 1000 with no reason", close_reply_case(close_payload(1000), {1000})),
        Case("7.3.4", "Close 1000 with a reason",
             close_reply_case(close_payload(1000, b"bye now"), {1000})),
        Case("7.3.5", "Close 1000 with a 123-byte reason (largest legal)",
             close_reply_case(close_payload(1000, b"r" * 123), {1000})),
        Case("7.3.6", "Close 1000 with a 124-byte reason (control frame of 126) -> fail 1002",
             fail_case([], frame(OP_CLOSE, close_payload(1000, b"r" * 124)))),
        Case("7.5.1", "Close with a reason of invalid UTF-8 -> fail 1007 (1002 accepted)",
             fail_case([], frame(OP_CLOSE, close_payload(1000, b"\xce\xba\xe1\xbd\xb9\xcf\x83"
                                                          b"\xce\xbc\xce\xb5\xed\xa0\x80")),
                       codes=(1007, 1002))),
    ]
    for i, code in enumerate(VALID_CODES, 1):
        out.append(Case(f"7.7.{i}", f"Close {code}: the client echoes {code}",
                        close_reply_case(close_payload(code, b"code"), {code})))
    out.append(Case("7.7.16", "Close 1014 (registered after RFC 6455): echo or fail 1002",
                    close_reply_case(close_payload(1014), {1014, 1002})))
    for i, code in enumerate(INVALID_CODES, 1):
        out.append(Case(f"7.9.{i}", f"Close with invalid code {code} -> fail 1002",
                        fail_case([], frame(OP_CLOSE, close_payload(code)))))
    for i, code in enumerate(UNDEFINED_CODES, 1):
        out.append(Case(f"7.13.{i}", f"Close with undefined code {code}: fail 1002 or echo",
                        close_reply_case(close_payload(code), {1002, code})))
    return out


def close_fragment_case():
    async def run(s):
        await s.send_frame(OP_TEXT, b"start", fin=False)
        await s.send_close(1000)
        await s.send_frame(OP_CONT, b"end")
        ev = await s.next_event()
        if ev[0] != "close" or ev[1] != 1000:
            raise CaseFailure(f"expected Close 1000, got {ev[0]} {ev[1:2]}")
        await s.t.teardown(10)
    return run


# -- 9 limits -------------------------------------------------------------------------------

def section9():
    out = []
    sizes = [64 * 1024, 256 * 1024, MIB, 4 * MIB, 16 * MIB]
    for sub, op in ((1, OP_TEXT), (2, OP_BINARY)):
        kind = "text" if op == OP_TEXT else "binary"
        for i, n in enumerate(sizes, 1):
            payload = text(n, i) if op == OP_TEXT else binary(n, i)
            out.append(Case(f"9.{sub}.{i}", f"{kind} message of {n} bytes",
                            echo_case([(op, payload, {})]), timeout=120))
    for sub, op in ((3, OP_TEXT), (4, OP_BINARY)):
        kind = "text" if op == OP_TEXT else "binary"
        for i, frag in enumerate([64, 4096, MIB], 1):
            payload = text(4 * MIB, 9) if op == OP_TEXT else binary(4 * MIB, 9)
            out.append(Case(f"9.{sub}.{i}", f"4 MiB {kind} message in {frag}-byte fragments",
                            echo_case([(op, payload, {"frag": frag})]), timeout=120))
    big = frame(OP_BINARY, random_bytes(16 * MIB + 1, "big"))
    out.append(Case("9.9.1", "binary message of 16 MiB + 1 byte -> fail 1009",
                    oversized_case(lambda s: s.send_raw(big), {1009}), timeout=120,
                    deflate=False))
    return out


# -- 12/13 permessage-deflate ---------------------------------------------------------------

def compressible(n, seed):
    words = [b"alpha ", b"beta ", b"gamma ", b"delta ", b"\xce\xba\xe1\xbd\xb9 ", b"42 "]
    r = random_bytes(n, f"z{seed}")
    out = bytearray()
    i = 0
    while len(out) < n:
        out += words[r[i % len(r)] % len(words)]
        i += 1
    # Cut at n without splitting a UTF-8 sequence, padding with ASCII.
    head = bytes(out[:n]).decode("utf-8", "ignore").encode()
    return head + b" " * (n - len(head))


def far_repeat(n, bits):
    """Two copies of random data 2**bits + 64 bytes apart: a compressor with a bigger
    window than 2**bits makes a back reference the negotiated window cannot follow."""
    block = random_bytes(max(n // 2, (1 << bits) + 64), f"far{bits}")
    return (block + block)[:max(n, 2 * len(block))]


def section12_13():
    out = []
    sizes = [16, 64, 256, 1024, 4096, 65536, 262144]
    for sub, op in ((1, OP_TEXT), (2, OP_BINARY)):
        kind = "text" if op == OP_TEXT else "binary"
        for i, n in enumerate(sizes, 1):
            msgs = [(op, compressible(n, f"{n}.{k}") if op == OP_TEXT
                     else random_bytes(n // 2, k) * 2, {}) for k in range(10)]
            out.append(Case(f"12.{sub}.{i}", f"10 compressed {kind} messages of {n} bytes, "
                            "context takeover", echo_case(msgs), timeout=60))
    params = [
        ("server_no_context_takeover", {"server_no_context_takeover": True}),
        ("client_no_context_takeover", {"client_no_context_takeover": True}),
        ("both no_context_takeover", {"server_no_context_takeover": True,
                                      "client_no_context_takeover": True}),
        ("server_max_window_bits=9", {"server_max_window_bits": 9}),
        ("client_max_window_bits=9", {"client_max_window_bits": 9}),
        ("client_max_window_bits=12, client_no_context_takeover",
         {"client_max_window_bits": 12, "client_no_context_takeover": True}),
    ]
    for i, (desc, want) in enumerate(params, 1):
        bits = want.get("client_max_window_bits", want.get("server_max_window_bits", 15))
        msgs = [(OP_TEXT, compressible(2048, f"p{i}.{k}"), {}) for k in range(5)]
        msgs += [(OP_BINARY, far_repeat(4096, min(bits, 14)), {}) for _ in range(3)]
        out.append(Case(f"13.{i}", f"negotiate {desc}; 8 messages echoed", echo_case(msgs),
                        deflate=want, timeout=60))
    m = compressible(3000, "frag")
    out.append(Case("13.7.1", "compressed message in 1-octet fragments",
                    echo_case([(OP_TEXT, m, {"frag": 1})]), timeout=60))
    out.append(Case("13.7.2", "compressed message in 100-byte fragments, written 1 byte at a "
                    "time", echo_case([(OP_TEXT, m, {"frag": 100, "chunk": 1})]), timeout=60))
    out.append(Case("13.8", "uncompressed message inside a deflate session",
                    echo_case([(OP_TEXT, b"plain", {"compress": False}),
                               (OP_TEXT, m, {}), (OP_BINARY, b"\x00raw", {"compress": False})])))
    out.append(Case("13.9", "RSV1 on a continuation frame -> fail 1002",
                    fail_case([(OP_TEXT, b"Hello")], frame(OP_TEXT, b"ab", fin=False)
                              + frame(OP_CONT, b"cd", rsv=4))))
    out.append(Case("13.10", "RSV1 on a ping -> fail 1002",
                    fail_case([(OP_TEXT, b"Hello")], frame(OP_PING, b"p", rsv=4))))
    out.append(Case("13.11", "compressed text that inflates to invalid UTF-8 -> fail 1007",
                    deflate_invalid_utf8()))
    out.append(Case("13.12", "compressed data that does not inflate -> fail 1002/1007",
                    fail_case([], frame(OP_BINARY, b"\xff\xff\xff\xff\xff", rsv=4),
                              codes=(1002, 1007))))
    out.append(Case("13.13", "16 MiB compressed text message (zeros)",
                    echo_case([(OP_TEXT, b"0" * (16 * MIB), {})]), timeout=120))
    out.append(Case("13.14", "message inflating to 16 MiB + 1 byte -> fail 1009",
                    deflate_bomb(), timeout=120))
    return out


def deflate_invalid_utf8():
    async def run(s):
        await s.send_message(OP_TEXT, "κόσμε".encode() + b"\xed\xa0\x80edited")
        await s.expect_fail({1007})
    run.client_fails = True
    return run


def deflate_bomb():
    return oversized_case(lambda s: s.send_message(OP_BINARY, b"\x00" * (16 * MIB + 1)),
                          {1009})


def all_cases(deflate=False):
    cases = (section1() + section2() + section3() + section4() + section5() + section6()
             + section7() + section9())
    if deflate:
        cases += section12_13()
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case id"
    return cases

