"""Fixed fan-out probes, judged before the random search.

A random graph rarely uses one op's output next to its own input, so a ``=`` where ``+=``
belongs in, say, ``log``'s backward can hide for minutes of search. For every op that
passed alone these shapes catch it at once, in this order: ``f(x) * x`` and ``f(x) + f(x)``
for each unary op and each form with a number, then ``x op x`` for each op between Values.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..expression import Expression, Instruction
from .program import FORMS, FORMS_BY_NAME, Program

PROBE_INPUT = 0.7  # inside every op's domain (log, sqrt, a ** b), and no op's fixed point
_PARAMS = {"**n": 3.0, "x+c": 2.0, "c-x": 2.0, "c*x": 2.0, "c/x": 2.0, "c**x": 2.0}
_BETWEEN_VALUES = {"+", "*", "-", "/", "**"}


def fan_out_probes(usable: Iterable[str]) -> list[Program]:
    """The probes for the ``usable`` forms (names), in the order of :data:`~.program.FORMS`."""
    usable = set(usable)
    return list(_probes([form for form in FORMS if form.name in usable]))


def _probes(forms: list[Any]) -> Iterator[Program]:
    times, plus = FORMS_BY_NAME["a * b"], FORMS_BY_NAME["a + b"]
    for form in forms:
        if form.op not in _BETWEEN_VALUES:  # the unary ops and the forms with a number
            f = Instruction(form.op, (0,), _PARAMS.get(form.op))  # c = 2.0 also fits a / n (a power of two)
            yield Program(Expression([PROBE_INPUT], [f, Instruction("*", (1, 0))]), [form, times])
            yield Program(Expression([PROBE_INPUT], [f, f, Instruction("+", (1, 2))]), [form, form, plus])
    for form in forms:
        if form.op in _BETWEEN_VALUES:  # a + b, a * b, a - b, a / b, a ** b
            yield Program(Expression([PROBE_INPUT], [Instruction(form.op, (0, 0))]), [form])


def first_failure(probes: Iterable[Program], judge: Any) -> Any:
    """The first probe's counterexample that ``judge`` finds, or None."""
    for program in probes:
        found = judge(program)
        if found is not None:
            return found
    return None
