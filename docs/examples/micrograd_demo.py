"""micrograd's demo notebook, on autograd-lite: 100 moons points with noise 0.1,
MLP(2, [16, 16, 1]) with micrograd's U(-1, 1) initialisation, the max-margin (hinge) loss
plus 1e-4 * sum p**2, and 100 full-batch SGD steps with lr = 1.0 - 0.9 k / 100.

    python docs/examples/micrograd_demo.py [--steps 100]

Prints the loss and accuracy every 10 steps, the final training accuracy and the wall time.
"""

import argparse
import time

import nn


def run(steps=100, seed=1337, log=print):
    """Train as micrograd's demo does; return (final accuracy, seconds)."""
    X, labels = nn.datasets.moons(100, noise=0.1, seed=seed)
    y = [2 * label - 1 for label in labels]  # hinge loss wants -1 / +1
    model = nn.MLP(2, [16, 16, 1], init="uniform", seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=nn.linear_decay(1.0, 0.1, 100))
    start = time.perf_counter()
    for k in range(steps):
        scores = [model(x) for x in X]
        loss = nn.hinge_loss(scores, y) + nn.l2_penalty(model.parameters(), 1e-4)
        train_accuracy = sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if k % 10 == 0 or k == steps - 1:
            log(f"step {k:3d} loss {loss.data:.4f} accuracy {train_accuracy:.0%}")
    seconds = time.perf_counter() - start
    return nn.accuracy(model, X, y), seconds


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    accuracy, seconds = run(parser.parse_args().steps)
    print(f"final training accuracy {accuracy:.0%}, {seconds:.1f} s for the training loop")
