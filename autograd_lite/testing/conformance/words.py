"""The report's words: plain names, safe comment lines, and one sentence per failure that
says what is wrong in the engine.

Nothing the engine chose (a class name, a type name, a repr) may reach a counterexample's
code: a ``__name__`` such as ``"Value\\nimport os"`` would otherwise be code that runs when
the student pastes it. Names are used only when they are plain identifiers, and every
comment is one printable line.
"""

from __future__ import annotations

import itertools
import keyword
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..expression import Expression

_RESERVED = re.compile(r"(x|v)\d+|y")  # the counterexample's own variable names
OVERWRITTEN = "the gradient of a value used twice is overwritten instead of added: a `=` where `+=` belongs"
NOT_SUMMED = ("a value used twice gets the wrong gradient although trees pass: the contributions of its uses "
              "are not summed")
NOT_RESET = ("intermediate grads are not reset before a second backward(), so the first call's gradients are "
             "propagated again")
MIXED = "a second backward() accumulates on some graphs and resets on others"
NEITHER = "a second backward() neither accumulates (2x) nor resets (1x) the leaves' gradients"
COMPOSED = ("each op is right alone but not composed: a _backward that does not multiply by out.grad, or nodes "
            "not run in reverse topological order")
RECURSIVE = ("backward() recurses once per node, so a graph deeper than Python's recursion limit fails: sort "
             "the graph with a loop")


def plain_name(thing: object, default: str = "Value") -> str:
    """``thing.__name__`` if it is a plain ASCII identifier (not a keyword, not one of the
    counterexample's variable names), else ``default``."""
    try:
        name = getattr(thing, "__name__", None)
        plain = (isinstance(name, str) and name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
                 and not _RESERVED.fullmatch(name))
    except BaseException as error:  # a hostile metaclass
        if isinstance(error, KeyboardInterrupt):
            raise
        return default
    return str(name) if plain else default


def one_line(text: str) -> str:
    """``text`` as one printable line: line breaks, NULs and other unprintable characters
    become escapes, so a comment can never end early and start code."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


def expected_text(alternatives: Sequence[tuple[float, str]]) -> str:
    """``"expected 2.0 (accumulate) or 1.0 (reset)"``; equal numbers are said once:
    ``"expected 0.0 (accumulate or reset)"``."""
    groups: list[tuple[float, list[str]]] = []
    for value, label in alternatives:
        for shown, labels in groups:
            if shown == value or (math.isnan(shown) and math.isnan(value)):
                labels.append(label)
                break
        else:
            groups.append((value, [label]))
    return "expected " + " or ".join(f"{value!r} ({' or '.join(labels)})" for value, labels in groups)


def close(actual: float, expected: float, scale: float, rtol: float = 1e-7) -> bool:
    return math.isfinite(actual) and abs(actual - expected) <= rtol * (abs(expected) + scale)


def error_sentence(error: str) -> str:
    """For a call that raised or hung: which call, in a few words."""
    what, raised, rest = error.partition(" raised ")
    if raised:
        return f"{what} raises {rest.split(':', 1)[0]} where it should return"
    if " did not finish within " in error:
        return f"{error.split(' did not finish within ', 1)[0]} never returns (an endless loop?)"
    return error


def op_sentence(form: str, wrong: dict[str, tuple[float, float]], args: Sequence[int]) -> str:
    """For one op alone on leaves ``args``: ``wrong`` is ``{"y.data" or "x<i>.grad": (actual, expected)}``."""
    if "y.data" in wrong:
        return f"{form} computes the wrong value"
    slots = sorted({slot for name in wrong for slot, i in enumerate(args) if f"x{i}" == name.split(".")[0]})
    specific = len(args) > 1 and len(slots) == 1
    operand = f"its {('first', 'second')[slots[0]]} operand" if specific else "its operands" if len(args) > 1 else "its operand"
    whose = f" for {operand}" if specific else ""
    pairs = list(wrong.values())
    if all(expected != 0.0 and actual == 0.0 for actual, expected in pairs):
        return f"{form}'s backward does not reach {operand}: the gradient stays 0"
    if all(close(actual, -expected, 1.0) for actual, expected in pairs):
        return f"the local derivative in {form}'s backward has the wrong sign{whose}"
    return f"the local derivative in {form}'s backward is wrong{whose}"


def chain_sentence(error: str | None) -> str:
    if error is None:
        return "the gradient through a long chain of additions is wrong"
    if "RecursionError" in error:
        return RECURSIVE
    if "no result within" in error:
        return "backward() does not finish on a long chain of additions"
    return f"a long chain of additions fails: {error_sentence(error)}"


# -- the shape of a fan-out failure and of a second backward(), worked out on a correct engine


def local_derivatives(expression: Expression) -> tuple[list[float], list[list[float]]]:
    """Every node's value and, per instruction, its derivative by each argument slot,
    from autograd-lite's own Value (each op alone, on fresh leaves)."""
    from ...value import Value
    from ..expression import OPS

    values = list(expression.inputs)
    derivatives = []
    for ins in expression.instructions:
        leaves = [Value(values[i]) for i in ins.args]
        out = OPS[ins.op].on_values(leaves, ins.param)
        out.backward()
        values.append(out.data)
        derivatives.append([leaf.grad for leaf in leaves])
    return values, derivatives


