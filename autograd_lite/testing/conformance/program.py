"""Expression graphs written as code for the engine under test.

The random graphs come from :mod:`autograd_lite.testing.strategies` as
:class:`~autograd_lite.testing.expression.Expression` programs. Here each instruction gets a
*form*: how it is written with the engine's class. ``x + c`` can be ``a + n``, ``n + a`` or
``a - n`` (with -c): the same number, three different dunder methods of the engine. A
:class:`Program` is an Expression plus one form per instruction; it runs on the engine and
prints itself as the runnable Python that a student can paste.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .sandbox import EngineError, guarded

if TYPE_CHECKING:
    from ..expression import Expression


def _number(p: float) -> str:
    """A number as Python source; negative ones in parentheses, so ``x0 - (-1.0)``."""
    text = repr(float(p))
    return f"({text})" if text.startswith("-") else text


def _power_of_two(p: float) -> bool:
    return p != 0.0 and math.frexp(p)[0] in (0.5, -0.5)


class Form(NamedTuple):
    """One way to write an op: ``name`` is what the report calls it (``"n - a"``),
    ``call(V, args, param)`` runs it on engine values and ``text(names, param)`` writes it."""

    name: str
    op: str        # the Expression op it computes
    call: Callable[[Any, list[Any], Any], Any]  # (engine class, operands, param) -> the result
    text: Callable[[list[str], Any], str]  # (operand names, param) -> the code
    fits: Callable[[Any], bool] | None = None  # param -> whether this form can write that param exactly


def _method(name: str) -> Form:
    return Form(f"a.{name}()", name, lambda V, a, p: getattr(a[0], name)(), lambda n, p: f"{n[0]}.{name}()")


FORMS = [
    Form("a + b", "+", lambda V, a, p: a[0] + a[1], lambda n, p: f"{n[0]} + {n[1]}"),
    Form("a * b", "*", lambda V, a, p: a[0] * a[1], lambda n, p: f"{n[0]} * {n[1]}"),
    Form("a - b", "-", lambda V, a, p: a[0] - a[1], lambda n, p: f"{n[0]} - {n[1]}"),
    Form("a / b", "/", lambda V, a, p: a[0] / a[1], lambda n, p: f"{n[0]} / {n[1]}"),
    Form("-a", "neg", lambda V, a, p: -a[0], lambda n, p: f"-{n[0]}"),
    Form("a ** n", "**n", lambda V, a, p: a[0] ** p, lambda n, p: f"{n[0]} ** {_number(p)}"),
    Form("a ** b", "**", lambda V, a, p: a[0] ** a[1], lambda n, p: f"{n[0]} ** {n[1]}"),
    *[_method(name) for name in ("tanh", "exp", "log", "relu", "sigmoid", "sin", "cos", "sqrt")],
    Form("a + n", "x+c", lambda V, a, p: a[0] + p, lambda n, p: f"{n[0]} + {_number(p)}"),
    Form("n + a", "x+c", lambda V, a, p: p + a[0], lambda n, p: f"{_number(p)} + {n[0]}"),
    Form("a - n", "x+c", lambda V, a, p: a[0] - (-p), lambda n, p: f"{n[0]} - {_number(-p)}"),
    Form("n - a", "c-x", lambda V, a, p: p - a[0], lambda n, p: f"{_number(p)} - {n[0]}"),
    Form("a * n", "c*x", lambda V, a, p: a[0] * p, lambda n, p: f"{n[0]} * {_number(p)}"),
    Form("n * a", "c*x", lambda V, a, p: p * a[0], lambda n, p: f"{_number(p)} * {n[0]}"),
    Form("a / n", "c*x", lambda V, a, p: a[0] / (1.0 / p), lambda n, p: f"{n[0]} / {_number(1.0 / p)}",
         _power_of_two),
    Form("n / a", "c/x", lambda V, a, p: p / a[0], lambda n, p: f"{_number(p)} / {n[0]}"),
    Form("n ** a", "c**x", lambda V, a, p: p ** a[0], lambda n, p: f"{_number(p)} ** {n[0]}"),
]
FORMS_BY_NAME = {form.name: form for form in FORMS}

# For an engine without numbers on either side, a number is lifted by hand.
LIFTED_CONSTANT = Form("a + Value(n)", "x+c", lambda V, a, p: a[0] + V(p),
                       lambda n, p: f"{n[0]} + {{cls}}({_number(p)})")


def choose_forms(expression: Expression, usable: Iterable[str], choices: Sequence[int] = ()) -> list[Form]:
    """One form per instruction: ``choices[k]`` picks among the ``usable`` forms (names) that
    compute instruction k's op and can write its param; the first when choices run out."""
    forms: list[Form] = []
    for k, ins in enumerate(expression.instructions):
        candidates = [f for f in FORMS if f.op == ins.op and f.name in usable and (f.fits is None or f.fits(ins.param))]
        if not candidates and ins.op == "x+c":
            candidates = [LIFTED_CONSTANT]
        if not candidates:
            raise ValueError(f"no usable form for {ins.op!r}")  # callers only draw usable ops
        forms.append(candidates[choices[k] % len(candidates)] if k < len(choices) else candidates[0])
    return forms


class Program:
    """An Expression written with a form per instruction, for an engine class named ``cls``."""

    def __init__(self, expression: Expression, forms: Iterable[Form]) -> None:
        self.expression = expression
        self.forms = list(forms)

    def names(self) -> list[str]:
        """The variable names: ``x0 ..`` for the leaves, ``v<k>`` for the ops, ``y`` for the output."""
        n, size = self.expression.n_leaves, self.expression.size
        return [f"x{i}" for i in range(n)] + [f"v{n + k}" for k in range(size - 1)] + (["y"] if size else [])

    def lines(self, cls: str) -> list[str]:
        """The program as Python statements, one op per line, ending with the output ``y``."""
        names = self.names()
        lines = [f"{names[i]} = {cls}({_number(x)})" for i, x in enumerate(self.expression.inputs)]
        for k, (ins, form) in enumerate(zip(self.expression.instructions, self.forms)):
            text = form.text([names[i] for i in ins.args], ins.param).replace("{cls}", cls)
            lines.append(f"{names[self.expression.n_leaves + k]} = {text}")
        if not self.expression.size:
            lines.append(f"y = {names[-1]}")
        return lines

    def run(self, V: Any, cls: str, time_limit: float | None) -> tuple[list[Any], Any]:
        """Build the graph on the engine: ``(leaves, output)``. An op that raises becomes an
        EngineError whose ``.lines`` are the program up to and including the failing line."""
        lines = self.lines(cls)
        nodes: list[Any] = []
        for i, x in enumerate(self.expression.inputs):
            nodes.append(_step(lambda: V(x), lines, i, time_limit))
        n = self.expression.n_leaves
        for k, (ins, form) in enumerate(zip(self.expression.instructions, self.forms)):
            args = [nodes[i] for i in ins.args]
            nodes.append(_step(lambda: form.call(V, args, ins.param), lines, n + k, time_limit))
        return nodes[:n], nodes[-1]


def _step(call: Callable[[], Any], lines: list[str], index: int, time_limit: float | None) -> Any:
    statement = lines[index]
    expression = statement.split(" = ", 1)[1]
    try:
        return guarded(call, expression, time_limit)
    except EngineError as error:
        error.lines = lines[: index + 1]
        raise
