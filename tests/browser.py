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
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("MASTGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MASTGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL_HINT = "install Debian's packages `chromium` and `chromium-driver` (as root: `make browser`)"
SCREENSHOTS = Path(os.environ.get("MASTGRAPH_SCREENSHOTS", Path(__file__).resolve().parent.parent / ".pytest-screenshots"))


class BrowserUnavailable(RuntimeError):
    pass


class Browser:
    """A headless Chromium session; `driver` is the Selenium WebDriver."""

    def __init__(self) -> None:
        for path in (CHROMIUM, CHROMEDRIVER):
            if not (Path(path).exists() or shutil.which(path)):
                raise BrowserUnavailable(f"{path} not found: {INSTALL_HINT}")
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError as exc:  # the test extra was not installed
            raise BrowserUnavailable(f"selenium is not installed ({exc}): pip install -e '.[test]'") from exc
        self._profile = tempfile.mkdtemp(prefix="mastgraph-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,900", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         f"--user-data-dir={self._profile}"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except Exception as exc:  # noqa: BLE001 - reported as the reason the browser tests fail
            shutil.rmtree(self._profile, ignore_errors=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BrowserUnavailable(f"Chromium did not start ({first}): {INSTALL_HINT}") from exc
        self.driver.set_page_load_timeout(60)

    def open(self, url: str) -> None:
        """Load `url`, forgetting the requests of earlier pages."""
        self.requested()
        self.driver.get(url)

    def requested(self) -> list[str]:
        """The URLs requested since the previous call (or `open`)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

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
