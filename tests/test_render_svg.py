"""draw_graph renders real SVG whose structure shows values, grads and the fan-out sums.

Every expected number below is derived by hand in the comments, never taken from the engine.
Each test runs with graphviz-pure and, where installed, the system dot.
"""

import autograd_lite as ag
from autograd_lite import Value, draw_graph

from render_support import Svg, fresh_diamond, renderer  # noqa: F401  (renderer is a fixture)


def diamond():
    """render_support.fresh_diamond after L.backward()."""
    x, u, v, L = fresh_diamond()
    L.backward()
    return x, u, v, L


def test_diamond_shows_grad_of_x_as_the_sum_of_its_two_paths(renderer):
    x, u, v, L = diamond()
    svg = Svg(draw_graph(L, number_format=".1f").svg())
    # Values x, 2 (constant), u, v, L = 5 boxes; ops *, **2, * = 3 small nodes.
    assert svg.count("nodes") == 8
    # x->*, 2->*, *->u, x->**2, **2->v, u->*, v->*, *->L
    assert svg.count("edges") == 8
    assert svg.node_texts("n0") == ["x", "data 3.0", "grad 54.0 = 18.0 + 36.0"]
    assert svg.node_texts("n4")[0] == "L"
    contributions = svg.edge_labels("n0->n2op") + svg.edge_labels("n0->n3op")
    assert sorted(contributions) == ["18.0", "36.0"]
    # u and v are used once: no sum, no edge labels.
    assert svg.node_texts("n2") == ["u", "data 6.0", "grad 9.0"]
    assert svg.edge_labels("n2->n4op") == []


def test_a_node_used_twice_by_one_op_draws_two_labelled_edges():
    a = Value(3.0, label="a")
    L = a * a  # dL/da = a + a = 3 + 3 = 6: one path per use
    L.backward()
    svg = Svg(draw_graph(L, number_format=".1f").svg())
    assert svg.edge_labels("n0->n1op") == ["3.0", "3.0"]
    assert svg.node_texts("n0")[-1] == "grad 6.0 = 3.0 + 3.0"


def test_micrograd_neuron_values_and_grads(renderer):
    # o = tanh(x1*w1 + x2*w2 + b) with n = 0.8814 so o = 1/sqrt(2); do/dn = 1 - o^2 = 0.5,
    # so x1.grad = 0.5*w1 = -1.5, w1.grad = 0.5*x1 = 1.0, x2.grad = 0.5*w2 = 0.5, w2.grad = 0.
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    svg = Svg(draw_graph(o).svg())
    grads = {texts[0]: texts[-1] for texts in map(svg.texts, (g for gs in svg.nodes.values() for g in gs))}
    assert grads["x1"] == "grad -1.5000"
    assert grads["w1"] == "grad 1.0000"
    assert grads["x2"] == "grad 0.5000"
    assert grads["w2"] == "grad 0.0000"
    assert grads["o"] == "grad 1.0000"
    assert svg.node_texts("n0")[1] == "data 2.0000"


def mlp_2_2_1():
    """A 2-2-1 ReLU MLP with squared loss, in scopes, numbers chosen so every step is exact.

    x = (1, 2). Hidden: s1 = 0.5*1 + 0.25*2 = 1, z1 = s1 + 0 = 1, h1 = 1;
    s2 = 1*1 + 0.25*2 = 1.5, z2 = 1.5 + 0.5 = 2, h2 = 2.
    Output: s3 = 0.5*1 + (-1)*2 = -1.5, y = s3 + 0.25 = -1.25; L = (y - 0.75)^2 = 4.
    dL/dy = 2(y - 0.75) = -4; dL/dh1 = -4*0.5 = -2, dL/dh2 = -4*-1 = 4; ReLU passes both.
    dL/dx1 = (-2)(0.5) + (4)(1) = 3;  dL/dx2 = (-2)(0.25) + (4)(0.25) = 0.5.
    """
    x1, x2 = Value(1.0, label="x1"), Value(2.0, label="x2")
    hidden = []
    weights = [(0.5, 0.25, 0.0), (1.0, 0.25, 0.5)]
    with ag.scope("hidden"):
        for j, (a, c, bias) in enumerate(weights, start=1):
            with ag.scope(f"neuron{j}"):
                w = [Value(a, label=f"w{j}1"), Value(c, label=f"w{j}2")]
                s = ag.dot(w, [x1, x2])
                s.label = f"s{j}"
                z = s + Value(bias, label=f"b{j}")
                hidden.append(z.relu())
                hidden[-1].label = f"h{j}"
    with ag.scope("output"):
        v = [Value(0.5, label="v1"), Value(-1.0, label="v2")]
        s3 = ag.dot(v, hidden)
        s3.label = "s3"
        y = s3 + Value(0.25, label="c")
        y.label = "y"
    L = (y - 0.75) ** 2
    L.label = "L"
    L.backward()
    return x1, x2, hidden, L


