"""Extending autograd-lite: custom ops, and the engine's own ops as building blocks.

``op(name, forward, local)`` makes a new op (a function with the attributes ``rule``
and ``apply``, the unchecked path), like ``torch.autograd.Function`` or
``jax.custom_vjp``::

    >>> import math
    >>> import autograd_lite as ag
    >>> hypot = ag.op("hypot", forward=math.hypot, local=lambda x, y, out: (x / out, y / out))
    >>> x, y = ag.Value(3.0), ag.Value(4.0)
    >>> h = hypot(x, y)
    >>> h.backward()
    >>> h.data, x.grad, y.grad
    (5.0, 0.6, 0.8)

Each call makes **one node** named ``name``. ``forward(*floats)`` returns its value.
``local(*xs, out)`` returns one local derivative per input, the same contract as a row
of ``rules.TABLE``: written with arithmetic and the functions of :mod:`autograd_lite.math`,
it runs on floats for first order and on Values for higher order (``hessian``,
``create_graph``). Return :data:`ZERO` where the op is flat in an input, so that no
gradient (not even inf or nan) flows through that edge.

``builtin(op, *constants)`` gives an engine op as the same kind of object, for library
code such as :mod:`autograd_lite.nn`: ``builtin("dot").apply(values)`` is the unchecked
path (a tuple of Values, nothing converted), calling it is the checked one.
"""

from __future__ import annotations

import functools
import inspect
import keyword
import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from . import elementary, nodes, operators, rules, value
from .mode import MODE
from .rules import ZERO
from .conversions import as_label
from .value import Value, as_float

if TYPE_CHECKING:
    from .aliases import Number, ValueLike

__all__ = ["op", "Op", "CustomOp", "builtin", "ZERO"]
_FLOAT = frozenset((float,))


class CustomOp(Protocol):
    """What :func:`op` returns: a function that makes one node from Values or numbers, with
    the attributes ``rule`` (its :class:`~autograd_lite.rules.Rule`), ``apply`` (the
    unchecked path: a tuple of Values in, nothing converted) and ``op_name``."""

    rule: rules.Rule
    apply: Callable[[tuple[Value, ...]], Value]
    op_name: str

    def __call__(self, *inputs: ValueLike) -> Value: ...


def _as_value(x: object, where: str) -> Value:
    """A constant Value for a number (the operators' fast path), or lift's clear error."""
    constant = value._constant(x)
    return constant if constant is not None else value.lift(x, where)


class Op:
    """An engine op as a function: ``op(*inputs)`` makes one node from Values or numbers.

    ``rule`` is its :class:`~autograd_lite.rules.Rule`; ``apply(values)`` is the unchecked
    path, which takes a tuple of Values and converts nothing. ``checked(inputs)``, if
    given, is the public function's path (its checks on the inputs included)."""

    def __init__(self, rule: rules.Rule,
                 checked: Callable[[tuple[ValueLike, ...]], Value] | None = None) -> None:
        self.rule = rule
        self.name = rule.name
        self.apply: Callable[[tuple[Value, ...]], Value] = functools.partial(value.apply, rule)
        self._checked = checked

    def __call__(self, *inputs: ValueLike) -> Value:
        if self._checked is not None:
            return self._checked(inputs)
        where = f"{self.name}()"
        expected = len(self.rule.inputs)
        if not self.rule.variadic and len(inputs) != expected:
            raise TypeError(f"{where} takes {expected} input{'s' * (expected != 1)}, got {len(inputs)}")
        return self.apply(tuple(value.lift(x, f"{where} input") for x in inputs))

    def __repr__(self) -> str:
        return f"<autograd_lite op {self.name!r}>"


def _dot(inputs: tuple[ValueLike, ...]) -> Value:
    """builtin("dot")(w1..wn, x1..xn): ag.dot(ws, xs), once the flat list is split."""
    n, odd = divmod(len(inputs), 2)
    if odd:
        raise ValueError(f"builtin('dot') takes w1..wn then x1..xn, an even number of inputs, got {len(inputs)}")
    return operators.dot(inputs[:n], inputs[n:])


