"""Functions of Values: the elementary functions, and ops over lists that make one node
with n parents (not a chain of n-1 binary nodes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import rules
from .value import Value, apply, apply_rule, lift

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .aliases import Number, ValueLike


_ONLY_VALUES = {Value}


def _items(xs: Iterable[ValueLike], where: str) -> tuple[Any, ...]:  # Any: what the caller passed
    try:
        return tuple(xs)
    except TypeError:
        raise TypeError(f"{where} expects an iterable of Values or numbers, got {type(xs).__name__}") from None


def _values(xs: Iterable[ValueLike], where: str) -> tuple[Value, ...]:
    items = _items(xs, where)
    if set(map(type, items)) <= _ONLY_VALUES:  # the common case, checked in C
        return items
    return tuple(lift(x, f"{where} element") for x in items)


def exp(x: ValueLike) -> Value:
    """e**x of a Value or number (returns a Value)."""
    return lift(x).exp()


def log(x: ValueLike) -> Value:
    """Natural log of a Value or number; ValueError for x <= 0."""
    return lift(x).log()


def sqrt(x: ValueLike) -> Value:
    """Square root of a Value or number; ValueError for x < 0."""
    return lift(x).sqrt()


def tanh(x: ValueLike) -> Value:
    return lift(x).tanh()


def sigmoid(x: ValueLike) -> Value:
    return lift(x).sigmoid()


def relu(x: ValueLike) -> Value:
    return lift(x).relu()


def leaky_relu(x: ValueLike, slope: Number = 0.01) -> Value:
    return lift(x).leaky_relu(slope)


def sin(x: ValueLike) -> Value:
    return lift(x).sin()


def cos(x: ValueLike) -> Value:
    return lift(x).cos()


def tan(x: ValueLike) -> Value:
    return lift(x).tan()


def asin(x: ValueLike) -> Value:
    """arcsin of a Value or number; ValueError outside [-1, 1]."""
    return lift(x).asin()


def acos(x: ValueLike) -> Value:
    """arccos of a Value or number; ValueError outside [-1, 1]."""
    return lift(x).acos()


def atan(x: ValueLike) -> Value:
    return lift(x).atan()


def sinh(x: ValueLike) -> Value:
    return lift(x).sinh()


def cosh(x: ValueLike) -> Value:
    return lift(x).cosh()


def log1p(x: ValueLike) -> Value:
    """log(1 + x), exact for tiny x; ValueError for x <= -1."""
    return lift(x).log1p()


def expm1(x: ValueLike) -> Value:
    """e**x - 1, exact for tiny x."""
    return lift(x).expm1()


def erf(x: ValueLike) -> Value:
    return lift(x).erf()


def erfc(x: ValueLike) -> Value:
    return lift(x).erfc()


def softplus(x: ValueLike) -> Value:
    """log(1 + e**x), without overflow."""
    return lift(x).softplus()


def gelu(x: ValueLike) -> Value:
    """x * Phi(x) (the exact erf form, PyTorch's default)."""
    return lift(x).gelu()


def silu(x: ValueLike) -> Value:
    """x * sigmoid(x)."""
    return lift(x).silu()


def elu(x: ValueLike, alpha: Number = 1.0) -> Value:
    """x for x > 0, else alpha * (e**x - 1)."""
    return lift(x).elu(alpha)


def clamp(x: ValueLike, lo: Number | None = None, hi: Number | None = None) -> Value:
    """x limited to [lo, hi]; see ``Value.clamp``."""
    return lift(x).clamp(lo, hi)


def maximum(a: ValueLike, b: ValueLike) -> Value:
    """The larger of two Values or numbers, as one node; a tie gives each half the
    gradient (as PyTorch does); nan if either is nan."""
    return apply_rule(rules.MAXIMUM, a, b)


def minimum(a: ValueLike, b: ValueLike) -> Value:
    """The smaller of two Values or numbers, as one node; a tie gives each half the
    gradient (as PyTorch does); nan if either is nan."""
    return apply_rule(rules.MINIMUM, a, b)


def sum(values: Iterable[ValueLike]) -> Value:
    """x1 + ... + xn as one node with n parents; an empty sum is Value(0.0)."""
    parents = _values(values, "sum()")
    return apply(rules.SUM, parents) if parents else Value(0.0)


def mean(values: Iterable[ValueLike]) -> Value:
    """(x1 + ... + xn) / n; ValueError for an empty list."""
    parents = _values(values, "mean()")
    if not parents:
        raise ValueError("mean() of an empty list is undefined; pass at least one value")
    return apply(rules.SUM, parents) / len(parents)


def dot(ws: Iterable[ValueLike], xs: Iterable[ValueLike]) -> Value:
    """w1*x1 + ... + wn*xn as one node with 2n parents (ws, then xs)."""
    ws, xs = _items(ws, "dot() weights"), _items(xs, "dot() inputs")
    if len(ws) != len(xs):
        raise ValueError(f"dot() needs lists of equal length, got {len(ws)} weights and {len(xs)} inputs")
    parents = ws + xs
    if not set(map(type, parents)) <= _ONLY_VALUES:  # one check in C for the common case
        parents = _values(ws, "dot() weights") + _values(xs, "dot() inputs")
    return apply(rules.DOT, parents) if parents else Value(0.0)


def logsumexp(values: Iterable[ValueLike]) -> Value:
    """log(e**x1 + ... + e**xn), shifted by the max so it never overflows; one node."""
    parents = _values(values, "logsumexp()")
    if not parents:
        raise ValueError("logsumexp() of an empty list is -inf; pass at least one value")
    return apply(rules.LOGSUMEXP, parents)


def softmax(values: Iterable[ValueLike]) -> list[Value]:
    """[e**xi / sum_j e**xj], shifted by the max; a list of n nodes, each with n parents.

    Each output's local derivatives are a row of the softmax Jacobian s_i (delta_ij - s_j).
    """
    parents = _values(values, "softmax()")
    if not parents:
        raise ValueError("softmax() of an empty list is undefined; pass at least one value")
    return [apply(rules.softmax_output(i), parents) for i in range(len(parents))]


__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("rules", "Value", "apply", "apply_rule", "lift", "annotations", "TYPE_CHECKING", "Any")]
