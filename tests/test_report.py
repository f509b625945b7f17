"""The HTML report (issue 25): an index page and one page per scenario, linked; every string from a
result or a scenario file escaped; and, loaded from disk by a real browser (headless Chromium at
1280 x 900 through selenium), no horizontal scrolling, a sortable and filterable verdict table and
a trace explorer whose next button and arrow keys move the highlighted step.

The browser tests are skipped only when the browser is absent (Debian packages ``chromium`` and
``chromium-driver``; ``.ci/run`` installs them). ``docs/report.png`` is made by
:func:`prosecheck.report.html.browser.write_screenshot` (``python -m prosecheck.report.html.browser
docs/report.png``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prosecheck.cli import main
from prosecheck.model.build import build_system
from prosecheck.report.attention import attention_rows
from prosecheck.report.html.browser import HEIGHT, WIDTH, browser, browser_missing, viewport_png, write_screenshot
from prosecheck.report.html.views import page_names
from prosecheck.report.world_state import initial_state, trace_states
from prosecheck.scenarios.catalog import SCENARIOS
from prosecheck.trace_steps import describe_slot
from prosecheck.verify import check_scenario

SCENARIO_IDS = ["m200", "m300.panf_udm", "m200@pc5_attacker"]
HOSTILE = "<script>window.pwned = 1</script> & \"quoted\" <b>bold</b>"

needs_browser = pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The report of the three small scenarios and a scenario file with markup in its note and statement."""
    folder = tmp_path_factory.mktemp("report")
    hostile = folder / "hostile.toml"
    hostile.write_text(
        'id = "m200.hostile"\nprocedure = "m200"\n'
        f"note = '{HOSTILE}'\n"
        "[bounds]\nattempts = 1\nwithdrawals = 1\nrestores = 0\n"
        '[[properties]]\nid = "own_secured"\nkind = "sometimes"\n'
        f"statement = '{HOSTILE}'\n"
        "formula = 'remote_ue.state == \"secured\"'\n", encoding="utf-8")
    out = folder / "out"
    main(["report", *SCENARIO_IDS, "--scenario-file", str(hostile), "--quiet", "--out", str(out)])
    return out


def _links(page: Path) -> list[str]:
    return re.findall(r'href="([^"#]+)', page.read_text(encoding="utf-8"))


def test_the_pages_exist_and_link_to_each_other(report):
    index = report / "index.html"
    pages = sorted(p.name for p in (report / "scenario").iterdir())
    assert pages == sorted(f"{sid}.html" for sid in [*SCENARIO_IDS, "m200.hostile"])
    assert {link for link in _links(index)} == {"index.html", "diagrams.html", *(f"scenario/{p}" for p in pages)}
    for page in (report / "scenario").iterdir():
        assert set(_links(page)) == {"../index.html", "../diagrams.html"}
    for page in [index, report / "diagrams.html", *(report / "scenario").iterdir()]:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and "<link" not in text and " src=" not in text, page
        assert not re.search(r"https?://(?!www\.w3\.org/(2000/svg|1999/xlink))", text), page  # namespaces only


def test_the_index_has_the_summary_attention_rows_and_every_column(report):
    text = (report / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="summary" id="summary">4 scenarios, [\d,]+ states, exhaustive: .*; exit \d+</p>', text)
    header = text.split('<table id="verdicts"', 1)[1].split("</thead>", 1)[0]
    results = [check_scenario(SCENARIOS[sid]) for sid in SCENARIO_IDS]
    for pid in results[0].properties:
        assert f'title="{pid}: ' in header, pid  # every property a column, none left out
    attention = text.split('id="attention-table"', 1)[1].split("</table>", 1)[0]
    assert attention.count("<tr class=") >= len(attention_rows(results))


def test_every_user_string_is_escaped(report):
    escaped = "&lt;script&gt;window.pwned = 1&lt;/script&gt; &amp; &#34;quoted&#34; &lt;b&gt;bold&lt;/b&gt;"
    page = (report / "scenario" / "m200.hostile.html").read_text(encoding="utf-8")
    assert f"note: {escaped}" in page and escaped in page.split('class="properties"', 1)[1]
    for path in [report / "index.html", report / "diagrams.html", *(report / "scenario").iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert "window.pwned" not in text.replace("&lt;script&gt;window.pwned", ""), path
        assert "<b>bold" not in text, path
    assert escaped in (report / "index.html").read_text(encoding="utf-8")  # the statement in the column legend


def test_page_names_stay_inside_the_folder_and_never_collide():
    class R:  # only .scenario.id is read
        def __init__(self, sid):
            self.scenario = type("S", (), {"id": sid})()

    names = page_names([R("a/b"), R("a_b"), R("../x"), R("A_B")])
    assert list(names.values()) == ["a_b.html", "a_b-2.html", "_._x.html", "A_B-3.html"]


def test_the_state_at_each_step_is_the_world_the_search_reached():
    """The explorer's full state (initial world + each step's changes) equals the explored world."""
    r = check_scenario(SCENARIOS["m200@pc5_attacker"], keep_exploration=True)
    exploration = r.exploration
    assert exploration is not None
    system = build_system(r.scenario)
    initial = initial_state(r.scenario)
    assert initial is not None and len(initial) == system.link_base
    traced = [p for p in r.properties.values() if p.verdict == "VIOLATED" and p.trace and not p.tail]
    assert traced
    for p in traced:
        assert p.trace is not None and p.world is not None
        path = exploration.path_to(p.world)
        for world_index, state in zip(path[1:], trace_states(initial, p.trace), strict=True):
            world = exploration.worlds[world_index]
            assert state == {name: describe_slot(system, name, system.value(world, slot))
                             for name, slot in system.slots.items() if slot < system.link_base}


def test_report_rejects_an_out_path_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["report", "m200", "--quiet", "--out", str(target)]) == 2
    assert "is not a directory" in capsys.readouterr().err


# -- in Chromium --------------------------------------------------------------------------------

def _column(driver, index: int) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#verdicts tbody tr')).filter(r => !r.hidden)"
        ".map(r => r.cells[arguments[0]].textContent.trim())", index)


