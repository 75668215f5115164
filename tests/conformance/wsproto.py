"""Server side of RFC 6455 on raw asyncio sockets, written to misbehave on purpose.

Nothing here validates what the *server* sends: the encoder writes any reserved bit, opcode,
length or payload it is given, so the cases can send malformed frames. What the *client*
sends is parsed strictly and every deviation becomes a `CaseFailure`.

Layers, bottom up: `Transport` (TCP or TLS over a non-blocking socket, TLS through an
`ssl.SSLObject` on memory BIOs so the TCP FIN and the TLS close_notify stay apart),
`encode_frame` / `FrameReader` (frames), `Session` (messages, permessage-deflate, the
closing handshake and its TCP teardown check).
"""

import asyncio
import random
import socket
import ssl
import struct
import time
import zlib

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA

# Linux TCP states (include/net/tcp_states.h), read from TCP_INFO's first byte.
TCP_ESTABLISHED, TCP_CLOSE, TCP_CLOSE_WAIT = 1, 7, 8

DEFLATE_TAIL = b"\x00\x00\xff\xff"


class CaseFailure(Exception):
    """The client broke the rule the case checks; the message is the one-line reason."""


class NonStrict(Exception):
    """The client behaved acceptably but not as the case prefers (Autobahn's NON-STRICT)."""


def xor_mask(data, mask):
    """Applies a 4-byte WebSocket mask; big-integer XOR keeps 16 MiB payloads fast."""
    n = len(data)
    if n == 0:
        return b""
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


def encode_frame(opcode, payload=b"", fin=True, rsv=0, mask=None, length=None):
    """Returns one frame's bytes. `rsv` is the 3-bit RSV1..RSV3 field (4 = RSV1). `length`
    overrides the encoded payload length form: "16" or "64" force the extended forms even
    for short payloads (non-minimal encodings are legal per RFC 6455 section 5.2 only for
    data frames; control frames with them are how a 126-byte ping is sent)."""
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)
    n = len(payload)
    m = 0x80 if mask else 0
    if length == "64" or (length is None and n > 0xFFFF):
        head = struct.pack("!BBQ", b0, m | 127, n)
    elif length == "16" or (length is None and n > 125):
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BB", b0, m | n)
    if mask:
        return head + mask + xor_mask(payload, mask)
    return head + payload


def close_payload(code=None, reason=b""):
    """Returns a Close frame payload: nothing when `code` is None."""
    if code is None:
        return b""
    return struct.pack("!H", code) + reason


