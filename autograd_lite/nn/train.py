"""The training loop, and prediction helpers.

``fit`` runs three modes: ``batch_size=None`` is batch gradient descent (one
step per epoch on all examples), ``1`` is stochastic gradient descent (one step per
example) and ``k`` is mini-batch (one step per k examples).
"""

from __future__ import annotations

import functools
import random
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TextIO

from autograd_lite import Value, no_grad

from .activations import Softmax
from .compiled import CompiledLoss
from .data import batches
from .inputs import integer, is_sequence, paired, plain, seed_value, shape
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge_loss,
                     l2_penalty, mse_loss)
from .module import MLP, Layer, Module, Neuron
from .metrics import (METRICS, accuracy, correct_count, default_threshold, evaluate, evaluate_loss, floats,
                      labels_from_outputs, mean_squared_error, predict, squared_errors)
from .progress import NotebookProgress, notebook_progress

Loss = Callable[[Any, Any], Value]  # (outputs, targets) -> the loss; nn's losses, or your own


class OptimizerLike(Protocol):
    """What ``fit`` needs of an optimizer: nn's SGD and Adam, or your own."""

    def zero_grad(self) -> None: ...
    def step(self) -> None: ...


KNOWN_LOSSES = (mse_loss, binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge_loss)


class ProgressBar:
    """One line on a terminal, rewritten per epoch; silent when the stream is not a TTY."""

    def __init__(self, epochs: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.epochs = epochs
        self.enabled = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()

    def update(self, epoch: int, logs: Mapping[str, float]) -> None:
        if not self.enabled:
            return
        done = epoch + 1
        filled = round(30 * done / self.epochs)
        numbers = " ".join(f"{key} {value:.4f}" for key, value in logs.items())
        elapsed = time.perf_counter() - self.start
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] epoch {done}/{self.epochs} {numbers} {elapsed:.1f}s")
        if done == self.epochs:
            self.stream.write("\n")
        self.stream.flush()


def _unwrapped(loss: Callable[..., Any]) -> Callable[..., Any]:
    while isinstance(loss, functools.partial):
        loss = loss.func
    return loss


def default_metric(loss: Callable[..., Any]) -> str:
    """"mse" for ``mse_loss`` (also wrapped in functools.partial), else "accuracy"."""
    return "mse" if _unwrapped(loss) is mse_loss else "accuracy"


def fit(model: Module, X: Any, y: Any, loss: Loss, optimizer: OptimizerLike, epochs: int = 1,
        batch_size: int | None = None, l2: float = 0.0, shuffle: bool = True, seed: int = 0,
        validation_data: tuple[Any, Any] | None = None, threshold: float | None = None, verbose: bool = True,
        on_epoch_end: Callable[[int, dict[str, float]], object] | None = None, stream: TextIO | None = None,
        compile: bool = False, metric: str | None = None) -> dict[str, list[float]]:
    """Train ``model`` and return its history: ``{"loss": [...], metric: [...]}``, one entry
    per epoch (plus ``val_loss`` and ``"val_" + metric`` with ``validation_data=(X, y)``).

    ``metric`` is ``"accuracy"`` (classification) or ``"mse"`` (regression: the mean squared
    error over every output number); None picks ``"mse"`` for ``mse_loss`` and
    ``"accuracy"`` for every other loss. X and y may be lists or NumPy arrays (a 2-D X; a y
    of shape (n,), (n, 1) or (n, k)).

    Each step: forward on the batch, ``loss(outputs, targets)`` (+ ``l2 * sum p**2``),
    zero the gradients, backward, ``optimizer.step()``; the graph is then dropped. The
    epoch's loss is the example-weighted mean of its batches' losses and its metric is
    over the predictions made during the epoch (before each batch's update).
    ``on_epoch_end(epoch, logs)`` is called after each epoch; returning True stops early.
    With ``verbose``, progress shows on a terminal (a bar on ``stream``, stderr) and in a
    Jupyter notebook (a bar in the cell's output, see nn/progress.py); in a log it is quiet.

    ``compile=True`` computes each step's gradient with ``autograd_lite.compile`` (per
    example, see nn/compiled.py): the same training up to float rounding, faster once
    each target value has been traced.
    """
    X, y = _training_data(model, X, y)
    epoch_count = integer(epochs)
    if epoch_count is None or epoch_count < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    metric = default_metric(loss) if metric is None else metric
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(map(repr, METRICS))} or None, got {metric!r}")
    if loss is cross_entropy and isinstance(getattr(model, "activations", [None])[-1], Softmax):
        raise ValueError("cross_entropy expects logits, but the model's output layer is already a softmax; "
                         "use output_activation=None (linear) and let cross_entropy apply the softmax")
    threshold = default_threshold(model) if threshold is None else threshold
    _check_targets(model, loss, y)
    if validation_data is not None:
        X_val, y_val = _training_data(model, *validation_data, who="fit's validation_data")
        _check_targets(model, loss, y_val)
    params = model.parameters()
    history: dict[str, list[float]] = {"loss": [], metric: []}
    if validation_data is not None:
        history.update({"val_loss": [], f"val_{metric}": []})
    bar: NotebookProgress | ProgressBar = (notebook_progress(epoch_count, stream, verbose)
                                           or ProgressBar(epoch_count, stream, verbose))
    compiled = CompiledLoss(model, loss) if compile else None
    order_rng = random.Random(seed_value(seed))
    for epoch in range(epoch_count):
        total_loss, score, count = 0.0, 0.0, 0
        for X_batch, y_batch in batches(X, y, batch_size, shuffle, order_rng):
            if compiled is not None:
                outputs = predict(model, X_batch)
                optimizer.zero_grad()
                batch_value = compiled.step(X_batch, y_batch)
                if l2:
                    penalty = l2_penalty(params, l2)
                    penalty.backward()
                    batch_value += penalty.data
                optimizer.step()
            else:
                values = [model(x) for x in X_batch]
                batch_loss = loss(values if len(values) > 1 else values[0], y_batch if len(y_batch) > 1 else y_batch[0])
                if l2:
                    batch_loss = batch_loss + l2_penalty(params, l2)
                optimizer.zero_grad()
                batch_loss.backward()
                optimizer.step()
                batch_value = batch_loss.data
                outputs = [floats(v) for v in values]
                del values, batch_loss  # drop the graph before the next batch
            total_loss += batch_value * len(X_batch)
            if metric == "accuracy":
                score += correct_count(outputs, y_batch, y, threshold)
                count += len(y_batch)
            else:
                errors, numbers = squared_errors(outputs, y_batch)
                score, count = score + errors, count + numbers
        logs: dict[str, float] = {"loss": total_loss / len(X), metric: score / count}
        if validation_data is not None:
            logs["val_loss"] = evaluate_loss(model, X_val, y_val, loss)
            logs[f"val_{metric}"] = evaluate(metric, model, X_val, y_val, threshold)
        for key, value in logs.items():
            history[key].append(value)
        bar.update(epoch, logs)
        if on_epoch_end is not None and on_epoch_end(epoch, logs):
            break
    return history


