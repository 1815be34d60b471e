"""Headless Chromium for the page tests and the page benchmark: Debian's `chromium` and
`chromium-driver`, driven by Selenium with the driver's path given (nothing is downloaded).

`start()` returns the WebDriver and its throw-away profile folder (the caller removes it after
`quit()`), or raises `ChromiumUnavailable` with one line saying what is missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = os.environ.get("MASTGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MASTGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL_HINT = "install Debian's packages `chromium` and `chromium-driver` (as root: `make browser`)"
#: Headless, and none of the background connections a closed network would refuse.
ARGUMENTS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900",
             "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync")


class ChromiumUnavailable(RuntimeError):
    pass


def start(*, logs: bool = False):
    """(driver, profile folder) of a new headless Chromium; with `logs`, its performance (network)
    and browser (console) logs are recorded."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (Path(path).exists() or shutil.which(path)):
            raise ChromiumUnavailable(f"{path} not found: {INSTALL_HINT}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:  # the test extra was not installed
        raise ChromiumUnavailable(f"selenium is not installed ({exc}): pip install -e '.[test]'") from None
    profile = tempfile.mkdtemp(prefix="mastgraph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*ARGUMENTS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    if logs:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except Exception as exc:  # noqa: BLE001 - reported as the reason there is no browser
        shutil.rmtree(profile, ignore_errors=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ChromiumUnavailable(f"Chromium did not start ({first}): {INSTALL_HINT}") from None
    return driver, profile
