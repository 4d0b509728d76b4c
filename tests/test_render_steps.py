"""backward_steps records backward as the engine runs it, and draws it on one fixed layout.

Orders and numbers are derived by hand in comments (from the algorithm documented in
autograd_lite/graph.py: a LIFO stack of complete nodes, parents visited in order) or come from
sympy; grads are compared bit for bit with a plain backward() on an identical twin graph.
"""

import gc
import math
import re
import weakref
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given

import autograd_lite as ag
from autograd_lite import Value, backward_steps
from autograd_lite.render import GraphTooLargeError
from autograd_lite.render.renderer import ENV_VAR, RendererNotFoundError
from autograd_lite.testing.oracle import exact_gradient
from autograd_lite.testing.strategies import expressions

from render_support import SVG, fresh_diamond




def bits(numbers):
    """Floats as exact hex strings: equal only when bit for bit equal (0.0 and -0.0 differ)."""
    return [float(x).hex() for x in numbers]


def final_totals(steps):
    """receiver position -> its running sum after its last step."""
    return {step.receiver: step.total for step in steps}


# --- what is recorded ---------------------------------------------------------------------


def test_diamond_steps_follow_the_engine_order_with_running_sums():
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L)
    names = recorded.names
    sequence = [(names[s.receiver], None if s.consumer is None else names[s.consumer]) for s in recorded.steps]
    # L (seed) gives u then v (its parents in order); both complete and are pushed; v is popped
    # first (LIFO) and gives x 6*6 = 36; then u gives x 9*2 = 18 (x complete) and the constant 2
    # (called v1: topological index 1) 9*3 = 27.
    assert sequence == [("L", None), ("u", "L"), ("v", "L"), ("x", "v"), ("x", "u"), ("v1", "u")]
    assert [s.total for s in recorded.steps] == [1.0, 9.0, 6.0, 36.0, 54.0, 27.0]
    assert [s.complete for s in recorded.steps] == [True, True, True, False, True, True]
    assert recorded.captions[3] == ("x receives 36.0000 from v (∂v/∂x = 6 times v.grad = 6). "
                                    "x waits for 1 more use; running sum 36.")
    assert recorded.captions[4] == ("x receives 18.0000 from u (∂u/∂x = 2 times u.grad = 9). "
                                    "x is complete (all 2 uses have contributed): dL/dx = 36 + 18 = 54.")
    assert "dL/dL" not in " ".join(recorded.captions)


def test_it_leaves_exactly_the_grads_of_backward():
    x, u, v, L = fresh_diamond()
    backward_steps(L)
    twin = fresh_diamond()
    twin[3].backward()
    assert bits(n.grad for n in (x, u, v, L)) == bits(n.grad for n in twin)


def test_leaves_accumulate_over_calls_as_with_backward():
    x, u, v, L = fresh_diamond()
    backward_steps(L)
    backward_steps(L)
    assert x.grad == 108.0  # 2 x 54, as two backward() calls give


def test_summation_order_is_the_engines_bit_for_bit():
    # x*a + x*b + x*c gives x three contributions whose float sum depends on the order:
    # (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3). The recorded sum must equal the engine's bits.
    def build():
        x = Value(1.0, label="x")
        return x, (x * 0.1 + x * 0.2) + x * 0.3

    assert (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3) and (0.3 + 0.2) + 0.1 != (0.1 + 0.2) + 0.3
    x, out = build()
    recorded = backward_steps(out)
    twin_x, twin_out = build()
    twin_out.backward()
    assert bits([final_totals(recorded.steps)[recorded.names.index("x")], x.grad]) == bits([twin_x.grad] * 2)


