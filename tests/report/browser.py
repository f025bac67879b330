"""Open a page in real headless Chromium over the DevTools protocol, on a private pipe.

No port, no network: Chromium talks to us on file descriptors 3 and 4
(--remote-debugging-pipe), every host name resolves to nothing, and the proxy points at a
closed loopback port. We collect script errors and off-machine requests while the page
loads, measure elements, and take a full-page screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    # no network: nothing resolves, and any proxy use goes to a closed loopback port
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--remote-debugging-pipe",
)
TIMEOUT_SECONDS = 60.0


class BrowserError(RuntimeError):
    """Chromium did not start, answered an error, or took too long."""


@dataclass
class PageVisit:
    """What a page load showed: script errors, outside requests, sizes, a screenshot."""

    errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    sizes: list[dict[str, Any]] = field(default_factory=list)
    screenshot: Path | None = None
    title: str = ""


def chromium_path() -> str | None:
    """The Debian chromium binary, if installed."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


class Chromium:
    """One headless Chromium process driven over the DevTools pipe."""

    def __init__(self, binary: str, width: int = 1280, height: int = 900) -> None:
        self.profile = tempfile.mkdtemp(prefix="gapwatch-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # in the child: the pipe ends Chromium expects on fds 3 and 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=wire,  # a test helper, started from one thread
            pass_fds=(3, 4),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send a command and wait for its answer; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        """Wait for an event (or find it among those already received)."""
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self._read(deadline - time.monotonic())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise BrowserError(f"no {method} within {timeout} s")

    def _read(self, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(left, 0))
            if not ready:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the pipe: {self._stderr()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _stderr(self) -> str:
        self.process.kill()
        _, err = self.process.communicate(timeout=10)
        return err.decode(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                with contextlib.suppress(BrowserError, OSError):
                    self.send("Browser.close")
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        finally:
            if self.process.stderr:
                self.process.stderr.close()
            for fd in (self._to_chrome, self._from_chrome):
                with contextlib.suppress(OSError):
                    os.close(fd)
            shutil.rmtree(self.profile, ignore_errors=True)


# measured in the page: every figure's drawing (inline SVG) or its notice box
MEASURE = """
JSON.stringify(Array.from(document.querySelectorAll('figure')).map(f => {
  const drawn = f.querySelector('svg') || f.querySelector('.notice');
  const r = drawn ? drawn.getBoundingClientRect() : {width: 0, height: 0};
  return {id: f.id, kind: f.querySelector('svg') ? 'svg' : 'notice',
          width: r.width, height: r.height};
}))
"""


def visit(binary: str, page: Path, screenshot: Path, width: int = 1280) -> PageVisit:
    """Load page (a file), record errors and outside requests, measure figures, screenshot."""
    browser = Chromium(binary, width=width)
    try:
        return _visit(browser, page, screenshot, width)
    finally:
        browser.close()


def _visit(browser: Chromium, page: Path, screenshot: Path, width: int) -> PageVisit:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired")
    result = PageVisit()
    result.sizes = json.loads(
        browser.send(
            "Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session=session
        )["result"]["value"]
    )
    result.title = browser.send(
        "Runtime.evaluate", {"expression": "document.title", "returnByValue": True}, session=session
    )["result"]["value"]
    metrics = browser.send("Page.getLayoutMetrics", session=session)
    content = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = browser.send(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": content["height"], "scale": 1},
        },
        session=session,
    )
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    result.screenshot = screenshot
    result.errors, result.outside_requests = _problems(browser.events)
    return result


def _problems(events: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Script errors (uncaught exceptions, console errors) and requests that leave the file."""
    errors, outside = [], []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(str(details.get("exception", {}).get("description") or details))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            errors.append(" ".join(str(a.get("value", a)) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            errors.append(str(params["entry"].get("text")))
        elif method == "Network.requestWillBeSent":
            url = str(params.get("request", {}).get("url", ""))
            if not url.startswith(("file:", "data:", "about:")):
                outside.append(url)
    return errors, outside


class Tab:
    """One page open in headless Chromium: evaluate expressions, screenshot elements."""

    def __init__(self, binary: str, page: Path, width: int, height: int = 900) -> None:
        self.browser = Chromium(binary, width=width, height=height)
        self.width = width
        try:
            target = self.browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.browser.send(
                "Target.attachToTarget", {"targetId": target, "flatten": True}
            )["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.browser.send(f"{domain}.enable", session=self.session)
            # the real viewport width (--window-size alone leaves headless at its default)
            self.browser.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
                session=self.session,
            )
            self.browser.send(
                "Page.navigate", {"url": page.resolve().as_uri()}, session=self.session
            )
            self.browser.wait_for("Page.loadEventFired")
        except BaseException:
            self.browser.close()
            raise

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a script expression in the page."""
        reply = self.browser.send(
            "Runtime.evaluate",
            {"expression": f"JSON.stringify({expression})", "returnByValue": True},
            session=self.session,
        )
        if "exceptionDetails" in reply:
            raise BrowserError(str(reply["exceptionDetails"]))
        return json.loads(reply["result"]["value"])

    def screenshot(self, selector: str, path: Path, max_height: int = 2400) -> Path:
        """A PNG of one element (its top max_height pixels), at the page's width."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return {x: r.left + window.scrollX, "
            "y: r.top + window.scrollY, width: r.width, height: r.height}; })()"
        )
        clip = {
            "x": max(0, box["x"] - 8),
            "y": max(0, box["y"] - 8),
            "width": min(self.width, box["width"] + 16),
            "height": min(max_height, box["height"] + 16),
            "scale": 1,
        }
        shot = self.browser.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
            session=self.session,
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def problems(self) -> tuple[list[str], list[str]]:
        """Script errors and outside requests seen so far."""
        return _problems(self.browser.events)

    def close(self) -> None:
        self.browser.close()

    def __enter__(self) -> Tab:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
