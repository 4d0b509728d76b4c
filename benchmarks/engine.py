"""Engine benchmark: autograd-lite against micrograd (from PyPI), side by side in one run.

    pip install -e ".[bench]"
    python benchmarks/engine.py [--repeats 7]

Each workload is written once, with plain operators, and built with each engine's Value.
Reported: medians of interleaved repetitions and the ratio autograd-lite / micrograd
(below 1 is faster), with the cyclic GC off and on, and bytes per node (tracemalloc).
"""

import argparse
import gc
import math
import os
import random
import re
import shutil
import subprocess
import sys

from harness import bytes_per_node, compare, print_table

import autograd_lite

try:
    from micrograd.engine import Value as MicroValue
except ImportError:  # pragma: no cover
    sys.exit('micrograd is not installed: pip install -e ".[bench]"')


def _micrograd_tanh(self):
    """micrograd 0.1.0 (PyPI) has no tanh; this is the one from micrograd's lecture
    version, in its own closure style, so the chain workload runs on both engines."""
    t = math.tanh(self.data)
    out = MicroValue(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


if not hasattr(MicroValue, "tanh"):
    MicroValue.tanh = _micrograd_tanh


def tanh_chain(V, depth=250):
    y, w, b = V(0.5), V(0.9), V(0.1)
    for _ in range(depth):
        y = (y * w + b).tanh()
    return y


def fan_out_sum(V, n=300):
    x = V(1.5)
    total = x * 0.0
    for i in range(n):
        total = total + x * (i / n)
    return total


def polynomial(V, n=150):
    """Powers with number exponents: sum of (x + c_i)**2 - (x + c_i)**3 / 3."""
    x = V(0.3)
    total = x * 0.0
    for i in range(n):
        t = x + i / n
        total = total + t**2 - t**3 / 3.0
    return total


def mixed_ops(V, repeats=20):
    """micrograd's own test expression, repeated and chained."""
    out = V(0.0)
    for k in range(repeats):
        a, b = V(-4.0 + k / repeats), V(2.0)
        c = a + b
        d = a * b + b**3
        c += c + 1
        c += 1 + c + (-a)
        d += d * 2 + (b + a).relu()
        d += 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        g += 10.0 / f
        out = out + g
    return out


def mlp_step(V, points=100, sizes=(2, 16, 16, 1), seed=0):
    """A 2-16-16-1 ReLU MLP on `points` points, hinge loss, plain ops only."""
    rng = random.Random(seed)
    layers = [
        [([V(rng.uniform(-1, 1)) for _ in range(nin)], V(0.0)) for _ in range(nout)]
        for nin, nout in zip(sizes, sizes[1:])
    ]
    data = [([rng.uniform(-2, 2), rng.uniform(-2, 2)], rng.choice((-1.0, 1.0))) for _ in range(points)]
    losses = []
    for x, y in data:
        h = x
        for depth, layer in enumerate(layers):
            h = [sum((wi * hi for wi, hi in zip(w, h)), b) for w, b in layer]
            if depth < len(layers) - 1:
                h = [v.relu() for v in h]
        losses.append((1 + -y * h[0]).relu())
    return sum(losses) * (1.0 / points)


WORKLOADS = {
    "tanh(y*w+b) chain": tanh_chain,
    "fan-out sum of x*c_i": fan_out_sum,
    "polynomial (powers)": polynomial,
    "mixed ops (micrograd test)": mixed_ops,
    "MLP 2-16-16-1, 100 points": mlp_step,
}


def count_nodes(root):
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        for parent in getattr(node, "_parents", None) or getattr(node, "_prev", ()):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def forward_backward(V, workload):
    def run():
        workload(V).backward()

    return run


def forward_backward_drop(V, workload):
    def run():
        root = workload(V)
        root.backward()
        del root
    return run


def instructions_per_step(engine, workload_name):
    """Instructions one forward+backward executes, counted by callgrind (GC off): a measure
    that does not depend on what else the machine is doing. The difference between a run of
    two steps and a run of one removes start-up costs. A fixed PYTHONHASHSEED: with random
    string hashing the counts move by up to 10% between runs of the same code."""
    counts = []
    for steps in (1, 2):
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
             "--one-step", engine, workload_name, str(steps)],
            capture_output=True, text=True, check=True, env=dict(os.environ, PYTHONHASHSEED="0"),
        )
        counts.append(int(re.search(r"refs:\s*([\d,]+)", run.stderr).group(1).replace(",", "")))
    return counts[1] - counts[0]


def run_steps(engine, workload_name, steps):
    gc.disable()
    V = autograd_lite.Value if engine == "ours" else MicroValue
    for _ in range(steps):
        root = WORKLOADS[workload_name](V)
        root.backward()
        del root


def instruction_table():
    rows = []
    for name, workload in WORKLOADS.items():
        nodes = count_nodes(workload(autograd_lite.Value))
        ours, micro = (instructions_per_step(engine, name) for engine in ("ours", "micrograd"))
        rows.append([name, nodes, f"{ours / nodes:.0f} / {micro / nodes:.0f}", f"{ours / micro:.2f}x"])
    print_table("Instructions per forward+backward, counted by callgrind (GC off; deterministic)",
                ["workload", "nodes", "instructions/node (ours / micrograd)", "ratio"], rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved samples per median")
    parser.add_argument("--steps", type=int, default=5, help="consecutive steps per GC-on sample")
    parser.add_argument("--instructions", action="store_true",
                        help="also count instructions with valgrind's callgrind (slow, noise-free)")
    parser.add_argument("--one-step", nargs=3, metavar=("ENGINE", "WORKLOAD", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_step:
        engine, workload_name, steps = args.one_step
        return run_steps(engine, workload_name, int(steps))
    rows = []
    for name, workload in WORKLOADS.items():
        nodes = count_nodes(workload(autograd_lite.Value))
        off = compare({"ours": forward_backward(autograd_lite.Value, workload),
                       "micrograd": forward_backward(MicroValue, workload)}, args.repeats, gc_enabled=False)
        on = compare({"ours": forward_backward_drop(autograd_lite.Value, workload),
                      "micrograd": forward_backward_drop(MicroValue, workload)},
                     args.repeats, gc_enabled=True, steps=args.steps)
        ours_bytes = bytes_per_node(lambda: workload(autograd_lite.Value), count_nodes)
        micro_bytes = bytes_per_node(lambda: workload(MicroValue), count_nodes)
        rows.append([
            name, nodes,
            f"{off['ours'] / nodes * 1e9:.0f} / {off['micrograd'] / nodes * 1e9:.0f}",
            f"{off['ours'] / off['micrograd']:.2f}x",
            f"{on['ours'] / on['micrograd']:.3f}x",
            f"{ours_bytes:.0f} / {micro_bytes:.0f}",
        ])
    print_table(
        f"autograd-lite vs micrograd: medians of {args.repeats} interleaved runs (ratio < 1: faster)",
        ["workload", "nodes", "ns/node fwd+bwd, GC off (ours / micrograd)", "ratio, GC off",
         f"ratio, GC on, {args.steps} steps + drop graph", "bytes/node (ours / micrograd)"],
        rows,
    )
    if args.instructions:
        if shutil.which("valgrind") is None:
            sys.exit("--instructions needs valgrind (apt-get install valgrind)")
        instruction_table()


if __name__ == "__main__":
    gc.freeze()
    main()