@given(expressions(max_size=10, sharing=0.5))
def test_recorded_sums_are_the_engines_grads_and_match_sympy(ex):
    leaves = [Value(x) for x in ex.inputs]
    out = ex(*leaves)
    recorded = backward_steps(out, max_nodes=10_000)
    twin_leaves = [Value(x) for x in ex.inputs]
    twin_out = ex(*twin_leaves)
    twin_out.backward()
    assert bits(leaf.grad for leaf in leaves) == bits(leaf.grad for leaf in twin_leaves)
    order = ag.topological_order(out)
    twin_order = ag.topological_order(twin_out)
    totals = final_totals(recorded.steps)
    recorded_grads = [totals.get(position, 0.0) for position in range(len(order))]
    assert bits(recorded_grads) == bits(twin.grad for twin in twin_order)  # every node
    # Every use of every node was recorded once, and the recorded terms sum to sympy's derivative.
    assert len(recorded.steps) == 1 + sum(len(node.parents) for node in order)
    _, exact = exact_gradient(ex)
    scale = 1.0 + max(abs(g) for g in exact)
    last = {step.receiver: step for step in recorded.steps}
    for leaf, want in zip(leaves, exact):
        position = order.index(leaf) if leaf in order else None
        terms = last[position].terms if position in last else ()
        assert abs(math.fsum(terms) - want) <= 1e-9 * (abs(want) + scale)


def test_a_use_with_local_derivative_zero_contributes_nothing_even_against_inf():
    w = Value(-1.0, label="w")
    dead = w.relu()  # relu'(-1) = 0: w's only use has local derivative exactly 0
    dead.label = "r"
    L = dead * float("inf")  # dL/dr = inf
    L.label = "L"
    recorded = backward_steps(L)
    step = next(s for s in recorded.steps if recorded.names[s.receiver] == "w")
    assert step.masked and step.terms == () and step.total == 0.0 and step.complete
    assert step.caption.startswith("w receives nothing from r: ∂r/∂w = 0, so this use contributes nothing")


def test_a_constant_is_named_as_one_in_its_caption():
    x, u, v, L = fresh_diamond()
    caption = backward_steps(L).captions[-1]
    assert "it is the constant 2, whose grad nothing uses" in caption


def test_a_seed_other_than_one_is_the_first_step():
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L, gradient=0.5)
    assert recorded.captions[0].startswith("L is the output: backward() starts with L.grad = 0.5 (the seed).")
    assert x.grad == 27.0  # 0.5 * 54


def test_a_leaf_as_output_is_one_step_the_seed():
    x = Value(2.0, label="x")
    recorded = backward_steps(x)
    assert len(recorded) == 1 and recorded.captions == [
        "x is the output: backward() starts with x.grad = 1 (the seed)."]
    assert x.grad == 1.0


# --- refusing, without changing anything ----------------------------------------------------


def test_a_graph_above_the_limit_is_refused_with_advice_and_no_grad_changes():
    x = Value(0.5, label="x")
    out = x
    for _ in range(40):
        out = out * 1.5  # 40 ops, 40 constants: 81 values
    with pytest.raises(GraphTooLargeError, match=r"81 values, more than max_nodes=60.*sub-expression.*max_nodes=81"):
        backward_steps(out)
    assert x.grad == 0.0 and out.grad == 0.0


@pytest.mark.parametrize("call, error", [
    (lambda: backward_steps(3.0), TypeError),
    (lambda: backward_steps(Value(1.0), gradient="1"), TypeError),
    (lambda: backward_steps(Value(1.0), gradient=True), TypeError),
    (lambda: backward_steps(Value(1.0), max_nodes=0), ValueError),
    (lambda: backward_steps(Value(1.0), number_format="%q"), ValueError),
])
def test_bad_arguments_are_errors_that_say_what_was_wrong(call, error):
    with pytest.raises(error):
        call()


def test_save_refuses_a_path_that_is_not_html(tmp_path):
    x, u, v, L = fresh_diamond()
    with pytest.raises(ValueError, match=r"\.html"):
        backward_steps(L).save(tmp_path / "steps.svg")
    assert list(tmp_path.iterdir()) == []


def test_without_a_renderer_the_error_names_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-dot"))
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L)  # backward runs and is recorded; only drawing needs dot
    assert x.grad == 54.0
    with pytest.raises(RendererNotFoundError):
        recorded.frames
    assert "no-such-dot" in recorded._repr_html_()


def test_it_keeps_no_value_alive():
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L)
    watch = weakref.ref(L)
    del x, u, v, L
    gc.collect()
    assert watch() is None and len(recorded) == 6


# --- the frames ------------------------------------------------------------------------------


