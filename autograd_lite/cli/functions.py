"""The functions that ``autograd-lite grad`` expressions may call: one table, from which the
parser's checks, its error messages, the command's ``--help`` and the docs' list all come.

Each function takes ``operands`` leading arguments, which may be any expression, then the
``constants``, named parameters that must be numbers (a constant expression such as
``pi/4`` is fine; a variable is not). The last ``optional`` constants may be left out and
then take the engine's defaults. Every function calls one op of the engine, so its
gradient is the engine's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, cast

if TYPE_CHECKING:
    from ..value import Value


class Function(NamedTuple):
    """How a function is called in an expression, and the engine op it calls."""

    operands: int = 1      # leading arguments: any expression
    constants: tuple[str, ...] = ()  # names of the trailing arguments that must be numbers
    optional: int = 0      # how many of the last constants may be left out
    op: str = ""           # the autograd_lite.operators function, if not the same name

    def arity(self) -> tuple[int, int]:
        """(smallest, largest) number of positional arguments."""
        largest = self.operands + len(self.constants)
        return largest - self.optional, largest

    def signature(self, name: str) -> str:
        """How to call it, as ``clamp(x, lo, hi)`` or ``elu(x[, alpha])``."""
        operands = ["x"] if self.operands == 1 else ["a", "b"][: self.operands]
        required = self.constants[: len(self.constants) - self.optional]
        optional = "".join(f"[, {c}]" for c in self.constants[len(required):])
        return f"{name}({', '.join([*operands, *required])}{optional})"


_ONE_ARGUMENT = ("exp log sqrt tanh sigmoid relu sin cos tan asin acos atan sinh cosh "
                 "log1p expm1 erf erfc softplus gelu silu abs").split()

FUNCTIONS = {
    **{name: Function() for name in _ONE_ARGUMENT},
    "leaky_relu": Function(constants=("slope",), optional=1),
    "elu": Function(constants=("alpha",), optional=1),
    "clamp": Function(constants=("lo", "hi")),
    "maximum": Function(operands=2),
    "minimum": Function(operands=2),
    # Python's and PyTorch's names for the same thing (torch.max(a, b) is elementwise):
    # users type max(x, 0) without looking anything up.
    "max": Function(operands=2, op="maximum"),
    "min": Function(operands=2, op="minimum"),
}


def summary(space: str = " ") -> str:
    """The functions as the help and the docs list them: the one-argument functions by
    name, then the others by signature (``space`` between a signature's arguments)."""
    others = [f.signature(name).replace(" ", space) for name, f in FUNCTIONS.items() if name not in _ONE_ARGUMENT]
    return " ".join(_ONE_ARGUMENT) + ", and " + " ".join(others)


def parameters() -> str:
    """The names of the constant parameters, as ``slope, alpha, lo and hi``."""
    names = list(dict.fromkeys(c for f in FUNCTIONS.values() for c in f.constants))
    return ", ".join(names[:-1]) + " and " + names[-1]


def call(name: str, args: Sequence[Value | float]) -> Value:
    """``name`` applied to the evaluated ``args`` (Values or floats), by the engine's op.
    A constant that is a Value (``elu(x, exp(0))``) is passed as its number."""
    from .. import operators
    from ..value import lift

    function = FUNCTIONS[name]
    operands = args[: function.operands]
    constants = [number(arg) for arg in args[function.operands:]]
    if name == "abs":
        return abs(lift(operands[0]))
    return cast("Value", getattr(operators, function.op or name)(*operands, *constants))


def number(x: Value | float) -> float:
    """The float of an evaluated constant (a float, or a Value made of constants)."""
    return x.data if hasattr(x, "data") else float(x)


def check_constants(name: str, constants: Sequence[float]) -> None:
    """ValueError naming ``name``'s parameter if a constant cannot be used: not finite, or
    refused by the engine (``clamp(x, 2, 1)``: lo > hi)."""
    function = FUNCTIONS[name]
    if not constants:
        return
    for parameter, value in zip(function.constants, constants):
        if not math.isfinite(value):
            raise ValueError(f"{name}'s {parameter} must be a finite number, got {value!r}")
    call(name, [0.0] * function.operands + list(constants))  # the engine's own checks, at x = 0
