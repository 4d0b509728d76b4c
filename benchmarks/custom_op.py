"""A custom op (``autograd_lite.op``) against the built-in op with the same inputs, eager
forward + backward, side by side in one run.

    python benchmarks/custom_op.py [--repeats 9]

Each workload is a chain of 2,000 nodes; the custom ops compute the same numbers as the
built-in ones, with their rules written as a user would (plain Python, autograd_lite.math).
Reported: medians of interleaved repetitions and the ratio custom / built-in.
"""

import argparse
import math
import operator

from harness import compare, print_table

import autograd_lite as ag
from autograd_lite import math as agm

custom_mul = ag.op("mul", forward=operator.mul, local=lambda a, b, out: (b, a))
custom_tanh = ag.op("tanh", forward=math.tanh, local=lambda x, out: (1.0 - out * out,))
custom_exp = ag.op("exp", forward=math.exp, local=lambda x, out: (out,))
custom_sin = ag.op("sin", forward=math.sin, local=lambda x, out: (agm.cos(x),))
N = 2000


def chain(step):
    def run():
        x = ag.Value(0.5)
        y = x
        for _ in range(N):
            y = step(y)
        y.backward()
    return run


WORKLOADS = {  # name: (built-in step, custom step)
    "binary: y * c": (lambda y: y * 1.0001, lambda y: custom_mul(y, 1.0001)),
    "unary: tanh(y)": (lambda y: y.tanh(), custom_tanh),
    "unary: exp(y) - 0.5": (lambda y: y.exp() * 0.0 + 0.5, lambda y: custom_exp(y) * 0.0 + 0.5),
    "unary: sin(y)": (lambda y: y.sin(), custom_sin),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)
    rows = []
    for name, (builtin, custom) in WORKLOADS.items():
        times = compare({"built-in": chain(builtin), "custom": chain(custom)}, args.repeats, gc_enabled=False)
        rows.append([name, f"{times['custom'] / times['built-in']:.2f}x"])
    print_table(f"Custom op / built-in op, eager forward + backward, medians of {args.repeats} interleaved runs",
                ["workload", "ratio (custom / built-in)"], rows)


if __name__ == "__main__":
    main()
