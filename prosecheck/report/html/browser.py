"""The report in a real browser: headless Chromium through selenium, at a fixed viewport.

Used by ``tests/test_report.py`` (layout, sorting, filtering, the trace explorer) and by
:func:`write_screenshot`, which makes ``docs/report.png`` (a generated file: run it again after a
change to the report's look). Needs the Debian packages ``chromium`` and ``chromium-driver`` and
selenium (the ``test`` extra); :func:`browser_missing` says what is absent.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1280, 900
"""The viewport the report must fit without horizontal scrolling (issue 25), and the screenshot's size."""

SCREENSHOT_SCENARIOS = ("m200", "m300.panf_udm", "m200@pc5_attacker")
"""The scenarios of the committed screenshot: small (under a second each), with findings and an attacker."""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def browser_missing() -> str | None:
    """Why no headless browser can be started here (None: one can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not _chromium() or not shutil.which("chromedriver"):
        return "no headless Chromium here: install the Debian packages chromium and chromium-driver"
    return None


@contextmanager
def browser(width: int = WIDTH, height: int = HEIGHT) -> Iterator[Any]:
    """A headless Chromium whose viewport is exactly ``width`` x ``height`` CSS pixels (scale 1)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = browser_missing()
    if missing:
        raise RuntimeError(missing)
    options = webdriver.ChromeOptions()
    options.binary_location = _chromium() or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or ""), options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        yield driver
    finally:
        driver.quit()


def viewport_png(driver: Any, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A PNG of the top ``width`` x ``height`` pixels of the loaded page, less when the page is
    shorter (Chromium's own capture, clipped: no blank strip below the page)."""
    used = int(driver.execute_script("return Math.ceil(document.body.getBoundingClientRect().bottom)"))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "clip": {"x": 0, "y": 0, "width": width, "height": min(height, used), "scale": 1}})
    return base64.b64decode(shot["data"])


def report_results(scenarios: Sequence[str] = SCREENSHOT_SCENARIOS) -> list[Any]:
    """Check ``scenarios`` (their declared bounds) and mark what the proof ledger proves, as ``report`` does."""
    from prosecheck.ledger import apply, load
    from prosecheck.scenarios.catalog import SCENARIOS
    from prosecheck.verify import check_scenario

    results = [check_scenario(SCENARIOS[sid]) for sid in scenarios]
    apply(results, load())
    return results


def write_screenshot(path: Path) -> Path:
    """Write ``docs/report.png``: the report index of :data:`SCREENSHOT_SCENARIOS` in headless
    Chromium at 1280 x 900 (the first screen of the page), as PNG."""
    from prosecheck.report.html import write_report

    with tempfile.TemporaryDirectory(prefix="prosecheck-report-") as tmp:
        index = write_report(report_results(), Path(tmp))
        with browser() as driver:
            driver.get(index.as_uri())
            data = viewport_png(driver)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


__all__ = ["HEIGHT", "SCREENSHOT_SCENARIOS", "WIDTH", "browser", "browser_missing", "report_results",
           "viewport_png", "write_screenshot"]


if __name__ == "__main__":  # python -m prosecheck.report.html.browser docs/report.png
    import sys

    print(write_screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/report.png")))
