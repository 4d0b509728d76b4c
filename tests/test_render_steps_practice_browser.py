"""The practice page in a real headless Chromium: typing right and wrong answers, the hints,
Reveal, the score, the keys, focus and labels. The diamond's answers are derived by hand in
tests/test_render_steps_practice.py: 9, 6, 36, 18, the total 54, then 27.

Same requirements as tests/test_render_steps_browser.py (Debian's chromium, playwright).
"""

import pytest

from autograd_lite import Value, backward_steps
from autograd_lite.render.renderer import ENV_VAR

from render_support import fresh_diamond, graphviz_pure_path
from test_render_steps import svg_state
from test_render_steps_browser import browser, page_state  # noqa: F401  (browser is a fixture)

FIRST = "What does L add to u.grad? (local derivative × grad)"


def open_page(browser, recorded, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1000, "height": 750})
    problems, requests = [], []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("request", lambda request: requests.append(request.url))
    url = "file://" + recorded.save(tmp_path / "practice.html")
    page.goto(url)
    return page, problems, requests, url


@pytest.fixture
def pure(monkeypatch):
    path = graphviz_pure_path()
    if path is None:
        pytest.fail("graphviz-pure is not installed; `pip install -e .` should install it")
    monkeypatch.setenv(ENV_VAR, path)


@pytest.fixture
def diamond(browser, pure, tmp_path):  # noqa: F811
    recorded = backward_steps(fresh_diamond()[3], practice=True)
    page, problems, requests, url = open_page(browser, recorded, tmp_path)
    yield page, recorded, problems
    assert problems == []  # the page's own script ran and broke no policy
    assert requests == [url]  # it loads nothing
    page.close()


def counter(page):
    return page.locator(".counter").text_content()


def answer(page, text):
    """Type ``text`` into the focused answer box and press Enter."""
    box = page.locator(".ask input")
    box.fill(text)
    box.press("Enter")


def score(page):
    return page.locator(".score").text_content()


def test_a_right_answer_shows_the_step_as_the_normal_page_does(diamond):
    page, recorded, problems = diamond
    page.get_by_role("button", name="Next").click()  # from the seed to the first question
    box = page.get_by_label(FIRST)  # the prompt labels the box
    assert box.is_visible() and page.evaluate("() => document.activeElement.type") == "text"
    assert page.get_by_role("button", name="Next").is_disabled()  # no skipping a question
    assert page.locator(".drawing g#n2 text").all_text_contents()[2] == "grad (waiting)"  # u: withheld
    # As on the normal page: the use being added orange (L's input 0, edge e4_0), u yellow.
    colours = page.evaluate("""() => [document.querySelector(".drawing g#e4_0 path").getAttribute("stroke"),
                                      document.querySelector(".drawing g#n2 polygon").getAttribute("fill")]""")
    assert colours == ["#D55E00", "#ffe599"]
    answer(page, "9")
    assert counter(page) == "step 2 / 6"
    assert page.locator(".feedback").text_content() == "✓ Right, first try."
    assert page.locator(".caption").text_content() == recorded.captions[1]
    wanted = svg_state(recorded.frames[1])
    assert {g: texts for g, (texts, _) in page_state(page).items()} == wanted[2]
    assert score(page) == "Score: 1 right first try · 0 right after a hint · 0 revealed · 5 to go"
    assert page.evaluate("() => document.activeElement.textContent") == "Next"  # Enter goes on


def test_a_wrong_answer_gets_a_hint_naming_both_factors_but_no_number(diamond):
    page, recorded, problems = diamond
    page.keyboard.press("ArrowRight")
    answer(page, "6")  # ∂L/∂v, not ∂L/∂u
    hint = page.locator(".hint").text_content()
    assert hint == ("Not 6. L adds ∂L/∂u × L.grad: the derivative of L's op (*) with respect to this "
                    "input, u, at the data in the boxes, times L.grad, the complete grad shown in L's box.")
    assert "9" not in hint
    assert counter(page) == "step 2 / 6" and page.locator(".ask input").is_visible()  # still asking
    answer(page, "nine")  # not a number: said so, and not counted as a try
    assert page.locator(".hint").text_content().startswith("Type a number, such as 18, -0.25 or 1.5e-3.")
    answer(page, "9.0")
    assert page.locator(".feedback").text_content() == "✓ Right (after a hint)."
    assert score(page) == "Score: 0 right first try · 1 right after a hint · 0 revealed · 5 to go"


