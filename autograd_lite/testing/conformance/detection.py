"""Which ops an engine provides: try each once on harmless inputs.

Fair to the engine, in both directions:

* *not provided*: the method does not exist, or the operator is refused with the exceptions
  an engine uses to say "I don't do that" (TypeError, NotImplementedError, and
  AssertionError, as in micrograd's ``assert isinstance(other, (int, float))``; with a
  number operand also AttributeError: ``'float' object has no attribute 'data'``);
* *provided*: it returned something. Whether the result is right is for the properties to
  judge, so an op that exists but computes nonsense fails, and is never "not provided";
* *failed*: it raised anything else, hung, or returned something that is not a Value.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..expression import Expression, Instruction
from .program import FORMS, Form, Program
from .sandbox import EngineError, guarded

REFUSALS = {"TypeError", "NotImplementedError", "AssertionError"}

# Inputs inside every op's domain; params as the strategies draw them.
_PROBE_INPUTS = [0.5, 1.5]
_PROBE_PARAMS = {"**n": 2.0, "x+c": 2.0, "c-x": 2.0, "c*x": 2.0, "c/x": 2.0, "c**x": 2.0}
_BINARY = {"+", "*", "-", "/", "**"}
# With a number operand, an AttributeError ('float' object has no attribute 'data') means the
# engine does not lift numbers: a refusal, not a bug.
_WITH_A_NUMBER = set(_PROBE_PARAMS)


class Detection(NamedTuple):
    """The outcome for one form: ``status`` is "provided", "not provided" or "failed";
    ``reason`` says why (for the latter two); ``lines`` is the probe as code."""

    status: str
    reason: str = ""
    lines: tuple[str, ...] = ()


def probe_program(form: Form) -> Program:
    args = (0, 1) if form.op in _BINARY else (0,)
    inputs = _PROBE_INPUTS[: len(args)]
    expression = Expression(inputs, [Instruction(form.op, args, _PROBE_PARAMS.get(form.op))])
    return Program(expression, [form])


def looks_like_a_value(thing: object) -> bool:
    """A micrograd-style node: it has ``data``, ``grad`` and ``backward``. Any attribute
    lookup that raises counts as missing."""
    try:
        return all(hasattr(thing, name) for name in ("data", "grad", "backward"))
    except BaseException as error:  # hasattr lets non-AttributeErrors through
        if isinstance(error, KeyboardInterrupt):
            raise
        return False


def detect(V: Any, cls: str, time_limit: float | None) -> dict[str, Detection]:
    """``{form name: Detection}`` for every form in :data:`~.program.FORMS`."""
    return {form.name: _detect_one(V, cls, form, time_limit) for form in FORMS}


def _detect_one(V: Any, cls: str, form: Form, time_limit: float | None) -> Detection:
    program = probe_program(form)
    lines = tuple(program.lines(cls))
    if form.name.startswith("a."):
        method = form.op
        try:
            leaf = guarded(lambda: V(_PROBE_INPUTS[0]), f"{cls}(0.5)", time_limit)
            guarded(lambda: getattr(leaf, method), f"{cls}(0.5).{method}", time_limit)
        except EngineError as error:
            if error.exception_type == "AttributeError":
                return Detection("not provided", f"no method {method}")
            return Detection("failed", str(error), lines)
    try:
        _, result = program.run(V, cls, time_limit)
    except EngineError as error:
        refused = error.exception_type in REFUSALS or (
            error.exception_type == "AttributeError" and form.op in _WITH_A_NUMBER)
        if refused:
            return Detection("not provided", f"refused: {error.exception}", lines)
        return Detection("failed", str(error), tuple(error.lines))
    if not looks_like_a_value(result):
        kind = type(result).__name__
        return Detection("failed", f"{lines[-1].split(' = ', 1)[1]} returned a {kind}, not a {cls} "
                                   f"(no .data, .grad and .backward)", lines)
    return Detection("provided")
