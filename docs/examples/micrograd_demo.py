"""micrograd's demo notebook, on autograd-lite: 100 moons points with noise 0.1,
MLP(2, [16, 16, 1]) with micrograd's U(-1, 1) initialisation, the max-margin (hinge) loss
plus 1e-4 * sum p**2, and 100 full-batch SGD steps with lr = 1.0 - 0.9 k / 100.

    python docs/examples/micrograd_demo.py [--steps 100] [--compile]

With --compile the loss is traced once by autograd_lite.compile and every step runs the
generated code: the same numbers, bit for bit.

Prints the loss and accuracy every 10 steps, the final training accuracy and the wall time.
"""

import argparse
import time

import autograd_lite
from autograd_lite import nn


def run(steps=100, seed=1337, log=print, compile=False):
    """Train as micrograd's demo does; return (final accuracy, seconds). With ``compile``
    the step's loss and gradient come from ``autograd_lite.compile``."""
    X, labels = nn.datasets.moons(100, noise=0.1, seed=seed)
    y = [2 * label - 1 for label in labels]  # hinge loss wants -1 / +1
    model = nn.MLP(2, [16, 16, 1], init="uniform", seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=nn.linear_decay(1.0, 0.1, 100))
    params = model.parameters()

    def loss_of(X):
        return nn.hinge_loss([model(x) for x in X], y) + nn.l2_penalty(params, 1e-4)

    # The scores' signs are data-dependent, so accuracy is computed from a no-grad forward.
    compiled = autograd_lite.compile(loss_of, params=params, argnums=()) if compile else None
    start = time.perf_counter()
    for k in range(steps):
        optimizer.zero_grad()
        if compiled is not None:
            loss, _ = compiled(X)  # fills every p.grad, as loss.backward() does
        else:
            graph = loss_of(X)
            graph.backward()
            loss = graph.data
        if k % 10 == 0 or k == steps - 1:
            train_accuracy = nn.accuracy(model, X, y)  # before this step's update, as micrograd prints
            log(f"step {k:3d} loss {loss:.4f} accuracy {train_accuracy:.0%}")
        optimizer.step()
    seconds = time.perf_counter() - start
    return nn.accuracy(model, X, y), seconds


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--compile", action="store_true", help="run the steps through autograd_lite.compile")
    arguments = parser.parse_args()
    accuracy, seconds = run(arguments.steps, compile=arguments.compile)
    print(f"final training accuracy {accuracy:.0%}, {seconds:.1f} s for the training loop")
