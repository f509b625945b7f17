"""The HTML report, loaded from disk by a real browser (headless Chromium through selenium).

Skipped only when the browser is absent (Debian packages ``chromium`` and ``chromium-driver``;
``.ci/run`` installs them). Set ``PROSECHECK_SCREENSHOT=docs/report.png`` to also keep the
screenshot (that is how the one in ``docs/`` is made)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.diagrams.render import have_engine

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:  # pragma: no cover - the test extra pins selenium
    webdriver = None  # type: ignore[assignment]

SMALL = ["m200", "--attempts", "2", "--withdrawals", "1", "--restores", "0", "--quiet"]


def test_the_report_page_is_self_contained(tmp_path, capsys):
    main(["report", *SMALL, "--out", str(tmp_path)])
    assert capsys.readouterr().out.strip() == str(tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and '<table id="verdicts">' in page
    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert page.count('<figure class="msc">') == 2  # knr_only_after_authorization and no_knr_after_withdrawal
    assert "&lt;-- violates no_knr_after_withdrawal" in page
    assert page.count('<figure class="msc happy"') == 2 and "the figure's steps in the text's order" in page


def test_report_rejects_an_out_path_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["report", *SMALL, "--out", str(target)]) == 2
    assert "is not a directory" in capsys.readouterr().err


@pytest.mark.skipif(webdriver is None or not CHROMIUM or not DRIVER,
                    reason="no headless browser here: install the Debian packages chromium and chromium-driver "
                    "(and the test extra, for selenium); .ci/run installs them")
def test_chromium_renders_the_report_with_its_verdict_table_and_svg_charts(tmp_path, capsys):
    main(["report", *SMALL, "--out", str(tmp_path)])
    capsys.readouterr()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,2000", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get((tmp_path / "index.html").as_uri())
        rows = driver.find_elements(By.CSS_SELECTOR, "table#verdicts tbody tr")
        assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["m200"]
        assert "VIOLATED" in rows[0].text
        charts = driver.find_elements(By.CSS_SELECTOR, "figure.msc:not(.happy) svg")
        assert len(charts) == 2 and all(c.size["width"] > 600 and c.size["height"] > 300 for c in charts)
        happy = driver.find_elements(By.CSS_SELECTOR, "figure.happy svg")
        assert len(happy) == 2 and all(c.size["height"] > 300 for c in happy)  # FIG. 2, Manner 1 and Manner 2
        assert driver.find_elements(By.CSS_SELECTOR, "figure.msc svg g.hot")
        diagrams = driver.find_elements(By.CSS_SELECTOR, "figure.state-diagram svg")
        if have_engine("dot"):
            assert len(diagrams) == 6 and all(d.size["height"] > 50 for d in diagrams)
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot))
    finally:
        driver.quit()
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    keep = os.environ.get("PROSECHECK_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(data)
