"""The ``Value`` node: a float that records the op that made it, its parents, and the
local derivative of the op with respect to each parent."""

import math
import numbers
from operator import attrgetter

from . import graph, nodes, rules
from .mode import MODE, TRACER

_new = object.__new__
_PLAIN_NUMBERS = frozenset((float, int))
_get_data = attrgetter("data")


def as_float(x, where):
    """``x`` as a float, or a TypeError that names ``where`` and the offending type.

    Accepted: int, float and other ``numbers.Real`` (NumPy scalars, Fraction), and 0-d NumPy
    arrays. Rejected: bool, because a flag where a number belongs is almost always a bug.
    """
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            size = f"an int of {x.bit_length()} bits" if isinstance(x, int) else type(x).__name__
            raise OverflowError(f"{where} got {size}, too large for a float (largest about 1.8e308)") from None
    if getattr(x, "ndim", None) == 0 and hasattr(x, "item"):  # a 0-d NumPy array
        return as_float(x.item(), where)
    kind = "bool" if isinstance(x, bool) else type(x).__name__
    hint = "; pass float(flag) if you mean 0.0/1.0" if isinstance(x, bool) else ""
    raise TypeError(f"{where} expects a real number (int or float), got {kind} {x!r}{hint}")


def lift(x, where="operand"):
    """``x`` itself if it is a Value, otherwise a constant Value holding ``x``."""
    return x if isinstance(x, Value) else Value(as_float(x, where))


def apply(rule, parents):
    """Apply ``rule`` to a tuple of Values: compute the forward value, record the node."""
    args = list(map(_get_data, parents))
    return _make(rule.forward(*args), rule, parents, args)


def _unary(rule, x):
    d = x.data
    return _make(rule.forward(d), rule, (x,), (d,))


def _constant(x):
    """``x`` if it is a Value, a constant Value if it is a real number, else None."""
    if type(x) is float:  # the common case first: an ABC isinstance check costs more than the node
        return Value(x)
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    return None


def _binary(rule, a, b):
    # One of a, b is a Value; the other may be a plain number, which becomes a constant.
    a, b = _constant(a), _constant(b)
    if a is None or b is None:
        return NotImplemented
    x, y = a.data, b.data
    return _make(rule.forward(x, y), rule, (a, b), (x, y))


_CONVERSION_HINT = (
    "{what} of a Value would turn it into a plain number and drop it from the graph, so "
    "its gradient would be silently lost (math.exp(x), float(x) and numpy scalars all do "
    "this). For a differentiable result use the ops: autograd_lite.exp(x) or x.exp(), "
    "x.log(), x.sqrt(), x.sin(), ...; for the number itself use x.item() or x.data.")


