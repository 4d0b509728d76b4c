"""backward_steps(root, practice=True): the questions the practice page asks, and the page's
markup. The answers are checked against hand-derived values, sympy, and a plain backward()
on an identical twin graph; the page in a browser is tests/test_render_steps_practice_browser.py.
"""

import base64
import hashlib
import math
import re

import pytest
import sympy
from hypothesis import given, settings

import autograd_lite as ag
from autograd_lite import Value, backward_steps
from autograd_lite.render.steps.practice import ABS_TOL, REL_TOL
from autograd_lite.testing.strategies import expressions

from render_support import fresh_diamond
from test_render_steps import bits, renderer_env  # noqa: F401  (renderer_env is a fixture)
from test_render_steps_hostile import TABLE_LINK, Markup, assert_page_injects_nothing, op_graph


def asked(recorded):
    """(kind, receiver's name, consumer's name or None, answer) per question, in order."""
    steps, names = recorded.steps, recorded.names
    return [(q.kind, names[steps[q.step].receiver],
             names[steps[q.step].consumer] if q.kind == "contribution" else None, q.answer)
            for q in recorded.questions]


# --- which questions, and their answers -----------------------------------------------------


def test_the_diamond_asks_every_contribution_and_the_total_where_x_fans_out():
    # x = 3, u = 2x = 6, v = x**2 = 9, L = u*v. By hand: L gives u v = 9 and v u = 6; v gives
    # x 2x * 6 = 36; u gives x 2 * 9 = 18, and x (two uses) is complete: 36 + 18 = 54; u gives
    # the constant 2 (v1) x * 9 = 27.
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L, practice=True)
    assert asked(recorded) == [
        ("contribution", "u", "L", 9.0), ("contribution", "v", "L", 6.0), ("contribution", "x", "v", 36.0),
        ("contribution", "x", "u", 18.0), ("total", "x", None, 54.0), ("contribution", "v1", "u", 27.0)]
    assert x.grad == 54.0 and u.grad == 9.0 and v.grad == 6.0  # the engine ran, once
    assert recorded.practice and "practice: 6 questions" in repr(recorded)


def test_the_texts_name_the_factors_and_the_solution_gives_the_numbers():
    x, u, v, L = fresh_diamond()
    q = backward_steps(L, practice=True).questions
    assert q[3].prompt == "What does u add to x.grad? (local derivative × grad)"
    assert q[3].hint == ("u adds ∂u/∂x × u.grad: the derivative of u's op (*) with respect to this "
                         "input, x, at the data in the boxes, times u.grad, the complete grad shown in u's box.")
    assert q[3].solution == "u adds 18.0000 to x.grad: ∂u/∂x = 2 times u.grad = 9."
    assert q[4].prompt == "What is dL/dx, x's total derivative?"
    assert q[4].hint.startswith("dL/dx is the sum of the contributions from x's 2 uses")
    assert q[4].solution == "dL/dx = 36 + 18 = 54."


def test_no_hint_gives_a_number():
    x, u, v, L = fresh_diamond()
    for question in backward_steps(L, practice=True).questions:
        # Names (v1), ops (**2) and the count of uses hold digits; any other number is a value.
        text = re.sub(r"op \([^)]*\)|\d+ uses", "", question.hint)
        assert re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text) == [], question.hint


def test_totals_match_sympy_and_a_leaf_used_once_gets_no_total_question():
    # f = x*y + sin(x): x fans out (2 uses), y does not.
    xs, ys = sympy.symbols("x y")
    f = xs * ys + sympy.sin(xs)
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    out = x * y + x.sin()
    recorded = backward_steps(out, practice=True)
    totals = {receiver: answer for kind, receiver, _, answer in asked(recorded) if kind == "total"}
    want = float(sympy.diff(f, xs).subs({xs: 0.7, ys: -1.3}))
    assert set(totals) == {"x"} and math.isclose(totals["x"], want, rel_tol=1e-12)
    (dy,) = [answer for kind, receiver, _, answer in asked(recorded) if receiver == "y"]
    assert math.isclose(dy, float(sympy.diff(f, ys).subs({xs: 0.7, ys: -1.3})), rel_tol=1e-12)


