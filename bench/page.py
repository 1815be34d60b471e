"""The explorer page's speed in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by Selenium) loads each benchmark product's lineage from the served API
and reports the page's own `performance.now()` figures (`window.mastgraphExplorer.lastRender`):
`fetchMs` (request sent → answer decoded), `renderMs` (answer → model, grouping, layout and SVG
drawn, up to the next frame), then the time to expand the largest group.

Without Chromium, chromedriver, Selenium or the built page, the step says so in one line.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from urllib.parse import urlencode

from . import chromium
from .stats import summary

WAIT_SECONDS = 120.0


def _wait(driver, script: str, *args):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = driver.execute_script(script, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not finish within {WAIT_SECONDS:.0f} s")
        time.sleep(0.05)


def measure_entry(driver, api_url: str, entry: dict, runs: int) -> dict:
    """Load the product's upstream lineage `runs` times (a fresh page each time), then expand its
    largest group once."""
    url = f"{api_url}/?{urlencode({'id': entry['uri'], 'dir': 'up'})}"
    renders = []
    for _ in range(runs):
        driver.get(url)
        renders.append(_wait(driver, "const e = window.mastgraphExplorer; "
                                     "return e && e.renders > 0 && e.idle() && e.lastRender"))
    last = renders[-1]
    groups = [d for d in driver.execute_script("return window.mastgraphExplorer.drawn()") if d["type"] == "group"]
    out = {
        "members": entry["members"], "uri": entry["uri"], "runs": runs,
        "objects": last["nodes"], "relationships": last["edges"], "drawn": last["drawn"], "groups": len(groups),
        "fetch_ms": summary([r["fetchMs"] for r in renders]),
        "render_ms": summary([r["renderMs"] for r in renders]),
    }
    if groups:
        largest = max(groups, key=lambda g: g["count"])
        driver.execute_script("document.querySelector(`[data-id=\"${CSS.escape(arguments[0])}\"]`)"
                              ".dispatchEvent(new MouseEvent('click', {bubbles: true}))", largest["id"])
        expanded = _wait(driver, "const r = window.mastgraphExplorer.lastRender; return r.expandMs != null && r")
        out["expand"] = {"group": largest["label"], "members": largest["count"], "ms": round(expanded["expandMs"], 1),
                         "drawn": expanded["drawn"]}
    return out


def measure_page(api_url: str, entries: list[dict], runs: int, say: Callable[[str], None]) -> dict:
    """The page's timings for each benchmark product, or {"skipped": reason}."""
    from mastgraph.api.web import missing_assets_warning

    reason = missing_assets_warning()
    if reason is None:
        try:
            driver, profile = chromium.start()
        except chromium.ChromiumUnavailable as exc:
            reason = str(exc)
    if reason is not None:
        say(f"explorer page timing skipped: {reason}")
        return {"skipped": reason}
    try:
        out = []
        for entry in entries:
            measured = measure_entry(driver, api_url, entry, runs)
            expand = measured.get("expand")
            say(f"explorer page, {entry['members']} members: {measured['objects']:,} objects drawn as "
                f"{measured['drawn']} entities ({measured['groups']} groups) in {measured['render_ms']['p50']} ms p50 "
                f"after the answer (answer {measured['fetch_ms']['p50']} ms)"
                + (f"; expanding {expand['group']} {expand['ms']} ms" if expand else ""))
            out.append(measured)
        return {"products": out, "browser": driver.capabilities.get("browserVersion")}
    except (TimeoutError, Exception) as exc:  # noqa: BLE001 - the bench goes on; the reason is recorded
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        say(f"explorer page timing failed: {first}")
        return {"failed": first}
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
