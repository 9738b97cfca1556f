"""A headless Chromium driven over the DevTools protocol on a pipe (no extra package).

``Browser().load(path)`` opens a local HTML file and returns what a person would see: the
console errors and uncaught exceptions, each ``<img>``'s decoded size (or its failure), a
screenshot of the page and one of each image's box. Chromium is started with
``--remote-debugging-pipe``: requests go to its fd 3 and answers come from its fd 4, as JSON
messages ended by a NUL byte. No network is used (``file://`` only).
"""

from __future__ import annotations

import base64
import fcntl
import io
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

import numpy as np

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
TIMEOUT = 60.0


def find_browser() -> str | None:
    """The path of an installed Chromium/Chrome, or None (``NEUROATTN_CHROMIUM`` first)."""
    env = os.environ.get("NEUROATTN_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def png_pixels(data: bytes) -> np.ndarray:
    """An (H, W, C) float array of a PNG."""
    import matplotlib.image as mpimg

    return np.asarray(mpimg.imread(io.BytesIO(data), format="png"))


@dataclass
class Page:
    """What the browser saw."""

    console_errors: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)  # src head, size or error
    screenshot: np.ndarray | None = None
    image_shots: list[np.ndarray] = field(default_factory=list)
    title: str = ""


class Browser:
    """A headless Chromium for one test; use as a context manager."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="neuroattn-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # copies above fd 9, so that putting them on 3 and 4 in the child clobbers nothing
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        args = [
            executable,
            "--headless",
            "--remote-debugging-pipe",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={self.profile}",
            "about:blank",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox

        def fds() -> None:  # the child's fd 3 reads requests, fd 4 writes answers
            os.dup2(high_r, 3)  # inheritable copies; Python's own fds close at exec
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(  # a browser found on PATH, fixed arguments
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=fds,  # only dup2, before exec
            close_fds=False,  # keep fds 3 and 4 (Python's own fds are non-inheritable)
        )
        os.close(high_r)
        os.close(high_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the browser")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("the browser closed its pipe")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
        timeout: float = TIMEOUT,
    ) -> dict[str, Any]:  # fmt: skip
        """Send a command and wait for its answer (events meanwhile go to ``events``)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))
            self.events.append(answer)

    def wait_event(self, method: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for k, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(k)
            self.events.append(self._read_message(deadline))

    def load(self, path: Path, *, width: int = 1200, height: int = 900) -> Page:
        """Open ``path``, wait for it to load, and look at it."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        self.wait_event("Page.loadEventFired")
        page = Page()
        page.images = self._evaluate(session, _IMAGES_JS)
        page.title = self._evaluate(session, "document.title")
        self._shots(session, page)
        page.console_errors = _errors([e for e in self.events if e.get("sessionId") == session])
        self.send("Target.closeTarget", {"targetId": target})
        self.events.clear()
        return page

    def _evaluate(self, session: str, expression: str) -> Any:
        res = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=session,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"evaluation failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def _shots(self, session: str, page: Page) -> None:
        def shot(clip: dict[str, float] | None) -> np.ndarray:
            params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
            if clip:
                params["clip"] = {**clip, "scale": 1}
            data = self.send("Page.captureScreenshot", params, session=session)["data"]
            return png_pixels(base64.b64decode(data))

        page.screenshot = shot(None)
        for img in page.images:
            box = img.get("box")
            if box and box["width"] >= 1 and box["height"] >= 1:
                page.image_shots.append(shot(box))


_IMAGES_JS = """
Promise.all(Array.from(document.images).map(async (img) => {
  const head = img.getAttribute('src').slice(0, 40);
  try { await img.decode(); } catch (e) { return {src: head, error: String(e)}; }
  const r = img.getBoundingClientRect();
  return {src: head, width: img.naturalWidth, height: img.naturalHeight,
          box: {x: r.left + window.scrollX, y: r.top + window.scrollY,
                width: r.width, height: r.height}};
}))
"""


def _errors(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, uncaught exceptions and failed loads among the page's events."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(
                " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            found.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            found.append(str(params["entry"].get("text")))
    return found