class Transport:
    """One accepted TCP connection, plain or TLS, with the raw socket always at hand."""

    def __init__(self, sock, ssl_context=None):
        self.loop = asyncio.get_running_loop()
        self.sock = sock
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = None
        if ssl_context is not None:
            self.incoming = ssl.MemoryBIO()
            self.outgoing = ssl.MemoryBIO()
            self.tls = ssl_context.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.raw_eof = False          # the client's TCP FIN arrived
        self.close_notify = False     # the client's TLS close_notify arrived
        self.bytes_in = 0
        # False skips the TCP close-order verdict (diagnostics: --lenient-teardown).
        self.strict_teardown = True

    async def _raw_recv(self):
        data = await self.loop.sock_recv(self.sock, 1 << 18)
        if not data:
            self.raw_eof = True
        self.bytes_in += len(data)
        return data

    async def _flush_tls(self):
        out = self.outgoing.read()
        if out:
            await self.loop.sock_sendall(self.sock, out)

    async def handshake(self):
        """Runs the TLS handshake (no-op for plain TCP)."""
        if self.tls is None:
            return
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                await self._flush_tls()
                data = await self._raw_recv()
                if not data:
                    raise CaseFailure("client closed TCP during the TLS handshake")
                self.incoming.write(data)
        await self._flush_tls()

    async def recv(self):
        """Returns the next application bytes; b"" at the end of the client's stream (TCP
        FIN, or TLS close_notify). A reset raises ConnectionResetError."""
        if self.tls is None:
            return await self._raw_recv()
        while True:
            try:
                data = self.tls.read(1 << 18)
                await self._flush_tls()
                return data
            except ssl.SSLWantReadError:
                await self._flush_tls()
                raw = await self._raw_recv()
                if raw:
                    self.incoming.write(raw)
                else:
                    self.incoming.write_eof()
            except ssl.SSLZeroReturnError:
                self.close_notify = True
                return b""
            except ssl.SSLEOFError:
                return b""

    async def send(self, data, chunk=None):
        """Writes `data`, in separate writes of `chunk` bytes when given (TCP_NODELAY is on,
        so each write leaves as its own segment; over TLS, as its own record)."""
        step = chunk or len(data) or 1
        for i in range(0, len(data), step):
            piece = data[i:i + step]
            if self.tls is None:
                await self.loop.sock_sendall(self.sock, piece)
            else:
                self.tls.write(piece)
                await self._flush_tls()

    def tcp_state(self):
        """Returns the socket's TCP state (TCP_INFO), or None if unavailable."""
        try:
            return self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
        except OSError:
            return None

    async def teardown(self, timeout, grace=0.05):
        """The server's side of RFC 6455 section 7.1.1 after the closing handshake: the
        server closes TCP first, then the client. Fails the case if the client's FIN or RST
        comes before the server's FIN, or if the client never closes its side.

        A correct client does nothing until the server's FIN, so nothing can be awaited to
        prove it: the server watches the socket for `grace` seconds before its FIN. A
        correct client passes whatever the timing; a client that closes early is caught if
        it does so within the window (Beast 1.81's async teardown does, in microseconds).
        Over TLS the client's close_notify may come first (it is not a TCP close); the
        server's close_notify and FIN then leave together."""
        if not self.strict_teardown:
            try:
                await self._teardown(timeout, grace)
            except CaseFailure:
                pass
            return
        await self._teardown(timeout, grace)

    async def _teardown(self, timeout, grace):
        deadline = time.monotonic() + grace
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                raw = await asyncio.wait_for(self._raw_recv(), left)
            except asyncio.TimeoutError:
                break
            except ConnectionResetError:
                raise CaseFailure("client reset the TCP connection after the closing "
                                  "handshake, before the server closed it")
            if not raw:
                raise CaseFailure("client closed TCP (FIN) before the server did "
                                  "(RFC 6455 7.1.1: the server closes first)"
                                  + (" (after its TLS close_notify)" if self.close_notify
                                     else ""))
            self._after_close_data(raw)
        state = self.tcp_state()
        if state == TCP_CLOSE_WAIT:
            raise CaseFailure("client closed TCP (FIN) before the server did "
                              "(RFC 6455 7.1.1: the server closes first)")
        if state == TCP_CLOSE:
            raise CaseFailure("client reset the TCP connection after the closing handshake")
        if self.tls is not None:
            # Judged above, before our close_notify: once the client has it, the TLS
            # session is over and its FIN may cross ours.
            try:
                self.tls.unwrap()
            except (ssl.SSLWantReadError, ssl.SSLError):
                pass  # the client's close_notify may come later; it need not come first
            await self._flush_tls()
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client's FIN crossed our close_notify (TLS), see above
        deadline = time.monotonic() + timeout
        while not self.raw_eof:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CaseFailure(f"client did not close TCP within {timeout:.0f} s "
                                  "of the server's FIN")
            try:
                raw = await asyncio.wait_for(self._raw_recv(), left)
            except asyncio.TimeoutError:
                continue
            except ConnectionResetError:
                raise CaseFailure("client reset the TCP connection instead of closing it")
            if raw:
                self._after_close_data(raw)

    def _after_close_data(self, raw):
        """Bytes from the client after its Close frame: a failure, except TLS records that
        carry no application data (close_notify)."""
        if self.tls is None:
            raise CaseFailure(f"client sent {len(raw)} bytes after its Close frame")
        self.incoming.write(raw)
        try:
            extra = self.tls.read(1 << 16)
        except ssl.SSLZeroReturnError:
            self.close_notify = True
            return
        except ssl.SSLError:
            return  # SSLWantReadError, or records after our close_notify
        if extra:
            raise CaseFailure("client sent data after its Close frame")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class FrameReader:
    """Parses the client's frames from a `Transport`."""

    def __init__(self, transport):
        self.t = transport
        self.buf = bytearray()
        self.eof = False

    async def _fill(self, n):
        while len(self.buf) < n:
            if self.eof:
                return False
            data = await self.t.recv()
            if not data:
                self.eof = True
                return False
            self.buf += data
        return True

    async def read_frame(self):
        """Returns (fin, rsv, opcode, payload) or None at the end of the stream."""
        if not await self._fill(2):
            if self.buf:
                raise CaseFailure("client's stream ended inside a frame header")
            return None
        b0, b1 = self.buf[0], self.buf[1]
        n = b1 & 0x7F
        pos = 2
        if n == 126:
            if not await self._fill(4):
                raise CaseFailure("client's stream ended inside a frame header")
            n = struct.unpack_from("!H", self.buf, 2)[0]
            pos = 4
            if n < 126:
                raise CaseFailure("client used a non-minimal 16-bit length (RFC 6455 5.2)")
        elif n == 127:
            if not await self._fill(10):
                raise CaseFailure("client's stream ended inside a frame header")
            n = struct.unpack_from("!Q", self.buf, 2)[0]
            pos = 10
        if not b1 & 0x80:
            raise CaseFailure("client sent an unmasked frame (RFC 6455 5.1)")
        if not await self._fill(pos + 4 + n):
            raise CaseFailure("client's stream ended inside a frame payload")
        mask = bytes(self.buf[pos:pos + 4])
        payload = xor_mask(bytes(self.buf[pos + 4:pos + 4 + n]), mask)
        del self.buf[:pos + 4 + n]
        return bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF, payload


