"""autograd_lite.compile benchmark, side by side in one run.

    pip install -e ".[bench,numpy]"
    python benchmarks/compile.py [--repeats 7] [--micrograd-steps 2]

1. MLP(2, [16, 16, 1]) on a batch of 100 moons points, hinge loss + 1e-4 * sum p**2:
   the compiled gradient (forward + backward, generated code) against the plain-float
   forward of the same function (bar: <= 5x), and against a tight interpreter loop over
   the same tape (the alternative to code generation the issue asks to measure).
2. micrograd's demo, 100 steps end to end through compile (trace and code generation
   included; bar: <= 2 s), against micrograd's step median x 100 (measured in this run).
3. Batch mode (NumPy, one matrix product per layer) against a hand-written NumPy step of
   the same MLP and loss (bars: <= 3x at batch 100, <= 1.5x at batch 10,000), and, if
   PyTorch is installed, the same step through ``to_torch()`` (forward + torch autograd).

Medians of interleaved runs; ratios are what to read, the machine is shared. NumPy's BLAS
and PyTorch run on one thread each (unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS say
otherwise): on a shared machine, threads waiting for a busy core made a 16 x 17 matrix
product take milliseconds, and the ratios meaningless.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # before NumPy and PyTorch load their thread pools

import argparse
import gc
import operator
import pathlib
import random
import statistics
import sys
import time

from harness import compare, print_table

import autograd_lite
from autograd_lite import nn
from autograd_lite import Value
from autograd_lite.compiler.trace import Tape, run_traced

try:
    import numpy as np
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # pragma: no cover
    sys.exit('micrograd and numpy are needed: pip install -e ".[bench,numpy]"')

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "docs" / "examples"))
import micrograd_demo  # noqa: E402

X, LABELS = nn.datasets.moons(100, noise=0.1, seed=1337)
Y = [2 * t - 1 for t in LABELS]
MODEL = nn.MLP(2, [16, 16, 1], init="uniform", seed=1337)
PARAMS = MODEL.parameters()


def loss_of(X):
    return nn.hinge_loss([MODEL(x) for x in X], Y) + nn.l2_penalty(PARAMS, 1e-4)


def weights_as_floats():
    return [[([n.b.data] + [w.data for w in n.w]) for n in layer.neurons] for layer in MODEL.layers]


def plain_float_forward(layers):
    """The same function on floats: dot (bias first, as the neuron's weights-then-bias
    order only changes the summation order), relu, hinge, mean, l2."""
    mul, total = operator.mul, 0.0
    for x, y in zip(X, Y):
        values = x
        for depth, layer in enumerate(layers):
            last = depth == len(layers) - 1
            outs = []
            for b_and_w in layer:
                a = sum(map(mul, b_and_w[1:], values)) + b_and_w[0]
                outs.append(a if last else (a if a > 0.0 else 0.0))
            values = outs
        margin = 1.0 - y * values[0]
        total += margin if margin > 0.0 else 0.0
    flat = [w for layer in layers for row in layer for w in row]
    return total / len(X) + 1e-4 * sum(map(mul, flat, flat))


def interpreter(tape):
    """The alternative to code generation: one tight loop over the tape per pass."""
    forward = [(i, rule.forward, parents) for i, (kind, rule, parents, _) in enumerate(tape.nodes) if kind == "op"]
    inputs = [(i, parents) for i, (kind, _, parents, _) in enumerate(tape.nodes) if kind == "input"]
    template = [data for _, _, _, data in tape.nodes]
    backward = [(i, tape.nodes[i][1].local, tape.nodes[i][2], edges) for i, edges in tape.backward]

    def run(flat):
        values = template[:]
        for i, k in inputs:
            values[i] = flat[k]
        for i, fn, parents in forward:
            values[i] = fn(*[values[p] for p in parents])
        grads = [0.0] * len(values)
        grads[tape.root] = 1.0
        for i, local, parents, edges in backward:
            locals_ = local(*[values[p] for p in parents], values[i])
            g = grads[i]
            for position, p in edges:
                grads[p] += locals_[position] * g
        return values[tape.root], [grads[n] if n is not None else 0.0 for n in tape.grad_nodes]

    return run


def micrograd_step():
    random.seed(0)
    model = MicroMLP(2, [16, 16, 1])

    def run():
        scores = [model(list(map(MicroValue, x))) for x in X]
        losses = [(1 + -yi * s).relu() for yi, s in zip(Y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum((p * p for p in model.parameters()))
        model.zero_grad()
        loss.backward()

    return run


def numpy_step(Xa, Ya, layers):
    """Hand-written NumPy forward and backward of the same loss: returns (loss, grads)."""
    W = [np.array([row[1:] for row in layer]) for layer in layers]
    B = [np.array([row[0] for row in layer]) for layer in layers]
    a1 = Xa @ W[0].T + B[0]; h1 = np.maximum(a1, 0.0)
    a2 = h1 @ W[1].T + B[1]; h2 = np.maximum(a2, 0.0)
    s = (h2 @ W[2].T + B[2])[:, 0]
    margin = 1.0 - Ya * s
    n = len(Ya)
    loss = np.maximum(margin, 0.0).mean() + 1e-4 * sum((w * w).sum() + (b * b).sum() for w, b in zip(W, B))
    ds = -(margin > 0.0).astype(float) * Ya / n
    gW2 = ds[:, None] * h2; gB2 = ds
    dh2 = ds[:, None] * W[2]; da2 = dh2 * (a2 > 0.0)
    gW1 = da2.T @ h1; gB1 = da2.sum(0)
    dh1 = da2 @ W[1]; da1 = dh1 * (a1 > 0.0)
    gW0 = da1.T @ Xa; gB0 = da1.sum(0)
    grads = [gW0 + 2e-4 * W[0], gB0 + 2e-4 * B[0], gW1 + 2e-4 * W[1], gB1 + 2e-4 * B[1],
             gW2.sum(0) + 2e-4 * W[2][0], gB2.sum() + 2e-4 * B[2]]
    return loss, grads


def torch_step_of(per_example, Xa, Ya, expected_grads):
    """The step through ``to_torch()``, checked against float mode; None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    module = per_example.to_torch(X[0], Y[0])

    def make(xa, ya):
        xt, yt = torch.from_numpy(xa), torch.from_numpy(ya)

        def run():
            module.params.grad = None
            loss = module(xt, yt).mean()
            loss.backward()
            return loss
        return run

    make(Xa, Ya)()
    assert np.allclose(module.params.grad.numpy(), expected_grads, rtol=1e-9, atol=1e-12)
    return make


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--micrograd-steps", type=int, default=2)
    args = parser.parse_args(argv)

    # 1. compiled gradient vs plain-float forward vs the interpreter loop
    step = autograd_lite.compile(loss_of, params=PARAMS, argnums=())
    start = time.perf_counter()
    step(X)
    first_call = time.perf_counter() - start
    leaves = [[Value(a) for a in x] for x in X]
    flat_leaves = [v for row in leaves for v in row]
    traced = run_traced(loss_of, [leaves], flat_leaves + PARAMS)
    tape = Tape(traced, flat_leaves + PARAMS, range(len(flat_leaves), len(flat_leaves) + len(PARAMS)))
    loop = interpreter(tape)
    flat = [a for x in X for a in x] + [p.data for p in PARAMS]
    program = next(iter(step._cache.values()))["float"]
    assert list(map(repr, loop(flat)[1])) == list(map(repr, program(flat)[1])), "loop and codegen disagree"
    layers = weights_as_floats()
    assert abs(plain_float_forward(layers) - program(flat)[0]) < 1e-12
    medians = compare({
        "plain-float forward": lambda: plain_float_forward(layers),
        "compiled gradient": lambda: step(X),
        "interpreter loop gradient": lambda: loop(flat),
        "eager forward+backward": lambda: loss_of(X).backward(),
    }, args.repeats, gc_enabled=True)
    base = medians["plain-float forward"]
    print_table(f"MLP(2, [16, 16, 1]), batch of 100, hinge + l2: medians of {args.repeats} interleaved runs "
                f"(tape: {len(tape.nodes)} nodes; first compiled call, trace + codegen: {first_call:.2f} s)",
                ["", "ms per call", "ratio to plain-float forward"],
                [[name, f"{t * 1e3:.2f}", f"{t / base:.2f}x"] for name, t in medians.items()])

    # 2. micrograd's demo end to end, compiled
    demo_times = []
    for _ in range(3):
        accuracy, seconds = micrograd_demo.run(100, log=lambda line: None, compile=True)
        demo_times.append(seconds)
    micro = compare({"micrograd": micrograd_step()}, args.micrograd_steps, gc_enabled=True)["micrograd"]
    ours = statistics.median(demo_times)
    print_table("micrograd's demo end to end, 100 steps (ours compiled: median of 3 runs, trace included; "
                f"micrograd: 100 x its step median of {args.micrograd_steps})",
                ["", "ours, compiled", "micrograd (estimated)", "ratio ours / micrograd"],
                [["seconds", f"{ours:.2f}", f"{100 * micro:.1f}", f"{ours / (100 * micro):.4f}x"],
                 ["final training accuracy", f"{accuracy:.0%}", "", ""]])

    # 3. batch mode vs hand-written NumPy
    per_example = autograd_lite.compile(
        lambda x, y: (1.0 - y * MODEL(x)).relu() + nn.l2_penalty(PARAMS, 1e-4), params=PARAMS, argnums=())
    Xa, Ya = np.array(X), np.array(Y, dtype=float)
    for p in PARAMS:
        p.grad = 0.0
    batch_loss, _ = per_example.batch(Xa, Ya, reduce="mean")
    batch_grads = [p.grad for p in PARAMS]
    hand_loss, _ = numpy_step(Xa, Ya, layers)
    assert abs(batch_loss - hand_loss) < 1e-9 and abs(batch_loss - program(flat)[0]) < 1e-9
    assert np.allclose(batch_grads, program(flat)[1], rtol=1e-9, atol=1e-12)
    big_X, big_labels = nn.datasets.moons(10_000, noise=0.1, seed=7)
    big_Xa, big_Ya = np.array(big_X), np.array([2.0 * t - 1.0 for t in big_labels])
    torch_step = torch_step_of(per_example, Xa, Ya, np.array(program(flat)[1]))
    rows = []
    for size, (xa, ya) in (("100", (Xa, Ya)), ("10,000", (big_Xa, big_Ya))):
        contenders = {"hand-written NumPy step": lambda: numpy_step(xa, ya, layers),
                      "compile(...).batch(reduce='mean')": lambda: per_example.batch(xa, ya, reduce="mean")}
        if torch_step:
            contenders["compile(...).to_torch(), forward + backward"] = torch_step(xa, ya)
        if size == "100":
            contenders["compiled float gradient"] = lambda: step(X)
        medians = compare(contenders, args.repeats, gc_enabled=True)
        base = medians["hand-written NumPy step"]
        rows += [[size, name, f"{t * 1e3:.3f}", f"{t / base:.1f}x"] for name, t in medians.items()]
    print_table("Batch mode: loss and gradient of the same MLP (hinge + l2), medians",
                ["batch", "", "ms per call", "ratio to hand-written NumPy"], rows)

if __name__ == "__main__":
    gc.freeze()
    main()
