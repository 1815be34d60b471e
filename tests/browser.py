"""One headless Chromium per test run (Debian's `chromium` and `chromium-driver`, driven by Selenium).

Every page test uses the session fixture `browser` (registered in tests/conftest.py). A run that
cannot start the browser fails with one line saying what to install: browser tests never skip.

`Browser.requested()` lists the URLs the page asked for since the last `open` (Chrome's performance
log), so a test can assert that a page stays on its own origin (works offline, no CDN).
Screenshots go to `MASTGRAPH_SCREENSHOTS` (default `.pytest-screenshots/` in the repository).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from mastgraph.bench import chromium

SCREENSHOTS = Path(os.environ.get("MASTGRAPH_SCREENSHOTS", Path(__file__).resolve().parent.parent / ".pytest-screenshots"))
BrowserUnavailable = chromium.ChromiumUnavailable


class Browser:
    """A headless Chromium session; `driver` is the Selenium WebDriver."""

    def __init__(self) -> None:
        self.driver, self._profile = chromium.start(logs=True)
        self.driver.set_page_load_timeout(60)

    def open(self, url: str) -> None:
        """Load `url`, forgetting the requests of earlier pages."""
        self.requested()
        self.driver.get(url)

    def network_events(self) -> list[dict]:
        """Chrome's network events (`{"method", "params"}`) since the previous read of the log."""
        return [json.loads(entry["message"])["message"] for entry in self.driver.get_log("performance")]

    def requested(self) -> list[str]:
        """The URLs requested since the previous call (or `open`)."""
        return [event["params"]["request"]["url"] for event in self.network_events()
                if event.get("method") == "Network.requestWillBeSent"]

    def foreign_requests(self, origin: str, urls: list[str]) -> list[str]:
        """The URLs among `urls` that are not on `origin` (scheme://host:port), ignoring data:/blob: URLs."""
        own = urlsplit(origin)
        foreign = []
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about", "chrome", "devtools"}:
                continue
            if (parts.scheme, parts.hostname, parts.port) != (own.scheme, own.hostname, own.port):
                foreign.append(url)
        return foreign

    def console_errors(self) -> list[str]:
        """Severe messages of the page's console since the previous call."""
        return [entry["message"] for entry in self.driver.get_log("browser") if entry.get("level") == "SEVERE"]

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)
