"""The step-through page in a real headless Chromium: buttons, keys, slider, counter, captions.

Needs Debian's ``chromium`` and Python's ``playwright`` (no browser download: the system
browser is launched by path). Under CI (``CI=true``) a missing browser is a failure;
elsewhere the tests skip and say what to install.
"""

import os
import shutil

import pytest

from autograd_lite import Value, backward_steps
from autograd_lite.render.renderer import ENV_VAR

from extras_support import missing
from render_support import fresh_diamond, graphviz_pure_path
from test_render_steps import svg_state

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def chromium_path():
    """The browser to launch: $AUTOGRAD_LITE_CHROMIUM, else Debian's chromium on PATH."""
    return shutil.which(os.environ.get("AUTOGRAD_LITE_CHROMIUM") or "chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed: pip install -e '.[test]'")
    executable = chromium_path()
    if executable is None:
        missing("no chromium on PATH: apt-get install chromium (or set AUTOGRAD_LITE_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def opened(browser, tmp_path, monkeypatch):
    """The diamond's page (6 steps), opened from disk, with every error and request recorded."""
    pure = graphviz_pure_path()
    if pure is not None:
        monkeypatch.setenv(ENV_VAR, pure)
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L)
    path = recorded.save(tmp_path / "steps.html")
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    problems, requests = [], []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("request", lambda request: requests.append(request.url))
    url = "file://" + str(path)
    page.goto(url)
    yield page, recorded.captions, problems, requests, url, recorded
    page.close()


def shown(page):
    """(counter text, the caption shown)."""
    return page.locator(".counter").text_content(), page.locator(".caption").text_content()


def test_buttons_keys_and_slider_move_through_the_steps(opened):
    page, captions, problems, requests, url, recorded = opened
    assert shown(page) == ("step 1 / 6", captions[0])
    assert page.get_by_role("button", name="Previous").is_disabled()

    page.get_by_role("button", name="Next").click()
    assert shown(page) == ("step 2 / 6", captions[1])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert shown(page) == ("step 4 / 6", captions[3])
    page.keyboard.press("ArrowLeft")
    assert shown(page) == ("step 3 / 6", captions[2])
    page.get_by_role("button", name="Previous").click()
    assert shown(page) == ("step 2 / 6", captions[1])

    slider = page.get_by_role("slider", name="Step")
    slider.fill("5")
    assert shown(page) == ("step 5 / 6", captions[4])
    slider.focus()
    page.keyboard.press("ArrowRight")  # the slider's own key: one step, not two
    assert shown(page) == ("step 6 / 6", captions[5])
    assert page.get_by_role("button", name="Next").is_disabled()
    page.keyboard.press("ArrowRight")
    assert shown(page)[0] == "step 6 / 6"

    assert problems == []
    assert requests == [url]  # the page itself, nothing else


def test_two_step_throughs_on_one_page_keep_their_keys_apart(browser, tmp_path, opened):
    # A notebook shows several inline: the arrow keys move only the one in focus.
    recorded = backward_steps(Value(2.0, label="a") * Value(3.0, label="b"))
    # A fresh page: set_content on the saved one would keep its CSP, which allows only its script.
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    body = recorded._repr_html_()
    page.set_content(f"<!DOCTYPE html><html><body>{body}{body.replace('ag-steps-', 'ag-steps-x')}</body></html>")
    counters = page.locator(".counter")
    assert counters.all_text_contents() == ["step 1 / 3", "step 1 / 3"]
    page.locator("button.next").nth(1).click()
    page.keyboard.press("ArrowRight")
    assert counters.all_text_contents() == ["step 1 / 3", "step 3 / 3"]
    page.locator(".drawing").nth(0).click()
    page.keyboard.press("ArrowRight")
    assert counters.all_text_contents() == ["step 2 / 3", "step 3 / 3"]
    assert problems == opened[2] == []
    page.close()


def test_the_drawing_stays_in_place_on_screen_from_step_to_step(opened):
    page, captions, problems, requests, url, recorded = opened
    page.set_viewport_size({"width": 700, "height": 700})  # narrow: captions wrap to 2-3 lines
    boxes = []
    for _ in range(len(captions)):
        boxes.append(page.locator(".drawing svg").bounding_box())
        page.keyboard.press("ArrowRight")
    assert all(box == boxes[0] for box in boxes), boxes
    assert boxes[0]["x"] + boxes[0]["width"] <= 700  # scaled to fit: the whole graph is visible


def test_the_step_shows_the_running_sum_in_the_receiving_box(opened):
    page, captions, problems, requests, url, recorded = opened
    for _ in range(4):
        page.get_by_role("button", name="Next").click()
    # Step 5: x has its second contribution, 18 after 36 (see test_render_steps).
    texts = page.locator(".drawing g#n0 text").all_text_contents()
    assert texts == ["x ✓", "data 3.0000", "grad 54.0000 = 36.0000 + 18.0000"]
    assert problems == []


def test_every_step_shows_exactly_the_frame_python_drew(opened):
    # The page stores frames as patches of the first; applied in any order (forward, back,
    # jumping with the slider) they must give each frame's texts and colours.
    page, captions, problems, requests, url, recorded = opened
    wanted = [svg_state(frame) for frame in recorded.frames]
    for k in [0, 1, 2, 3, 4, 5, 4, 1, 5, 0, 3]:
        page.get_by_role("slider", name="Step").fill(str(k + 1))
        assert page.locator(".counter").text_content() == f"step {k + 1} / 6"
        for group_id, (texts, stroke) in page_state(page).items():
            assert (texts, stroke) == (wanted[k][2][group_id], wanted[k][3][group_id]), (k, group_id)
    assert problems == []


def page_state(page):
    """Per node/edge id in the page's drawing: its texts and its first shape's stroke."""
    return page.evaluate("""() => {
        const state = {};
        for (const group of document.querySelectorAll(".drawing g.node, .drawing g.edge")) {
            const shape = group.querySelector("polygon, path, ellipse, polyline");
            state[group.id] = [[...group.querySelectorAll("text")].map(t => t.textContent),
                               shape ? shape.getAttribute("stroke") : null];
        }
        return state;
    }""")