def test_text_that_is_not_a_number_is_not_counted_as_a_try(diamond):
    page, recorded, problems = diamond
    page.keyboard.press("ArrowRight")
    answer(page, "nine")
    assert page.locator(".hint").text_content() == "Type a number, such as 18, -0.25 or 1.5e-3."
    answer(page, "9")
    assert score(page) == "Score: 1 right first try · 0 right after a hint · 0 revealed · 5 to go"


def test_reveal_shows_the_step_and_counts_as_revealed(diamond):
    page, recorded, problems = diamond
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Reveal").click()
    assert counter(page) == "step 2 / 6"
    assert page.locator(".caption").text_content() == recorded.captions[1]
    assert {g: texts for g, (texts, _) in page_state(page).items()} == svg_state(recorded.frames[1])[2]
    assert score(page) == "Score: 0 right first try · 0 right after a hint · 1 revealed · 5 to go"


def test_the_total_at_a_fan_out_is_asked_with_its_terms_shown_and_the_score_kept_to_the_end(diamond):
    page, recorded, problems = diamond
    for typed in ["9", "6", "35", "36"]:  # 35 is wrong: a hint, then right
        page.keyboard.press("ArrowRight") if page.locator(".ask").is_hidden() else None
        answer(page, typed)
    page.keyboard.press("Enter")  # Next has focus after a right answer
    assert page.get_by_label("What does u add to x.grad? (local derivative × grad)").is_visible()
    answer(page, "18")
    # x has heard from both uses: its box shows the terms, the sum is withheld.
    assert page.locator(".drawing g#n0 text").all_text_contents() == ["x", "data 3.0000", "grad ? = 36.0000 + 18.0000"]
    assert page.locator(".caption").text_content() == (
        "u adds 18.0000 to x.grad: ∂u/∂x = 2 times u.grad = 9. x has now heard from all 2 of its uses; "
        "its box shows their contributions.")
    answer(page, "18")  # one term, not the sum
    assert "the sum of the contributions from x's 2 uses" in page.locator(".hint").text_content()
    answer(page, "54")
    assert page.locator(".drawing g#n0 text").all_text_contents() == [
        "x ✓", "data 3.0000", "grad 54.0000 = 36.0000 + 18.0000"]
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Reveal").click()
    assert counter(page) == "step 6 / 6" and page.get_by_role("button", name="Next").is_disabled()
    assert score(page) == "Done: 6 questions, 3 right first try, 2 right after a hint, 1 revealed."
    assert page.locator(".feedback").text_content() == (
        "Revealed: the step is drawn below, and the caption explains it. "
        "That was the last question: your score is above.")
    assert page.locator(".caption").text_content() == recorded.captions[5]


@pytest.mark.parametrize("typed, right", [("18.017", True), ("17.983", True), ("18.019", False),
                                          ("1.8e1", True), ("−18", False), ("+18", True)])
def test_right_means_within_a_thousandth_of_the_answer(diamond, typed, right):
    page, recorded, problems = diamond
    for given in ["9", "6", "36"]:
        page.keyboard.press("ArrowRight")
        answer(page, given)
    page.keyboard.press("ArrowRight")  # the question whose answer is 18
    answer(page, typed)
    # Right: on to the total at x (18 was x's last use). Wrong: the same question, with a hint.
    assert page.locator(".ask label").text_content() == (
        "What is dL/dx, x's total derivative?" if right else "What does u add to x.grad? (local derivative × grad)")
    assert page.locator(".feedback").text_content() == ("✓ Right, first try." if right else "")
    assert page.locator(".hint").text_content().startswith("" if right else f"Not {typed}. u adds ∂u/∂x × u.grad")


