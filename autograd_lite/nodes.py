"""Making nodes: one template for every node the eager engine builds.

A node records its value, its rule, and (unless inside ``no_grad``) its parents and local
derivatives. That is written once, in ``NODE``, and every function that makes a node is
generated from it: ``make`` (any rule, from its ``forward``/``local`` functions), the fused
Value methods (each table row's text inlined: one Python call per op instead of four) and
custom ops (``autograd_lite.op``). The generated source is registered with
:mod:`linecache`, so ``inspect.getsource(Value.__mul__)`` and tracebacks show real lines.

This module does not import :mod:`.value`: the Value class and its helpers are passed in.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Sequence
from functools import lru_cache
from types import CodeType
from typing import TYPE_CHECKING, Any

from .rules import register_source

if TYPE_CHECKING:
    from typing import TypeAlias

    from .rules import Rule
    from .value import Value

    # make(out, rule, parents, args): see make_function.
    MakeNode: TypeAlias = Callable[[float, Rule, tuple[Value, ...], Sequence[float]], Value]

NODE = """\
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node._label = ""
    node._rule = rule
    node._epoch = 0
    recording, node._scope = _mode()
    if recording:
        node._parents = {parents}
        node._local = {locals}
    else:
        node._parents = node._local = ()
    return node
"""

# A leaf: a number with no parents (Value(x), and the constant a plain operand becomes).
LEAF = """\
{node}.data = {data}
{node}.grad = 0.0
{node}._label = {label}
{node}._rule = None
{node}._epoch = 0
{node}._scope = _mode()[1]
{node}._parents = {node}._local = ()
"""

# An operand that may be a plain number: a float becomes a constant leaf inline (the common
# case: x * 0.5), anything else goes through _constant (None: not a number).
_LIFT = """\
    if type({name}) is not Value:
        if type({name}) is float:
            constant = _new(Value)
{leaf}            {name} = constant
        else:
            {name} = _constant({name})
            if {name} is None:
                return NotImplemented
"""


def _indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line for line in text.splitlines(keepends=True))


def define(source: str, name: str, what: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile ``source`` (our own template text) in ``namespace``; return ``namespace[name]``.

    The same source (every custom op of n inputs has the same text) is compiled and
    registered with linecache once: one entry per text, not one per op, so making and
    dropping ops keeps memory flat. ``what`` must name the text, not what it is used for."""
    code, entry = _compiled(source, what)
    linecache.cache.setdefault(entry[3], entry)  # back, if linecache.clearcache() dropped it
    exec(code, namespace)
    defined: Callable[..., Any] = namespace[name]
    return defined


@lru_cache(maxsize=256)
def _compiled(source: str, what: str) -> tuple[CodeType, tuple[Any, ...]]:
    filename = register_source(source, what)
    return compile(source, filename, "exec"), linecache.cache[filename]


def make_function(namespace: dict[str, Any]) -> MakeNode:
    """``make(out, rule, parents, args)``: the node for ``rule`` with value ``out`` whose
    parents are ``parents`` (Values) holding the floats ``args``."""
    source = "def make(out, rule, parents, args):\n" + NODE.format(parents="parents",
                                                                   locals="rule.local(*args, out)")
    return define(source, "make", "autograd_lite node", namespace)


def init_method(namespace: dict[str, Any]) -> Callable[..., None]:
    """``Value.__init__``: a leaf from the template, after checking the number."""
    source = ('def __init__(self, data, label=""):\n'
              '    if type(data) is not float:\n        data = as_float(data, "Value()")\n'
              '    if type(label) is not str:\n        label = as_label(label, "Value(label=...)")\n'
              + _indented(LEAF.format(node="self", data="data", label="label"), 4))
    return define(source, "__init__", "autograd_lite Value.__init__", dict(namespace))


