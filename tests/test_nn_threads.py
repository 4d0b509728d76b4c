"""One model shared between threads: each thread's forward passes and predictions are
right, and no thread leaves its name scope behind."""

import sys
import threading

import pytest

from autograd_lite import nn
from autograd_lite import Value


def test_a_model_shared_between_threads_gives_each_thread_the_right_outputs():
    model = nn.MLP(2, [8, 8, 1], activation="tanh", seed=0)
    X = [[i / 10, -i / 7] for i in range(30)]
    expected = nn.predict(model, X)                         # computed alone, before any thread runs
    errors, agreed = [], []

    def work():
        try:
            for _ in range(10):
                agreed.append(nn.predict(model, X) == expected)
                outputs = [model(x) for x in X]
                agreed.append([o.data for o in outputs] == expected)
                agreed.append(all(o.scope == "mlp/layer2/neuron0" for o in outputs))
        except Exception as error:  # noqa: BLE001 - reported to the main thread below
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)                             # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    if errors:
        raise errors[0]
    assert len(agreed) == 4 * 10 * 3 and all(agreed)
    assert Value(1.0).scope == ""                           # no scope left behind in this thread
