"""Hypothesis strategies for Values and for random expression graphs.

>>> from hypothesis import given
>>> from autograd_lite.testing import gradcheck
>>> from autograd_lite.testing.strategies import expressions
>>> @given(expressions())
... def test_my_gradients(ex):
...     gradcheck(ex, ex.inputs)

Needs the optional dependency hypothesis: ``pip install "autograd-lite[hypothesis]"``.

How inputs stay inside every op's domain: the graph is drawn together with its input
point, and each instruction is evaluated on floats (with :mod:`math`) as it is drawn.

* An op that needs a positive argument (``log``, ``sqrt``, a fractional power, the base
  of ``**``), one above -1 (``log1p``) or one away from zero (a divisor, a negative power)
  and does not get one is applied to ``x*x + 1`` instead: two extra nodes, recorded in the
  graph, so every interpreter (engine, math, sympy) sees the same guarded graph.
* ``asin`` and ``acos``, which need an argument inside (-1, 1), are applied to
  ``x / (x*x + 1)`` (always within [-1/2, 1/2]) instead when theirs is not within
  ``1 - UNIT_MARGIN`` of 0. Guards are arithmetic only, so that a planted bug in a
  function is found in that function, not in a guard.
* An op applied within ``KINK_MARGIN`` of a kink (``relu``, ``abs``, ``leaky_relu``, ``elu``
  at 0, ``clamp`` at its bounds, ``maximum``/``minimum`` at a tie) or of a pole (``tan``
  where cos x is within it of 0), or whose result would leave ``[-MAX_MAGNITUDE,
  MAX_MAGNITUDE]`` (``exp`` overflow, repeated squaring) is dropped: it is not added to
  the graph.

No example is ever rejected, so drawing is cheap, and the structure is plain integers and
choices from lists, so hypothesis shrinks it to few, simple nodes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "autograd_lite.testing.strategies needs the 'hypothesis' package, which is an optional "
        "dependency: install it with  pip install \"autograd-lite[hypothesis]\"  (or pip install hypothesis). "
        "autograd_lite.testing.gradcheck works without it."
    ) from error

from ..value import Value
from .expression import ALL_OPS, OPS, PAIRED, VARIADIC, Expression, Instruction

__all__ = ["expressions", "values", "OPS", "POSITIVE_MARGIN", "NONZERO_MARGIN", "UNIT_MARGIN", "KINK_MARGIN",
           "MAX_MAGNITUDE"]

POSITIVE_MARGIN = 0.1   # log, sqrt, fractional powers and bases of ** see at least this
NONZERO_MARGIN = 0.1    # divisors and negatively powered bases are at least this far from 0
UNIT_MARGIN = 0.1       # asin and acos see at most 1 - UNIT_MARGIN in size
KINK_MARGIN = 0.05      # how close to a kink or pole an op is never evaluated
MAX_MAGNITUDE = 1e3     # every node's value stays within +-MAX_MAGNITUDE

# op -> (argument positions, the bound their values must exceed by POSITIVE_MARGIN)
_NEEDS_ABOVE = {"log": ((0,), 0.0), "sqrt": ((0,), 0.0), "**": ((0,), 0.0), "log1p": ((0,), -1.0)}
_NEEDS_NONZERO = {"/": (1,), "c/x": (0,)}
_NEEDS_UNIT = {"asin", "acos"}


def _at_zero(a: Sequence[float], p: Any) -> bool:
    return abs(a[0]) < KINK_MARGIN


# op -> whether its arguments are within KINK_MARGIN of a kink or pole
_KINKS: dict[str, Callable[[list[float], Any], bool]] = {
    "relu": _at_zero, "abs": _at_zero, "leaky_relu": _at_zero, "elu": _at_zero,
    "clamp": lambda a, p: min(abs(a[0] - p[0]), abs(a[0] - p[1])) < KINK_MARGIN,
    "maximum": lambda a, p: abs(a[0] - a[1]) < KINK_MARGIN,
    "minimum": lambda a, p: abs(a[0] - a[1]) < KINK_MARGIN,
    "tan": lambda a, p: abs(math.cos(a[0])) < KINK_MARGIN,
}

_PARAMS: dict[str, st.SearchStrategy[Any]] = {
    "**n": st.sampled_from([2.0, 3.0, -1.0, 0.5, -2.0, 1.5, -0.5]),
    "x+c": st.sampled_from([1.0, -1.0, 2.0, 0.5, -3.0]),
    "c*x": st.sampled_from([2.0, -1.0, 0.5, 3.0, -0.25]),
    "c-x": st.sampled_from([1.0, 0.0, -2.0, 0.5]),
    "c/x": st.sampled_from([1.0, -1.0, 2.0, 0.5]),
    "c**x": st.sampled_from([2.0, 0.5, 3.0]),
    "leaky_relu": st.sampled_from([0.01, 0.1, 0.25]),
    "elu": st.sampled_from([1.0, 0.5, 2.0]),
    "clamp": st.sampled_from([(-1.0, 1.0), (0.0, 2.0), (-2.0, 0.5), (-0.5, 0.5)]),
}


def values(min_value: float = -3.0, max_value: float = 3.0) -> st.SearchStrategy[Value]:
    """Leaf Values whose data is a finite float in ``[min_value, max_value]``."""
    _check_range(min_value, max_value)
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False).map(Value)


def expressions(ops: Iterable[str] | None = None, n_leaves: int | tuple[int, int] = (1, 3), max_size: int = 8,
                sharing: float = 0.3, min_value: float = -3.0, max_value: float = 3.0,
                inputs: Iterable[float] | None = None) -> st.SearchStrategy[Expression]:
    """Random expression graphs with an input point inside every op's domain.

    ``ops``: names of the allowed ops (default: all of ``ALL_OPS``).
    ``n_leaves``: the number of inputs, an int or an inclusive ``(min, max)`` pair.
    ``max_size``: the most op nodes in a graph (guard nodes included).
    ``sharing``: the probability that an argument is any earlier node rather than one not
    used yet; higher values give more fan-out and diamonds. With 0 the graph is a tree except
    for domain guards (``x*x + 1``) and for ops wider than the number of unused nodes.
    ``min_value``, ``max_value``: the range of the inputs.
    ``inputs``: a fixed input point (list of floats) to draw graphs for, e.g. to draw a
    second expression at the same point as a first one.

    Each drawn :class:`~autograd_lite.testing.expression.Expression` ``ex`` has
    ``ex.inputs``, builds its output with ``ex(*values)`` and has a readable repr.
    """
    ops = _check_ops(ops)
    low, high = _check_leaves(n_leaves)
    if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 1:
        raise ValueError(f"expressions(max_size=...) must be an int >= 1, got {max_size!r}")
    if not isinstance(sharing, (int, float)) or isinstance(sharing, bool) or not 0.0 <= sharing <= 1.0:
        raise ValueError(f"expressions(sharing=...) must be a probability in [0, 1], got {sharing!r}")
    _check_range(min_value, max_value)
    if inputs is not None:
        inputs = [float(x) for x in inputs]
        if not inputs or not all(math.isfinite(x) for x in inputs):
            raise ValueError(f"expressions(inputs=...) must be a non-empty list of finite numbers, got {inputs!r}")
    leaf = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return _expressions(tuple(ops), low, high, max_size, sharing, leaf, inputs)


@st.composite
def _expressions(draw: st.DrawFn, ops: Sequence[str], low: int, high: int, max_size: int, sharing: float,
                 leaf: st.SearchStrategy[float], fixed_inputs: Iterable[float] | None) -> Expression:
    if fixed_inputs is None:
        point = [draw(leaf) for _ in range(draw(st.integers(low, high)))]
    else:
        point = list(fixed_inputs)
    builder = _Builder(point)
    for _ in range(draw(st.integers(1, max_size))):
        if len(builder.instructions) >= max_size:
            break
        op = draw(st.sampled_from(ops))
        arity = OPS[op].arity
        if arity in (VARIADIC, PAIRED):
            width = draw(st.integers(1, 3 if arity == VARIADIC else 2))
            arity = width if arity == VARIADIC else 2 * width
        arity = cast(int, arity)  # a fixed arity, or the width just drawn
        args: list[int] = []
        for _ in range(arity):
            args.append(builder.pick(draw, sharing, args))
        if op == "softmax":
            param: Any = draw(st.integers(0, arity - 1))
        else:
            param = draw(_PARAMS[op]) if op in _PARAMS else None
        builder.add(op, args, param, max_size)
    return Expression(point, builder.instructions)


class _Builder:
    """Grows the instruction list while tracking every node's float value."""

    def __init__(self, point: Sequence[float]) -> None:
        self.values = list(point)
        self.instructions: list[Instruction] = []
        self.unused = list(range(len(point)))  # nodes no instruction consumes yet

    def pick(self, draw: st.DrawFn, sharing: float, taken: Sequence[int]) -> int:
        """An argument: usually a node not used yet (trees), with probability ``sharing``
        any earlier node (fan-out). Index 0 is the most recent node, so shrinking makes chains."""
        fresh = [i for i in self.unused if i not in taken]
        if fresh and draw(st.integers(0, 99)) >= sharing * 100:
            return fresh[-1 - draw(st.integers(0, len(fresh) - 1))]
        return len(self.values) - 1 - draw(st.integers(0, len(self.values) - 1))

    def add(self, op: str, args: Sequence[int], param: Any, max_size: int) -> None:
        new: list[Instruction] = []
        args = list(args)
        for position in _positions_to_guard(op, args, param, self.values):
            guard = self._into_unit_interval if op in _NEEDS_UNIT else self._guarded
            args[position] = guard(args[position], new)
        new.append(Instruction(op, tuple(args), param))
        if len(self.instructions) + len(new) > max_size:
            return
        values = list(self.values)
        for ins in new:
            value = _evaluate(ins, values)
            if value is None:
                return
            values.append(value)
        self.values = values
        self.unused = [i for i in self.unused if all(i not in ins.args for ins in new)]
        self.unused.append(len(self.values) - 1)
        self.instructions.extend(new)

    def _guarded(self, node: int, new: list[Instruction]) -> int:
        """``x*x + 1`` of ``node`` as two pending instructions; returns its node number."""
        base = len(self.values) + len(new)
        new.append(Instruction("*", (node, node)))
        new.append(Instruction("x+c", (base,), 1.0))
        return base + 1

    def _into_unit_interval(self, node: int, new: list[Instruction]) -> int:
        """``node / (node*node + 1)`` as three pending instructions; returns its node number."""
        denominator = self._guarded(node, new)
        new.append(Instruction("/", (node, denominator)))
        return denominator + 1


