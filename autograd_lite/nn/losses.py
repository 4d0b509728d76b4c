"""Loss functions. Each takes one example or a batch (a list of examples) and returns a
Value; a batch is reduced with ``reduction="mean"`` (the default) or ``"sum"``.

Predictions are Values (or numbers); targets are finite numbers: int, float, NumPy scalars,
0-d arrays, and NumPy arrays for batches (a one-element row such as a y of shape (n, 1)
counts as its number). bool and nan/inf targets are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeGuard

from autograd_lite import Value, dot, logsumexp
from autograd_lite import sum as value_sum
from autograd_lite.extend import builtin

from .inputs import class_index, number, plain

REDUCTIONS = ("mean", "sum")


def _reduce(terms: list[Value], reduction: str) -> Value:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if not terms:
        raise ValueError("a loss needs at least one example")
    if len(terms) == 1:  # one example: its term is the loss (no x1.0 nodes in the graph)
        return terms[0]
    total = value_sum(terms)
    return total * (1.0 / len(terms)) if reduction == "mean" else total


def _is_sequence(x: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(x, (list, tuple))


def _pairs(predictions: Any, targets: Any, who: str) -> tuple[list[Any], list[Any]]:
    """A single example or a batch, as two equal-length lists."""
    predictions, targets = plain(predictions), plain(targets)
    if not _is_sequence(predictions):
        return [predictions], [targets]
    if not _is_sequence(targets) or len(targets) != len(predictions):
        got = len(targets) if _is_sequence(targets) else type(targets).__name__
        raise ValueError(f"{who}: {len(predictions)} predictions but targets are {got}; pass one target each")
    return list(predictions), list(targets)


def _target(y: object, who: str) -> float:
    return number(y, f"a {who} target")


def _flatten(predictions: Any, targets: Any) -> tuple[list[Any], list[Any]]:
    predictions, targets = plain(predictions), plain(targets)
    if not _is_sequence(predictions):
        return [predictions], [targets]
    out_p: list[Any] = []
    out_t: list[Any] = []
    for p, t in zip(*_pairs(predictions, targets, "mse_loss")):
        flat_p, flat_t = _flatten(p, t)
        out_p += flat_p
        out_t += flat_t
    return out_p, out_t


def mse_loss(predictions: Any, targets: Any, reduction: str = "mean", half: bool = False) -> Value:
    """Mean squared error, L = (1/N) sum_i (p_i - y_i)**2 over all N numbers given
    (a scalar, a vector, or a batch of either). ``half=True`` gives the textbook convention
    L = 1/(2N) sum_i (p_i - y_i)**2, whose derivative (1/N)(p_i - y_i) has no factor 2.
    ``reduction="sum"`` drops the 1/N."""
    flat_p, flat_t = _flatten(predictions, targets)
    terms = [(p - _target(y, "mse_loss")) ** 2 for p, y in zip(flat_p, flat_t)]
    loss = _reduce(terms, reduction)
    return loss * 0.5 if half else loss


def binary_cross_entropy(probabilities: Any, targets: Any, reduction: str = "mean", eps: float = 1e-7) -> Value:
    """Log loss on probabilities p in [0, 1] and targets y in [0, 1]:
    L = -(y log p + (1 - y) log(1 - p)), averaged over the batch.

    Clamping: p is clamped to [eps, 1 - eps] (eps = 1e-7) before the logs, so a saturated
    sigmoid (exactly 0.0 or 1.0) gives a finite loss, at most -log(eps) ~ 16.1. The
    gradient passes straight through the clamp (d clamp/dp = 1), so a confidently wrong
    prediction still gets a large push back instead of a zero gradient. For logits, prefer
    ``binary_cross_entropy_with_logits``, which needs no clamp."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 <= eps < 0.5:
        raise ValueError(f"binary_cross_entropy eps must be a number in [0, 0.5), got {eps!r}")
    # log(clamp(p, eps, 1 - eps)) with d/dp = 1 / clamp(p, eps, 1 - eps), as one op: the clamp
    # is a branch inside the op's rule, never Python control flow on p.data, so
    # autograd_lite.compile evaluates it afresh on every call.
    clamped_log = builtin("clamped_log", float(eps)).apply
    terms: list[Value] = []
    for p, t in zip(*_pairs(probabilities, targets, "binary_cross_entropy")):
        y = _target(t, "binary_cross_entropy")
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy targets must be in [0, 1], got {y!r}")
        p = p if isinstance(p, Value) else Value(p)
        terms.append(-(y * clamped_log((p,)) + (1.0 - y) * clamped_log((1.0 - p,))))
    return _reduce(terms, reduction)


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean") -> Value:
    """Log loss on logits z, with p = sigmoid(z): L = log(1 + e**z) - y z, computed as
    logsumexp([0, z]) - y z, which never overflows. dL/dz = sigmoid(z) - y (the delta
    rule's output delta o - y), exact everywhere."""
    terms: list[Value] = []
    for z, t in zip(*_pairs(logits, targets, "binary_cross_entropy_with_logits")):
        y = _target(t, "binary_cross_entropy_with_logits")
        terms.append(logsumexp([0.0, z]) - y * z)
    return _reduce(terms, reduction)


