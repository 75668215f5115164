#!/usr/bin/python3
"""Reference echo agent on Debian's python3-websockets (a client nobody here wrote).

    /usr/bin/python3 tests/conformance/py_echo_agent.py --port P [--tls --ca-file CA]
        [--compress] [--case N] [--agent NAME]

Runs every case of fuzzing_server.py (or only case N), echoing each message with its
kind, then asks for the report. Used to validate the server, not in CI.
"""

import argparse
import asyncio
import ssl

import websockets


async def run(args):
    scheme = "wss" if args.tls else "ws"
    base = f"{scheme}://127.0.0.1:{args.port}"
    ctx = None
    if args.tls:
        ctx = ssl.create_default_context(cafile=args.ca_file)
    compression = "deflate" if args.compress else None
    kw = dict(ssl=ctx, compression=compression, max_size=args.max_message, ping_interval=None)
    async with websockets.connect(f"{base}/getCaseCount", **kw) as ws:
        count = int(await ws.recv())
    cases = [args.case] if args.case else range(1, count + 1)
    for n in cases:
        try:
            async with websockets.connect(
                    f"{base}/runCase?case={n}&agent={args.agent}", **kw) as ws:
                async for message in ws:
                    await ws.send(message)
        except (websockets.exceptions.WebSocketException, OSError):
            pass
    async with websockets.connect(f"{base}/updateReports?agent={args.agent}", **kw) as ws:
        await ws.recv()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls", action="store_true")
    p.add_argument("--ca-file")
    p.add_argument("--compress", action="store_true")
    p.add_argument("--max-message", type=int, default=16 * 1024 * 1024)
    p.add_argument("--case", type=int)
    p.add_argument("--agent", default="python-websockets")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
