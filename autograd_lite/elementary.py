"""The elementary functions as Value methods: ``x.exp()``, ``x.tanh()``, ``x.clamp(lo, hi)``...

These are the readable reference implementations. At import, :mod:`autograd_lite.nodes`
replaces those without constants by fused twins generated from the same table rows, and
``tests/test_fused_ops.py`` checks that both agree. :class:`~autograd_lite.value.Value`
inherits them from :class:`ElementaryFunctions`.
"""

import math

from . import rules
from . import value as _value  # the module, read at call time: it imports this one


class ElementaryFunctions:
    """Mixin: the elementary functions of a Value, each one node."""

    __slots__ = ()

    def exp(self):
        """e**x; OverflowError above about 709.78."""
        return _value._unary(rules.EXP, self)

    def log(self):
        """Natural log; ValueError for x <= 0."""
        return _value._unary(rules.LOG, self)

    def sqrt(self):
        """Square root; ValueError for x < 0; the derivative at 0 is +inf."""
        return _value._unary(rules.SQRT, self)

    def tanh(self):
        return _value._unary(rules.TANH, self)

    def sigmoid(self):
        """1 / (1 + e**-x), computed without overflow: exactly 0.0 or 1.0 far out."""
        return _value._unary(rules.SIGMOID, self)

    def relu(self):
        """max(0, x); its derivative at 0 is taken as 0, as in PyTorch and micrograd."""
        return _value._unary(rules.RELU, self)

    def leaky_relu(self, slope=0.01):
        """x for x > 0, else slope * x."""
        return _value._unary(rules.leaky_relu(_value.as_float(slope, "leaky_relu(slope=...)")), self)

    def sin(self):
        return _value._unary(rules.SIN, self)

    def cos(self):
        return _value._unary(rules.COS, self)

    def tan(self):
        """tan x; ValueError for ±inf. No float is a pole, so near pi/2 it is large, finite."""
        return _value._unary(rules.RULES["tan"], self)

    def asin(self):
        """arcsin x; ValueError outside [-1, 1]; the derivative at ±1 is +inf."""
        return _value._unary(rules.RULES["asin"], self)

    def acos(self):
        """arccos x; ValueError outside [-1, 1]; the derivative at ±1 is -inf."""
        return _value._unary(rules.RULES["acos"], self)

    def atan(self):
        return _value._unary(rules.RULES["atan"], self)

    def sinh(self):
        """sinh x; OverflowError beyond about ±710.48."""
        return _value._unary(rules.RULES["sinh"], self)

    def cosh(self):
        """cosh x; OverflowError beyond about ±710.48."""
        return _value._unary(rules.RULES["cosh"], self)

    def log1p(self):
        """log(1 + x), exact for tiny x; ValueError for x <= -1."""
        return _value._unary(rules.RULES["log1p"], self)

    def expm1(self):
        """e**x - 1, exact for tiny x; OverflowError above about 709.78."""
        return _value._unary(rules.RULES["expm1"], self)

    def erf(self):
        """The error function 2/sqrt(pi) * integral from 0 to x of e**(-t*t) dt."""
        return _value._unary(rules.RULES["erf"], self)

    def erfc(self):
        """1 - erf(x), without the cancellation for large x."""
        return _value._unary(rules.RULES["erfc"], self)

    def softplus(self):
        """log(1 + e**x), computed without overflow: exactly x far right, e**x far left."""
        return _value._unary(rules.RULES["softplus"], self)

    def gelu(self):
        """x * Phi(x), Phi the standard normal CDF: the exact (erf) form, PyTorch's default."""
        return _value._unary(rules.RULES["gelu"], self)

    def silu(self):
        """x * sigmoid(x) (also called swish)."""
        return _value._unary(rules.RULES["silu"], self)

    def elu(self, alpha=1.0):
        """x for x > 0, else alpha * (e**x - 1); the derivative at 0 is ``alpha``."""
        alpha = _value.as_float(alpha, "elu(alpha=...)")
        if not math.isfinite(alpha):
            raise ValueError(f"elu: alpha must be finite, got {alpha!r}")
        return _value._unary(rules.elu(alpha), self)

    def clamp(self, lo=None, hi=None):
        """x limited to [lo, hi] (None: no bound on that side). The gradient is 1 inside
        the bounds and at them, and 0 outside, as in PyTorch."""
        if lo is None and hi is None:
            raise ValueError("clamp: give lo, hi or both (None means no bound on that side)")
        lo = -math.inf if lo is None else _value.as_float(lo, "clamp(lo=...)")
        hi = math.inf if hi is None else _value.as_float(hi, "clamp(hi=...)")
        if not lo <= hi:  # also catches a nan bound
            raise ValueError(f"clamp: needs lo <= hi, got lo={lo!r} and hi={hi!r}")
        return _value._unary(rules.clamp(lo, hi), self)
