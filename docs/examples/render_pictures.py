"""Regenerate the pictures in docs/img/ with the library itself.

Run from the repository root:  python docs/examples/render_pictures.py
(The committed SVGs were made with graphviz-pure: AUTOGRAD_LITE_DOT=graphviz-pure.)
The SVGs are committed, so the docs show exactly what draw_graph produces, and
tests/test_docs_pictures.py fails when one is stale: when what it shows (every box's text,
every edge and its label, every cluster) differs from what this script draws now.
"""

import math
import os
import random

import autograd_lite as ag
from autograd_lite import Value, draw_graph

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "img")


def neuron():
    """micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def diamond():
    """x used twice: u = 2x, v = x**2, L = u*v; x.grad = 9*2 + 6*6 = 54."""
    x = Value(3.0, label="x")
    u = x * 2
    u.label = "u"
    v = x ** 2
    v.label = "v"
    L = u * v
    L.label = "L"
    L.backward()
    return L


def mlp_2_4_3_1():
    """One example through an MLP 2->4->3->1 (ReLU, ReLU, sigmoid) with log loss, target 1."""
    rng = random.Random(4)
    activations = [Value(0.8, label="x1"), Value(-0.4, label="x2")]
    sizes = [2, 4, 3, 1]
    with ag.scope("mlp"):
        for layer, (fan_in, width) in enumerate(zip(sizes, sizes[1:])):
            outputs = []
            for j in range(width):
                with ag.scope(f"layer{layer}"), ag.scope(f"neuron{j}"):
                    bound = 1 / math.sqrt(fan_in)
                    ws = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(fan_in)]
                    z = ag.dot(ws, activations) + Value(0.1, label="b")
                    last = layer == len(sizes) - 2
                    h = z.sigmoid() if last else z.relu()
                    h.label = "p" if last else f"h{layer}.{j}"
                    outputs.append(h)
            activations = outputs
    loss = -ag.log(activations[0])  # log loss with target y = 1
    loss.label = "L"
    loss.backward()
    return loss


def pictures():
    """File name in docs/img/ -> the drawing it holds."""
    return {
        "neuron.svg": draw_graph(neuron()),
        "diamond.svg": draw_graph(diamond()),
        "mlp_2_4_3_1.svg": draw_graph(mlp_2_4_3_1(), number_format=".3f", rankdir="LR"),
        "mlp_2_4_3_1_flat.svg": draw_graph(mlp_2_4_3_1(), number_format=".3f", clusters=False),
        "mlp_2_4_3_1_merged.svg": draw_graph(mlp_2_4_3_1(), number_format=".3f", merge_ops=True),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, drawing in pictures().items():
        print(drawing.save(os.path.join(OUT, name)), drawing)


if __name__ == "__main__":
    main()
