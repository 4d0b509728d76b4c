"""The training loop, and prediction helpers.

``fit`` runs three modes: ``batch_size=None`` is batch gradient descent (one
step per epoch on all examples), ``1`` is stochastic gradient descent (one step per
example) and ``k`` is mini-batch (one step per k examples).
"""

import random
import sys
import time

from autograd_lite import Value, no_grad

from .activations import ScaledSigmoid, Sigmoid, Softmax
from .compiled import CompiledLoss
from .data import batches
from .losses import cross_entropy, l2_penalty
from .progress import notebook_progress


def predict(model, X):
    """The model's outputs for each example as floats (a float, or a list for several
    outputs), computed without recording a graph."""
    with no_grad():
        outputs = [model(x) for x in X]
    return [_floats(out) for out in outputs]


def _floats(out):
    return out.data if isinstance(out, Value) else [o.data for o in out]


def default_threshold(model):
    """0.5 when the model's output is a probability (a sigmoid output layer), else 0.0."""
    output = getattr(model, "activations", [None])[-1]
    return 0.5 if isinstance(output, (Sigmoid, ScaledSigmoid)) else 0.0


def labels_from_outputs(outputs, y, threshold):
    """Class labels from model outputs: argmax for a list of outputs; for one output,
    the positive label 1 above ``threshold`` and otherwise the negative label, which is
    -1 if ``y`` uses -1/+1 labels and 0 if it uses 0/1."""
    negative = -1 if any(label == -1 for label in y) else 0
    return [max(range(len(o)), key=o.__getitem__) if isinstance(o, list) else (1 if o > threshold else negative)
            for o in outputs]


def accuracy(model, X, y, threshold=None):
    """The fraction of examples whose predicted label equals y (see labels_from_outputs)."""
    X, y = list(X), list(y)
    if not X or len(X) != len(y):
        raise ValueError(f"accuracy needs as many targets as examples, and at least one; got {len(X)} and {len(y)}")
    threshold = default_threshold(model) if threshold is None else threshold
    predicted = labels_from_outputs(predict(model, X), y, threshold)
    return sum(p == t for p, t in zip(predicted, y)) / len(y)


class ProgressBar:
    """One line on a terminal, rewritten per epoch; silent when the stream is not a TTY."""

    def __init__(self, epochs, stream=None, enabled=True):
        self.stream = stream if stream is not None else sys.stderr
        self.epochs = epochs
        self.enabled = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()

    def update(self, epoch, logs):
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


def fit(model, X, y, loss, optimizer, epochs=1, batch_size=None, l2=0.0, shuffle=True, seed=0,
        validation_data=None, threshold=None, verbose=True, on_epoch_end=None, stream=None, compile=False):
    """Train ``model`` and return its history: ``{"loss": [...], "accuracy": [...]}``, one
    entry per epoch (plus ``val_loss`` and ``val_accuracy`` with ``validation_data=(X, y)``).

    Each step: forward on the batch, ``loss(outputs, targets)`` (+ ``l2 * sum p**2``),
    zero the gradients, backward, ``optimizer.step()``; the graph is then dropped. The
    epoch's loss is the example-weighted mean of its batches' losses and its accuracy is
    over the predictions made during the epoch (before each batch's update).
    ``on_epoch_end(epoch, logs)`` is called after each epoch; returning True stops early.
    With ``verbose``, progress shows on a terminal (a bar on ``stream``, stderr) and in a
    Jupyter notebook (a bar in the cell's output, see nn/progress.py); in a log it is quiet.

    ``compile=True`` computes each step's gradient with ``autograd_lite.compile`` (per
    example, see nn/compiled.py): the same training up to float rounding, faster once
    each target value has been traced.
    """
    X, y = list(X), list(y)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if not X or len(X) != len(y):
        raise ValueError(f"fit needs as many targets as examples, and at least one; got {len(X)} and {len(y)}")
    if loss is cross_entropy and isinstance(getattr(model, "activations", [None])[-1], Softmax):
        raise ValueError("cross_entropy expects logits, but the model's output layer is already a softmax; "
                         "use output_activation=None (linear) and let cross_entropy apply the softmax")
    threshold = default_threshold(model) if threshold is None else threshold
    params = model.parameters()
    history = {"loss": [], "accuracy": []}
    if validation_data is not None:
        history.update(val_loss=[], val_accuracy=[])
    bar = notebook_progress(epochs, stream, verbose) or ProgressBar(epochs, stream, verbose)
    compiled = CompiledLoss(model, loss) if compile else None
    order_rng = random.Random(seed)
    for epoch in range(epochs):
        total_loss, correct = 0.0, 0
        for X_batch, y_batch in batches(X, y, batch_size, shuffle, order_rng):
            if compiled is not None:
                labels = labels_from_outputs(predict(model, X_batch), y, threshold)
                optimizer.zero_grad()
                batch_value = compiled.step(X_batch, y_batch)
                if l2:
                    penalty = l2_penalty(params, l2)
                    penalty.backward()
                    batch_value += penalty.data
                optimizer.step()
                total_loss += batch_value * len(X_batch)
                correct += sum(p == t for p, t in zip(labels, y_batch))
                continue
            outputs = [model(x) for x in X_batch]
            batch_loss = loss(outputs if len(outputs) > 1 else outputs[0], y_batch if len(y_batch) > 1 else y_batch[0])
            if l2:
                batch_loss = batch_loss + l2_penalty(params, l2)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            total_loss += batch_loss.data * len(X_batch)
            labels = labels_from_outputs([_floats(o) for o in outputs], y, threshold)
            correct += sum(p == t for p, t in zip(labels, y_batch))
            del outputs, batch_loss  # drop the graph before the next batch
        logs = {"loss": total_loss / len(X), "accuracy": correct / len(X)}
        if validation_data is not None:
            X_val, y_val = validation_data
            logs["val_loss"] = evaluate_loss(model, X_val, y_val, loss)
            logs["val_accuracy"] = accuracy(model, X_val, y_val, threshold)
        for key, value in logs.items():
            history[key].append(value)
        bar.update(epoch, logs)
        if on_epoch_end is not None and on_epoch_end(epoch, logs):
            break
    return history


def evaluate_loss(model, X, y, loss):
    """The mean loss over (X, y), without recording a graph."""
    X, y = list(X), list(y)
    with no_grad():
        return loss([model(x) for x in X], y).data if len(X) > 1 else loss(model(X[0]), y[0]).data

