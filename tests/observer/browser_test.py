#!/usr/bin/python3
"""The observer's page in headless Chromium: a killed child shows as restarted.

Usage: browser_test.py PATH/TO/wsnova-observer-demo

Starts the demo (it prints port=N), opens http://127.0.0.1:N/ with selenium and Debian's
chromium + chromedriver, waits until the page shows worker-1 running and conn-1 connected,
sends `kill worker-1` to the demo, waits until the page shows worker-1 with restarts 1,
state running and a new actor id, and checks that no poll of the page failed. Every wait
has a deadline. Prints "PASS observer_browser" and the times taken.
"""
import os
import queue
import subprocess
import sys
import threading
import time

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
DEADLINE = 20  # seconds, per wait


def fail(message):
    print(f"FAIL observer_browser: {message}", flush=True)
    sys.exit(1)


try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as e:
    fail(f"python3 selenium is missing ({e}); install Debian's python3-selenium (scripts/setup.sh)")


class Demo:
    """The demo process; its stdout lines arrive through a queue (reads with a deadline)."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, prefix):
        try:
            line = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            fail(f"the demo printed nothing starting with {prefix!r} within {DEADLINE} s")
        if line is None:
            fail(f"the demo exited (status {self.proc.wait()}) before printing {prefix!r}")
        if not line.startswith(prefix):
            fail(f"the demo printed {line!r}, expected {prefix!r}")
        return line

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=DEADLINE)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def node(driver, child_id):
    """The data attributes of the node `child_id` as a dict (childId, state, restarts,
    actorId, connectionState, ...), or None. Read in one script: the page replaces its
    elements at every poll, so an element found first and read later may be gone."""
    return driver.execute_script(
        "const e = document.querySelector(`[data-child-id=\"${arguments[0]}\"]`);"
        "return e ? Object.assign({}, e.dataset) : null;", child_id)


def wait_for(driver, what, predicate):
    """Waits until predicate(driver) is truthy; fails with `what` and the page's status."""
    try:
        return WebDriverWait(driver, DEADLINE, poll_frequency=0.1).until(predicate)
    except TimeoutException:
        status = driver.find_element(By.ID, "status").text
        fail(f"the page did not show {what} within {DEADLINE} s (status line: {status!r})")


def status_count(driver, name):
    """data-NAME of #status (the element itself stays; only its attributes change)."""
    return int(driver.find_element(By.ID, "status").get_attribute(f"data-{name}"))


def main():
    if len(sys.argv) != 2:
        fail("usage: browser_test.py PATH/TO/wsnova-observer-demo")
    demo_path = sys.argv[1]
    for path, what in ((demo_path, "the demo"), (CHROMEDRIVER, "chromedriver (Debian chromium-driver)"),
                       (CHROMIUM, "chromium (Debian chromium)")):
        if not os.access(path, os.X_OK):
            fail(f"{what} not found at {path}")

    begin = time.monotonic()
    demo = Demo(demo_path)
    driver = None
    try:
        port = int(demo.expect("port=").split("=", 1)[1])
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
            options.add_argument(arg)
        try:
            driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except WebDriverException as e:
            fail(f"cannot start headless chromium through {CHROMEDRIVER}: {e.msg}")
        started = time.monotonic()
        driver.get(f"http://127.0.0.1:{port}/")

        def shown_running(d):
            worker, conn = node(d, "worker-1"), node(d, "conn-1")
            return (worker and worker["state"] == "running" and conn and
                    conn.get("connectionState") == "connected")

        wait_for(driver, "worker-1 running and conn-1 connected", shown_running)
        worker = node(driver, "worker-1")
        if worker["restarts"] != "0":
            fail(f"worker-1 shows restarts {worker['restarts']} before any kill")
        old_actor = worker["actorId"]
        first_render = time.monotonic()

        demo.send("kill worker-1")
        demo.expect("killed worker-1")

        def shown_restarted(d):
            w = node(d, "worker-1")
            return (w and w["restarts"] == "1" and w["state"] == "running" and
                    w["actorId"] != old_actor)

        wait_for(driver, "worker-1 with restarts 1, running, a new actor id", shown_restarted)
        restarted = time.monotonic()
        errors = status_count(driver, "errors")
        if errors != 0:
            fail(f"the page showed {errors} failed polls")
        polls = status_count(driver, "polls")
        if polls < 2:
            fail(f"the page polled {polls} times, expected at least 2")
        print(f"page: {polls} polls, 0 errors; worker-1 actor {old_actor} -> "
              f"{node(driver, 'worker-1')['actorId']}")
        print(f"times: browser start {started - begin:.2f} s, first render "
              f"{first_render - started:.2f} s, kill to restarted on the page "
              f"{restarted - first_render:.2f} s, total {time.monotonic() - begin:.2f} s")
    finally:
        if driver is not None:
            driver.quit()
        status = demo.stop()
    if status != 0:
        fail(f"the demo exited with status {status}")
    print("PASS observer_browser", flush=True)


if __name__ == "__main__":
    main()
