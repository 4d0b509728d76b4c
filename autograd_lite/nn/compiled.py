"""Training steps through ``autograd_lite.compile`` (``fit(..., compile=True)``).

The loss is compiled per example, ``loss(model(x), target)``, with the target as a static
argument (a class label or a number is part of the cache key, so each distinct target is
traced once) and the model's parameters as ``params``. A batch's gradient is the sum of
its examples' gradients, scaled by 1/n for a mean loss: the total derivative is linear,
so this equals the batch graph's gradient up to float rounding. The first batch checks
that the loss really is the mean (or sum) of per-example losses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter, mul
from typing import TYPE_CHECKING, Any

import autograd_lite
from autograd_lite import Value, no_grad

if TYPE_CHECKING:
    from .module import Module


class CompiledLoss:
    """Per-example compiled loss of ``model``; ``step(X_batch, y_batch)`` fills ``.grad``."""

    def __init__(self, model: Module, loss: Callable[[Any, Any], Value]) -> None:
        self.model, self.loss = model, loss
        self.params = model.parameters()
        self.per_example = autograd_lite.compile(lambda x, target: loss(model(x), target),
                                                 params=self.params, static_argnums=(1,), argnums=())
        self.scale: str | None = None  # 1/n for a mean loss, 1 for a sum; found on the first batch

    def step(self, X_batch: Sequence[Any], y_batch: Sequence[Any]) -> float:
        """Add d loss / d p into every parameter's grad; return the batch loss."""
        if self.scale is None:
            self.scale = self._reduction(X_batch, y_batch)
        total = 0.0
        for x, target in zip(X_batch, y_batch):
            total += self.per_example(x, target)[0]
        factor = 1.0 / len(X_batch) if self.scale == "mean" else 1.0
        if factor != 1.0:  # one C-level step, as compile commits: a Ctrl-C scales all or none
            list(map(setattr, self.params, repeat("grad"), map(mul, map(attrgetter("grad"), self.params),
                                                                repeat(factor))))
        return total * factor

    @no_grad()
    def _reduction(self, X_batch: Sequence[Any], y_batch: Sequence[Any]) -> str:
        model, loss = self.model, self.loss
        outputs = [model(x) for x in X_batch]
        eager = loss(outputs if len(outputs) > 1 else outputs[0], y_batch if len(y_batch) > 1 else y_batch[0]).data
        total = math.fsum(loss(out, t).data for out, t in zip(outputs, y_batch))
        if math.isclose(eager, total / len(X_batch), rel_tol=1e-9, abs_tol=1e-12):
            return "mean"
        if math.isclose(eager, total, rel_tol=1e-9, abs_tol=1e-12):
            return "sum"
        raise ValueError("fit(compile=True) needs a loss that is the mean or the sum of per-example losses "
                         "(every nn loss is); this loss is neither, so train with compile=False")
