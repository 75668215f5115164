#!/usr/bin/python3
"""WebSocket echo server on Python's `websockets` (Debian 12: python3-websockets 10.x).

An interop peer for wsnova's tests: a server implementation nobody on the project wrote.

    /usr/bin/python3 tests/interop/python_echo_server.py [--tls CERT KEY] [--ignore-stdin]

Listens on 127.0.0.1 on an ephemeral port and prints `PORT <n>` on its own line on stdout
once listening (nothing else goes to stdout). Echoes every message with the same kind.
Text commands: `!close CODE REASON` closes with CODE and REASON; `!stream N` sends the
text messages "1".."N", then goes on echoing. Exits on SIGTERM, SIGINT, or EOF on stdin
(unless --ignore-stdin). A missing `websockets` module exits with status 3.
"""

import argparse
import asyncio
import signal
import ssl
import sys
import threading

try:
    import websockets
except ImportError as exc:  # pragma: no cover - environment problem, reported clearly
    print(f"python_echo_server: cannot import websockets ({exc}); "
          "install it: apt-get install python3-websockets", file=sys.stderr)
    sys.exit(3)


async def handle_command(ws, text):
    """Runs a `!` command; returns False when the text is not a known command."""
    name, _, args = text.partition(" ")
    if name == "!close":
        code_text, _, reason = args.partition(" ")
        try:
            code = int(code_text)
            await ws.close(code, reason)
        except (ValueError, websockets.exceptions.WebSocketException) as exc:
            await ws.send(f"!error {exc}")
        return True
    if name == "!stream":
        try:
            n = int(args)
        except ValueError:
            await ws.send("!error usage: !stream N")
            return True
        for i in range(1, n + 1):
            await ws.send(str(i))
        return True
    return False


async def echo(ws, path=None):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("!"):
                if await handle_command(ws, message):
                    continue
            await ws.send(message)
    except websockets.exceptions.ConnectionClosed:
        pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--ignore-stdin", action="store_true",
                        help="do not exit when stdin reaches EOF")
    args = parser.parse_args()

    ssl_ctx = None
    if args.tls:
        ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_ctx.load_cert_chain(args.tls[0], args.tls[1])

    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop():
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, request_stop)
    loop.add_signal_handler(signal.SIGINT, request_stop)

    if not args.ignore_stdin:
        # A thread, not loop.add_reader: epoll refuses regular files such as /dev/null.
        def watch_stdin():
            try:
                while sys.stdin.buffer.read1(4096):
                    pass
            except (OSError, ValueError):
                pass
            loop.call_soon_threadsafe(request_stop)

        threading.Thread(target=watch_stdin, daemon=True).start()

    async with websockets.serve(echo, "127.0.0.1", 0, ssl=ssl_ctx,
                                max_size=64 * 1024 * 1024) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await stop


if __name__ == "__main__":
    asyncio.run(main())
