"""Initialisers: set existing parameters in place from a ``random.Random``, never the global state.

Each takes parameters as Values, tensors (nested lists of Values, a matrix as a list of rows)
or Modules, and draws one number per scalar in that order (a Module's in ``named_parameters()``
order), so a model can start exactly where another program starts: give it the same
generator in the same state, e.g. microgpt's weights are ``random.gauss(0, 0.08)`` drawn
matrix by matrix (wte, wpe, lm_head, then each layer's attn_wq, attn_wk, attn_wv, attn_wo,
mlp_fc1, mlp_fc2) and row by row, which is ``nn.init.normal_(gpt.named_tensors(), 0.08, rng)``
order for an ``nn.GPT``.
"""

from __future__ import annotations

import math
import random
from typing import Any

from autograd_lite import Value

from .inputs import real


def _scalars(params: Any) -> list[Value]:
    from .base import Module  # here: base imports nothing of this module, but keep init light
    if not isinstance(params, (Value, Module, list, tuple)):
        try:
            params = list(params)  # a generator, e.g. (p for p in model.parameters() if ...)
        except TypeError:
            raise TypeError(f"nn.init expects Values, lists of Values or Modules, got {type(params).__name__}") from None
    found: list[Value] = []
    stack = [params]
    while stack:
        item = stack.pop()
        if isinstance(item, Value):
            found.append(item)
        elif isinstance(item, Module):
            found.extend(item.parameters())
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            stack.append(item[1])  # a (name, tensor) pair from named_tensors() or named_parameters()
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        else:
            raise TypeError(f"nn.init expects Values, lists of Values or Modules, got {type(item).__name__}")
    if len(set(map(id, found))) != len(found):
        raise ValueError("nn.init got the same parameter twice; each would be drawn twice")
    return found


def _generator(rng: random.Random | None) -> random.Random:
    if rng is None:
        return random.Random()
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random (e.g. random.Random(42)), got {type(rng).__name__}")
    return rng


def _finite(x: object, name: str, positive: bool = False) -> float:
    value = real(x)
    if value is None or not math.isfinite(value) or (positive and value < 0.0):
        raise ValueError(f"{name} must be a finite number{' >= 0' if positive else ''}, got {x!r}")
    return value


def normal_(params: Any, std: float = 0.08, rng: random.Random | None = None, mean: float = 0.0) -> None:
    """Set each parameter to ``rng.gauss(mean, std)``, in order (microgpt's draw with std 0.08)."""
    std_, mean_ = _finite(std, "std", positive=True), _finite(mean, "mean")
    values, generator = _scalars(params), _generator(rng)
    for p in values:
        p.data = generator.gauss(mean_, std_)


def uniform_(params: Any, low: float = -1.0, high: float = 1.0, rng: random.Random | None = None) -> None:
    """Set each parameter to ``rng.uniform(low, high)``, in order."""
    lo, hi = _finite(low, "low"), _finite(high, "high")
    if lo > hi:
        raise ValueError(f"uniform_ needs low <= high, got low={low!r}, high={high!r}")
    values, generator = _scalars(params), _generator(rng)
    for p in values:
        p.data = generator.uniform(lo, hi)


def constant_(params: Any, value: float) -> None:
    """Set each parameter to ``value`` (zeros for biases, ones for norm scales)."""
    number = _finite(value, "value")
    for p in _scalars(params):
        p.data = number


__all__ = ["normal_", "uniform_", "constant_"]
