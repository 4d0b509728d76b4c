"""A random expression graph as data: input points plus a list of instructions.

An :class:`Expression` is a straight-line program. Nodes ``0 .. n-1`` are the leaves
(``x0, x1, ...``); instruction ``k`` creates node ``n + k`` by applying one op to earlier
nodes. A node may be used by several later instructions, so the program describes any
DAG: fan-out and diamonds as well as trees. The output is the last node.

The same instructions can be run by different interpreters: on Values (the engine,
``ex(*values)``), on floats with :mod:`math` (:meth:`Expression.evaluate`) and in sympy
(:mod:`autograd_lite.testing.oracle`). Each interpreter is a table from op name to a
function, so they share nothing but the op names.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, cast

from .. import operators
from ..value import Value

VARIADIC = "n"  # sum, logsumexp, softmax: 1..k inputs
PAIRED = "2n"   # dot: k weights then k inputs


class Instruction(NamedTuple):
    """Apply ``op`` to the nodes numbered ``args``; ``param`` is the op's number, if any
    (exponent of ``**n``, constant of ``x+c``..., slope of ``leaky_relu``, alpha of ``elu``,
    the pair ``(lo, hi)`` of ``clamp``, index of ``softmax``)."""

    op: str
    args: tuple[int, ...]
    param: Any = None


class OpSpec(NamedTuple):
    arity: int | str  # 1, 2, VARIADIC or PAIRED
    on_values: Callable[[list[Value], Any], Value]
    on_floats: Callable[[list[float], Any], float]
    text: Callable[[list[str], Any], str]  # from the operands' texts
    infix: bool = False


def _unary(method: str) -> Callable[[list[Value], Any], Value]:
    return lambda a, p: getattr(a[0], method)()


def _function(name: str) -> Callable[[list[str], Any], str]:
    return lambda a, p: f"{name}({a[0]})"


def _call(name: str) -> Callable[[list[str], Any], str]:
    return lambda a, p: f"{name}({', '.join(a)})"


def _infix(symbol: str) -> Callable[[list[str], Any], str]:
    return lambda a, p: f"{a[0]} {symbol} {a[1]}"


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _logsumexp(xs: Sequence[float]) -> float:
    shift = max(xs)
    return shift + math.log(math.fsum(math.exp(x - shift) for x in xs))


def _softmax(xs: Sequence[float], i: int) -> float:
    shift = max(xs)
    exps = [math.exp(x - shift) for x in xs]
    return exps[i] / math.fsum(exps)


# The stable formulas below round exactly as the engine's do (sympy, not these, is the
# independent check), so that comparing forward values to 1e-12 cannot flake where a graph
# later cancels (softplus(x) - x) and scales up the last bit.

def _softplus(x: float) -> float:
    # log(1 + e**x) = max(x, 0) + log(1 + e**-|x|): no overflow, no cancellation
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def _gelu(x: float) -> float:
    return x * (0.5 * math.erfc(-x * math.sqrt(0.5)))  # 1 + erf(x/sqrt 2) would cancel far left


def _elu(x: float, alpha: float) -> float:
    return x if x > 0.0 else alpha * math.expm1(x)


def _half(a: Sequence[Any]) -> int:
    return len(a) // 2


def _list(name: str) -> Callable[[list[str], Any], str]:
    return lambda a, p: f"{name}([{', '.join(a)}])"


OPS = {
    "+": OpSpec(2, lambda a, p: a[0] + a[1], lambda a, p: a[0] + a[1], _infix("+"), True),
    "-": OpSpec(2, lambda a, p: a[0] - a[1], lambda a, p: a[0] - a[1], _infix("-"), True),
    "*": OpSpec(2, lambda a, p: a[0] * a[1], lambda a, p: a[0] * a[1], _infix("*"), True),
    "/": OpSpec(2, lambda a, p: a[0] / a[1], lambda a, p: a[0] / a[1], _infix("/"), True),
    "**": OpSpec(2, lambda a, p: a[0] ** a[1], lambda a, p: a[0] ** a[1], _infix("**"), True),
    "**n": OpSpec(1, lambda a, p: a[0] ** p, lambda a, p: a[0] ** p, lambda a, p: f"{a[0]} ** {p!r}", True),
    "x+c": OpSpec(1, lambda a, p: a[0] + p, lambda a, p: a[0] + p, lambda a, p: f"{a[0]} + {p!r}", True),
    "c*x": OpSpec(1, lambda a, p: p * a[0], lambda a, p: p * a[0], lambda a, p: f"{p!r} * {a[0]}", True),
    "c-x": OpSpec(1, lambda a, p: p - a[0], lambda a, p: p - a[0], lambda a, p: f"{p!r} - {a[0]}", True),
    "c/x": OpSpec(1, lambda a, p: p / a[0], lambda a, p: p / a[0], lambda a, p: f"{p!r} / {a[0]}", True),
    "c**x": OpSpec(1, lambda a, p: p ** a[0], lambda a, p: p ** a[0], lambda a, p: f"{p!r} ** {a[0]}", True),
    "neg": OpSpec(1, lambda a, p: -a[0], lambda a, p: -a[0], lambda a, p: f"-{a[0]}", True),
    "abs": OpSpec(1, lambda a, p: abs(a[0]), lambda a, p: abs(a[0]), _function("abs")),
    "exp": OpSpec(1, _unary("exp"), lambda a, p: math.exp(a[0]), _function("exp")),
    "log": OpSpec(1, _unary("log"), lambda a, p: math.log(a[0]), _function("log")),
    "sqrt": OpSpec(1, _unary("sqrt"), lambda a, p: math.sqrt(a[0]), _function("sqrt")),
    "tanh": OpSpec(1, _unary("tanh"), lambda a, p: math.tanh(a[0]), _function("tanh")),
    "sigmoid": OpSpec(1, _unary("sigmoid"), lambda a, p: _sigmoid(a[0]), _function("sigmoid")),
    "relu": OpSpec(1, _unary("relu"), lambda a, p: max(a[0], 0.0), _function("relu")),
    "leaky_relu": OpSpec(
        1, lambda a, p: a[0].leaky_relu(p), lambda a, p: a[0] if a[0] > 0.0 else p * a[0],
        lambda a, p: f"leaky_relu({a[0]}, {p!r})",
    ),
    "sin": OpSpec(1, _unary("sin"), lambda a, p: math.sin(a[0]), _function("sin")),
    "cos": OpSpec(1, _unary("cos"), lambda a, p: math.cos(a[0]), _function("cos")),
    "tan": OpSpec(1, _unary("tan"), lambda a, p: math.tan(a[0]), _function("tan")),
    "asin": OpSpec(1, _unary("asin"), lambda a, p: math.asin(a[0]), _function("asin")),
    "acos": OpSpec(1, _unary("acos"), lambda a, p: math.acos(a[0]), _function("acos")),
    "atan": OpSpec(1, _unary("atan"), lambda a, p: math.atan(a[0]), _function("atan")),
    "sinh": OpSpec(1, _unary("sinh"), lambda a, p: math.sinh(a[0]), _function("sinh")),
    "cosh": OpSpec(1, _unary("cosh"), lambda a, p: math.cosh(a[0]), _function("cosh")),
    "log1p": OpSpec(1, _unary("log1p"), lambda a, p: math.log1p(a[0]), _function("log1p")),
    "expm1": OpSpec(1, _unary("expm1"), lambda a, p: math.expm1(a[0]), _function("expm1")),
    "erf": OpSpec(1, _unary("erf"), lambda a, p: math.erf(a[0]), _function("erf")),
    "erfc": OpSpec(1, _unary("erfc"), lambda a, p: math.erfc(a[0]), _function("erfc")),
    "softplus": OpSpec(1, _unary("softplus"), lambda a, p: _softplus(a[0]), _function("softplus")),
    "gelu": OpSpec(1, _unary("gelu"), lambda a, p: _gelu(a[0]), _function("gelu")),
    "silu": OpSpec(1, _unary("silu"), lambda a, p: a[0] * _sigmoid(a[0]), _function("silu")),
    "elu": OpSpec(1, lambda a, p: a[0].elu(p), lambda a, p: _elu(a[0], p), lambda a, p: f"elu({a[0]}, {p!r})"),
    "clamp": OpSpec(  # param: (lo, hi)
        1, lambda a, p: a[0].clamp(*p), lambda a, p: min(max(a[0], p[0]), p[1]),
        lambda a, p: f"clamp({a[0]}, {p[0]!r}, {p[1]!r})",
    ),
    "maximum": OpSpec(2, lambda a, p: operators.maximum(*a), lambda a, p: max(a), _call("maximum")),
    "minimum": OpSpec(2, lambda a, p: operators.minimum(*a), lambda a, p: min(a), _call("minimum")),
    "sum": OpSpec(VARIADIC, lambda a, p: operators.sum(a), lambda a, p: math.fsum(a), _list("sum")),
    "logsumexp": OpSpec(VARIADIC, lambda a, p: operators.logsumexp(a), lambda a, p: _logsumexp(a), _list("logsumexp")),
    "softmax": OpSpec(
        VARIADIC, lambda a, p: operators.softmax(a)[p], lambda a, p: _softmax(a, p),
        lambda a, p: f"softmax([{', '.join(a)}])[{p}]",
    ),
    "dot": OpSpec(
        PAIRED, lambda a, p: operators.dot(a[: _half(a)], a[_half(a):]),
        lambda a, p: math.fsum(w * x for w, x in zip(a[: _half(a)], a[_half(a):])),
        lambda a, p: f"dot([{', '.join(a[: _half(a)])}], [{', '.join(a[_half(a):])}])",
    ),
}

ALL_OPS = tuple(OPS)
COMMUTATIVE = {"+": operator.add, "*": operator.mul}


class Expression:
    """A computation graph with an input point: ``ex.inputs`` (floats) and ``ex(*values)``.

    ``ex(*values)`` builds the graph on the given Values (numbers are lifted to
    constants) and returns the output Value, so ``gradcheck(ex, ex.inputs)`` works as is.
    ``ex.instructions`` is the program; ``repr(ex)`` shows it as an expression in which
    nodes used more than once are named (``v3``) and defined in a ``where`` clause.
    """

    def __init__(self, inputs: Iterable[float], instructions: Iterable[Instruction | tuple[Any, ...]]) -> None:
        self.inputs = [float(x) for x in inputs]
        self.instructions = tuple(Instruction(*ins) for ins in instructions)
        for k, ins in enumerate(self.instructions):
            if ins.op not in OPS:
                raise ValueError(f"unknown op {ins.op!r} in instruction {k}; known ops: {', '.join(ALL_OPS)}")
            if not all(0 <= i < len(self.inputs) + k for i in ins.args):
                raise ValueError(f"instruction {k} ({ins.op}) refers to a node that does not exist yet: {ins.args}")

    @property
    def n_leaves(self) -> int:
        return len(self.inputs)

    @property
    def size(self) -> int:
        """Number of op nodes (instructions)."""
        return len(self.instructions)

    @property
    def ops(self) -> set[str]:
        """The set of op names used."""
        return {ins.op for ins in self.instructions}

    def reachable(self) -> list[bool]:
        """For each node, whether the output depends on it (dead code is allowed)."""
        live = [False] * (self.n_leaves + self.size)
        live[-1] = True
        for k in range(self.size - 1, -1, -1):
            if live[self.n_leaves + k]:
                for i in self.instructions[k].args:
                    live[i] = True
        return live

    def use_counts(self) -> list[int]:
        """How many times the output's graph uses each node as an argument (duplicates
        counted; uses by dead instructions are not)."""
        live = self.reachable()
        counts = [0] * (self.n_leaves + self.size)
        for k, ins in enumerate(self.instructions):
            if live[self.n_leaves + k]:
                for i in ins.args:
                    counts[i] += 1
        return counts

    def has_fan_out(self) -> bool:
        """True when some node feeds more than one argument slot (a diamond or ``a*a``)."""
        return any(count > 1 for count in self.use_counts())

    def interpret(self, table: Mapping[str, Callable[[list[Any], Any], Any]], leaves: Iterable[Any]) -> Any:
        """Run the program with ``table[op](args, param)`` for each instruction."""
        nodes = list(leaves)
        for ins in self.instructions:
            nodes.append(table[ins.op]([nodes[i] for i in ins.args], ins.param))
        return nodes[-1]

    def __call__(self, *values: Value | float) -> Value:
        if len(values) != self.n_leaves:
            raise TypeError(f"this expression takes {self.n_leaves} inputs, got {len(values)}")
        leaves = [v if isinstance(v, Value) else Value(v) for v in values]
        return cast(Value, self.interpret({op: spec.on_values for op, spec in OPS.items()}, leaves))

    def evaluate(self, point: Sequence[float] | None = None) -> float:
        """The output as a float computed with :mod:`math` (independent of the engine)."""
        return cast(float, self.interpret({op: spec.on_floats for op, spec in OPS.items()}, point or self.inputs))

    def to_sympy(self, symbols: Iterable[Any] | None = None) -> Any:  # Any: a sympy expression
        """The same graph as a sympy expression in ``symbols`` (default ``x0, x1, ...``)."""
        from .oracle import to_sympy

        return to_sympy(self, symbols)

    def __repr__(self) -> str:
        counts = self.use_counts()
        texts = [f"x{i}" for i in range(self.n_leaves)]
        infix = [False] * self.n_leaves
        shared: list[str] = []
        for k, ins in enumerate(self.instructions):
            node = self.n_leaves + k
            spec = OPS[ins.op]
            operands = [f"({texts[i]})" if infix[i] and spec.infix else texts[i] for i in ins.args]
            text = spec.text(operands, ins.param)
            if counts[node] > 1 and k < self.size - 1:
                shared.append(f"v{node} = {text}")
                text, is_infix = f"v{node}", False
            else:
                is_infix = spec.infix
            texts.append(text)
            infix.append(is_infix)
        where = f" where {'; '.join(shared)}" if shared else ""
        return f"Expression({texts[-1]}{where}; inputs={self.inputs!r})"
