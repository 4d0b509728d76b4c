"""Splitting and batching data: X is a list of examples (each a list of numbers), y a list
of targets; NumPy arrays work too (a 2-D X, a y of shape (n,) or (n, k)) and come back as
lists."""

import random

from .inputs import integer, paired, real, seed_value


def train_test_split(X, y, test_fraction=0.2, seed=0):
    """(X_train, X_test, y_train, y_test), as scikit-learn orders them: a seeded shuffle,
    then the last ``round(test_fraction * n)`` examples (at least 1) form the test set."""
    X, y = paired(X, y, "train_test_split")
    if real(test_fraction) is None or not 0 < real(test_fraction) < 1:
        raise ValueError(f"test_fraction must be a number strictly between 0 and 1, got {test_fraction!r}")
    if len(X) < 2:
        raise ValueError("train_test_split needs at least 2 examples")
    order = list(range(len(X)))
    random.Random(seed_value(seed)).shuffle(order)
    n_test = min(max(1, round(test_fraction * len(X))), len(X) - 1)
    train, test = order[:-n_test], order[-n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def batches(X, y, batch_size=None, shuffle=True, seed=None):
    """Yield (X_batch, y_batch) covering the data once (one epoch).

    ``batch_size=None`` is one full batch (batch gradient descent), 1 is one example at a
    time (stochastic), k is mini-batches of k with a smaller last one. ``shuffle`` uses
    ``random.Random(seed)`` (an int, or a Random to continue its stream across epochs).
    """
    X, y = paired(X, y, "batches")
    if batch_size is None:
        batch_size = max(len(X), 1)
    if integer(batch_size) is None or integer(batch_size) < 1:
        raise ValueError(f"batch_size must be None (full batch) or a positive int, got {batch_size!r}")
    batch_size = integer(batch_size)
    order = list(range(len(X)))
    if shuffle:
        (seed if isinstance(seed, random.Random) else random.Random(seed_value(seed))).shuffle(order)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        yield [X[i] for i in chunk], [y[i] for i in chunk]
