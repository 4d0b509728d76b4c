"""Splitting and batching data: X is a list of examples (each a list of numbers), y a list
of targets; NumPy arrays work too (a 2-D X, a y of shape (n,) or (n, k)) and come back as
lists."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from .inputs import integer, paired, real, seed_value


def train_test_split(X: Any, y: Any, test_fraction: float = 0.2,
                     seed: int = 0) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """(X_train, X_test, y_train, y_test), as scikit-learn orders them: a seeded shuffle,
    then the last ``round(test_fraction * n)`` examples (at least 1) form the test set."""
    X_list, y_list = paired(X, y, "train_test_split")
    fraction = real(test_fraction)
    if fraction is None or not 0 < fraction < 1:
        raise ValueError(f"test_fraction must be a number strictly between 0 and 1, got {test_fraction!r}")
    if len(X_list) < 2:
        raise ValueError("train_test_split needs at least 2 examples")
    order = list(range(len(X_list)))
    random.Random(seed_value(seed)).shuffle(order)
    n_test = min(max(1, round(test_fraction * len(X_list))), len(X_list) - 1)
    train, test = order[:-n_test], order[-n_test:]
    return ([X_list[i] for i in train], [X_list[i] for i in test],
            [y_list[i] for i in train], [y_list[i] for i in test])


def batches(X: Any, y: Any, batch_size: int | None = None, shuffle: bool = True,
            seed: int | random.Random | None = None) -> Iterator[tuple[list[Any], list[Any]]]:
    """Yield (X_batch, y_batch) covering the data once (one epoch).

    ``batch_size=None`` is one full batch (batch gradient descent), 1 is one example at a
    time (stochastic), k is mini-batches of k with a smaller last one. ``shuffle`` uses
    ``random.Random(seed)`` (an int, or a Random to continue its stream across epochs).
    """
    X_list, y_list = paired(X, y, "batches")
    size = integer(max(len(X_list), 1) if batch_size is None else batch_size)
    if size is None or size < 1:
        raise ValueError(f"batch_size must be None (full batch) or a positive int, got {batch_size!r}")
    order = list(range(len(X_list)))
    if shuffle:
        (seed if isinstance(seed, random.Random) else random.Random(seed_value(seed))).shuffle(order)
    for start in range(0, len(order), size):
        chunk = order[start:start + size]
        yield [X_list[i] for i in chunk], [y_list[i] for i in chunk]