def fused_method(rule: Rule, method: str, reflected: bool, namespace: dict[str, Any]) -> Callable[..., Any]:
    """The Value method ``method`` for the table row ``rule``, its text inlined.

    For a two-input op, the operand that may be a plain number is made a constant Value
    (``NotImplemented`` for anything else); ``reflected`` swaps the operands (``__radd__``).
    """
    names = rule.inputs
    nodes = [f"{n}_node" for n in names]
    lift = ""
    params = ", ".join(nodes)
    if len(names) == 2:
        left, right = nodes
        params = f"{right}, {left}" if reflected else f"{left}, {right}"
        other = left if reflected else right
        lift = _LIFT.format(name=other, leaf=_indented(LEAF.format(node="constant", data=other, label='""'), 12))
    unpack = "".join(f"    {n} = {node}.data\n" for n, node in zip(names, nodes))
    source = (f"def {method}({params}):\n{lift}{unpack}    out = {rule.forward_source}\n"
              + NODE.format(parents=f"({', '.join(nodes)},)", locals=f"({', '.join(rule.local_sources)},)"))
    return define(source, method, f"autograd_lite Value.{method}", dict(namespace, rule=rule))


def power_method(rule_for: Callable[[float], Rule], namespace: dict[str, Any],
                 fallback: Callable[[Value, Any], Value]) -> Callable[[Value, Any], Value]:
    """``Value.__pow__``: for a number exponent n, the ``**n`` row inlined with n as an
    argument; ``fallback(x, exponent)`` handles everything else (a Value exponent, a
    NumPy array, a wrong type)."""
    row = rule_for(2.0)
    source = ("def __pow__(x_node, n):\n"
              "    if type(n) is not float:\n"
              "        if type(n) is not int or not -2**53 <= n <= 2**53:\n"
              "            return fallback(x_node, n)\n"
              "        n = float(n)\n"
              "    rule = rule_for(n)\n"
              "    x = x_node.data\n"
              f"    out = {row.forward_source}\n"
              + NODE.format(parents="(x_node,)", locals=f"({', '.join(row.local_sources)},)"))
    return define(source, "__pow__", "autograd_lite Value.__pow__",
                  dict(namespace, rule_for=rule_for, fallback=fallback))


METHODS = {  # op -> (Value method, reflected method or None)
    "+": ("__add__", "__radd__"), "-": ("__sub__", "__rsub__"), "*": ("__mul__", "__rmul__"),
    "/": ("__truediv__", "__rtruediv__"), "neg": ("__neg__", None), "abs": ("__abs__", None),
    **{op: (op, None) for op in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "tan", "asin",
                                 "acos", "atan", "sinh", "cosh", "log1p", "expm1", "erf", "erfc", "softplus",
                                 "gelu", "silu")},
}


def install_fast_path(cls: type[Value], namespace: dict[str, Any],
                      power_rule: Callable[[float], Rule]) -> dict[str, Callable[..., Any]]:
    """Replace the readable methods of ``cls`` (Value) by fused twins generated from the
    table's rows (and ``__pow__`` from the ``**n`` row); return {method: readable method}."""
    rules_by_op = namespace["RULES"]
    reference: dict[str, Callable[..., Any]] = {}

    def install(name: str, fused: Callable[..., Any]) -> None:
        reference[name] = getattr(cls, name)
        fused.__doc__ = reference[name].__doc__
        fused.__qualname__ = f"{cls.__name__}.{name}"
        fused.__module__ = cls.__module__  # so pickle finds it where it lives (Neuron keeps Value.relu)
        setattr(cls, name, fused)

    for op, (method, reflected) in METHODS.items():
        install(method, fused_method(rules_by_op[op], method, False, namespace))
        if reflected:
            install(reflected, fused_method(rules_by_op[op], reflected, True, namespace))
    install("__pow__", power_method(power_rule, namespace, cls.__pow__))
    install("__init__", init_method(namespace))
    setattr(cls, "abs", cls.__abs__)  # |x| by name too, as in PyTorch: the same fused method
    return reference
