"""``explain``: one node's grad written out as the total derivative, symbols and numbers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..graph import backward_root_of
from .paths import GraphIndex, Use

if TYPE_CHECKING:
    from ..value import Value

MINUS = "\u2212"
PARTIAL = "\u2202"


def explain(node: Value, root: Value | None = None, number_format: str = ".4g", *, where: bool = True) -> str:
    """The equation that gives ``node.grad``: a sum over every use of the node.

    ``root`` is the output; by default the output of the most recent ``backward()`` whose
    graph holds ``node`` (this thread's calls first; outputs are held weakly, so it must
    still be alive): a later backward on an unrelated graph, or ``gradcheck``, changes nothing. Symbols are labels where set, ``L`` for an
    unlabelled output, otherwise ``v<k>`` as in ``draw_graph`` (generated names never equal
    a label in the graph). ``d`` marks a total derivative (all paths to the output), ``∂`` a
    local partial (one op's derivative with respect to one input). Example::

        dL/dh = dL/dz1·∂z1/∂h + dL/dz2·∂z2/∂h = (0.3)(0.5) + (−0.1)(1.2) = 0.03

    A use by the output itself is written ``∂L/∂h`` alone: its total would be dL/dL = 1
    (``seed·∂L/∂h`` after ``backward(gradient=seed)``).

    ``where``: a second line says what each consumer is, with its op's name (custom ops'
    too) and an unlabelled constant as its number: ``where z1 = h * 0.5, z2 = tanh(h)``.
    """
    from ..value import Value

    if not isinstance(node, Value):
        raise TypeError(f"explain expects a Value, got {type(node).__name__}")
    if root is None:
        root = backward_root_of(node)
        if root is None:
            raise ValueError(f"explain needs the output: {node!r} is not part of the graph of any "
                             f"output that backward() was called on and that is still alive: call "
                             f"backward() on it first (and keep a reference to it), or pass "
                             f"root=<the output Value>")
    elif not isinstance(root, Value):
        raise TypeError(f"explain's root must be a Value, got {type(root).__name__}")
    index = GraphIndex(root)
    if node not in index:
        raise ValueError(f"{node!r} is not part of the graph of {root!r}: the output does not "
                         f"depend on it, so it has no path to explain")
    show = _formatter(number_format)
    out, name = index.name(root), index.name(node)
    lines: list[str] = []
    if node is root:
        lines.append(f"{out} is the output: backward() starts here, with {out}.grad = "
                     f"{show(root.grad)} (the seed)")
    else:
        uses = index.uses_of(node)
        symbols = " + ".join(_term(index, out, name, use) for use in uses)
        numbers = " + ".join(_numbers(root, use, show) for use in uses)
        total = math.fsum(use.contribution for use in uses)
        lines.append(f"d{out}/d{name} = {symbols} = {numbers} = {show(total)}")
        if where:
            lines.append("where " + ", ".join(_definition(index, consumer, show)
                                              for consumer in dict.fromkeys(use.consumer for use in uses)))
        if len(uses) == 1:
            lines.append(f"{name} has one use, so this is the plain chain rule.")
        else:
            lines.append(f"{name} is used {len(uses)} times, so its grad is the sum over "
                         f"{len(uses)} paths: the total derivative.")
        lines.append(f"(d: total, over every path to {out}; \u2202: one op's local partial)")
        if not math.isclose(total, node.grad, rel_tol=1e-9, abs_tol=1e-12):
            lines.append(f"note: {name}.grad is {show(node.grad)}, not {show(total)}: leaves "
                         f"accumulate over backward() calls (call zero_grad() first), or "
                         f"the graph changed since backward().")
    if root.grad == 0.0:
        lines.append(f"note: {out}.grad is 0, so backward() has not been run on this output.")
    return "\n".join(lines)


def _term(index: GraphIndex, out: str, name: str, use: Use) -> str:
    """``dL/du·∂u/∂x``: the consumer's total times the op's local partial. A consumer that is
    the output itself needs no total (it would be dL/dL): the term is its partial alone."""
    consumer = index.name(use.consumer)
    local = f"{PARTIAL}{consumer}/{PARTIAL}{name}"
    if use.consumer is not index.root:
        return f"d{out}/d{consumer}\u00b7{local}"
    return local if use.consumer.grad == 1.0 else f"seed\u00b7{local}"


_LONGEST = 6
_INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**"}


def _definition(index: GraphIndex, node: Value, show: Callable[[float], str]) -> str:
    """``v1 = hypot(x, y)``: what a consumer is, with the op's own name (custom ops too)."""
    # an unlabelled leaf is a number the user wrote (x * 3): shown as that number
    args = [show(parent.data) if not parent.parents and not parent.label else index.name(parent)
            for parent in node.parents]
    if len(args) > _LONGEST:  # a neuron's dot has 2n + 2 inputs: first few, the last, the count
        args = [*args[:3], f"\u2026 {len(args)} inputs \u2026", args[-1]]
    op = node.op
    if op in _INFIX and len(args) == 2:
        made = f"{args[0]} {_INFIX[op]} {args[1]}"
    elif op == "neg":
        made = f"{MINUS}{args[0]}"
    elif op.startswith("**") and len(args) == 1:  # a number exponent: the op is "**2"
        made = f"{args[0]}{op}"
    elif "(" in op and op.endswith(")"):  # constants: leaky_relu(0.1) of x is leaky_relu(x, 0.1)
        base, constants = op[:-1].split("(", 1)
        made = f"{base}({', '.join(args)}, {constants})"
    else:
        made = f"{op}({', '.join(args)})"
    return f"{index.name(node)} = {made}"


def _numbers(root: Value, use: Use, show: Callable[[float], str]) -> str:
    if use.consumer is root and root.grad == 1.0:
        return f"({show(use.local)})"
    return f"({show(use.consumer.grad)})({show(use.local)})"


def _formatter(number_format: str) -> Callable[[float], str]:
    def show(x: float) -> str:
        return format(x, number_format).replace("-", MINUS)

    format(1.5, number_format)  # a bad spec fails here, with Python's own message
    return show