def test_mlp_clusters_counts_and_fan_out_sums(renderer):
    x1, x2, hidden, L = mlp_2_2_1()
    svg = Svg(draw_graph(L, number_format=".2f").svg())
    assert svg.cluster_labels() == ["hidden", "hidden/neuron1", "hidden/neuron2", "output"]
    # Values: x1 x2; per neuron w, w, s, b, z, h (6 x 2); v1 v2 s3 c y; 0.75, y-0.75, L -> 22.
    # Ops: per neuron dot + relu (3 x 2); output dot +; - and **2 -> 10.
    assert svg.count("nodes") == 32
    # Op->value: 10. Inputs: per neuron dot 4 + add 2 + relu 1 (x 2); dot 4 + add 2; - 2, **2 1.
    assert svg.count("edges") == 33
    texts = {t[0]: t for t in (svg.texts(g) for gs in svg.nodes.values() for g in gs)}
    assert texts["x1"][-1] == "grad 3.00 = -1.00 + 4.00"
    assert texts["x2"][-1] == "grad 0.50 = -0.50 + 1.00"
    assert texts["h1"][-1] == "grad -2.00"
    assert texts["L"][1:] == ["data 4.00", "grad 1.00"]


def test_kinds_are_styled_apart(renderer):
    x1, x2, hidden, L = mlp_2_2_1()
    svg = Svg(draw_graph(L).svg())
    by_label = {svg.texts(g)[0]: title for title, gs in svg.nodes.items() for g in gs}
    fills = {label: svg.node_fill(by_label[label]) for label in ("x1", "w11", "L", "h1")}
    assert len(set(fills.values())) == 4  # input, parameter, output, intermediate all differ
    constant = next(t for t, gs in svg.nodes.items() if svg.texts(gs[0])[1:2] == ["data 0.7500"])
    assert svg.node_fill(constant) not in fills.values()


def test_merged_ops_draw_one_box_per_value(renderer):
    x, u, v, L = diamond()
    svg = Svg(draw_graph(L, merge_ops=True, number_format=".1f").svg())
    assert svg.count("nodes") == 5
    assert svg.count("edges") == 5  # x->u, 2->u, x->v, u->L, v->L
    assert svg.node_texts("n4")[0] == "L (*)"
    assert svg.node_texts("n3")[0] == "v (**2)"


def test_options_hide_edge_labels_clusters_and_change_direction(renderer):
    x1, x2, hidden, L = mlp_2_2_1()
    drawing = draw_graph(L, edge_labels=False, clusters=False, rankdir="TB",
                         number_format=lambda number: f"<{number:g}>")
    svg = Svg(drawing.svg())
    assert svg.clusters == {}
    assert all(svg.texts(g) == [] for gs in svg.edges.values() for g in gs)
    texts = {t[0]: t for t in (svg.texts(g) for gs in svg.nodes.values() for g in gs)}
    assert texts["x1"][-1] == "grad <3> = <-1> + <4>"  # record escaping keeps the < >
    assert "rankdir=TB" in drawing.source


def test_each_fan_out_node_shares_one_colour_with_its_edges_and_labels(renderer):
    x1, x2, hidden, L = mlp_2_2_1()
    svg = Svg(draw_graph(L).svg())
    by_label = {svg.texts(g)[0]: title for title, gs in svg.nodes.items() for g in gs}
    colours = {}
    for name in ("x1", "x2"):
        (node,) = svg.nodes[by_label[name]]
        border = node.find("{http://www.w3.org/2000/svg}polygon").get("stroke")
        outgoing = [g for title, gs in svg.edges.items() if title.startswith(by_label[name] + "->")
                    for g in gs]
        assert len(outgoing) == 2
        for edge in outgoing:
            assert edge.find("{http://www.w3.org/2000/svg}path").get("stroke") == border
            assert edge.find("{http://www.w3.org/2000/svg}text").get("fill") == border
        colours[name] = border
    assert colours["x1"] != colours["x2"]


def test_a_rounded_negative_zero_is_shown_without_its_sign():
    tiny = Value(-1e-9, label="t")
    drawing = draw_graph(tiny * 1.0, number_format=".3f")
    assert 'data 0.000' in drawing.source and "-0.000" not in drawing.source


def test_a_constant_used_twice_is_not_coloured_as_a_fan_out(renderer):
    """Like an nn layer's bias input 1, shared by its neurons: a number mixed into the graph is
    a constant, so its uses get no colour or labels; the input x, used twice too, does.
    L = (x*c)*(x+c) at x = 2, c = 1: dL/dx = c*(x+c) + x*c = 3 + 2 = 5."""
    x, c = Value(2.0, label="x"), Value(1.0)
    L = (x * c) * (x + c)
    L.label = "L"
    L.backward()
    svg = Svg(draw_graph(L, number_format=".1f").svg())
    by_label = {svg.texts(g)[0]: title for title, gs in svg.nodes.items() for g in gs}
    constant = next(title for label, title in by_label.items() if label.startswith("v") and
                    svg.node_texts(title)[1] == "data 1.0")

    def outgoing(title):
        return [g for t, gs in svg.edges.items() if t.startswith(title + "->") for g in gs]

    assert sorted(text for g in outgoing(by_label["x"]) for text in svg.texts(g)) == ["2.0", "3.0"]
    assert [text for g in outgoing(constant) for text in svg.texts(g)] == []
    assert {g.find("{http://www.w3.org/2000/svg}path").get("stroke") for g in outgoing(constant)} == {"black"}
    (constant_box,) = svg.nodes[constant]
    assert constant_box.find("{http://www.w3.org/2000/svg}polygon").get("stroke") == "black"