class Value:
    """A scalar in a computation graph.

    ``data`` is the float value and ``grad`` the derivative of the last ``backward()``
    root with respect to this node (0.0 until then). ``op`` names the op that made the node
    ("" for a leaf) and ``parents`` is the ordered tuple of its inputs, with duplicates
    kept: ``a * a`` has parents ``(a, a)``.

    Equality and hashing are by identity, so Values can be dict keys and set members:
    ``a == b`` is ``a is b``. The ordering comparisons ``< <= > >=`` compare ``data``
    and return a bool; they record nothing.
    """

    # _epoch, _pending and _sum are backward's scratch, valid only in the pass numbered _epoch.
    __slots__ = ("data", "grad", "label", "_rule", "_scope", "_parents", "_local",
                 "_epoch", "_pending", "_sum", "__weakref__")

    def __init__(self, data, label=""):
        self.data = data if type(data) is float else as_float(data, "Value()")
        self.grad = 0.0
        self.label = label
        self._rule = None
        self._epoch = 0
        self._scope = MODE.get()[1]
        self._parents = self._local = ()

    # --- what the node records -------------------------------------------------------

    @property
    def op(self):
        """The op that made this node, e.g. ``"*"`` or ``"tanh"``; ``""`` for a leaf."""
        return self._rule.name if self._rule is not None else ""

    @property
    def parents(self):
        """The op's inputs, in order, duplicates kept."""
        return self._parents

    @property
    def local_grads(self):
        """d self / d parent for each parent, in the order of ``parents``, as floats."""
        return self._local

    @property
    def scope(self):
        """The name scope the node was created in (see ``autograd_lite.scope``)."""
        return self._scope

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def item(self):
        """The number this Value holds, as a float (the same as ``.data``)."""
        if TRACER.get() is not None:
            TRACER.get().read_data("item()", self)
        return self.data

    def __float__(self):
        if TRACER.get() is not None:
            TRACER.get().read_data("float()", self)
        raise TypeError(_CONVERSION_HINT.format(what="float()"))

    def __int__(self):
        raise TypeError(_CONVERSION_HINT.format(what="int()"))

    def __index__(self):
        raise TypeError(_CONVERSION_HINT.format(what="use as an integer"))

    # --- reverse mode ----------------------------------------------------------------

    def backward(self, gradient=1.0):
        """Fill ``.grad`` of every node this one depends on with d self / d node.

        Nodes are visited in reverse topological order (iteratively: any depth works),
        and every parent receives ``local * grad`` from each of its consumers; these sum
        to the total derivative at every fan-out. Calling ``backward`` again resets the
        intermediate nodes' grads first and **accumulates into leaves**, as PyTorch does:
        each call sums the leaf's gradient from zero and adds it to ``grad`` once, so twice
        gives leaves exactly twice the gradient. Use ``zero_grad()`` to clear them first.
        """
        graph.backward(self, as_float(gradient, "backward(gradient=...)"))

    def zero_grad(self):
        """Set ``grad`` to 0.0 on this node and every node it depends on."""
        graph.zero_grad(self)

    # --- arithmetic: a Value or a number on either side -------------------------------

    def __add__(self, other):
        return _binary(rules.ADD, self, other)

    def __radd__(self, other):
        return _binary(rules.ADD, other, self)

    def __sub__(self, other):
        return _binary(rules.SUB, self, other)

    def __rsub__(self, other):
        return _binary(rules.SUB, other, self)

    def __mul__(self, other):
        return _binary(rules.MUL, self, other)

    def __rmul__(self, other):
        return _binary(rules.MUL, other, self)

    def __truediv__(self, other):
        return _binary(rules.DIV, self, other)

    def __rtruediv__(self, other):
        return _binary(rules.DIV, other, self)

    def __pow__(self, exponent):
        """``x ** n`` with a number ``n``, or ``x ** y`` with a Value ``y``.

        d/dy x**y = x**y * ln x for x > 0. At x == 0 it is taken as 0.0; for x < 0 it is
        nan, since x**y is real only at integer y. A negative base with a non-integer
        number exponent raises ValueError; 0 to a negative power raises ZeroDivisionError.
        """
        if isinstance(exponent, Value):
            return _binary(rules.POW, self, exponent)
        if type(exponent) in _PLAIN_NUMBERS or isinstance(exponent, numbers.Real):  # bool: as_float says why not
            return _unary(rules.power(as_float(exponent, "** exponent")), self)
        return NotImplemented  # e.g. a NumPy array: NumPy takes over, element by element

    def __rpow__(self, base):
        return _binary(rules.POW, base, self)

    def __neg__(self):
        return _unary(rules.NEG, self)

    def __pos__(self):
        return self

    def __abs__(self):
        """|x|; its derivative at 0 is taken as 0, as in PyTorch."""
        return _unary(rules.ABS, self)

    # --- comparisons: on data, returning bool ----------------------------------------

    def __lt__(self, other):
        if TRACER.get() is not None:
            TRACER.get().read_data("<", self, other)
        other = _compared(other)
        return NotImplemented if other is None else self.data < other

    def __le__(self, other):
        if TRACER.get() is not None:
            TRACER.get().read_data("<=", self, other)
        other = _compared(other)
        return NotImplemented if other is None else self.data <= other

    def __gt__(self, other):
        if TRACER.get() is not None:
            TRACER.get().read_data(">", self, other)
        other = _compared(other)
        return NotImplemented if other is None else self.data > other

    def __ge__(self, other):
        if TRACER.get() is not None:
            TRACER.get().read_data(">=", self, other)
        other = _compared(other)
        return NotImplemented if other is None else self.data >= other


    # --- elementary functions --------------------------------------------------------

    def exp(self):
        """e**x; OverflowError above about 709.78."""
        return _unary(rules.EXP, self)

    def log(self):
        """Natural log; ValueError for x <= 0."""
        return _unary(rules.LOG, self)

    def sqrt(self):
        """Square root; ValueError for x < 0; the derivative at 0 is +inf."""
        return _unary(rules.SQRT, self)

    def tanh(self):
        return _unary(rules.TANH, self)

    def sigmoid(self):
        """1 / (1 + e**-x), computed without overflow: exactly 0.0 or 1.0 far out."""
        return _unary(rules.SIGMOID, self)

    def relu(self):
        """max(0, x); its derivative at 0 is taken as 0, as in PyTorch and micrograd."""
        return _unary(rules.RELU, self)

    def leaky_relu(self, slope=0.01):
        """x for x > 0, else slope * x."""
        return _unary(rules.leaky_relu(as_float(slope, "leaky_relu(slope=...)")), self)

    def sin(self):
        return _unary(rules.SIN, self)

    def cos(self):
        return _unary(rules.COS, self)

    def tan(self):
        """tan x; ValueError for ±inf. No float is a pole, so near pi/2 it is large, finite."""
        return _unary(rules.RULES["tan"], self)

    def asin(self):
        """arcsin x; ValueError outside [-1, 1]; the derivative at ±1 is +inf."""
        return _unary(rules.RULES["asin"], self)

    def acos(self):
        """arccos x; ValueError outside [-1, 1]; the derivative at ±1 is -inf."""
        return _unary(rules.RULES["acos"], self)

    def atan(self):
        return _unary(rules.RULES["atan"], self)

    def sinh(self):
        """sinh x; OverflowError beyond about ±710.48."""
        return _unary(rules.RULES["sinh"], self)

    def cosh(self):
        """cosh x; OverflowError beyond about ±710.48."""
        return _unary(rules.RULES["cosh"], self)

    def log1p(self):
        """log(1 + x), exact for tiny x; ValueError for x <= -1."""
        return _unary(rules.RULES["log1p"], self)

    def expm1(self):
        """e**x - 1, exact for tiny x; OverflowError above about 709.78."""
        return _unary(rules.RULES["expm1"], self)

    def erf(self):
        """The error function 2/sqrt(pi) * integral from 0 to x of e**(-t*t) dt."""
        return _unary(rules.RULES["erf"], self)

    def erfc(self):
        """1 - erf(x), without the cancellation for large x."""
        return _unary(rules.RULES["erfc"], self)

    def softplus(self):
        """log(1 + e**x), computed without overflow: exactly x far right, e**x far left."""
        return _unary(rules.RULES["softplus"], self)

    def gelu(self):
        """x * Phi(x), Phi the standard normal CDF: the exact (erf) form, PyTorch's default."""
        return _unary(rules.RULES["gelu"], self)

    def silu(self):
        """x * sigmoid(x) (also called swish)."""
        return _unary(rules.RULES["silu"], self)

    def elu(self, alpha=1.0):
        """x for x > 0, else alpha * (e**x - 1); the derivative at 0 is ``alpha``."""
        alpha = as_float(alpha, "elu(alpha=...)")
        if not math.isfinite(alpha):
            raise ValueError(f"elu: alpha must be finite, got {alpha!r}")
        return _unary(rules.elu(alpha), self)

    def clamp(self, lo=None, hi=None):
        """x limited to [lo, hi] (None: no bound on that side). The gradient is 1 inside
        the bounds and at them, and 0 outside, as in PyTorch."""
        if lo is None and hi is None:
            raise ValueError("clamp: give lo, hi or both (None means no bound on that side)")
        lo = -math.inf if lo is None else as_float(lo, "clamp(lo=...)")
        hi = math.inf if hi is None else as_float(hi, "clamp(hi=...)")
        if not lo <= hi:  # also catches a nan bound
            raise ValueError(f"clamp: needs lo <= hi, got lo={lo!r} and hi={hi!r}")
        return _unary(rules.clamp(lo, hi), self)

    def detach(self):
        """A new leaf holding the same number (and label): no gradient flows through it."""
        if TRACER.get() is not None:
            TRACER.get().read_data("detach()", self)
        return Value(self.data, self.label)


