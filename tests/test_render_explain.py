"""explain() writes a grad as the total derivative: symbols, numbers, and their sum.

Expected strings are written out by hand from the derivations in the docstrings of
test_render_svg's diamond() and mlp_2_2_1().
"""

import gc

import pytest

from autograd_lite import Value, explain

from test_render_svg import diamond, mlp_2_2_1


def test_diamond_sums_the_two_paths_from_x():
    x, u, v, L = diamond()
    lines = explain(x).splitlines()
    assert lines[0] == "dL/dx = dL/du·∂u/∂x + dL/dv·∂v/∂x = (9)(2) + (6)(6) = 54"
    assert lines[1] == "where u = x * 2, v = x**2"  # the constant 2 is written as its number
    assert lines[2] == "x is used 2 times, so its grad is the sum over 2 paths: the total derivative."


def test_a_single_use_is_the_plain_chain_rule():
    x, u, v, L = diamond()
    lines = explain(u, root=L).splitlines()
    assert lines[0] == "dL/du = ∂L/∂u = (9) = 9"  # L's own partial: no dL/dL factor
    assert lines[1] == "where L = u * v"
    assert "one use" in lines[2]


def test_where_names_each_consumers_op_custom_ops_and_constants_included():
    import math

    import autograd_lite as ag

    hypot = ag.op("hypot", forward=math.hypot, local=lambda a, b, out: (a / out, b / out))
    x = Value(3.0, label="x")
    h, t, leaky, neg = hypot(x, x), x.tanh(), x.leaky_relu(0.1), -x
    for node, name in ((h, "h"), (t, "t"), (leaky, "k"), (neg, "n")):
        node.label = name
    L = h * t + leaky + neg
    L.label = "L"
    L.backward()
    assert explain(x).splitlines()[1] == "where h = hypot(x, x), t = tanh(x), k = leaky_relu(x, 0.1), n = −x"


def test_the_output_explains_itself_without_writing_dL_dL():
    x, u, v, L = diamond()
    assert explain(L).startswith("L is the output: backward() starts here, with L.grad = 1 (the seed)")
    assert "dL/dL" not in explain(L)


def test_mlp_input_feeds_both_hidden_neurons():
    x1, x2, hidden, L = mlp_2_2_1()
    assert explain(x1).splitlines()[0] == (
        "dL/dx1 = dL/ds1·∂s1/∂x1 + dL/ds2·∂s2/∂x1 = (−2)(0.5) + (4)(1) = 3")
    assert explain(x2).splitlines()[0] == (
        "dL/dx2 = dL/ds1·∂s1/∂x2 + dL/ds2·∂s2/∂x2 = (−2)(0.25) + (4)(0.25) = 0.5")
    assert explain(hidden[0]).splitlines()[0] == "dL/dh1 = dL/ds3·∂s3/∂h1 = (−4)(0.5) = −2"


def test_a_node_used_twice_by_one_op_counts_both_uses():
    a = Value(3.0, label="a")
    L = a * a
    L.label = "L"
    L.backward()
    assert explain(a).splitlines()[0] == "dL/da = ∂L/∂a + ∂L/∂a = (3) + (3) = 6"


def test_unlabelled_nodes_get_the_names_draw_graph_shows():
    x = Value(2.0)
    y = x * x + x  # dy/dx = 2x + 1 = 5, over three uses: x (twice in x*x) and x in +
    y.backward()
    first = explain(x).splitlines()[0]
    assert first.startswith("dL/dv0 = ")
    assert first.endswith("= (1)(2) + (1)(2) + (1) = 5")


def test_accumulated_leaf_grad_is_flagged_not_hidden():
    x, u, v, L = diamond()
    L.backward()  # leaves accumulate: x.grad becomes 108 while the paths still sum to 54
    text = explain(x)
    assert "= 54" in text.splitlines()[0]
    assert "x.grad is 108, not 54" in text


def test_without_a_backward_root_the_error_says_what_to_do():
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


def test_a_local_partial_never_uses_the_total_derivative_symbol():
    x, u, v, L = diamond()
    first = explain(x).splitlines()[0]
    symbols = first.split(" = ")[1]
    # every term is "total of the consumer" times "partial of the consumer": d.../d... · ∂.../∂...
    for term in symbols.split(" + "):
        total, local = term.split("·")
        assert total.startswith("dL/d") and local.startswith("∂") and "/∂x" in local


