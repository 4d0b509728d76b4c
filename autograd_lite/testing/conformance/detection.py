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
from .sandbox import EngineError, guarded, to_float
from .words import plain_name

DATA_NAMES = ("data", "value", "val", "_data", "_value")  # what engines call a node's number
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


def _has(thing: object, name: str) -> bool:
    try:
        return hasattr(thing, name)
    except BaseException as error:  # hasattr lets non-AttributeErrors through: missing too
        if isinstance(error, KeyboardInterrupt):
            raise
        return False


def looks_like_a_value(thing: object, data: str = "data") -> bool:
    """A micrograd-style node: it has ``data`` (or the engine's name for it), ``grad`` and
    ``backward``. Any attribute lookup that raises counts as missing."""
    return all(_has(thing, name) for name in (data, "grad", "backward"))


def core_attributes(V: Any, cls: str, time_limit: float | None, data_attr: str | None = None) -> tuple[str, str | None]:
    """``(name of the number's attribute, None)`` if ``V(0.5)`` is a node, else ``("", why)``,
    where ``why`` names exactly what is missing. The number's attribute is ``data_attr``
    or the first of :data:`DATA_NAMES` that holds 0.5."""
    try:
        leaf = guarded(lambda: V(0.5), f"{cls}(0.5)", time_limit)
    except EngineError as error:
        return "", str(error)
    names = (data_attr,) if data_attr else DATA_NAMES
    not_numbers: list[str] = []  # e.g. ".data is a str, not a number"
    data = next((name for name in names if _holds(leaf, name, cls, time_limit, not_numbers)), None)
    missing = [label for name, label in (("grad", ".grad"), ("backward", ".backward()")) if not _has(leaf, name)]
    if data is not None and not missing:
        return data, None
    if data is None:
        present = [f".{name}" for name in names if _has(leaf, name)]
        other = f"; {' and '.join(present)} {'is' if len(present) == 1 else 'are'} there but not 0.5" if present else ""
        if not_numbers:
            other = "; " + "; ".join(not_numbers)
        if data_attr:
            missing.insert(0, f".{data_attr} holding the number 0.5{other}")
        else:
            looked = ", .".join(DATA_NAMES)
            missing.insert(0, f"attribute holding the number 0.5 (looked for .{looked}{other}; name yours with "
                              f"--data-attr NAME)")
    what = missing[0] if len(missing) == 1 else ", no ".join(missing[:-1]) + " and no " + missing[-1]
    return "", f"{cls}(0.5) has no {what}: a micrograd-style Value needs its number, .grad and .backward()"


def _holds(leaf: object, name: str, cls: str, time_limit: float | None, not_numbers: list[str]) -> bool:
    try:
        number = guarded(lambda: getattr(leaf, name), f"{cls}(0.5).{name}", time_limit)
    except EngineError:
        return False
    try:
        return to_float(number, f".{name}") == 0.5
    except EngineError as error:  # there, but a str, a bool or something float() refuses
        not_numbers.append(str(error))
        return False


def detect(V: Any, cls: str, time_limit: float | None, data: str = "data") -> dict[str, Detection]:
    """``{form name: Detection}`` for every form in :data:`~.program.FORMS`; ``data`` is
    the attribute that holds a node's number."""
    return {form.name: _detect_one(V, cls, form, time_limit, data) for form in FORMS}


def _detect_one(V: Any, cls: str, form: Form, time_limit: float | None, data: str) -> Detection:
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
    if not looks_like_a_value(result, data):
        kind = plain_name(type(result), "object of a class with an unprintable name")
        return Detection("failed", f"{lines[-1].split(' = ', 1)[1]} returned a {kind}, not a {cls} "
                                   f"(no .{data}, .grad and .backward)", lines)
    return Detection("provided")