def _compared(x):
    """The float a Value is compared with, or None if ``x`` is not a number."""
    if isinstance(x, Value):
        return x.data
    return x if isinstance(x, numbers.Real) else None


# --- node construction and the fast path ---------------------------------------------
# Every node is made from one template (autograd_lite.nodes). The methods above are the
# readable reference; at import, each op in rules.TABLE gets a fused twin compiled from the
# same table row: forward value and local derivatives inline, one Python call per op instead
# of four. tests/test_fused_ops.py checks the twins agree.

_NAMESPACE = {"Value": Value, "_new": _new, "_mode": MODE.get, "_constant": _constant} | vars(rules)
_make = nodes.make_function(dict(_NAMESPACE))

_METHODS = {  # op -> (method, reflected method or None)
    "+": ("__add__", "__radd__"), "-": ("__sub__", "__rsub__"), "*": ("__mul__", "__rmul__"),
    "/": ("__truediv__", "__rtruediv__"), "neg": ("__neg__", None), "abs": ("__abs__", None),
    "exp": ("exp", None), "log": ("log", None), "sqrt": ("sqrt", None), "tanh": ("tanh", None),
    "sigmoid": ("sigmoid", None), "relu": ("relu", None), "sin": ("sin", None), "cos": ("cos", None),
    **{op: (op, None) for op in ("tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1", "erf",
                                 "erfc", "softplus", "gelu", "silu")},
}
_COMMON_POWERS = {n: rules.power(n) for n in (2.0, 3.0, 0.5, -1.0, -0.5, -2.0, 4.0)}


