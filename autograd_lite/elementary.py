"""The elementary functions as Value methods: ``x.exp()``, ``x.tanh()``, ``x.clamp(lo, hi)``...

These are the readable reference implementations. At import, :mod:`autograd_lite.nodes`
replaces those without constants by fused twins generated from the same table rows, and
``tests/test_fused_ops.py`` checks that both agree. :class:`~autograd_lite.value.Value`
inherits them from :class:`ElementaryFunctions`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, cast

from . import rules
from . import value as _value  # the module, read at call time: it imports this one

if TYPE_CHECKING:
    from .aliases import Number
    from .value import Value


class ElementaryFunctions:
    """Mixin: the elementary functions of a Value, each one node."""

    __slots__ = ()
    # Only Value inherits these methods, so each casts ``self`` to it for the type checker.

    def exp(self) -> Value:
        """e**x; OverflowError above about 709.78."""
        return _value._unary(rules.EXP, cast("Value", self))

    def log(self) -> Value:
        """Natural log; ValueError for x <= 0."""
        return _value._unary(rules.LOG, cast("Value", self))

    def sqrt(self) -> Value:
        """Square root; ValueError for x < 0; the derivative at 0 is +inf."""
        return _value._unary(rules.SQRT, cast("Value", self))

    def tanh(self) -> Value:
        """Hyperbolic tangent, in (-1, 1); its derivative is 1 - tanh(x)**2."""
        return _value._unary(rules.TANH, cast("Value", self))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), computed without overflow: exactly 0.0 or 1.0 far out."""
        return _value._unary(rules.SIGMOID, cast("Value", self))

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is taken as 0, as in PyTorch and micrograd."""
        return _value._unary(rules.RELU, cast("Value", self))

    def leaky_relu(self, slope: Number = 0.01) -> Value:
        """x for x > 0, else slope * x."""
        return _value._unary(leaky_relu_rule(slope), cast("Value", self))

    def sin(self) -> Value:
        """sin x (radians); ValueError for ±inf."""
        return _value._unary(rules.SIN, cast("Value", self))

    def cos(self) -> Value:
        """cos x (radians); ValueError for ±inf."""
        return _value._unary(rules.COS, cast("Value", self))

    def tan(self) -> Value:
        """tan x; ValueError for ±inf. No float is a pole, so near pi/2 it is large, finite."""
        return _value._unary(rules.RULES["tan"], cast("Value", self))

    def asin(self) -> Value:
        """arcsin x; ValueError outside [-1, 1]; the derivative at ±1 is +inf."""
        return _value._unary(rules.RULES["asin"], cast("Value", self))

    def acos(self) -> Value:
        """arccos x; ValueError outside [-1, 1]; the derivative at ±1 is -inf."""
        return _value._unary(rules.RULES["acos"], cast("Value", self))

    def atan(self) -> Value:
        """arctan x, in (-pi/2, pi/2); its derivative is 1 / (1 + x**2)."""
        return _value._unary(rules.RULES["atan"], cast("Value", self))

    def sinh(self) -> Value:
        """sinh x; OverflowError beyond about ±710.48."""
        return _value._unary(rules.RULES["sinh"], cast("Value", self))

    def cosh(self) -> Value:
        """cosh x; OverflowError beyond about ±710.48."""
        return _value._unary(rules.RULES["cosh"], cast("Value", self))

    def log1p(self) -> Value:
        """log(1 + x), exact for tiny x; ValueError for x <= -1."""
        return _value._unary(rules.RULES["log1p"], cast("Value", self))

    def expm1(self) -> Value:
        """e**x - 1, exact for tiny x; OverflowError above about 709.78."""
        return _value._unary(rules.RULES["expm1"], cast("Value", self))

    def erf(self) -> Value:
        """The error function 2/sqrt(pi) * integral from 0 to x of e**(-t*t) dt."""
        return _value._unary(rules.RULES["erf"], cast("Value", self))

    def erfc(self) -> Value:
        """1 - erf(x), without the cancellation for large x."""
        return _value._unary(rules.RULES["erfc"], cast("Value", self))

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow: exactly x far right, e**x far left."""
        return _value._unary(rules.RULES["softplus"], cast("Value", self))

    def gelu(self) -> Value:
        """x * Phi(x), Phi the standard normal CDF: the exact (erf) form, PyTorch's default."""
        return _value._unary(rules.RULES["gelu"], cast("Value", self))

    def silu(self) -> Value:
        """x * sigmoid(x) (also called swish)."""
        return _value._unary(rules.RULES["silu"], cast("Value", self))

    def elu(self, alpha: Number = 1.0) -> Value:
        """x for x > 0, else alpha * (e**x - 1); the derivative at 0 is ``alpha``."""
        return _value._unary(elu_rule(alpha), cast("Value", self))

    def clamp(self, lo: Number | None = None, hi: Number | None = None) -> Value:
        """x limited to [lo, hi] (None: no bound on that side). The gradient is 1 inside
        the bounds and at them, and 0 outside, as in PyTorch."""
        return _value._unary(clamp_rule(lo, hi), cast("Value", self))


# The checks on the constants, shared with extend.builtin (its "leaky_relu", "elu", "clamp").
def leaky_relu_rule(slope: Number) -> rules.Rule:
    """The rule of ``x.leaky_relu(slope)``, after checking ``slope``."""
    slope = _value.as_float(slope, "leaky_relu(slope=...)")
    if not math.isfinite(slope):
        raise ValueError(f"leaky_relu: slope must be finite, got {slope!r}")
    return rules.leaky_relu(slope)


def elu_rule(alpha: Number) -> rules.Rule:
    """The rule of ``x.elu(alpha)``, after checking ``alpha``."""
    alpha = _value.as_float(alpha, "elu(alpha=...)")
    if not math.isfinite(alpha):
        raise ValueError(f"elu: alpha must be finite, got {alpha!r}")
    return rules.elu(alpha)


def clamp_rule(lo: Number | None, hi: Number | None) -> rules.Rule:
    """The rule of ``x.clamp(lo, hi)``, after checking the bounds."""
    if lo is None and hi is None:
        raise ValueError("clamp: give lo, hi or both (None means no bound on that side)")
    lo = -math.inf if lo is None else _value.as_float(lo, "clamp(lo=...)")
    hi = math.inf if hi is None else _value.as_float(hi, "clamp(hi=...)")
    if not lo <= hi:  # also catches a nan bound
        raise ValueError(f"clamp: needs lo <= hi, got lo={lo!r} and hi={hi!r}")
    return rules.clamp(lo, hi)