@settings(derandomize=True, max_examples=60)
@given(expressions(max_size=8, sharing=0.5))
def test_every_step_is_asked_and_the_answers_are_the_engines_grads(ex):
    leaves = [Value(x) for x in ex.inputs]
    recorded = backward_steps(ex(*leaves), practice=True, max_nodes=10_000)
    twin_leaves = [Value(x) for x in ex.inputs]
    twin_out = ex(*twin_leaves)
    twin_out.backward()
    twin = ag.topological_order(twin_out)
    steps = recorded.steps
    contributions = [q for q in recorded.questions if q.kind == "contribution"]
    assert [q.step for q in contributions] == list(range(1, len(steps)))  # every += once, in order
    for q in contributions:
        step = steps[q.step]
        assert bits([q.answer]) == bits([0.0 if step.masked else step.local * twin[step.consumer].grad])
    # A total for exactly the values used more than once: the engine's grad, bit for bit.
    uses = {}
    for node in twin:
        for parent in node.parents:
            uses[parent] = uses.get(parent, 0) + 1
    totals = {steps[q.step].receiver: q.answer for q in recorded.questions if q.kind == "total"}
    assert set(totals) == {i for i, node in enumerate(twin) if uses.get(node, 0) > 1}
    assert bits(totals.values()) == bits(twin[i].grad for i in totals)


def test_a_flat_op_contributes_zero_and_the_solution_says_why():
    w = Value(-1.0, label="w")
    r = w.relu()
    r.label = "r"
    L = r * 3.0
    L.label = "L"
    (question,) = [q for q in backward_steps(L, practice=True).questions if "w.grad" in q.prompt]
    assert question.answer == 0.0
    assert question.solution == ("r adds nothing to w.grad: ∂r/∂w = 0 (its op is flat there), so the "
                                 "contribution is 0 whatever r.grad is.")


def test_the_tolerance_is_a_thousandth_relative_and_a_millionth_absolute():
    assert (REL_TOL, ABS_TOL) == (1e-3, 1e-6)  # as docs/drawing.md states; the browser test checks the page


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("practice", ["yes", 1, None, 1.0])
def test_practice_must_be_a_bool_and_a_bad_one_runs_nothing(practice):
    x, u, v, L = fresh_diamond()
    with pytest.raises(TypeError, match=r"practice must be True or False, got .* \((str|int|NoneType|float)\)"):
        backward_steps(L, practice=practice)
    assert x.grad == 0.0 and L.grad == 0.0


# --- the page -------------------------------------------------------------------------------


def test_the_page_has_a_labelled_answer_box_a_score_and_only_its_own_script(renderer_env):
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L, practice=True)
    page = recorded.html()
    assert page.startswith("<!DOCTYPE html>") and "<title>backward() on L: practise the chain rule</title>" in page
    (answer_id,) = re.findall(r'<input id="([^"]+)" type="text"', page)
    assert f'<label for="{answer_id}">' in page  # the prompt is the box's label
    assert ">Check</button>" in page and ">Reveal</button>" in page
    assert "Score: 0 right first try · 0 right after a hint · 0 revealed · 6 to go" in page
    assert re.findall(r"""(?:src|href)\s*=""", page) == []
    own_script = assert_page_injects_nothing(page).scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(own_script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in page and "default-src 'none'" in page  # only its own script
    assert_page_injects_nothing(recorded._repr_html_())
    assert recorded._repr_html_().startswith('<div class="ag-steps ag-practice"')
    assert recorded.html() == page  # the same steps save the same bytes


@pytest.mark.parametrize("label", ["<script>alert(1)</script>", "</script><img src=x onerror=alert(1)>",
                                   TABLE_LINK, "x\udcff & \\"])
def test_hostile_labels_and_op_names_stay_text_in_the_questions(renderer_env, label):
    L, _ = op_graph(label)  # a custom op named like the label
    L.parents[1].label = label  # and x labelled so
    recorded = backward_steps(L, practice=True)
    page = recorded.html()
    page.encode("utf-8")  # a lone surrogate is shown as its escape, so the page can be saved
    markup = assert_page_injects_nothing(page)
    assert [tag for tag in markup.tags if tag in ("img", "table", "a")] == []
    data = markup.scripts[0][1]
    assert "<" not in data  # the JSON cannot end its element early (written as \\u003c)
    shown = label.replace("\udcff", "\\udcff")
    assert any(q.prompt.startswith(f"What does y add to {shown}.grad?") for q in recorded.questions)
    assert any(f"y's op ({shown})" in q.hint for q in recorded.questions)


def test_save_writes_the_practice_page_and_refuses_other_extensions(renderer_env, tmp_path):
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L, practice=True)
    with pytest.raises(ValueError, match=r"\.html"):
        recorded.save(tmp_path / "practice.svg")
    assert recorded.save(tmp_path / "practice.html") == str(tmp_path / "practice.html")
    assert [p.name for p in tmp_path.iterdir()] == ["practice.html"]
    assert "ag-practice" in (tmp_path / "practice.html").read_text(encoding="utf-8")