def _power_rule(n):
    return _COMMON_POWERS.get(n) or rules.power(n)


def _fused(rule, method, reflected):
    fused = nodes.fused_method(rule, method, reflected, _NAMESPACE)
    fused.__doc__ = getattr(Value, method).__doc__
    fused.__qualname__ = f"Value.{method}"
    return fused


def apply_rule(rule, a, b):
    """A node of the two-input ``rule`` from Values or numbers; TypeError for anything else."""
    node = _binary(rule, a, b)
    if node is NotImplemented:
        raise TypeError(f"{rule.name}: operands must be Values or real numbers, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    return node


rules.apply_rule = apply_rule


def reference_method(method):
    """The readable, unfused implementation of a Value method (for tests)."""
    return _REFERENCE[method]


_REFERENCE = {}
for _op, (_method, _reflected) in _METHODS.items():
    for _name, _is_reflected in ((_method, False), (_reflected, True)):
        if _name:
            _REFERENCE[_name] = getattr(Value, _name)
            setattr(Value, _name, _fused(rules.RULES[_op], _name, _is_reflected))
_REFERENCE["__pow__"] = Value.__pow__
Value.__pow__ = nodes.power_method(_power_rule, _NAMESPACE, Value.__pow__)
Value.__pow__.__doc__ = _REFERENCE["__pow__"].__doc__
Value.__pow__.__qualname__ = "Value.__pow__"
Value.abs = Value.__abs__  # |x| by name too, as in PyTorch: the same fused method