@needs_browser
def test_the_index_fits_1280_px_and_its_table_sorts_and_filters(report):
    from selenium.webdriver.common.by import By

    with browser() as driver:
        driver.get((report / "index.html").as_uri())
        assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
        box = driver.find_element(By.CSS_SELECTOR, ".verdict-box")
        assert driver.execute_script("return arguments[0].scrollWidth", box) > WIDTH  # the wide table scrolls inside
        first = driver.find_element(By.CSS_SELECTOR, "#verdicts tbody th.sticky")
        threats = driver.find_element(By.CSS_SELECTOR, "#verdicts tbody td")
        left, threats_left = first.rect["x"], threats.rect["x"]
        driver.execute_script("arguments[0].scrollLeft = 600", box)
        assert threats.rect["x"] < threats_left - 500  # the table moved inside its box
        assert abs(first.rect["x"] - left) <= 1  # the scenario column stays where it was
        driver.execute_script("arguments[0].scrollLeft = 0", box)
        assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0

        states = driver.find_element(By.XPATH, "//table[@id='verdicts']//th[text()='states']")
        states.click()
        counts = [int(v) for v in _column(driver, 2)]
        assert counts == sorted(counts) and states.get_attribute("aria-sort") == "ascending"
        states.click()
        assert [int(v) for v in _column(driver, 2)] == sorted(counts, reverse=True)
        driver.find_element(By.XPATH, "//table[@id='verdicts']//th[text()='scenario']").click()
        assert _column(driver, 0) == sorted(_column(driver, 0), key=str.lower)

        driver.find_element(By.ID, "filter").send_keys("pc5")
        assert _column(driver, 0) == ["m200@pc5_attacker"]
        assert driver.find_element(By.ID, "shown").text == "1 of 4 scenarios"
        driver.find_element(By.ID, "filter").clear()
        driver.execute_script("document.getElementById('filter').dispatchEvent(new Event('input'))")
        assert len(_column(driver, 0)) == 4
        driver.find_element(By.ID, "only-attention").click()
        flagged = {e.text for e in driver.find_elements(By.CSS_SELECTOR, "#attention-table tbody th")}
        assert set(_column(driver, 0)) == flagged and "m300.panf_udm" not in flagged


def _selected(driver) -> tuple[str, set[str]]:
    """The selected step in the list, and the steps of the chart's highlighted rows."""
    first = "document.querySelector('section.explorer')"  # the page's first counterexample
    step = driver.execute_script(f"return {first}.querySelector('li.selected').dataset.step")
    rows = driver.execute_script(
        f"return Array.from({first}.querySelectorAll('svg g.row.selected'))"
        ".map(g => [g.dataset.step, g.dataset.recv || ''])")
    return step, {s for pair in rows for s in pair if s}


@needs_browser
def test_the_trace_explorer_steps_through_a_counterexample(report):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with browser() as driver:
        driver.get((report / "scenario" / "m200.html").as_uri())
        assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
        step, rows = _selected(driver)
        assert step == "1" and "1" in rows
        variables = len(build_system(SCENARIOS["m200"]).slots)
        first_explorer = driver.find_element(By.CSS_SELECTOR, "section.explorer")
        assert len(first_explorer.find_elements(By.CSS_SELECTOR, "table.state tbody tr")) == variables
        driver.find_element(By.CSS_SELECTOR, "section.explorer button.next").click()
        step, rows = _selected(driver)
        assert step == "2" and "2" in rows and "1" not in driver.execute_script(
            "return Array.from(document.querySelector('section.explorer').querySelectorAll('svg g.row.selected'))"
            ".map(g => g.dataset.recv || g.dataset.step)")
        changed = driver.execute_script("return Array.from(document.querySelector('section.explorer')"
                                        ".querySelectorAll('table.state tr.changed')).map(r => r.cells[0].textContent)")
        first = next(p for p in check_scenario(SCENARIOS["m200"]).properties.values()
                     if p.verdict == "VIOLATED" and p.trace)
        assert first.trace is not None and changed and set(changed) == set(first.trace[1].changes)
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        assert _selected(driver)[0] == "3"
        driver.find_element(By.CSS_SELECTOR, "section.explorer button.prev").click()
        assert _selected(driver)[0] == "2"
        assert driver.find_element(By.CSS_SELECTOR, "section.explorer .pos .cur").text == "2"


@needs_browser
def test_the_hostile_scenario_runs_no_script(report):
    with browser() as driver:
        for page in (report / "index.html", report / "scenario" / "m200.hostile.html"):
            driver.get(page.as_uri())
            assert driver.execute_script("return window.pwned === undefined")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH


@needs_browser
def test_the_screenshot_is_a_small_png_of_the_index(tmp_path, report):
    shot = write_screenshot(tmp_path / "report.png")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and 20_000 < len(data) < 200_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == WIDTH and 300 < height <= HEIGHT
    with browser() as driver:
        driver.get((report / "index.html").as_uri())
        assert viewport_png(driver).startswith(b"\x89PNG")
