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

import functools
import inspect
import keyword

from . import nodes, rules, value
from .rules import ZERO
from .value import Value, as_float

__all__ = ["op", "Op", "builtin", "ZERO"]
_FLOAT = frozenset((float,))


def _as_value(x, where):
    """A constant Value for a number (the operators' fast path), or lift's clear error."""
    constant = value._constant(x)
    return constant if constant is not None else value.lift(x, where)


class Op:
    """An engine op as a function: ``op(*inputs)`` makes one node from Values or numbers.

    ``rule`` is its :class:`~autograd_lite.rules.Rule`; ``apply(values)`` is the unchecked
    path, which takes a tuple of Values and converts nothing."""

    def __init__(self, rule):
        self.rule = rule
        self.name = rule.name
        self.apply = functools.partial(value.apply, rule)

    def __call__(self, *inputs):
        where = f"{self.name}()"
        expected = len(self.rule.inputs)
        if not self.rule.variadic and len(inputs) != expected:
            raise TypeError(f"{where} takes {expected} input{'s' * (expected != 1)}, got {len(inputs)}")
        return self.apply(tuple(value.lift(x, f"{where} input") for x in inputs))

    def __repr__(self):
        return f"<autograd_lite op {self.name!r}>"


def builtin(name, *constants):
    """The engine's op ``name`` (a row of ``rules.TABLE``), with its constants if it takes
    any: ``builtin("dot")``, ``builtin("leaky_relu", 0.2)``; KeyError for an unknown name."""
    row = rules.ROWS[name]
    if row[2]:
        values = tuple(as_float(c, f"builtin({name!r}) constant") for c in constants)
        if len(values) != len(row[2].split()):
            raise TypeError(f"builtin({name!r}) takes the constants {row[2]!r}, got {len(values)}")
        return Op(rules.with_constants(name, *values))
    if constants:
        raise TypeError(f"builtin({name!r}) takes no constants, got {len(constants)}")
    return Op(rules.RULES[name])


def _arity(local, name):
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


def op(name, forward, local):
    """A new op: returns a function that makes one node named ``name`` (see the module
    docstring). ``forward(*floats) -> float``; ``local(*xs, out) -> tuple`` with one local
    derivative per input, on floats (first order) and on Values (higher order)."""
    if not isinstance(name, str) or not name.strip():
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
        def call(*inputs):
            return unchecked(tuple(value.lift(x, f"{name}() input") for x in inputs))
    else:
        call = _fused_call(rule, n, checks)
    call.rule, call.apply, call.op_name = rule, unchecked, name
    return call


class _Checks:
    """A custom op's ``forward`` and ``local`` with the checks that make a wrong rule a
    clear error instead of a wrong gradient."""

    def __init__(self, name, forward, local, n):
        self.name, self.user_forward, self.user_local, self.n = name, forward, local, n

    def forward(self, *xs):
        return self.number(self.user_forward(*xs))

    def number(self, out):
        if type(out) is float:
            return out
        if isinstance(out, Value):
            raise TypeError(f"op {self.name!r}: forward returned a Value; it gets floats and must return a "
                            "float (use math or autograd_lite.math, which return a float for a float)")
        return as_float(out, f"op {self.name!r}: forward")

    def local(self, *xs_out):
        return self.derivatives(self.user_local(*xs_out), xs_out)

    def derivatives(self, result, xs_out):
        n = len(xs_out) - 1
        if type(result) is tuple and len(result) == n and set(map(type, result)) <= _FLOAT:
            return result  # the common case, checked in C
        if not isinstance(result, (tuple, list)) or len(result) != n:
            shown = f"{type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
                else type(result).__name__
            raise TypeError(f"op {self.name!r}: local must return a tuple of {n} local derivative"
                            f"{'s' * (n != 1)} (one per input), got {shown}")
        symbolic = any(isinstance(x, Value) for x in xs_out)
        checked = []
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


def _fused_call(rule, n, checks):
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
    namespace = {"Value": Value, "_new": object.__new__, "_mode": value.MODE.get, "_as_value": _as_value,
                 "where": f"{rule.name}() input", "rule": rule, "forward": checks.user_forward,
                 "number": checks.number, "local": checks.user_local, "derivatives": checks.derivatives}
    call = nodes.define(source, "call", f"autograd_lite op {rule.name}", namespace)
    if rule.name.isidentifier() and not keyword.iskeyword(rule.name):
        call.__name__ = call.__qualname__ = rule.name
    return call