def _softmax_output(i: int) -> Callable[[tuple[ValueLike, ...]], Value]:
    def output(inputs: tuple[ValueLike, ...]) -> Value:
        parents = operators._values(inputs, "softmax()")
        if not i < len(parents):
            raise ValueError(f"builtin('softmax', {i}) is output {i} of a softmax, so it needs more than {i} "
                             f"input{'s' * (i != 0)}, got {len(parents)}")
        return value.apply(rules.softmax_output(i), parents)
    return output


def _softmax_index(i: object) -> int:
    index = int(i) if isinstance(i, numbers.Integral) and not isinstance(i, bool) else -1
    if index < 0:
        raise TypeError(f"builtin('softmax', i): i is the output's index, an int >= 0, got {i!r}")
    return index


def _clamped_log_eps(eps: object) -> rules.Rule:
    # The constraint binary_cross_entropy puts on its eps (the op's only public user).
    rate = as_float(eps, "builtin('clamped_log') eps")
    if not 0.0 <= rate < 0.5:
        raise ValueError(f"builtin('clamped_log', eps): eps must be in [0, 0.5), got {eps!r}")
    return rules.with_constants("clamped_log", rate)


# What builtin(name, ...) calls: the public functions (or the rule makers they use), so the
# checks on inputs and constants are theirs.
_CHECKED_CALLS: dict[str, Callable[[tuple[ValueLike, ...]], Value]] = {
    "dot": _dot, "sum": operators.sum, "logsumexp": operators.logsumexp}
_CONSTANT_RULES: dict[str, Callable[..., rules.Rule]] = {
    "**n": lambda n: rules.power(as_float(n, "** exponent")),  # as Value.__pow__
    "leaky_relu": elementary.leaky_relu_rule, "elu": elementary.elu_rule, "clamp": elementary.clamp_rule,
    "clamped_log": _clamped_log_eps, "softmax": lambda i: rules.softmax_output(_softmax_index(i))}


def builtin(name: str, *constants: Number) -> Op:
    """The engine's op ``name`` (a row of ``rules.TABLE``), with its constants if it takes
    any: ``builtin("dot")``, ``builtin("leaky_relu", 0.2)``; KeyError for an unknown name.

    Calling it checks the inputs and constants as the public function does
    (``builtin("clamp", 2, 1)`` raises like ``ag.clamp(x, 2, 1)``; ``builtin("dot")``
    wants w1..wn, x1..xn); ``.apply`` checks nothing."""
    if not isinstance(name, str):
        raise TypeError(f"builtin: name must be a str (a row of rules.TABLE, e.g. 'dot'), got {type(name).__name__}")
    row = rules.ROWS[name]
    if row[2]:
        expected = row[2].split()
        if len(constants) != len(expected):
            raise TypeError(f"builtin({name!r}) takes the constants {row[2]!r}, got {len(constants)}")
        rule = _CONSTANT_RULES[name](*constants)
        return Op(rule, _softmax_output(int(rule.param_values[0])) if name == "softmax" else None)
    if constants:
        raise TypeError(f"builtin({name!r}) takes no constants, got {len(constants)}")
    return Op(rules.RULES[name], _CHECKED_CALLS.get(name))


def _arity(local: Callable[..., Any], name: str) -> int | None:
    """The number of inputs, read from ``local(*xs, out)``'s signature; None if it takes
    ``*args`` (then any number)."""
    try:
        parameters = list(inspect.signature(local).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) < 2:
        raise TypeError(f"op {name!r}: local must take the inputs and then out, local(*xs, out); "
                        f"its signature is {inspect.signature(local)}")
    return len(positional) - 1


def op(name: str, forward: Callable[..., float], local: Callable[..., tuple[Any, ...]]) -> CustomOp:
    """A new op: returns a function that makes one node named ``name`` (see the module
    docstring). ``forward(*floats) -> float``; ``local(*xs, out) -> tuple`` with one local
    derivative per input, on floats (first order) and on Values (higher order)."""
    name = as_label(name, "op: name")  # it labels every node the op makes
    if not name.strip():
        raise TypeError(f"op: name must be a non-empty string, got {name!r}")
    for role, function in (("forward", forward), ("local", local)):
        if not callable(function):
            raise TypeError(f"op {name!r}: {role} must be callable, got {type(function).__name__}")
    n = _arity(local, name)
    checks = _Checks(name, forward, local, n)
    rule = rules.Rule(name, checks.forward, checks.local, ("*xs",) if n is None else
                      tuple(f"x{i}" for i in range(n)))
    unchecked = functools.partial(value.apply, rule)
    if n is None:
        def call(*inputs: ValueLike) -> Value:
            return unchecked(tuple(value.lift(x, f"{name}() input") for x in inputs))
    else:
        call = _fused_call(rule, n, checks)
    made = cast(CustomOp, call)
    made.rule, made.apply, made.op_name = rule, unchecked, name
    return made