def _positions_to_guard(op: str, args: Sequence[int], param: Any, values: Sequence[float]) -> list[int]:
    if op in _NEEDS_ABOVE:
        positions, bound = _NEEDS_ABOVE[op]
        return [p for p in positions if values[args[p]] < bound + POSITIVE_MARGIN]
    if op in _NEEDS_UNIT:
        return [0] if abs(values[args[0]]) > 1.0 - UNIT_MARGIN else []
    if op in _NEEDS_NONZERO:
        return [p for p in _NEEDS_NONZERO[op] if abs(values[args[p]]) < NONZERO_MARGIN]
    if op == "**n":
        x = values[args[0]]
        if (not float(param).is_integer() and x < POSITIVE_MARGIN) or (param < 0 and abs(x) < NONZERO_MARGIN):
            return [0]
    return []


def _evaluate(ins: Instruction, values: Sequence[float]) -> float | None:
    """The instruction's float value, or None if it is too close to a kink or too large."""
    args = [values[i] for i in ins.args]
    if ins.op in _KINKS and _KINKS[ins.op](args, ins.param):
        return None
    try:
        value = float(OPS[ins.op].on_floats(args, ins.param))
    except (OverflowError, ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        return None
    return value


def _check_ops(ops: Iterable[str] | None) -> list[str]:
    if ops is None:
        return list(ALL_OPS)
    if isinstance(ops, str):
        raise TypeError(f"expressions(ops=...) takes a list of op names, got the string {ops!r}; try ops=[{ops!r}]")
    ops = list(ops)
    unknown = [op for op in ops if op not in OPS]
    if unknown or not ops:
        raise ValueError(f"expressions(ops=...): unknown or no ops {unknown!r}; choose from {', '.join(ALL_OPS)}")
    return ops


def _check_leaves(n_leaves: int | tuple[int, int]) -> tuple[int, int]:
    low: object  # whatever the caller passed, until checked
    high: object
    try:
        low, high = (n_leaves, n_leaves) if isinstance(n_leaves, int) else tuple(n_leaves)
    except (TypeError, ValueError):
        low = high = None
    if not (type(low) is int and type(high) is int and 1 <= low <= high):
        raise ValueError(f"expressions(n_leaves=...) must be an int >= 1 or a (min, max) pair with 1 <= min <= max, "
                         f"got {n_leaves!r}")
    return low, high


def _check_range(min_value: float, max_value: float) -> None:
    if not (math.isfinite(min_value) and math.isfinite(max_value) and min_value < max_value):
        raise ValueError(f"need finite min_value < max_value, got {min_value!r} and {max_value!r}")
