"""Mermaid text checked by Mermaid itself: every committed ``.mmd`` diagram, a counterexample chart
and a witness chart are parsed and rendered by mermaid.js inside headless Chromium.

Needs the browser (Debian ``chromium`` + ``chromium-driver``) and ``mermaid.min.js`` from the npm
package ``mermaid`` (``.ci/run`` unpacks it into ``.cache/mermaid/``; or point
``PROSECHECK_MERMAID_JS`` at a copy). Skipped, with the reason, when either is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from prosecheck.diagrams.msc import build_chart
from prosecheck.diagrams.msc_render import to_mermaid
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.verify import check_scenario

ROOT = Path(__file__).parent.parent
MERMAID = Path(os.environ.get("PROSECHECK_MERMAID_JS", ROOT / ".cache/mermaid/package/dist/mermaid.min.js"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:  # pragma: no cover - the test extra pins selenium
    webdriver = None  # type: ignore[assignment]

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><script src="mermaid.min.js"></script></head><body>
<script>
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
let n = 0;
window.check = async (text) => {
  try { await mermaid.parse(text); const r = await mermaid.render("m" + (n++), text); return "ok " + r.svg.length; }
  catch (e) { return "ERROR " + (e.message || String(e)); }
};
</script></body></html>"""


def _charts() -> dict[str, str]:
    texts = {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "diagrams").rglob("*.mmd"))}
    r = check_scenario(SCENARIOS["m200"].with_bounds(attempts=2, withdrawals=1, restores=0))
    for pid in ("no_knr_after_withdrawal", "pc5_secured_by_pruk_id"):
        steps = [s.as_dict() for s in r.properties[pid].trace]
        texts[f"m200 {pid}"] = to_mermaid(build_chart(steps, r.elements, f"m200: {pid}", f"marks {pid}"))
    return texts


@pytest.mark.skipif(webdriver is None or not CHROMIUM or not DRIVER,
                    reason="no headless browser here: install the Debian packages chromium and chromium-driver")
@pytest.mark.skipif(not MERMAID.is_file(), reason=f"mermaid.min.js not found at {MERMAID} (npm pack mermaid; "
                    ".ci/run unpacks it into .cache/mermaid/, or set PROSECHECK_MERMAID_JS)")
def test_mermaid_parses_and_renders_every_diagram(tmp_path):
    texts = _charts()
    assert len(texts) >= 10
    shutil.copy(MERMAID, tmp_path / "mermaid.min.js")
    (tmp_path / "page.html").write_text(PAGE)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        driver.get((tmp_path / "page.html").as_uri())
        results = {name: driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; window.check(arguments[0]).then(done);", text)
            for name, text in texts.items()}
    finally:
        driver.quit()
    failed = {name: res for name, res in results.items() if not res.startswith("ok ")}
    assert not failed, failed