class _Checks:
    """A custom op's ``forward`` and ``local`` with the checks that make a wrong rule a
    clear error instead of a wrong gradient."""

    def __init__(self, name: str, forward: Callable[..., Any], local: Callable[..., Any], n: int | None) -> None:
        self.name, self.user_forward, self.user_local, self.n = name, forward, local, n

    def forward(self, *xs: float) -> float:
        return self.number(self.user_forward(*xs))

    def number(self, out: object) -> float:
        if type(out) is float:
            return out
        if isinstance(out, Value):
            raise TypeError(f"op {self.name!r}: forward returned a Value; it gets floats and must return a "
                            "float (use math or autograd_lite.math, which return a float for a float)")
        return as_float(out, f"op {self.name!r}: forward")

    def local(self, *xs_out: Any) -> tuple[Any, ...]:
        return self.derivatives(self.user_local(*xs_out), xs_out)

    def derivatives(self, result: object, xs_out: tuple[Any, ...]) -> tuple[Any, ...]:
        n = len(xs_out) - 1
        if type(result) is tuple and len(result) == n and set(map(type, result)) <= _FLOAT:
            return result  # the common case, checked in C
        if not isinstance(result, (tuple, list)) or len(result) != n:
            shown = f"{type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
                else type(result).__name__
            raise TypeError(f"op {self.name!r}: local must return a tuple of {n} local derivative"
                            f"{'s' * (n != 1)} (one per input), got {shown}")
        symbolic = any(isinstance(x, Value) for x in xs_out)
        checked: list[Any] = []
        for i, d in enumerate(result):
            if isinstance(d, Value):
                if not symbolic:
                    raise TypeError(f"op {self.name!r}: local returned a Value for float inputs (derivative "
                                    f"{i}); use math or autograd_lite.math, which return a float for a float")
                checked.append(d)
            elif d is ZERO:
                checked.append(d)
            else:
                checked.append(as_float(d, f"op {self.name!r}: local derivative {i}"))
        return tuple(checked)


def _fused_call(rule: rules.Rule, n: int, checks: _Checks) -> Callable[..., Value]:
    """The eager path of a custom op with ``n`` inputs, from the node template: numbers
    become constants, then the user's functions, checked, then one node."""
    names = [f"x{i}" for i in range(n)]
    nodes_ = [f"{x}_node" for x in names]
    lift = "".join(f"    if type({node}) is not Value:\n        {node} = _as_value({node}, where)\n"
                   for node in nodes_)
    unpack = "".join(f"    {x} = {node}.data\n" for x, node in zip(names, nodes_))
    xs = ", ".join(names)
    source = (f"def call({', '.join(nodes_)}):\n{lift}{unpack}"
              f"    out = forward({xs})\n"
              "    if type(out) is not float:\n        out = number(out)\n"
              + nodes.NODE.format(parents=f"({', '.join(nodes_)},)",
                                  locals=f"derivatives(local({xs}, out), ({xs}, out))"))
    namespace = {"Value": Value, "_new": object.__new__, "_mode": MODE.get, "_as_value": _as_value,
                 "where": f"{rule.name}() input", "rule": rule, "forward": checks.user_forward,
                 "number": checks.number, "local": checks.user_local, "derivatives": checks.derivatives}
    # One source per arity, shared by every op of n inputs (no per-op linecache entry).
    call = nodes.define(source, "call", f"autograd_lite op of {n} input{'s' * (n != 1)}", namespace)
    call.__code__ = call.__code__.replace(co_name=rule.name)  # tracebacks name the op
    if rule.name.isidentifier() and not keyword.iskeyword(rule.name):
        call.__name__ = call.__qualname__ = rule.name
    return call
