"""explain() writes a grad as the total derivative: symbols, numbers, and their sum.

Expected strings are written out by hand from the derivations in the docstrings of
test_render_svg's diamond() and mlp_2_2_1().
"""

import gc

import pytest

from autograd_lite import Value, explain, graph

from test_render_svg import diamond, mlp_2_2_1


def test_diamond_sums_the_two_paths_from_x():
    x, u, v, L = diamond()
    lines = explain(x).splitlines()
    assert lines[0] == "dL/dx = dL/du·du/dx + dL/dv·dv/dx = (9)(2) + (6)(6) = 54"
    assert lines[1] == "x is used 2 times, so its grad is the sum over 2 paths: the total derivative."


def test_a_single_use_is_the_plain_chain_rule():
    x, u, v, L = diamond()
    lines = explain(u, root=L).splitlines()
    assert lines[0] == "dL/du = dL/dL·dL/du = (1)(9) = 9"
    assert "one use" in lines[1]


def test_the_output_explains_itself():
    x, u, v, L = diamond()
    assert explain(L).startswith("dL/dL = 1 ")


def test_mlp_input_feeds_both_hidden_neurons():
    x1, x2, hidden, L = mlp_2_2_1()
    assert explain(x1).splitlines()[0] == (
        "dL/dx1 = dL/ds1·ds1/dx1 + dL/ds2·ds2/dx1 = (−2)(0.5) + (4)(1) = 3")
    assert explain(x2).splitlines()[0] == (
        "dL/dx2 = dL/ds1·ds1/dx2 + dL/ds2·ds2/dx2 = (−2)(0.25) + (4)(0.25) = 0.5")
    assert explain(hidden[0]).splitlines()[0] == "dL/dh1 = dL/ds3·ds3/dh1 = (−4)(0.5) = −2"


def test_a_node_used_twice_by_one_op_counts_both_uses():
    a = Value(3.0, label="a")
    L = a * a
    L.label = "L"
    L.backward()
    assert explain(a).splitlines()[0] == "dL/da = dL/dL·dL/da + dL/dL·dL/da = (1)(3) + (1)(3) = 6"


def test_unlabelled_nodes_get_the_names_draw_graph_shows():
    x = Value(2.0)
    y = x * x + x  # dy/dx = 2x + 1 = 5, over three uses: x (twice in x*x) and x in +
    y.backward()
    first = explain(x).splitlines()[0]
    assert first.startswith("dL/dv0 = ")
    assert first.endswith("= (1)(2) + (1)(2) + (1)(1) = 5")


def test_accumulated_leaf_grad_is_flagged_not_hidden():
    x, u, v, L = diamond()
    L.backward()  # leaves accumulate: x.grad becomes 108 while the paths still sum to 54
    text = explain(x)
    assert "= 54" in text.splitlines()[0]
    assert "x.grad is 108, not 54" in text


def test_without_a_backward_root_the_error_says_what_to_do(monkeypatch):
    monkeypatch.setattr(graph, "_last_root", None)
    with pytest.raises(ValueError, match=r"call backward\(\) on it first.*root="):
        explain(Value(1.0))


def test_the_default_root_is_held_weakly():
    x = Value(2.0, label="x")
    out = x * 3
    out.backward()
    del out
    gc.collect()
    with pytest.raises(ValueError, match="backward"):
        explain(x)


def test_a_node_outside_the_graph_is_rejected():
    x, u, v, L = diamond()
    stranger = Value(1.0, label="s")
    with pytest.raises(ValueError, match="not part of the graph"):
        explain(stranger)
    with pytest.raises(TypeError, match="Value"):
        explain(3.0)
