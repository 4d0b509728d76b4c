"""Scalar functions that work on numbers and on Values alike.

Each returns a float for a number and a Value for a Value, so one piece of code (a
model, a loss, a derivative rule) runs on plain floats and on a graph::

    >>> import autograd_lite as ag
    >>> from autograd_lite import math as agm
    >>> agm.exp(0.0)
    1.0
    >>> agm.exp(ag.Value(0.0))
    Value(data=1.0, grad=0.0)

On numbers they are the ops' own forward functions, with the same domain errors as the
Value methods (``agm.log(-1.0)`` raises ValueError naming ``log`` and ``-1.0``). They are
not the standard library's :mod:`math`, which refuses a Value with a TypeError.
"""

from __future__ import annotations

from typing import Any, Protocol, cast, overload

from . import rules
from .aliases import Number
from .value import Value, as_float


class ScalarFunction(Protocol):
    """One of this module's functions: a float for a number, a Value for a Value."""

    @overload
    def __call__(self, x: Value, /) -> Value: ...
    @overload
    def __call__(self, x: Number, /) -> float: ...


def _scalar_function(name: str) -> ScalarFunction:
    forward = rules.RULES[name].forward
    method = getattr(Value, name)

    def function(x: Any) -> Any:
        if type(x) is float:
            return forward(x)
        if isinstance(x, Value):
            return method(x)
        return forward(as_float(x, f"autograd_lite.math.{name}()"))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{name}(x): a float for a number, a Value for a Value (see ``Value.{name}``)."
    return cast(ScalarFunction, function)


exp = _scalar_function("exp")
log = _scalar_function("log")
sqrt = _scalar_function("sqrt")
sin = _scalar_function("sin")
cos = _scalar_function("cos")
tan = _scalar_function("tan")
asin = _scalar_function("asin")
acos = _scalar_function("acos")
atan = _scalar_function("atan")
sinh = _scalar_function("sinh")
cosh = _scalar_function("cosh")
tanh = _scalar_function("tanh")
log1p = _scalar_function("log1p")
expm1 = _scalar_function("expm1")
erf = _scalar_function("erf")
erfc = _scalar_function("erfc")
sigmoid = _scalar_function("sigmoid")
softplus = _scalar_function("softplus")
gelu = _scalar_function("gelu")
silu = _scalar_function("silu")
relu = _scalar_function("relu")


@overload
def elu(x: Value, alpha: Number = 1.0) -> Value: ...
@overload
def elu(x: Number, alpha: Number = 1.0) -> float: ...


def elu(x: Value | Number, alpha: Number = 1.0) -> Value | float:
    """x for x > 0, else alpha * (e**x - 1): a float for a number, a Value for a Value."""
    if isinstance(x, Value):
        return x.elu(alpha)
    return Value(as_float(x, "autograd_lite.math.elu()")).elu(alpha).data


__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("rules", "Value", "as_float", "annotations", "Any", "Protocol", "cast", "overload",
                            "Number", "ScalarFunction")]