def _training_data(model: object, X: Any, y: Any, who: str = "fit") -> tuple[list[Any], list[Any]]:
    """(X, y) as lists, checked against each other and against the model's input and
    output sizes, with errors that name the shapes."""
    X_list, y_list = paired(X, y, who)
    if not X_list:
        raise ValueError(f"{who} needs at least one example; X and y are empty")
    nin = getattr(model, "nin", None)
    if nin is not None:
        rows = [plain(row) for row in X_list]
        wrong = next((i for i, row in enumerate(rows) if not hasattr(row, "__len__") or len(row) != nin), None)
        if wrong is not None:
            raise ValueError(f"{who}: X has shape {shape(X)} (example {wrong} is {rows[wrong]!r:.60}) but the model "
                             f"takes {nin} inputs per example")
        X_list = rows
    outputs = _output_count(model)
    if outputs is not None:
        for i, target in enumerate(y_list):
            target = plain(target)
            if is_sequence(target) and len(target) not in (1, outputs):
                raise ValueError(f"{who}: y has shape {shape(y)} (target {i} has {len(target)} numbers) but the model "
                                 f"has {outputs} output{'s' * (outputs != 1)}")
    return X_list, y_list


def _check_targets(model: object, loss: Loss, y: list[Any]) -> None:
    """Every target checked by the loss itself before the first step, so that a bad label
    at example 500 does not stop training half-way with the model already changed. Only
    for nn's own losses (a loss of one dummy prediction per target, no graph): a user's
    loss may not accept dummy predictions."""
    outputs = _output_count(model)
    if outputs is None or _unwrapped(loss) not in KNOWN_LOSSES:
        return
    with no_grad():
        for i, target in enumerate(y):
            dummy: Value | list[Value] = Value(0.5) if outputs == 1 else [Value(0.5)] * outputs  # 0.5: a valid probability
            try:
                loss(dummy, target)
            except (TypeError, ValueError) as error:
                raise type(error)(f"target {i} of y: {error}") from None


def _output_count(model: object) -> int | None:
    """How many numbers the model gives per example, if it is one of nn's modules."""
    if isinstance(model, MLP):
        return model.nouts[-1]
    if isinstance(model, Layer):
        return model.nout
    return 1 if isinstance(model, Neuron) else None


# accuracy, predict, evaluate_loss... live in nn.metrics; they are imported here for the
# code that used them from nn.train.
__all__ = ["fit", "default_metric", "ProgressBar"]