class Deflate:
    """Negotiated permessage-deflate parameters and the compressor state of one connection."""

    def __init__(self, server_no_context_takeover=False, client_no_context_takeover=False,
                 server_max_window_bits=15, client_max_window_bits=15):
        self.server_nct = server_no_context_takeover
        self.client_nct = client_no_context_takeover
        self.server_bits = server_max_window_bits
        self.client_bits = client_max_window_bits
        self._comp = None
        self._decomp = None

    def compress(self, data):
        """Compresses one message (RFC 7692 7.2.1: SYNC_FLUSH, tail removed)."""
        if self._comp is None or self.server_nct:
            # zlib refuses 8 for raw deflate; 9 is the smallest window it makes.
            self._comp = zlib.compressobj(6, zlib.DEFLATED, -max(self.server_bits, 9))
        out = self._comp.compress(data) + self._comp.flush(zlib.Z_SYNC_FLUSH)
        if out.endswith(DEFLATE_TAIL):
            out = out[:-4]
        return out

    def decompress(self, data, limit):
        """Decompresses one message of the client; fails the case on a bad stream (for
        instance a back reference beyond the negotiated client window)."""
        if self._decomp is None or self.client_nct:
            self._decomp = zlib.decompressobj(-max(self.client_bits, 9))
        try:
            if self.client_bits < 15:
                out = self._inflate_in_steps(data + DEFLATE_TAIL, limit)
            else:
                out = self._decomp.decompress(data + DEFLATE_TAIL, limit + 1)
        except zlib.error as exc:
            raise CaseFailure(f"client's compressed message does not inflate with the "
                              f"negotiated parameters: {exc}")
        if len(out) > limit:
            raise CaseFailure("client's compressed message inflates beyond the limit")
        return out


    def _inflate_in_steps(self, data, limit):
        """Inflates producing at most one window of output per call: zlib then has only the
        negotiated window to look back into, so a back reference farther than
        2**client_max_window_bits fails ("invalid distance too far back") instead of being
        served from the output buffer of a single call."""
        step = 1 << max(self.client_bits, 9)
        out = bytearray()
        while data and len(out) <= limit:
            out += self._decomp.decompress(data, step)
            data = self._decomp.unconsumed_tail
        while len(out) <= limit:
            more = self._decomp.decompress(b"", step)
            if not more:
                break
            out += more
        return bytes(out)


def parse_extension_offers(header):
    """Parses Sec-WebSocket-Extensions into [(name, {param: value-or-True})]."""
    offers = []
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";") if p.strip()]
        if not parts:
            continue
        params = {}
        for p in parts[1:]:
            k, eq, v = p.partition("=")
            params[k.strip().lower()] = v.strip().strip('"') if eq else True
        offers.append((parts[0].lower(), params))
    return offers


