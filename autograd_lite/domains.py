"""The ops' forward functions on floats, each with its domain check: an operand outside the
domain raises an error whose message names the op and the operand (``math.sin(inf)`` alone
would raise a bare "math domain error"). :mod:`autograd_lite.rules` names these functions in
its table's source text; :mod:`autograd_lite.compiler.batch` has a NumPy twin of each."""

from __future__ import annotations

import math
from collections.abc import Callable

_Function = Callable[[float], float]

__all__ = [  # the names rules.TABLE's source text uses
    "_SQRT_HALF", "_TWO_OVER_SQRT_PI", "_INV_SQRT_2PI", "_div", "_pow", "_checked_exp",
    "_checked_log", "_checked_sqrt", "_checked_log1p", "_softplus", "_gelu", "_silu",
    "_sigmoid", "_logsumexp", "_tanh", "_checked_sin", "_checked_cos", "_checked_tan",
    "_checked_asin", "_checked_acos", "_atan", "_checked_sinh", "_checked_cosh",
    "_checked_expm1", "_erf", "_expm1",
]

_SQRT_HALF = math.sqrt(0.5)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    return a / b


def _pow(x: float, y: float) -> float:
    if x < 0.0 and math.isfinite(y) and not float(y).is_integer():
        raise ValueError(f"pow: negative base {x!r} to the non-integer power {y!r} has no real value")
    try:
        result: float = x ** y  # a float: a negative base with a non-integer power was refused above
        return result
    except ZeroDivisionError:
        raise ZeroDivisionError(f"pow: 0.0 cannot be raised to the negative power {y!r}") from None
    except OverflowError:
        raise OverflowError(f"pow: {x!r} ** {y!r} overflows a float") from None


def _checked_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: result overflows a float for operand {x!r} (largest is about 709.78)") from None


def _checked_log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: operand must be > 0, got {x!r}")
    return math.log(x)


def _checked_sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"sqrt: operand must be >= 0, got {x!r}")
    return math.sqrt(x)


def _finite_only(name: str, fn: _Function) -> _Function:  # math.sin(inf) raises a bare "math domain error"
    def checked(x: float) -> float:
        if math.isinf(x):
            raise ValueError(f"{name}: operand must be finite, got {x!r}")
        return fn(x)
    return checked


def _overflow_checked(name: str, fn: _Function) -> _Function:  # math.sinh(1000.0) raises a bare "math range error"
    def checked(x: float) -> float:
        try:
            return fn(x)
        except OverflowError:
            raise OverflowError(f"{name}: result overflows a float for operand {x!r}") from None
    return checked


def _in_unit_interval(name: str, fn: _Function) -> _Function:
    def checked(x: float) -> float:
        if not -1.0 <= x <= 1.0 and x == x:  # nan passes through, as in math.asin
            raise ValueError(f"{name}: operand must be in [-1, 1], got {x!r}")
        return fn(x)
    return checked


def _checked_log1p(x: float) -> float:
    if x <= -1.0:
        raise ValueError(f"log1p: operand must be > -1, got {x!r}")
    return math.log1p(x)


def _softplus(x: float) -> float:
    # log(1 + e**x) = max(x, 0) + log1p(e**-|x|): e**-|x| <= 1 never overflows, and far
    # out the result is exactly x (right) or e**x (left), with no cancellation.
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def _gelu(x: float) -> float:
    return x * (0.5 * math.erfc(-x * _SQRT_HALF))


def _silu(x: float) -> float:
    return x * _sigmoid(x)


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: saturates to exactly 0.0 or 1.0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _logsumexp(*xs: float) -> float:
    shift = max(xs)
    if math.isinf(shift):
        return shift
    return shift + math.log(sum(math.exp(x - shift) for x in xs))


_tanh = math.tanh
_checked_sin = _finite_only("sin", math.sin)
_checked_cos = _finite_only("cos", math.cos)
# tan has no pole among floats (pi/2 is not one): near it the result is large but finite.
_checked_tan = _finite_only("tan", math.tan)
_checked_asin = _in_unit_interval("asin", math.asin)
_checked_acos = _in_unit_interval("acos", math.acos)
_atan = math.atan
_checked_sinh = _overflow_checked("sinh", math.sinh)
_checked_cosh = _overflow_checked("cosh", math.cosh)
_checked_expm1 = _overflow_checked("expm1", math.expm1)
_erf = math.erf
_expm1 = math.expm1  # in elu's text: e**x - 1 <= 0 there, no overflow
