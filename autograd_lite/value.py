"""The ``Value`` node: a float that records the op that made it, its parents, and the
local derivative of the op with respect to each parent."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from . import graph, nodes, rules
from .conversions import as_float as as_float  # re-exported: the engine's modules take it from here
from .conversions import as_label
from .elementary import ElementaryFunctions
from .mode import MODE, TRACER
from .protocols import PythonProtocols

if TYPE_CHECKING:
    from types import NotImplementedType

    from .aliases import Number, ValueLike
    from .rules import Rule

_new = object.__new__
_PLAIN_NUMBERS = frozenset((float, int))
_get_data = attrgetter("data")


def lift(x: object, where: str = "operand") -> Value:
    """``x`` itself if it is a Value, otherwise a constant Value holding ``x``."""
    return x if isinstance(x, Value) else Value(as_float(x, where))


def apply(rule: Rule, parents: tuple[Value, ...]) -> Value:
    """Apply ``rule`` to a tuple of Values: compute the forward value, record the node."""
    args = list(map(_get_data, parents))
    return _make(rule.forward(*args), rule, parents, args)


def _unary(rule: Rule, x: Value) -> Value:
    d = x.data
    return _make(rule.forward(d), rule, (x,), (d,))


def _constant(x: object) -> Value | None:
    """``x`` if it is a Value, a constant Value if it is a real number, else None."""
    if type(x) is float:  # the common case first: an ABC isinstance check costs more than the node
        return Value(x)
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    return None


def _binary(rule: Rule, a: object, b: object) -> Value | NotImplementedType:
    # One of a, b is a Value; the other may be a plain number, which becomes a constant.
    left, right = _constant(a), _constant(b)
    if left is None or right is None:
        return NotImplemented  # type: ignore[no-any-return]  # mypy: NotImplemented is Any outside dunders
    x, y = left.data, right.data
    return _make(rule.forward(x, y), rule, (left, right), (x, y))


_CONVERSION_HINT = (
    "{what} of a Value would turn it into a plain number and drop it from the graph, so "
    "its gradient would be silently lost (math.exp(x), float(x) and numpy scalars all do "
    "this). For a differentiable result use the ops: autograd_lite.exp(x) or x.exp(), "
    "x.log(), x.sqrt(), x.sin(), ...; for the number itself use x.item() or x.data.")


class Value(ElementaryFunctions, PythonProtocols):
    """A scalar in a computation graph.

    ``data`` is the float value and ``grad`` the derivative of the last ``backward()``
    root with respect to this node (0.0 until then). ``op`` names the op that made the node
    ("" for a leaf) and ``parents`` is the ordered tuple of its inputs, with duplicates
    kept: ``a * a`` has parents ``(a, a)``.

    Equality and hashing are by identity, so Values can be dict keys and set members:
    ``a == b`` is ``a is b``; ``x == 0`` (a Value against a number) is a TypeError that says
    to compare ``x.data``. The ordering comparisons ``< <= > >=`` compare ``data`` and
    return a bool; they record nothing. ``f"{x:.3f}"`` and ``round(x, 3)`` use ``data``;
    Values and their graphs pickle and deep-copy at any depth (:mod:`.pickling`).
    """

    # _epoch, _pending and _sum are backward's scratch, valid only in the pass numbered _epoch.
    __slots__ = ("data", "grad", "_label", "_rule", "_scope", "_parents", "_local",
                 "_epoch", "_pending", "_sum", "__weakref__")
    data: float
    grad: float
    _label: str
    _rule: Rule | None
    _scope: str
    _parents: tuple[Value, ...]
    _local: tuple[Any, ...]  # floats, or rules.ZERO
    _epoch: int
    _pending: int
    _sum: Any  # a float, or a Value in a symbolic pass

    # The readable reference: at import it is replaced by one generated from the node
    # template (autograd_lite.nodes.init_method), as are the arithmetic methods below.
    def __init__(self, data: Number, label: str = "") -> None:
        self.data = data if type(data) is float else as_float(data, "Value()")
        self.grad = 0.0
        self._label = label if type(label) is str else as_label(label, "Value(label=...)")
        self._rule = None
        self._epoch = 0
        self._scope = MODE.get()[1]
        self._parents = self._local = ()

    # --- what the node records -------------------------------------------------------

    @property
    def label(self) -> str:
        """The name shown in drawn graphs and explanations ("" for none): a str."""
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        self._label = label if type(label) is str else as_label(label, "a Value's label")

    @property
    def op(self) -> str:
        """The op that made this node, e.g. ``"*"`` or ``"tanh"``; ``""`` for a leaf."""
        return self._rule.name if self._rule is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        """The op's inputs, in order, duplicates kept."""
        return self._parents

    @property
    def local_grads(self) -> tuple[Any, ...]:
        """d self / d parent for each parent, in the order of ``parents``, as floats."""
        return self._local

    @property
    def scope(self) -> str:
        """The name scope the node was created in (see ``autograd_lite.scope``)."""
        return self._scope

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def item(self) -> float:
        """The number this Value holds, as a float (the same as ``.data``)."""
        if TRACER.get() is not None:
            TRACER.get().read_data("item()", self)
        return self.data

    # These exist only to raise. Hidden from type checkers, they make math.exp(x), float(x)
    # and "a" * x errors for mypy too, as they are at run time (tests/test_typing.py).
    if not TYPE_CHECKING:
        def __float__(self):
            if TRACER.get() is not None:
                TRACER.get().read_data("float()", self)
            raise TypeError(_CONVERSION_HINT.format(what="float()"))

        def __int__(self):
            raise TypeError(_CONVERSION_HINT.format(what="int()"))

        def __index__(self):
            raise TypeError(_CONVERSION_HINT.format(what="use as an integer"))

        def __bool__(self):
            """Refused: ``if x:`` could mean "x is not zero" or "x is there"; see the message."""
            raise TypeError(
                "the truth value of a Value is ambiguous: to branch on its number, compare it "
                "(if x > 0:, which compile's tracer records) or use x.item() (if x.item() != 0:); "
                "to test whether an optional Value is there, write 'if x is not None:'")

    # --- reverse mode ----------------------------------------------------------------

    def backward(self, gradient: Number = 1.0) -> None:
        """Fill ``.grad`` of every node this one depends on with d self / d node.

        Nodes are visited in reverse topological order (iteratively: any depth works),
        and every parent receives ``local * grad`` from each of its consumers; these sum
        to the total derivative at every fan-out. Calling ``backward`` again resets the
        intermediate nodes' grads first and **accumulates into leaves**, as PyTorch does:
        each call sums the leaf's gradient from zero and adds it to ``grad`` once, so twice
        gives leaves exactly twice the gradient. Use ``zero_grad()`` to clear them first.
        """
        graph.backward(self, as_float(gradient, "backward(gradient=...)"))

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on this node and every node it depends on."""
        graph.zero_grad(self)

    # --- arithmetic: a Value or a number on either side -------------------------------

    def __add__(self, other: ValueLike) -> Value:
        return _binary(rules.ADD, self, other)

    def __radd__(self, other: Number) -> Value:
        return _binary(rules.ADD, other, self)

    def __sub__(self, other: ValueLike) -> Value:
        return _binary(rules.SUB, self, other)

    def __rsub__(self, other: Number) -> Value:
        return _binary(rules.SUB, other, self)

    def __mul__(self, other: ValueLike) -> Value:
        return _binary(rules.MUL, self, other)

    def __rmul__(self, other: Number) -> Value:
        return _binary(rules.MUL, other, self)

    def __truediv__(self, other: ValueLike) -> Value:
        return _binary(rules.DIV, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return _binary(rules.DIV, other, self)

    def __pow__(self, exponent: ValueLike) -> Value:
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

    def __rpow__(self, base: Number) -> Value:
        return _binary(rules.POW, base, self)

    def __neg__(self) -> Value:
        return _unary(rules.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        """|x|; its derivative at 0 is taken as 0, as in PyTorch."""
        return _unary(rules.ABS, self)

    # --- comparisons: on data, returning bool ----------------------------------------

    def __lt__(self, other: ValueLike) -> bool:
        if TRACER.get() is not None:
            TRACER.get().read_data("<", self, other)
        number = _compared(other)
        return NotImplemented if number is None else bool(self.data < number)

    def __le__(self, other: ValueLike) -> bool:
        if TRACER.get() is not None:
            TRACER.get().read_data("<=", self, other)
        number = _compared(other)
        return NotImplemented if number is None else bool(self.data <= number)

    def __gt__(self, other: ValueLike) -> bool:
        if TRACER.get() is not None:
            TRACER.get().read_data(">", self, other)
        number = _compared(other)
        return NotImplemented if number is None else bool(self.data > number)

    def __ge__(self, other: ValueLike) -> bool:
        if TRACER.get() is not None:
            TRACER.get().read_data(">=", self, other)
        number = _compared(other)
        return NotImplemented if number is None else bool(self.data >= number)

    if TYPE_CHECKING:  # set after the class: the fused __abs__ (autograd_lite.nodes.install_fast_path)
        def abs(self) -> Value:
            """|x|, the same as ``abs(x)``."""

    def detach(self) -> Value:
        """A new leaf holding the same number (and label): no gradient flows through it."""
        if TRACER.get() is not None:
            TRACER.get().read_data("detach()", self)
        return Value(self.data, self.label)


def _compared(x: object) -> Any:  # Any: a numbers.Real, which a float compares with
    """The float a Value is compared with, or None if ``x`` is not a number."""
    if isinstance(x, Value):
        return x.data
    return x if isinstance(x, numbers.Real) else None


# --- node construction and the fast path ---------------------------------------------
# Every node is made from one template (autograd_lite.nodes). The methods above are the
# readable reference; at import, each op in rules.TABLE gets a fused twin compiled from the
# same table row: forward value and local derivatives inline, one Python call per op instead
# of four. tests/test_fused_ops.py checks the twins agree.

_NAMESPACE: dict[str, Any] = {"Value": Value, "_new": _new, "_mode": MODE.get, "_constant": _constant,
                              "as_float": as_float, "as_label": as_label} | vars(rules)
_make = nodes.make_function(dict(_NAMESPACE))

_COMMON_POWERS = {n: rules.power(n) for n in (2.0, 3.0, 0.5, -1.0, -0.5, -2.0, 4.0)}


def _power_rule(n: float) -> Rule:
    return _COMMON_POWERS.get(n) or rules.power(n)


def apply_rule(rule: Rule, a: ValueLike, b: ValueLike) -> Value:
    """A node of the two-input ``rule`` from Values or numbers; TypeError for anything else."""
    node = _binary(rule, a, b)
    if node is NotImplemented:
        raise TypeError(f"{rule.name}: operands must be Values or real numbers, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    return node


rules.apply_rule = apply_rule
rules.apply_unary = _unary


def reference_method(method: str) -> Callable[..., Any]:
    """The readable, unfused implementation of a Value method (for tests)."""
    return _REFERENCE[method]


_METHODS = nodes.METHODS
_REFERENCE = nodes.install_fast_path(Value, _NAMESPACE, _power_rule)