class Session:
    """One WebSocket connection from the server's side, with the helpers cases use."""

    def __init__(self, transport, deflate=None, max_message=1 << 25):
        self.t = transport
        self.reader = FrameReader(transport)
        self.deflate = deflate
        self.max_message = max_message
        self.sent_close = False
        self.client_close = None      # (code or None, reason bytes) once received
        self.pongs = []               # payloads of pongs received, in order
        self.pings = []               # payloads of pings received from the client
        self.trace = []               # short wire trace for the report
        self._fragments = None        # payloads of the client's unfinished message
        self._first_op = None
        self._compressed = False

    def note(self, text):
        if len(self.trace) < 40:
            self.trace.append(text)

    # -- sending -------------------------------------------------------------------------

    async def send_frame(self, opcode, payload=b"", fin=True, rsv=0, chunk=None, length=None):
        self.note(f"S: op={opcode} fin={int(fin)} rsv={rsv} len={len(payload)}"
                  + (f" chunk={chunk}" if chunk else ""))
        await self.t.send(encode_frame(opcode, payload, fin, rsv, length=length), chunk)

    async def send_raw(self, data, chunk=None):
        self.note(f"S: raw {data[:16].hex()}{'...' if len(data) > 16 else ''}")
        await self.t.send(data, chunk)

    async def send_message(self, opcode, payload, compress=None, frag=None, chunk=None):
        """Sends a data message; compressed when deflate is on (unless compress=False),
        split into fragments of `frag` bytes when given."""
        use = self.deflate is not None and compress is not False
        body = self.deflate.compress(payload) if use else payload
        if not frag or len(body) <= frag:
            return await self.send_frame(opcode, body, True, 4 if use else 0, chunk=chunk)
        pieces = [body[i:i + frag] for i in range(0, len(body), frag)]
        frames = []
        for i, piece in enumerate(pieces):
            frames.append(encode_frame(opcode if i == 0 else OP_CONT, piece,
                                       i == len(pieces) - 1, 4 if (use and i == 0) else 0))
        self.note(f"S: op={opcode} {len(pieces)} fragments of {frag} (compressed={use})")
        await self.t.send(b"".join(frames), chunk)

    async def send_close(self, code=None, reason=b"", raw_payload=None):
        payload = raw_payload if raw_payload is not None else close_payload(code, reason)
        self.sent_close = True
        await self.send_frame(OP_CLOSE, payload)

    # -- receiving -----------------------------------------------------------------------

    async def next_event(self, pongs=False):
        """Returns ("message", opcode, payload) | ("close", code, reason) | ("eof",) |
        ("reset",), and ("pong", payload) when `pongs` is set. Pings are answered; pongs
        are recorded in `self.pongs` either way."""
        while True:
            try:
                frame = await self.reader.read_frame()
            except ConnectionResetError:
                self.note("C: RST")
                return ("reset",)
            if frame is None:
                self.note("C: EOF" + (" (TLS close_notify)" if self.t.close_notify else ""))
                return ("eof",)
            fin, rsv, op, payload = frame
            self.note(f"C: op={op} fin={int(fin)} rsv={rsv} len={len(payload)}")
            if self.client_close is not None:
                raise CaseFailure(f"client sent a frame (opcode {op}) after its Close")
            if rsv & 3 or (rsv & 4 and (self.deflate is None or op >= 8 or op == OP_CONT)):
                raise CaseFailure(f"client set reserved bits {rsv:03b} on opcode {op}")
            if op >= 8:
                if not fin or len(payload) > 125:
                    raise CaseFailure("client sent a fragmented or oversized control frame")
                if op == OP_PING:
                    self.pings.append(payload)
                    await self.send_frame(OP_PONG, payload)
                elif op == OP_PONG:
                    self.pongs.append(payload)
                    if pongs:
                        return ("pong", payload)
                elif op == OP_CLOSE:
                    return self._on_close(payload)
                else:
                    raise CaseFailure(f"client sent reserved control opcode {op}")
                continue
            if op == OP_CONT:
                if self._fragments is None:
                    raise CaseFailure("client sent a continuation frame with nothing to continue")
                self._fragments.append(payload)
            elif op in (OP_TEXT, OP_BINARY):
                if self._fragments is not None:
                    raise CaseFailure("client started a new message inside a fragmented one")
                self._fragments, self._first_op, self._compressed = [payload], op, bool(rsv & 4)
            else:
                raise CaseFailure(f"client sent reserved data opcode {op}")
            if fin:
                body = b"".join(self._fragments)
                self._fragments = None
                if self._compressed:
                    body = self.deflate.decompress(body, self.max_message)
                return ("message", self._first_op, body)

    def _on_close(self, payload):
        if len(payload) == 1:
            raise CaseFailure("client sent a Close frame with a 1-byte payload")
        code = struct.unpack("!H", payload[:2])[0] if payload else None
        reason = payload[2:]
        self.client_close = (code, reason)
        return ("close", code, reason)

    async def expect_echo(self, opcode, payload):
        """Waits for the client's echo of one message and compares it."""
        ev = await self.next_event()
        if ev[0] != "message":
            raise CaseFailure(f"expected an echo ({len(payload)} bytes, opcode {opcode}), "
                              f"got {describe(ev)}")
        if ev[1] != opcode:
            raise CaseFailure(f"echo has opcode {ev[1]}, sent opcode {opcode}")
        if ev[2] != payload:
            raise CaseFailure(f"echo differs: {len(ev[2])} bytes back for {len(payload)} sent"
                              f" (first difference at byte {first_diff(ev[2], payload)})")

    async def expect_pong(self, payload):
        """Waits until the client answers a ping with `payload` (RFC 6455 5.5.3); any other
        event first fails the case."""
        while not self.pongs:
            ev = await self.next_event(pongs=True)
            if ev[0] != "pong":
                raise CaseFailure(f"expected a pong ({len(payload)} bytes), got {describe(ev)}")
        got = self.pongs.pop(0)
        if got != payload:
            raise CaseFailure(f"pong payload {got[:20]!r} differs from ping payload "
                              f"{payload[:20]!r}")

    async def close_handshake(self, code=1000, reason=b"", accept=None, raw_payload=None,
                              teardown_timeout=10):
        """Server-initiated close: sends Close, expects the client's Close with a code in
        `accept` (default: echo of `code`), then the TCP teardown check."""
        accept = accept if accept is not None else {code}
        await self.send_close(code, reason, raw_payload)
        ev = await self.next_event()
        if ev[0] != "close":
            raise CaseFailure(f"expected the client's Close reply, got {describe(ev)}")
        if ev[1] not in accept:
            raise CaseFailure(f"client replied Close with code {ev[1]}, expected "
                              f"{sorted(accept, key=str)}")
        await self.t.teardown(teardown_timeout)

    async def expect_fail(self, codes, nonstrict_codes=(), teardown_timeout=10):
        """The client must fail the connection: send Close with a code in `codes`, then
        wait for the server's Close reply and TCP close. Echoes of earlier messages are not
        expected (cases wait for them first)."""
        ev = await self.next_event()
        if ev[0] == "message":
            raise CaseFailure(f"client accepted invalid input and echoed {len(ev[2])} bytes "
                              f"(expected Close {sorted(codes)})")
        if ev[0] in ("eof", "reset"):
            raise NonStrict(f"client dropped TCP without a Close frame (expected Close "
                            f"{sorted(codes)})")
        code = ev[1]
        await self.send_close(code if code is not None else 1000)
        if code not in codes:
            await self._teardown_quietly(teardown_timeout)
            if code in nonstrict_codes:
                raise NonStrict(f"client failed with close code {code}, "
                                f"preferred {sorted(codes)}")
            raise CaseFailure(f"client failed with close code {code}, expected "
                              f"{sorted(codes)}")
        await self.t.teardown(teardown_timeout)

    async def _teardown_quietly(self, timeout):
        try:
            await self.t.teardown(timeout)
        except CaseFailure:
            pass


def describe(ev):
    if ev[0] == "message":
        return f"a message (opcode {ev[1]}, {len(ev[2])} bytes)"
    if ev[0] == "close":
        return f"Close {ev[1]} {ev[2][:40]!r}"
    return {"eof": "TCP end of stream", "reset": "TCP reset"}.get(ev[0], str(ev))


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def random_bytes(n, seed):
    """Deterministic pseudo-random bytes (cases must be reproducible)."""
    return random.Random(seed).randbytes(n)