def cross_entropy(logits: Any, targets: Any, reduction: str = "mean") -> Value:
    """Softmax cross-entropy on raw scores (logits) z_1..z_k and a class index t:
    L = -log softmax(z)_t = logsumexp(z) - z_t, stable for any z. dL/dz_i = s_i - [i = t]
    (the softmax output delta o - y). A target may also be a list of k probabilities y
    (e.g. one-hot): L = -sum_j y_j log softmax(z)_j.

    One example: ``cross_entropy([z1, z2, z3], 2)``; a batch: a list of logit lists and a
    list of targets. Give it a linear output layer's scores, not softmax probabilities: it
    applies the softmax itself."""
    logits, targets = plain(logits), plain(targets)
    if not _is_sequence(logits) or not logits:
        raise ValueError("cross_entropy expects a list of logits (or a list of such lists)")
    if not _is_sequence(logits[0]):
        logits, targets = [logits], [targets]
    terms: list[Value] = []
    for z, t in zip(*_pairs(logits, targets, "cross_entropy")):
        log_normaliser = logsumexp(z)
        t = plain(t)
        if _is_sequence(t) and (len(t) != 1 or len(z) == 1):  # else a row [t] of a y of shape (n, 1)
            if len(t) != len(z):
                raise ValueError(f"cross_entropy target has {len(t)} probabilities for {len(z)} logits")
            weights = [_target(y, "cross_entropy") for y in t]
            terms.append(value_sum(w * (log_normaliser - zj) for w, zj in zip(weights, z) if w))
        else:
            terms.append(log_normaliser - z[class_index(t, len(z), "cross_entropy target")])
    return _reduce(terms, reduction)


def hinge_loss(scores: Any, targets: Any, reduction: str = "mean", margin: float = 1.0) -> Value:
    """Max-margin loss (micrograd's): L = max(0, margin - y s) for a score s and a label
    y in {-1, +1}. Zero once the example is on the right side by at least the margin."""
    terms: list[Value] = []
    for s, t in zip(*_pairs(scores, targets, "hinge_loss")):
        y = _target(t, "hinge_loss")
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss labels must be -1 or +1, got {y!r}; map 0/1 labels with 2*y - 1")
        terms.append((margin - y * s).relu() if isinstance(s, Value) else Value(max(0.0, margin - y * s)))
    return _reduce(terms, reduction)


def l2_penalty(parameters: Iterable[Value], strength: float) -> Value:
    """strength * sum_p p**2, micrograd's regularisation term (gradient 2 strength p).

    Built as one node, ``dot(params, params)``: each parameter reaches it by two paths
    (as a weight and as an input), and backward sums them, p + p = 2p, the total
    derivative at a fan-out."""
    listed = list(parameters)
    return strength * dot(listed, listed)


__all__ = ["mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "hinge_loss", "l2_penalty"]
