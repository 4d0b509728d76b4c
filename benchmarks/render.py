"""Drawing benchmark: autograd-lite's draw_graph against micrograd's notebook draw_dot.

    pip install -e ".[bench]"
    python benchmarks/render.py [--repeats 5]

micrograd ships draw_dot only in a notebook (trace_graph.ipynb); its code is reproduced
below, recursion and all, building the same DOT with the same graphviz package. Reported:
medians of interleaved repetitions of building the DOT text, the ratio ours / micrograd,
the time to lay out SVG with each renderer found, and the time draw_graph needs to answer
(refuse or collapse) for 10^5-node graphs.
"""

import argparse
import os
import shutil
import statistics
import sys
import time

import graphviz
from harness import compare, print_table

import autograd_lite as ag
from autograd_lite.render.renderer import PURE_NAME, render, scripts_dirs


def micrograd_trace(root):
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v.parents:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def micrograd_draw_dot(root):
    """micrograd's draw_dot, adapted only to read .parents/.op instead of ._prev/._op."""
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = micrograd_trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")
        if n.op:
            dot.node(name=uid + n.op, label=n.op)
            dot.edge(uid + n.op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2.op)
    return dot


def layered_sum(width, depth):
    """A dense net of tanh units: every unit feeds every unit of the next layer (fan-out)."""
    layer = [ag.Value(0.1 * i, label=f"x{i}") for i in range(width)]
    for _ in range(depth):
        layer = [ag.tanh(ag.sum(layer) * (0.1 * j)) for j in range(width)]
    out = ag.sum(layer)
    out.backward()
    return out


def renderers():
    found = {"system dot": shutil.which("dot")}
    pure = shutil.which(PURE_NAME)
    for folder in scripts_dirs():
        pure = pure or shutil.which(PURE_NAME, path=folder)
    found["graphviz-pure"] = pure
    return {name: path for name, path in found.items() if path}


def seconds(fn, repeats):
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(10_000)  # micrograd's trace recurses once per node

    rows = []
    for width, depth in ((4, 4), (8, 6), (12, 10)):
        root = layered_sum(width, depth)
        n = len(ag.topological_order(root))
        times = compare({"ours": lambda: ag.draw_graph(root, max_nodes=10**6).source,
                         "micrograd": lambda: micrograd_draw_dot(root).source},
                        args.repeats, gc_enabled=True)
        rows.append((n, f"{times['ours'] * 1e3:.1f}", f"{times['micrograd'] * 1e3:.1f}",
                     f"{times['ours'] / times['micrograd']:.2f}"))
    print_table("Building DOT text (ms, median)", ("values", "ours", "micrograd", "ratio"), rows)

    rows = []
    for width, depth in ((4, 4), (8, 6)):
        root = layered_sum(width, depth)
        source = ag.draw_graph(root).source
        n = len(ag.topological_order(root))
        for name, path in renderers().items():
            os.environ["AUTOGRAD_LITE_DOT"] = path
            rows.append((n, name, f"{seconds(lambda: render(source, 'svg'), args.repeats):.2f}"))
    print_table("Laying out SVG (s, median)", ("values", "renderer", "seconds"), rows)

    chain = ag.Value(0.5, label="x")
    for _ in range(100_000):
        chain = ag.tanh(chain)
    scoped = ag.Value(0.5, label="x")
    for i in range(100_000):
        with ag.scope(f"block{i // 1000}"):
            scoped = ag.tanh(scoped)

    def refuse():
        try:
            ag.draw_graph(chain)
        except ag.render.GraphTooLargeError:
            return
        raise AssertionError("a 10^5-node graph was not refused")

    rows = [("10^5 values, no scopes: refused", f"{seconds(refuse, args.repeats):.3f}"),
            ("10^5 values in 100 scopes: collapsed DOT",
             f"{seconds(lambda: ag.draw_graph(scoped).source, args.repeats):.3f}")]
    print_table("Answering for a big graph (s, median)", ("case", "seconds"), rows)


if __name__ == "__main__":
    main()