def test_a_seeded_backward_names_the_seed_instead_of_dL_dL():
    a = Value(3.0, label="a")
    L = a * 2
    L.label = "L"
    L.backward(gradient=0.5)
    # dL/da = seed * ∂L/∂a = 0.5 * 2 = 1
    assert explain(a).splitlines()[0] == "dL/da = seed·∂L/∂a = (0.5)(2) = 1"


def test_generated_names_avoid_a_user_label_that_looks_generated():
    # The user calls the input v1; tanh(v1) is unlabelled and would be v1 too (topological index 1).
    v1 = Value(0.5, label="v1")
    h = v1.tanh()
    f = h * h
    f.backward()
    text = explain(h, root=f)
    assert text.splitlines()[0].startswith("dL/dt1 = ∂L/∂t1 + ∂L/∂t1 = ")
    assert "v1" not in text


def test_an_unlabelled_output_is_not_called_L_when_a_value_is_labelled_L():
    L = Value(2.0, label="L")
    out = L * L
    out.backward()
    assert explain(L).splitlines()[0] == "dout/dL = ∂out/∂L + ∂out/∂L = (2) + (2) = 4"


def test_explain_degrades_to_ascii_without_losing_the_distinction():
    x, u, v, L = diamond()
    ascii_text = explain(x).encode("ascii", "backslashreplace").decode("ascii")
    # ∂ becomes \u2202 and · becomes \xb7: still distinct from the d of a total derivative
    assert ascii_text.splitlines()[0].startswith("dL/dx = dL/du\\xb7\\u2202u/\\u2202x + ")


def test_where_false_leaves_the_definitions_out():
    x, u, v, L = diamond()
    lines = explain(x, where=False).splitlines()
    assert lines[1].startswith("x is used 2 times") and not any(line.startswith("where") for line in lines)


def test_where_shortens_a_long_list_of_inputs():
    import autograd_lite as ag

    ws = [Value(0.5, label=f"w{i}") for i in range(4)]
    xs = [Value(1.0, label=f"x{i}") for i in range(4)]
    z = ag.dot(ws, xs)
    z.label = "z"
    L = z * z
    L.label = "L"
    L.backward()
    assert explain(z).splitlines()[1] == "where L = z * z"
    assert explain(xs[0]).splitlines()[1] == "where z = dot(w0, w1, w2, … 8 inputs …, x3)"


# --- which output explain(x) explains: found from x, not from the last backward() anywhere ---

DIAMOND_X = "dL/dx = dL/du·∂u/∂x + dL/dv·∂v/∂x = (9)(2) + (6)(6) = 54"  # x = 3, L = (2x)(x**2)


def test_explain_still_explains_the_output_after_a_gradcheck():
    from autograd_lite.testing import gradcheck

    x, u, v, L = diamond()
    gradcheck(lambda a: a * a.sin(), [0.7])  # runs backward() on an output of its own
    assert explain(x).splitlines()[0] == DIAMOND_X


def test_a_backward_on_an_unrelated_graph_does_not_change_what_explain_explains():
    x, u, v, L = diamond()
    other = Value(1.0, label="p") * Value(2.0, label="q")
    other.backward()  # kept alive: still not an output x belongs to
    assert explain(x).splitlines()[0] == DIAMOND_X
    assert explain(u).splitlines()[0] == "dL/du = ∂L/∂u = (9) = 9"


def test_of_two_live_outputs_that_use_x_explain_takes_the_latest_backward():
    x = Value(3.0, label="x")
    first = x * 2
    first.label = "A"
    first.backward()
    second = x * 5
    second.label = "B"
    second.backward()
    assert explain(x).splitlines()[0] == "dB/dx = ∂B/∂x = (5) = 5"
    assert explain(x, root=first).splitlines()[0] == "dA/dx = ∂A/∂x = (2) = 2"


def test_two_threads_each_explain_their_own_backward():
    import threading

    shared = Value(3.0, label="w")  # one parameter, two outputs: each thread's own is explained
    barrier = threading.Barrier(2)
    lines: dict[str, str] = {}

    def run(name: str, factor: float) -> None:
        out = shared * factor
        out.label = name
        out.backward()
        barrier.wait()  # both backward() calls are done before either explains
        lines[name] = explain(shared).splitlines()[0]

    threads = [threading.Thread(target=run, args=("A", 2.0)), threading.Thread(target=run, args=("B", 5.0))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lines == {"A": "dA/dw = ∂A/∂w = (2) = 2", "B": "dB/dw = ∂B/∂w = (5) = 5"}
