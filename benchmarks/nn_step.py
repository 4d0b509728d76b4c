"""nn benchmark: one training step of MLP(2, [16, 16, 1]) on a batch of 100 points, ours
(nn.MLP) against micrograd's own micrograd.nn.MLP, side by side in one run.

    pip install -e ".[bench]"
    python benchmarks/nn_step.py [--repeats 5] [--steps 3] [--full-micrograd-demo]

A step is what a training loop does: forward on the batch, hinge loss + 1e-4 * sum p**2
(micrograd's demo), zero the grads, backward, SGD update, and the graph is dropped. Each
timed run makes `--steps` consecutive steps with the cyclic GC on, so garbage from one
step is still around during the next, as in real training. Reported: medians of
interleaved runs, per step, and the ratio ours / micrograd (the bar is <= 0.05x).

Then micrograd's demo end to end (100 steps, nn.fit-free loop of docs/examples/
micrograd_demo.py) for ours; micrograd's 100 steps are estimated from its per-step median
unless --full-micrograd-demo runs them (several minutes).
"""

import argparse
import gc
import pathlib
import random
import sys
import time

from harness import compare, print_table

from autograd_lite import nn

try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # pragma: no cover
    sys.exit('micrograd is not installed: pip install -e ".[bench]"')

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "docs" / "examples"))
import micrograd_demo  # noqa: E402  (the docs script, reused so the two stay the same)

X, LABELS = nn.datasets.moons(100, noise=0.1, seed=1337)
Y = [2 * t - 1 for t in LABELS]


def ours_steps(steps):
    model = nn.MLP(2, [16, 16, 1], init="uniform", seed=0)
    optimizer = nn.SGD(model.parameters(), lr=0.01)

    def run():
        for _ in range(steps):
            scores = [model(x) for x in X]
            loss = nn.hinge_loss(scores, Y) + nn.l2_penalty(model.parameters(), 1e-4)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            del scores, loss

    return run


def micrograd_steps(steps):
    """micrograd's demo notebook loop, verbatim in spirit: its MLP, its loss, its update."""
    random.seed(0)
    model = MicroMLP(2, [16, 16, 1])

    def run():
        for _ in range(steps):
            inputs = [list(map(MicroValue, x)) for x in X]
            scores = list(map(model, inputs))
            losses = [(1 + -yi * s).relu() for yi, s in zip(Y, scores)]
            data_loss = sum(losses) * (1.0 / len(losses))
            loss = data_loss + 1e-4 * sum((p * p for p in model.parameters()))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.01 * p.grad
            del inputs, scores, losses, data_loss, loss

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--full-micrograd-demo", action="store_true")
    args = parser.parse_args(argv)

    medians = compare({"ours": ours_steps(args.steps), "micrograd": micrograd_steps(args.steps)},
                      args.repeats, gc_enabled=True)
    ours, theirs = medians["ours"] / args.steps, medians["micrograd"] / args.steps
    print_table(
        f"MLP(2, [16, 16, 1]) training step, batch of 100, GC on, {args.steps} consecutive steps per run, "
        f"medians of {args.repeats} interleaved runs",
        ["", "ours (nn.MLP)", "micrograd (micrograd.nn.MLP)", "ratio ours / micrograd"],
        [["seconds per step", f"{ours:.4f}", f"{theirs:.4f}", f"{ours / theirs:.3f}x"]],
    )

    accuracy, ours_demo = micrograd_demo.run(100, log=lambda line: None)
    if args.full_micrograd_demo:
        start = time.perf_counter()
        micrograd_steps(100)()
        theirs_demo, how = time.perf_counter() - start, "measured"
    else:
        theirs_demo, how = 100 * theirs, "estimated: 100 x its step median"
    print_table(
        "micrograd's demo end to end: 100 steps on 100 moons points",
        ["", "ours", f"micrograd ({how})", "ratio"],
        [["seconds", f"{ours_demo:.1f}", f"{theirs_demo:.1f}", f"{ours_demo / theirs_demo:.3f}x"],
         ["final training accuracy", f"{accuracy:.0%}", "", ""]],
    )


if __name__ == "__main__":
    gc.freeze()
    main()