def contributions(expression: Expression, leaf: int) -> list[float]:
    """What each use of ``leaf`` contributes to its gradient (the chain rule through that use alone)."""
    _, derivatives = local_derivatives(expression)
    n, live = expression.n_leaves, expression.reachable()
    adjoint = [0.0] * (n + expression.size)
    adjoint[-1] = 1.0
    found = []
    for k in range(expression.size - 1, -1, -1):
        ins = expression.instructions[k]
        for slot, i in enumerate(ins.args):
            if live[n + k] and i == leaf:
                found.append(derivatives[k][slot] * adjoint[n + k])
            adjoint[i] += derivatives[k][slot] * adjoint[n + k]
    return found


def fan_out_sentence(expression: Expression, actual: dict[int, float]) -> str:
    """``actual`` is ``{leaf: the engine's wrong gradient}``: overwritten if each equals the sum
    of some but not all of its uses' contributions."""
    def overwritten(leaf: int, got: float) -> bool:
        parts = contributions(expression, leaf)
        scale = 1.0 + sum(abs(p) for p in parts)
        return len(parts) > 1 and any(close(got, math.fsum(subset), scale)
                                      for size in range(1, len(parts)) for subset in itertools.combinations(parts, size))

    try:
        if actual and all(overwritten(leaf, got) for leaf, got in actual.items()):
            return OVERWRITTEN
    except (ArithmeticError, ValueError):  # e.g. a local derivative that overflows
        pass
    return NOT_SUMMED


def no_reset_second_grads(expression: Expression) -> list[float]:
    """The leaves' gradients after a second backward() by an engine that sets the output's
    grad to 1 and keeps every other node's gradient (micrograd's behaviour)."""
    _, derivatives = local_derivatives(expression)
    n, size = expression.n_leaves, expression.size
    first = [0.0] * (n + size)
    first[-1] = 1.0
    for k in range(size - 1, -1, -1):
        for slot, i in enumerate(expression.instructions[k].args):
            first[i] += derivatives[k][slot] * first[n + k]
    second = list(first)
    second[-1] = 1.0
    for k in range(size - 1, -1, -1):
        for slot, i in enumerate(expression.instructions[k].args):
            second[i] += derivatives[k][slot] * second[n + k]
    return second[:n]


def twice_sentence(expression: Expression, second: Sequence[float], mixed: bool) -> str:
    if mixed:
        return MIXED
    try:
        predicted = no_reset_second_grads(expression)
    except (ArithmeticError, ValueError):
        return NEITHER
    scale = 1.0 + max((abs(p) for p in predicted), default=0.0)
    if all(close(got, want, scale) for got, want in zip(second, predicted)):
        return NOT_RESET
    return NEITHER
