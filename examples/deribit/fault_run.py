#!/usr/bin/python3
"""wsnova-deribit through faults: a drop, a token expiry and a stall of the local exchange.

Starts wsnova-exchange (short token lifetime, heartbeats down to 1 s) in its own process,
streams from it with wsnova-deribit, injects the faults over the exchange's control channel
while the stream runs, and checks that the stream went on after each one, re-authenticated
and re-subscribed. Prints the transcript (stderr lines and a sample of stdout with times).

usage: fault_run.py WSNOVA_DERIBIT WSNOVA_EXCHANGE [--quiet]
"""
import json
import subprocess
import sys
import threading
import time


def main():
    deribit_bin, exchange_bin = sys.argv[1], sys.argv[2]
    quiet = "--quiet" in sys.argv
    exchange = subprocess.Popen(
        [exchange_bin, "--interval", "50", "--min-heartbeat", "1", "--token-lifetime", "3"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    url = exchange.stdout.readline().split()[1]
    exchange.stdout.readline()  # PORT
    start = time.monotonic()
    stamp = lambda: f"{time.monotonic() - start:7.3f}s"
    client = subprocess.Popen(
        [deribit_bin, "--url", url, "--subscribe", "ticker.BTC-PERPETUAL.100ms",
         "--subscribe", "user.orders.BTC-PERPETUAL.raw", "--heartbeat", "1", "--count", "400",
         "--client-id", "wsnova-client", "--client-secret", "wsnova-secret"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    transcript, notes = [], []
    lock = threading.Lock()

    def read(stream, is_stdout):
        for line in stream:
            with lock:
                if is_stdout:
                    notes.append((time.monotonic() - start, json.loads(line)))
                    if len(notes) % 50 == 1:
                        transcript.append(f"{stamp()} stdout #{len(notes)}: {line.strip()[:110]}")
                else:
                    transcript.append(f"{stamp()} stderr: {line.rstrip()}")

    readers = [threading.Thread(target=read, args=(client.stdout, True)),
               threading.Thread(target=read, args=(client.stderr, False))]
    for r in readers:
        r.start()

    def control(at, command):
        while time.monotonic() - start < at:
            time.sleep(0.01)  # a schedule, not a wait for an event
        exchange.stdin.write(command + "\n")
        exchange.stdin.flush()
        answer = exchange.stdout.readline().strip()
        with lock:
            transcript.append(f"{stamp()} exchange <- {command}: {answer}")

    for at, command in [(2.0, "drop"), (5.0, "expire-all"), (7.0, "stall 3000")]:
        control(at, command)
    try:
        code = client.wait(timeout=60)
    except subprocess.TimeoutExpired:
        client.kill()
        code = "timeout"
    for r in readers:
        r.join()
    exchange.stdin.write("stats\n")
    exchange.stdin.flush()
    stats = json.loads(exchange.stdout.readline())
    exchange.stdin.close()
    exchange.wait(timeout=10)

    if not quiet:
        print("\n".join(transcript))
        print("exchange stats:", json.dumps(stats))
    errors = []
    text = "\n".join(transcript)
    if code != 0:
        errors.append(f"wsnova-deribit exited with {code}")
    if text.count("reconnected after") < 2:
        errors.append("expected a reconnect after the drop and after the stall")
    if stats["auth_client_credentials"] < 3:
        errors.append("expected a login on every connect")
    if stats["auth_refresh_token"] < 1 and stats["auth_client_credentials"] < 4:
        errors.append("expected a token refresh or a new login after the expiry")
    if stats["test_requests_answered"] < 1 or stats["test_requests_missed"] > 0:
        errors.append("test_request not answered in time")
    last_fault = 7.0 + 3.0
    after = [n for t, n in notes if t > last_fault]
    channels = {n["channel"] for n in after}
    if len(channels) < 2:
        errors.append(f"after the last fault only {sorted(channels)} went on")
    for e in errors:
        print("FAILED:", e)
    if not errors:
        print(f"fault run: OK ({len(notes)} notifications, {len(after)} after the last fault)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
