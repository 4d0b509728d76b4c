"""The step-through page with hostile strings, in a real headless Chromium: a custom op named
like an HTML-like label with a ``javascript:`` link is shown as text and makes no link, and
the page's content security policy lets only its own script run."""

import re

import pytest

from autograd_lite.render.renderer import ENV_VAR

from render_support import graphviz_pure_path
from test_render_steps_browser import browser  # noqa: F401  (a fixture)
from test_render_steps_hostile import TABLE_LINK, op_graph, recorded_strictly

HOSTILE_NAMES = [TABLE_LINK, "<my op>", "ends with \\", "x\udcff"]


@pytest.fixture
def pure(monkeypatch):
    path = graphviz_pure_path()
    if path is None:
        pytest.fail("graphviz-pure is not installed; `pip install -e .` should install it")
    monkeypatch.setenv(ENV_VAR, path)


def open_page(browser, path):  # noqa: F811
    """The page at ``path`` with every console message and page error recorded."""
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    messages = []
    page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
    page.on("console", lambda message: messages.append(f"console {message.type}: {message.text}"))
    page.goto("file://" + str(path))
    return page, messages


LINKS_AND_HANDLERS = """() => [...document.querySelectorAll("*")].flatMap(element =>
    [...element.attributes].filter(a => /href|^on/i.test(a.name) || /javascript:/i.test(a.value)
                                        && a.name !== "data-label")
    .map(a => element.tagName + " " + a.name + "=" + a.value))"""


@pytest.mark.parametrize("text", HOSTILE_NAMES, ids=["table-link", "my-op", "trailing-backslash", "lone-surrogate"])
def test_a_hostile_op_name_reads_as_text_in_the_browser_and_makes_no_link(browser, pure, tmp_path, text):  # noqa: F811
    L, y = op_graph(text)
    recorded = recorded_strictly(L)
    page, messages = open_page(browser, recorded.save(tmp_path / "steps.html"))
    op = page.locator(f".drawing g#n{y}op text")
    wanted = text.replace("\udcff", "\\udcff")  # as draw_graph shows a lone surrogate
    for k in range(len(recorded)):
        assert page.locator(".counter").text_content() == f"step {k + 1} / {len(recorded)}"
        assert op.all_text_contents() == [wanted]
        assert page.locator("a").count() == 0
        assert page.evaluate(LINKS_AND_HANDLERS) == []
        page.get_by_role("button", name="Next").click() if k + 1 < len(recorded) else None
    assert messages == []  # the page's own script ran, and broke no policy
    page.close()


def test_the_policy_runs_the_pages_script_and_no_injected_one(browser, pure, tmp_path):  # noqa: F811
    L, _ = op_graph("f")
    text = recorded_strictly(L).html()
    # What an injection would look like, were escaping ever to fail: an inline script, an
    # event handler and a javascript: link, all as if from a label inside the page's body.
    injected = ('<script>window.viaScript = true</script>'
                '<svg><a id="evil" href="javascript:void(window.viaLink = true)"><text y="20">evil</text></a>'
                '</svg><img src="data:," onerror="window.viaHandler = true" onload="window.viaHandler = true">')
    text = text.replace('<div class="drawing">', '<div class="drawing">' + injected, 1)
    path = tmp_path / "injected.html"
    path.write_text(text, encoding="utf-8")
    page, messages = open_page(browser, path)
    page.locator("#evil").click()
    page.wait_for_timeout(200)
    ran = page.evaluate("() => [window.viaScript, window.viaHandler, window.viaLink]")
    assert ran == [None, None, None]
    refused = [m for m in messages if "Content Security Policy" in m]
    assert len(refused) >= 3, messages  # the script, the handler and the link, each refused
    # The page's own script (allowed by its hash) still runs: the buttons move the steps.
    assert page.locator(".counter").text_content() == "step 1 / 4"
    page.get_by_role("button", name="Next").click()
    assert page.locator(".counter").text_content() == "step 2 / 4"
    page.close()


def test_a_page_with_hostile_labels_shows_them_as_written(browser, pure, tmp_path):  # noqa: F811
    L, y = op_graph(TABLE_LINK)
    x = L.parents[1]
    x.label = "<b>x</b> & \\"  # a hostile label too
    recorded = recorded_strictly(L)
    page, messages = open_page(browser, recorded.save(tmp_path / "steps.html"))
    assert page.title() == "backward() on L, step by step"
    for _ in range(len(recorded) - 1):
        page.get_by_role("button", name="Next").click()
    assert page.locator(f".drawing g#n{y}op text").all_text_contents() == [TABLE_LINK]
    assert page.locator(".drawing g#n0 text").first.text_content() == "<b>x</b> & \\ \u2713"
    assert page.locator(".caption").text_content().startswith("<b>x</b> & \\ receives ")
    assert page.locator(".drawing b, .drawing table").count() == 0
    assert messages == []
    page.close()
