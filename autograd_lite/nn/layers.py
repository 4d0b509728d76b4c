"""Building blocks over lists of Values: ``Linear``, ``Embedding``, ``RMSNorm``, ``LayerNorm``.

Each is an ``nn.Module`` whose weights are registered attributes, so its state dict is
``{"weight": rows, "bias": [...]}`` (a matrix is a list of rows, row = output unit, as in
PyTorch and microgpt). Every output of a ``Linear`` is **one node**: ``dot`` over the row and
the input (with the bias as the weight on a constant input 1, as in ``nn.Neuron``).

Weights start as ``N(0, std**2)`` draws (``std=0.08``, microgpt's), row by row from
``random.Random(seed)`` or the ``rng`` given; biases start at 0 and norm scales at 1. Use
``nn.init`` to start from anything else.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

from autograd_lite import Value
from autograd_lite.aliases import ValueLike
from autograd_lite.extend import builtin

from .base import Module
from .inputs import integer, plain, real, shape
from .module import _positive_int, _rng

_dot = builtin("dot").apply   # unchecked: the parents are already Values
_sum = builtin("sum").apply


def vector(xs: Iterable[ValueLike], n: int, who: str) -> tuple[Value, ...]:
    """``xs`` as ``n`` Values (numbers become constants); a clear error otherwise."""
    try:
        items = tuple(plain(xs))
    except TypeError:
        raise TypeError(f"{who} expects a list of {n} numbers or Values, got {type(xs).__name__}") from None
    if len(items) != n:
        raise ValueError(f"{who} expects {n} inputs, got {len(items)} (input shape {shape(xs)})")
    out = []
    for x in items:
        if type(x) is Value:
            out.append(x)
        elif isinstance(x, bool) or real(x) is None:
            raise TypeError(f"{who} expects numbers or Values, got {type(x).__name__} {x!r:.40}")
        else:
            out.append(Value(float(x)))
    return tuple(out)


def _std(std: object) -> float:
    value = real(std)
    if value is None or not 0.0 <= value < math.inf:
        raise ValueError(f"std must be a finite number >= 0 (the weights' standard deviation), got {std!r}")
    return value


def _eps(eps: object) -> float:
    value = real(eps)
    if value is None or not 0.0 < value < math.inf:
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
    return value


def _flag(x: object, name: str) -> bool:
    if not isinstance(x, bool):
        raise TypeError(f"{name} must be True or False, got {x!r}")
    return x


def matrix(nout: int, nin: int, std: float, rng: random.Random) -> list[list[Value]]:
    """``nout`` rows of ``nin`` Values drawn from N(0, std**2), row by row (microgpt's order)."""
    return [[Value(rng.gauss(0.0, std)) for _ in range(nin)] for _ in range(nout)]


def rmsnorm(x: Sequence[Value], eps: float = 1e-5) -> list[Value]:
    """``x_i * (mean(x_j**2) + eps) ** -0.5`` (microgpt's rmsnorm): one dot node for the
    sum of squares, then a node per output."""
    scale = (_dot(tuple(x) + tuple(x)) / len(x) + eps) ** -0.5
    return [xi * scale for xi in x]


class Linear(Module):
    """``y = W x + b`` for a list of ``nin`` numbers or Values; returns a list of ``nout``
    Values, each one dot node. ``weight`` is ``nout`` rows of ``nin``; ``bias`` (if any) ``nout``."""

    def __init__(self, nin: int, nout: int, bias: bool = True, *, std: float = 0.08, seed: int | None = None,
                 rng: random.Random | None = None) -> None:
        self.nin, self.nout = _positive_int(nin, "nin"), _positive_int(nout, "nout")
        self.has_bias = _flag(bias, "bias")
        self.weight = matrix(self.nout, self.nin, _std(std), _rng(seed, rng))
        if self.has_bias:
            self.bias = [Value(0.0) for _ in range(self.nout)]

    def forward(self, x: tuple[Value, ...]) -> list[Value]:
        """The outputs for inputs already checked to be ``nin`` Values (no validation)."""
        if self.has_bias:
            inputs = x + (Value(1.0),)
            return [_dot((*row, b) + inputs) for row, b in zip(self.weight, self.bias)]
        return [_dot((*row, *x)) for row in self.weight]

    def __call__(self, x: Iterable[ValueLike]) -> list[Value]:
        return self.forward(vector(x, self.nin, "Linear"))

    def config(self) -> dict[str, Any]:
        return {"type": "Linear", "nin": self.nin, "nout": self.nout, "bias": self.has_bias}

    def __repr__(self) -> str:
        return f"Linear({self.nin}, {self.nout}, bias={self.has_bias})"


def token_id(t: object, num: int, who: str) -> int:
    """``t`` as an index in [0, num); TypeError for a bool, float or other non-int."""
    index = None if isinstance(t, bool) else integer(t)
    if index is None:
        raise TypeError(f"{who} must be an int, got {type(t).__name__} {t!r:.40}")
    if not 0 <= index < num:
        raise ValueError(f"{who} {index} is out of range: ids go from 0 to {num - 1}")
    return index


class Embedding(Module):
    """A table of ``num`` rows of ``dim`` Values; ``emb(i)`` is row ``i`` (a new list of the
    row's very Values, as microgpt's ``state_dict['wte'][i]``)."""

    def __init__(self, num: int, dim: int, *, std: float = 0.08, seed: int | None = None,
                 rng: random.Random | None = None) -> None:
        self.num, self.dim = _positive_int(num, "num"), _positive_int(dim, "dim")
        self.weight = matrix(self.num, self.dim, _std(std), _rng(seed, rng))

    def __call__(self, index: int) -> list[Value]:
        return list(self.weight[token_id(index, self.num, "Embedding index")])

    def config(self) -> dict[str, Any]:
        return {"type": "Embedding", "num": self.num, "dim": self.dim}

    def __repr__(self) -> str:
        return f"Embedding({self.num}, {self.dim})"


class RMSNorm(Module):
    """``x_i / sqrt(mean(x**2) + eps)``, times a learnable ``weight_i`` (starting at 1) when
    ``elementwise_affine``. The default has no parameters: microgpt's rmsnorm."""

    def __init__(self, dim: int, eps: float = 1e-5, elementwise_affine: bool = False) -> None:
        self.dim, self.eps = _positive_int(dim, "dim"), _eps(eps)
        self.elementwise_affine = _flag(elementwise_affine, "elementwise_affine")
        if self.elementwise_affine:
            self.weight = [Value(1.0) for _ in range(self.dim)]

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """The normalised inputs, for ``dim`` Values already checked (no validation)."""
        out = rmsnorm(x, self.eps)
        return [o * w for o, w in zip(out, self.weight)] if self.elementwise_affine else out

    def __call__(self, x: Iterable[ValueLike]) -> list[Value]:
        return self.forward(vector(x, self.dim, "RMSNorm"))

    def config(self) -> dict[str, Any]:
        return {"type": "RMSNorm", "dim": self.dim, "eps": self.eps, "elementwise_affine": self.elementwise_affine}

    def __repr__(self) -> str:
        return f"RMSNorm({self.dim}, eps={self.eps})"


class LayerNorm(Module):
    """``(x_i - mean) / sqrt(var + eps) * weight_i + bias_i``, the variance biased (over
    ``dim``, as PyTorch); ``weight`` starts at 1 and ``bias`` at 0 when ``elementwise_affine``."""

    def __init__(self, dim: int, eps: float = 1e-5, elementwise_affine: bool = True) -> None:
        self.dim, self.eps = _positive_int(dim, "dim"), _eps(eps)
        self.elementwise_affine = _flag(elementwise_affine, "elementwise_affine")
        if self.elementwise_affine:
            self.weight = [Value(1.0) for _ in range(self.dim)]
            self.bias = [Value(0.0) for _ in range(self.dim)]

    def forward(self, x: Sequence[Value]) -> list[Value]:
        """The normalised inputs, for ``dim`` Values already checked (no validation)."""
        mean = _sum(tuple(x)) / self.dim
        centred = tuple(xi - mean for xi in x)
        scale = (_dot(centred + centred) / self.dim + self.eps) ** -0.5
        out = [c * scale for c in centred]
        if self.elementwise_affine:
            return [o * w + b for o, w, b in zip(out, self.weight, self.bias)]
        return out

    def __call__(self, x: Iterable[ValueLike]) -> list[Value]:
        return self.forward(vector(x, self.dim, "LayerNorm"))

    def config(self) -> dict[str, Any]:
        return {"type": "LayerNorm", "dim": self.dim, "eps": self.eps, "elementwise_affine": self.elementwise_affine}

    def __repr__(self) -> str:
        return f"LayerNorm({self.dim}, eps={self.eps})"