def svg_state(frame):
    """Per node/edge id: geometry (never changes) and texts/colours (may change)."""
    root = ET.fromstring(frame)
    geometry, texts, strokes = {}, {}, {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") not in ("node", "edge"):
            continue
        shapes = [el for el in group if el.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse", f"{SVG}polyline")]
        geometry[group.get("id")] = (
            [(el.get("points"), el.get("d"), el.get("cx"), el.get("cy")) for el in shapes],
            [(t.get("x"), t.get("y")) for t in group.findall(f"{SVG}text")])
        texts[group.get("id")] = [t.text or "" for t in group.findall(f"{SVG}text")]
        strokes[group.get("id")] = shapes[0].get("stroke") if shapes else None
    return root.get("viewBox"), geometry, texts, strokes


def test_every_frame_has_the_same_layout_and_shows_the_step(renderer_env):
    x, u, v, L = fresh_diamond()
    recorded = backward_steps(L)
    frames = recorded.frames
    assert len(frames) == len(recorded.steps) == 6
    states = [svg_state(frame) for frame in frames]
    view, geometry, _, _ = states[0]
    for state in states[1:]:
        assert state[0] == view and state[1] == geometry  # nothing moves between steps
    texts = [state[2] for state in states]
    # n0 is x (topological index 0). Before step 4 it waits; then 36; then the sum of both.
    assert [t["n0"][2] for t in texts] == ["grad (waiting)"] * 3 + [
        "grad 36.0000 = 36.0000", "grad 54.0000 = 36.0000 + 18.0000", "grad 54.0000 = 36.0000 + 18.0000"]
    assert [t["n0"][0] for t in texts] == ["x"] * 4 + ["x ✓"] * 2  # marked once complete
    assert [t["n4"][0] for t in texts] == ["L ✓"] * 6
    # Exactly the edge being added is highlighted: v -> (**2 op of v) is e3_0, u's input 0 is e2_0.
    highlighted = [sorted(i for i, stroke in state[3].items() if stroke == "#D55E00" and i.startswith("e"))
                   for state in states]
    assert highlighted == [[], ["e4_0"], ["e4_1"], ["e3_0"], ["e2_0"], ["e2_1"]]
    # The contributions on x's edges appear once added.
    assert [texts[k]["e3_0"] for k in (2, 3)] == [[""], ["36.0000"]]


def test_the_page_is_self_contained_and_escapes_labels(renderer_env):
    x = Value(2.0, label="<script>alert(1)</script>")
    out = x * x
    page = backward_steps(out).html()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.findall(r"""(?:src|href)\s*=""", page) == []
    assert re.findall(r"https?://(?!www\.w3\.org/)", page) == []  # only SVG namespace names
    assert "default-src 'none'" in page
    assert ">Previous</button>" in page and ">Next</button>" in page
    assert "step 1 / 3" in page


def test_a_label_with_newlines_and_record_characters_keeps_its_box_whole(renderer_env):
    x = Value(2.0, label="first line\nsecond {a|b} <c>")
    out = x * 3.0
    out.label = "L"
    recorded = backward_steps(out)
    texts = svg_state(recorded.frames[-1])[2]
    # three fields in x's box (n0): name, data, grad; 3 is x's only use: dL/dx = 3
    assert texts["n0"] == ["first line second {a|b} <c> ✓", "data 2.0000", "grad 3.0000"]


def test_save_writes_the_page(tmp_path, renderer_env):
    x, u, v, L = fresh_diamond()
    path = backward_steps(L).save(tmp_path / "steps.html")
    text = (tmp_path / "steps.html").read_text(encoding="utf-8")
    assert path == str(tmp_path / "steps.html") and text.startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["steps.html"]


def test_jupyter_shows_the_page_inline(renderer_env):
    x, u, v, L = fresh_diamond()
    shown = backward_steps(L)._repr_html_()
    assert shown.startswith('<div class="ag-steps"') and shown.count("<svg") == 1
    assert "step 1 / 6" in shown


@pytest.fixture
def renderer_env(monkeypatch):
    from render_support import graphviz_pure_path

    pure = graphviz_pure_path()
    if pure is None:
        pytest.fail("graphviz-pure is not installed; `pip install -e .` should install it")
    monkeypatch.setenv(ENV_VAR, pure)

