#!/usr/bin/python3
"""The local exchange (`wsnova-exchange`) against a client nobody on the project wrote:
Debian's python3-websockets (10.x). Starts the binary given as the only argument, reads its
URL line, then authenticates, refreshes, subscribes to a public and a private channel,
checks that notifications arrive with consecutive sequence numbers, and reads the counters
through the control channel (the binary's stdin). Prints `PASS deribit_exchange_python_interop`
on success; any failure raises and exits non-zero.
"""
import asyncio
import json
import subprocess
import sys

try:
    import websockets
except ImportError:
    print("python3-websockets is missing: apt-get install python3-websockets", file=sys.stderr)
    sys.exit(3)

DEADLINE = 10  # seconds for any single expected event


class Rpc:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 1
        self.pending = []  # messages read while waiting for a response

    async def call(self, method, params=None):
        request_id = self.next_id
        self.next_id += 1
        await self.ws.send(json.dumps(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), DEADLINE))
            if msg.get("id") == request_id:
                return msg
            self.pending.append(msg)

    async def notification(self):
        while True:
            msg = self.pending.pop(0) if self.pending else json.loads(
                await asyncio.wait_for(self.ws.recv(), DEADLINE))
            if msg.get("method") == "subscription":
                return msg["params"]


def sequence(params):
    data = params["data"]
    return (data[0] if isinstance(data, list) else data)["sequence"]


def expect(condition, what):
    if not condition:
        raise AssertionError(what)


async def session(url):
    async with websockets.connect(url) as ws:
        rpc = Rpc(ws)
        bad = await rpc.call("public/auth", {"grant_type": "client_credentials",
                                             "client_id": "wsnova-client", "client_secret": "no"})
        expect(bad["error"]["code"] == 13004, f"bad credentials: {bad}")

        refused = await rpc.call("private/subscribe",
                                 {"channels": ["user.orders.BTC-PERPETUAL.raw"]})
        expect(refused["error"]["code"] == 13009, f"private without auth: {refused}")

        auth = await rpc.call("public/auth", {"grant_type": "client_credentials",
                                              "client_id": "wsnova-client",
                                              "client_secret": "wsnova-secret"})
        result = auth["result"]
        expect(result["token_type"] == "bearer" and result["expires_in"] == 900, f"auth: {auth}")
        refreshed = await rpc.call("public/auth", {"grant_type": "refresh_token",
                                                   "refresh_token": result["refresh_token"]})
        expect("result" in refreshed, f"refresh: {refreshed}")

        public = await rpc.call("public/subscribe", {"channels": ["ticker.BTC-PERPETUAL.100ms"]})
        expect(public["result"] == ["ticker.BTC-PERPETUAL.100ms"], f"subscribe: {public}")
        private = await rpc.call("private/subscribe",
                                 {"channels": ["user.orders.BTC-PERPETUAL.raw"]})
        expect(private["result"] == ["user.orders.BTC-PERPETUAL.raw"], f"private: {private}")

        last = {}
        counts = {}
        while len(counts) < 2 or min(counts.values()) < 5:
            params = await rpc.notification()
            channel, seq = params["channel"], sequence(params)
            if channel in last:
                expect(seq == last[channel] + 1, f"{channel}: {seq} after {last[channel]}")
            last[channel] = seq
            counts[channel] = counts.get(channel, 0) + 1


def main():
    exchange = subprocess.Popen([sys.argv[1], "--interval", "20"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
    try:
        url = exchange.stdout.readline().split()
        expect(len(url) == 2 and url[0] == "URL", f"first line: {url}")
        expect(exchange.stdout.readline().startswith("PORT "), "no PORT line")
        asyncio.run(session(url[1]))
        exchange.stdin.write("stats\n")
        exchange.stdin.flush()
        stats = json.loads(exchange.stdout.readline())
        expect(stats["auth_client_credentials"] == 1 and stats["auth_refresh_token"] == 1
               and stats["auth_failed"] == 1 and stats["subscribe_calls"] == 2
               and stats["unauthorized"] == 1, f"stats: {stats}")
        exchange.stdin.close()
        expect(exchange.wait(DEADLINE) == 0, "exchange did not exit cleanly at end of input")
    finally:
        if exchange.poll() is None:
            exchange.kill()
            exchange.wait()
    print("PASS deribit_exchange_python_interop")


if __name__ == "__main__":
    main()
