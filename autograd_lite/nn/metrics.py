"""Evaluating a model without recording a graph: predictions, accuracy for classifiers,
mean squared error for regression, and the mean loss.

X and y may be lists or NumPy arrays (see ``nn.inputs``); a y of shape (n, 1) counts as
shape (n,).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd_lite import Value, no_grad

from .activations import ScaledSigmoid, Sigmoid
from .inputs import examples, is_sequence, number, paired, plain

METRICS = ("accuracy", "mse")
Model = Callable[[Any], Any]  # one example -> a Value or a list of Values (an nn module, or any function)
Output = Any  # a model's output as numbers: a float, or a list of floats


def predict(model: Model, X: Any) -> list[Output]:
    """The model's outputs for each example as floats (a float, or a list for several
    outputs), computed without recording a graph."""
    with no_grad():
        outputs = [model(x) for x in examples(X)]
    return [floats(out) for out in outputs]


def floats(out: Value | Iterable[Value]) -> Output:
    """A model output (a Value or a list of Values) as a float or a list of floats."""
    return out.data if isinstance(out, Value) else [o.data for o in out]


def default_threshold(model: object) -> float:
    """0.5 when the model's output is a probability (a sigmoid output layer), else 0.0."""
    output = getattr(model, "activations", [None])[-1]
    return 0.5 if isinstance(output, (Sigmoid, ScaledSigmoid)) else 0.0


def label(target: Any) -> Any:
    """A target as a class label: a number, or the argmax of a row of probabilities
    (one-hot); a one-element row is its number."""
    target = plain(target)
    if is_sequence(target):
        if len(target) == 1:
            return plain(target[0])
        return max(range(len(target)), key=lambda i: target[i])
    return target


def labels_from_outputs(outputs: Iterable[Output], y: Iterable[Any], threshold: float) -> list[Any]:
    """Class labels from model outputs: argmax for a list of outputs; for one output,
    the positive label 1 above ``threshold`` and otherwise the negative label, which is
    -1 if ``y`` uses -1/+1 labels and 0 if it uses 0/1."""
    negative = -1 if any(label(t) == -1 for t in y) else 0
    return [max(range(len(o)), key=o.__getitem__) if isinstance(o, list) else (1 if o > threshold else negative)
            for o in outputs]


def correct_count(outputs: Iterable[Output], targets: Iterable[Any], y_all: Iterable[Any], threshold: float) -> int:
    """How many of ``outputs`` (floats, see ``floats``) give the label of their target;
    ``y_all`` decides between 0/1 and -1/+1 labels."""
    predicted = labels_from_outputs(outputs, y_all, threshold)
    return sum(p == label(t) for p, t in zip(predicted, targets))


def squared_errors(outputs: Iterable[Output], targets: Iterable[Any]) -> tuple[float, int]:
    """(sum of squared errors, count of numbers) between outputs and targets, pairing each
    output number with its target number (a target row for several outputs)."""
    total: list[float] = []
    count = 0
    for out, target in zip(outputs, targets):
        out_row = out if isinstance(out, list) else [out]
        target_row = plain(target) if is_sequence(plain(target)) else [target]
        if len(out_row) != len(target_row):
            raise ValueError(f"the model gives {len(out_row)} outputs per example but a target has "
                             f"{len(target_row)} numbers: {plain(target)!r}")
        total += [(o - number(t, "regression targets")) ** 2 for o, t in zip(out_row, target_row)]
        count += len(out_row)
    return math.fsum(total), count


def accuracy(model: Model, X: Any, y: Any, threshold: float | None = None) -> float:
    """The fraction of examples whose predicted label equals y (see labels_from_outputs).
    A target may be a label or a one-hot row (its argmax is the label)."""
    X_list, y_list = _evaluation_pair(X, y, "accuracy")
    threshold = default_threshold(model) if threshold is None else threshold
    return correct_count(predict(model, X_list), y_list, y_list, threshold) / len(y_list)


def mean_squared_error(model: Model, X: Any, y: Any) -> float:
    """(1/N) sum (output - target)**2 over every output number, without a graph: the
    regression metric that ``fit`` reports with ``mse_loss``."""
    X_list, y_list = _evaluation_pair(X, y, "mean_squared_error")
    total, count = squared_errors(predict(model, X_list), y_list)
    return total / count


def evaluate(metric: str, model: Model, X: Any, y: Any, threshold: float | None = None) -> float:
    """``metric`` ("accuracy" or "mse") of the model on (X, y)."""
    if metric == "accuracy":
        return accuracy(model, X, y, threshold)
    return mean_squared_error(model, X, y)


def evaluate_loss(model: Model, X: Any, y: Any, loss: Callable[[Any, Any], Value]) -> float:
    """The mean loss over (X, y), without recording a graph."""
    X_list, y_list = _evaluation_pair(X, y, "evaluate_loss")
    with no_grad():
        return (loss([model(x) for x in X_list], y_list).data if len(X_list) > 1
                else loss(model(X_list[0]), y_list[0]).data)


def _evaluation_pair(X: Any, y: Any, who: str) -> tuple[list[Any], list[Any]]:
    X_list, y_list = paired(X, y, who)
    if not X_list:
        raise ValueError(f"{who} needs at least one example")
    return X_list, y_list