@pytest.mark.parametrize("typed, right", [("0", True), ("-0", True), ("0.0000005", True), ("0.00001", False)])
def test_an_answer_of_zero_is_right_within_a_millionth(browser, pure, tmp_path, typed, right):  # noqa: F811
    w = Value(-1.0, label="w")
    r = w.relu()  # relu'(-1) = 0: w receives nothing
    r.label = "r"
    L = r * 3.0
    L.label = "L"
    recorded = backward_steps(L, practice=True)
    page, problems, _, _ = open_page(browser, recorded, tmp_path)
    for _ in range(len(recorded.questions)):  # reveal the others, up to the question about w
        page.keyboard.press("ArrowRight")
        if page.get_by_label("What does r add to w.grad? (local derivative × grad)").is_visible():
            break
        page.get_by_role("button", name="Reveal").click()
    answer(page, typed)
    assert page.locator(".feedback").text_content() == (
        "✓ Right, first try. That was the last question: your score is above." if right else "")
    assert problems == []
    page.close()


def test_arrow_keys_move_back_and_forth_but_not_past_an_open_question(diamond):
    page, recorded, problems = diamond
    page.keyboard.press("ArrowRight")
    assert counter(page) == "step 2 / 6" and page.get_by_label(FIRST).is_visible()
    page.keyboard.press("ArrowRight")  # the question is open: it stays
    assert page.get_by_label(FIRST).is_visible()
    page.keyboard.type("9")
    page.keyboard.press("ArrowLeft")  # with text in the box the arrows move the caret
    assert page.get_by_label(FIRST).is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowLeft")  # back to the answered question: its record, no box
    assert page.locator(".hint").text_content() == (
        "You answered 9 (right first try). L adds 9.0000 to u.grad: ∂L/∂u = 9 times L.grad = 1.")
    assert page.locator(".ask input").is_hidden()
    page.keyboard.press("ArrowLeft")
    assert counter(page) == "step 1 / 6" and page.locator(".ask").is_hidden()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.get_by_label("What does L add to v.grad? (local derivative × grad)").is_visible()
    assert page.evaluate("() => document.activeElement.type") == "text"  # arriving at a question focuses its box


def test_focus_is_visible_on_the_box_and_the_buttons(diamond):
    page, recorded, problems = diamond
    page.keyboard.press("ArrowRight")
    answer(page, "9")
    outline = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return [e.textContent, e.matches(":focus-visible"), s.outlineStyle, s.outlineWidth]; }""")
    assert outline == ["Next", True, "solid", "3px"]
    page.keyboard.press("Enter")
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.type, s.outlineStyle, s.outlineWidth]; }""")
    assert outline == ["text", "solid", "3px"]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Check"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Reveal"


def test_inline_in_a_notebook_the_page_works_without_the_saved_pages_policy(browser, pure):  # noqa: F811
    recorded = backward_steps(Value(2.0, label="a") * Value(3.0, label="b"), practice=True)
    page = browser.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.set_content(f"<!DOCTYPE html><html><body>{recorded._repr_html_()}</body></html>")
    page.get_by_role("button", name="Next").click()
    answer(page, "3")  # ∂(a*b)/∂a = b = 3, times the seed 1
    assert page.locator(".feedback").text_content() == "✓ Right, first try."
    assert problems == []
    page.close()


def test_hostile_labels_read_as_text_in_the_questions(browser, pure, tmp_path):  # noqa: F811
    x = Value(2.0, label="<b>x</b><img src=x onerror=alert(1)>")
    L = x * 3.0
    L.label = "<script>alert(2)</script>"
    recorded = backward_steps(L, practice=True)
    page, problems, requests, url = open_page(browser, recorded, tmp_path)
    page.keyboard.press("ArrowRight")
    prompt = "What does <script>alert(2)</script> add to <b>x</b><img src=x onerror=alert(1)>.grad?"
    assert page.locator(".ask label").text_content().startswith(prompt)
    answer(page, "1")  # wrong: 3
    assert "∂<script>alert(2)</script>/∂<b>x</b><img src=x onerror=alert(1)>" in page.locator(".hint").text_content()
    assert page.locator(".ag-steps b, .ag-steps img").count() == 0
    assert problems == [] and requests == [url]
    page.close()
