"""The derivative table: every op's forward value and local derivatives, side by side.

Each :class:`Rule` has two functions:

* ``forward(*xs)`` computes the op's value from its inputs' floats, raising a clear error
  outside the op's domain;
* ``local(*xs, out)`` returns ``(d out/d x1, d out/d x2, ...)``, one local derivative
  per input.

``local`` uses only arithmetic, comparisons and the dispatching helpers below, so the same
line runs on floats (the first-order ``backward`` stores float local derivatives when a
node is made) and on Values (higher-order derivatives build a graph of the derivative).
The chain rule itself is written once, in :mod:`autograd_lite.graph`.
"""

from __future__ import annotations

import linecache
import math
import operator
import weakref
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .domains import (  # noqa: F401 - the table's source text names them
    _SQRT_HALF, _TWO_OVER_SQRT_PI, _INV_SQRT_2PI, _div, _pow, _checked_exp, _checked_log,
    _checked_sqrt, _checked_log1p, _softplus, _gelu, _silu, _sigmoid, _logsumexp, _tanh,
    _checked_sin, _checked_cos, _checked_tan, _checked_asin, _checked_acos, _atan,
    _checked_sinh, _checked_cosh, _checked_expm1, _erf, _expm1)

if TYPE_CHECKING:
    from typing import TypeAlias

    from .aliases import ValueLike
    from .value import Value

    # make(*constants) -> (forward, local): a row's functions with its constants bound.
    _Maker: TypeAlias = Callable[..., tuple[Callable[..., float], Callable[..., tuple[Any, ...]]]]

INF = math.inf
NAN = math.nan
# A structural zero: the local derivative of an op that is flat in that input there (relu
# below 0, x ** 0, ...). The chain rule skips such an edge even when the gradient arriving is
# inf or nan, as PyTorch's masks do; a zero that is merely computed (2x at x = 0) follows
# IEEE arithmetic instead, so 0 * inf stays nan. It is told apart by identity: a float made
# at run time, so that no literal 0.0 anywhere can be this object.
ZERO = float("0")


class Rule:
    """An op: its display name, its forward function and its local-derivative rule.

    ``inputs`` names the inputs (``("*xs",)`` for an op over a list), ``params`` the
    constants the row's source text names (``("n",)`` for ``x ** n``) and ``param_values``
    the numbers this rule was made with. ``forward_source`` and ``local_sources`` are the
    row's text; a custom op (``autograd_lite.op``) has none.
    """

    __slots__ = ("name", "forward", "local", "inputs", "params", "param_values", "forward_source",
                 "local_sources", "__weakref__")
    name: str
    forward: Callable[..., float]
    local: Callable[..., tuple[Any, ...]]  # floats (or ZERO) on floats, Values on Values
    inputs: tuple[str, ...]
    params: tuple[str, ...]
    param_values: tuple[float, ...]
    forward_source: str
    local_sources: tuple[str, ...]

    def __init__(self, name: str, forward: Callable[..., float], local: Callable[..., tuple[Any, ...]],
                 inputs: Iterable[str] = (), forward_source: str = "", local_sources: Iterable[str] = (),
                 params: Iterable[str] = (), param_values: Iterable[float] = ()) -> None:
        self.name = name
        self.forward = forward
        self.local = local
        self.inputs = tuple(inputs)
        self.params = tuple(params)
        self.param_values = tuple(param_values)
        self.forward_source = forward_source
        self.local_sources = tuple(local_sources)

    @property
    def variadic(self) -> bool:
        """True for an op over a list of inputs (``sum``, ``dot``, ``softmax``...)."""
        return self.inputs[:1] == ("*xs",)

    def __repr__(self) -> str:
        return f"Rule({self.name!r})"


# --- helpers that work on floats and on Values ------------------------------------------
# (Typed Any: each takes a float or a Value and returns the same kind.)

def _data(x: Any) -> float:
    return x if type(x) is float else x.data


def _exp(x: Any) -> Any:
    return math.exp(x) if type(x) is float else x.exp()


def _log(x: Any) -> Any:
    return math.log(x) if type(x) is float else x.log()


def _sin(x: Any) -> Any:
    return math.sin(x) if type(x) is float else x.sin()


def _cos(x: Any) -> Any:
    return math.cos(x) if type(x) is float else x.cos()


def _sinh(x: Any) -> Any:
    return math.sinh(x) if type(x) is float else x.sinh()


def _cosh(x: Any) -> Any:
    return math.cosh(x) if type(x) is float else x.cosh()


def _logistic(x: Any) -> Any:
    return _sigmoid(x) if type(x) is float else x.sigmoid()


def _erfc(x: Any) -> Any:
    return math.erfc(x) if type(x) is float else x.erfc()


def _normal_cdf(x: Any) -> Any:
    """P(N(0, 1) <= x), through erfc: no cancellation far in the left tail."""
    return 0.5 * _erfc(-x * _SQRT_HALF)


def _softmax(xs: Sequence[Any]) -> list[Any]:
    shift = max(_data(x) for x in xs)
    exps = [_exp(x - shift) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]


def _softmax_row(xs: Sequence[Any], i: int, out: Any) -> list[Any]:
    """Row ``i`` of the softmax Jacobian: d s_i / d x_j = s_i (delta_ij - s_j)."""
    return [out * ((1.0 if j == i else 0.0) - s_j) for j, s_j in enumerate(_softmax(xs))]


def _dot(wx: Sequence[Any]) -> Any:
    half = len(wx) // 2
    return sum(map(operator.mul, wx[:half], wx[half:]))


def _swap_halves(wx: Sequence[Any]) -> tuple[Any, ...]:
    """d (w . x) / d (w, x) = (x, w)."""
    half = len(wx) // 2
    return (*wx[half:], *wx[:half])


def _ones(xs: Sequence[Any]) -> tuple[float, ...]:
    return (1.0,) * len(xs)


# --- derivatives of pow: IEEE results, so a finite value never raises for its derivative ---

def apply_rule(rule: Rule, a: ValueLike, b: ValueLike) -> Value:
    """A node of the two-input ``rule`` from Values or numbers (set by :mod:`.value`; here so
    that derivative rules evaluated on Values can make nodes of their own)."""
    raise NotImplementedError


def _odd_integer(y: float) -> bool:
    return y % 2.0 == 1.0


def _ieee_pow(x: Any, y: Any) -> Any:
    """x ** y as C's pow: ±inf where it overflows or divides by zero, nan where it has no
    real value. Used inside derivatives, where these are the limits the user needs."""
    if type(x) is not float or type(y) is not float:
        return apply_rule(IEEE_POW, x, y)
    try:
        result = x ** y
    except ZeroDivisionError:  # 0.0 ** negative: inf, signed like -0.0 for odd integers
        return math.copysign(INF, x) if _odd_integer(y) else INF
    except OverflowError:
        return -INF if x < 0.0 and _odd_integer(y) else INF
    return result if type(result) is float else NAN  # complex for a negative base


def _dpow_dbase(x: Any, n: float) -> Any:
    """d/dx x**n for a constant n: n * x**(n-1), ±inf where that overflows (1e-300 ** -1)
    and +inf at x == 0 for 0 < n < 1, so that derivatives of any order take the one-sided
    limits; a structural zero for n == 0, where x**0 is the constant 1.

    On Values (higher order) x**(n-1) is a node of the constant-exponent rule, so that the
    chain ends in that structural zero: the third derivative of x**2 is 0 even at x = 0,
    where the generic x**y would give 0 * inf = nan."""
    if n == 0.0:
        return ZERO
    if type(x) is float:
        return n * _ieee_pow(x, n - 1.0)
    return n * apply_unary(_ieee_power(n - 1.0), x)


def apply_unary(rule: Rule, x: Value) -> Value:
    """A node of the one-input ``rule`` (set by :mod:`.value`, as :func:`apply_rule`)."""
    raise NotImplementedError


@lru_cache(maxsize=256)
def _ieee_power(n: float) -> Rule:
    """x ** n for a constant n with IEEE results: the node that derivatives of x**n make."""
    return compile_rule("ieee **n", "x", "n", "_ieee_pow(x, n)", "_dpow_dbase(x, n)", param_values=(n,))


def _dpow_dbase_xy(x: Any, y: Any) -> Any:
    """d/dx x**y for a Value exponent y: as :func:`_dpow_dbase`, but where y is 0 the zero is
    only computed (y varies), and on Values it keeps its derivative in y."""
    if type(y) is float:
        return 0.0 if y == 0.0 else y * _ieee_pow(x, y - 1.0)
    return apply_rule(MASKED_MUL, y, _ieee_pow(x, y - 1.0))


def _dpow_dexponent(x: Any, out: Any) -> Any:
    """x**y * ln x for x > 0; 0.0 at x == 0 (as PyTorch); nan for x < 0, where x**y
    exists only at integer y and so has no derivative in y. The nan is a product with
    ``out``, so that its own derivatives are nan too (a Hessian stays symmetric)."""
    if _data(x) > 0.0:
        return out * _log(x)
    return ZERO if _data(x) == 0.0 else out * NAN


# --- the table ------------------------------------------------------------------------
# One line per op: its inputs, the constants it takes, its forward value, and its local
# derivative with respect to each input (``out`` is the forward value). An op over a list
# (inputs ``*xs``) gives all its local derivatives as one starred expression. Each line is
# compiled from this one definition into ``Rule.forward`` / ``Rule.local`` below, into the
# fused Value method that :mod:`autograd_lite.value` generates for the eager path, and into
# compiled code (:mod:`autograd_lite.compiler`), which writes the constants in as numbers.

#    op        inputs  consts forward                           local derivatives, one per input
TABLE: list[tuple[str, ...]] = [
    ("+",       "a b",  "",    "a + b",                           "1.0", "1.0"),
    ("-",       "a b",  "",    "a - b",                           "1.0", "-1.0"),
    ("*",       "a b",  "",    "a * b",                           "b", "a"),
    ("/",       "a b",  "",    "_div(a, b)",                      "1.0 / b", "-out / b"),
    ("**",      "a b",  "",    "_pow(a, b)",                      "_dpow_dbase_xy(a, b)", "_dpow_dexponent(a, out)"),
    ("**n",     "x",    "n",   "_pow(x, n)",                      "_dpow_dbase(x, n)"),
    ("neg",     "x",    "",    "-x",                              "-1.0"),
    ("abs",     "x",    "",    "abs(x)",                          "1.0 if x > 0.0 else -1.0 if x < 0.0 else ZERO"),
    ("exp",     "x",    "",    "_checked_exp(x)",                 "out"),
    ("log",     "x",    "",    "_checked_log(x)",                 "1.0 / x"),
    ("sqrt",    "x",    "",    "_checked_sqrt(x)",                "0.5 / out if out > 0.0 else _dpow_dbase(x, 0.5)"),
    ("tanh",    "x",    "",    "_tanh(x)",                        "1.0 - out * out"),
    ("sigmoid", "x",    "",    "_sigmoid(x)",                     "out * (1.0 - out)"),
    ("relu",    "x",    "",    "0.0 if x <= 0.0 else x",          "1.0 if x > 0.0 else ZERO"),
    # slope 0 is relu: flat below 0. (The constants are numbers, never Values.)
    ("leaky_relu", "x", "slope", "x if x > 0.0 else slope * x",   "1.0 if x > 0.0 else slope or ZERO"),
    # At 0 the derivative is alpha (PyTorch's), so the second derivative there is 0.
    ("elu",     "x",    "alpha", "x if x > 0.0 else alpha * _expm1(x)",
     "1.0 if x > 0.0 else ZERO if not alpha else alpha if x >= 0.0 else alpha * _exp(x)"),
    # The gradient passes at the bounds (as PyTorch's); outside them, and for nan, it is 0.
    ("clamp",   "x",    "lo hi", "lo if x < lo else hi if x > hi else x", "(1.0 if x <= hi else ZERO) if x >= lo else ZERO"),
    # log(clamp(x, eps, 1 - eps)) with the gradient of the log passing straight through the
    # clamp: binary cross-entropy's log, finite for a saturated sigmoid.
    ("clamped_log", "x", "eps", "_checked_log(eps if x < eps else 1.0 - eps if x > 1.0 - eps else x)",
     "1.0 / (eps if x < eps else 1.0 - eps if x > 1.0 - eps else x)"),
    ("sin",     "x",    "",    "_checked_sin(x)",                 "_cos(x)"),
    ("cos",     "x",    "",    "_checked_cos(x)",                 "-_sin(x)"),
    ("tan",     "x",    "",    "_checked_tan(x)",                 "1.0 + out * out"),
    ("asin",    "x",    "",    "_checked_asin(x)",                "_ieee_pow(1.0 - x * x, -0.5)"),
    ("acos",    "x",    "",    "_checked_acos(x)",                "-_ieee_pow(1.0 - x * x, -0.5)"),
    ("atan",    "x",    "",    "_atan(x)",                        "1.0 / (1.0 + x * x)"),
    ("sinh",    "x",    "",    "_checked_sinh(x)",                "_cosh(x)"),
    ("cosh",    "x",    "",    "_checked_cosh(x)",                "_sinh(x)"),
    ("log1p",   "x",    "",    "_checked_log1p(x)",               "1.0 / (1.0 + x)"),
    ("expm1",   "x",    "",    "_checked_expm1(x)",               "out + 1.0"),
    ("erf",     "x",    "",    "_erf(x)",                         "_TWO_OVER_SQRT_PI * _exp(-x * x)"),
    ("erfc",    "x",    "",    "_erfc(x)",                        "-_TWO_OVER_SQRT_PI * _exp(-x * x)"),
    ("softplus", "x",   "",    "_softplus(x)",                    "_logistic(x)"),
    ("gelu",    "x",    "",    "_gelu(x)",                        "_normal_cdf(x) + x * _INV_SQRT_2PI * _exp(-0.5 * x * x)"),
    ("silu",    "x",    "",    "_silu(x)",                        "_logistic(x) * (1.0 + x * (1.0 - _logistic(x)))"),
    # A tie splits the gradient in half, as in PyTorch; nan gets none. (Not `a == b`: on
    # Values that compares identity; the orderings compare numbers.)
    ("maximum", "a b",  "",    "a if a >= b else b if a < b else NAN",
     "1.0 if a > b else 0.5 if a >= b else ZERO", "1.0 if b > a else 0.5 if b >= a else ZERO"),
    ("minimum", "a b",  "",    "a if a <= b else b if a > b else NAN",
     "1.0 if a < b else 0.5 if a <= b else ZERO", "1.0 if b < a else 0.5 if b <= a else ZERO"),
    # Ops over a list: one node with n parents.
    ("sum",     "*xs",  "",    "sum(xs)",                         "*_ones(xs)"),
    ("dot",     "*xs",  "",    "_dot(xs)",                        "*_swap_halves(xs)"),  # xs = w1..wn, x1..xn
    ("logsumexp", "*xs", "",   "_logsumexp(*xs)",                 "*_softmax(xs)"),
    ("softmax", "*xs",  "i",   "_softmax(xs)[i]",                 "*_softmax_row(xs, i, out)"),
]

# How a rule made with constants is named, e.g. "**3", "leaky_relu(0.2)", "softmax[1]".
_NAMES: dict[str, str] = {
    "**n": "**{:g}", "ieee **n": "**{:g}", "leaky_relu": "leaky_relu({:g})", "elu": "elu({:g})", "clamp": "clamp({:g}, {:g})",
    "clamped_log": "clamped_log({:g})", "softmax": "softmax[{}]"}
ROWS = {row[0]: row for row in TABLE}


def _literal(number: float) -> str:
    """Source text for a float constant: exact (repr round-trips), inf and nan by name."""
    if number != number:
        return "NAN"
    if math.isinf(number):
        return "INF" if number > 0.0 else "-INF"
    return repr(number)


def compile_rule(op: str, inputs: str, params: str, forward: str, *locals_: str,
                 param_values: tuple[float, ...] = ()) -> Rule:
    """A :class:`Rule` whose functions are compiled from a table row's source text, with its
    constants bound to ``param_values``."""
    names, constants = inputs.split(), params.split()
    make = _maker(op, inputs, params, forward, locals_)
    forward_function, local_function = make(*param_values)
    name = _NAMES[op].format(*param_values) if constants else op
    rule = Rule(name, forward_function, local_function, names, forward, locals_, constants, param_values)
    _MADE_FROM[rule] = (op, inputs, params, forward, *locals_)
    return rule


# The row each rule of ours was made from, by identity: generated code (autograd_lite.compiler)
# writes a node's text from here, never from a Rule's attributes, which anyone can set (a
# custom op's Rule, or one made by hand, is called, not written out). Weak: rules come and go.
_MADE_FROM: weakref.WeakKeyDictionary[Rule, tuple[str, ...]] = weakref.WeakKeyDictionary()


def row_of(rule: Rule) -> tuple[str, ...] | None:
    """``(op, inputs, params, forward, *locals)``: the source text ``rule`` was compiled
    from, if :func:`compile_rule` made it (a row of TABLE, or one of the two rules below);
    None for any other Rule (a custom op's)."""
    return _MADE_FROM.get(rule) if type(rule) is Rule else None  # a subclass could fake a hash


@lru_cache(maxsize=None)  # one per row: the constants are arguments, not part of the text
def _maker(op: str, inputs: str, params: str, forward: str, locals_: tuple[str, ...]) -> _Maker:
    """``make(*constants) -> (forward, local)``, compiled once from the row's text and
    registered with :mod:`linecache`, so tracebacks and ``inspect.getsource`` show the row."""
    names = inputs.split()
    variadic = names == ["*xs"]
    arguments = "*xs" if variadic else ", ".join(names)
    local_tuple = f"({locals_[0]},)" if variadic else f"({', '.join(locals_)},)"
    local_head = ("def local(*xs_out):\n        xs, out = xs_out[:-1], xs_out[-1]\n" if variadic
                  else f"def local({arguments}, out):\n")
    source = (f"def make({', '.join(params.split())}):\n"
              f"    def forward({arguments}):\n        return {forward}\n"
              f"    {local_head}        return {local_tuple}\n"
              f"    return forward, local\n")
    namespace: dict[str, _Maker] = {}
    exec(compile(source, register_source(source, f"rule {op}"), "exec"), globals(), namespace)  # our own table
    return namespace["make"]


def register_source(source: str, what: str) -> str:
    """Give generated code a file name that :mod:`linecache` knows (as attrs does), so that
    tracebacks and ``inspect.getsource`` show its lines. Returns the file name."""
    filename = f"<{what}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    return filename


RULES = {row[0]: compile_rule(*row) for row in TABLE if not row[2]}


# A rule with constants is made once per distinct value, with a bound: a program that uses
# a million distinct exponents must not keep a million rules alive.
def with_constants(op: str, *values: float) -> Rule:
    """The rule of table row ``op`` with its constants set to ``values`` (floats)."""
    return _with_constants(op, values, tuple(math.copysign(1.0, v) for v in values))


@lru_cache(maxsize=1024)
def _with_constants(op: str, values: tuple[float, ...],
                    signs: tuple[float, ...]) -> Rule:  # signs: 0.0 == -0.0, but clamp(x, -0.0, 1) keeps its sign
    return compile_rule(*ROWS[op], param_values=values)


def power(n: float) -> Rule:
    """``x ** n`` for a constant exponent ``n`` (a float)."""
    return with_constants("**n", n)


def leaky_relu(slope: float) -> Rule:
    """max(x, slope*x) for 0 <= slope < 1; the derivative at 0 is ``slope``."""
    return with_constants("leaky_relu", slope)


def elu(alpha: float) -> Rule:
    """x for x > 0, else alpha * (e**x - 1); the derivative at 0 is ``alpha`` (PyTorch's)."""
    return with_constants("elu", alpha)


def clamp(lo: float, hi: float) -> Rule:
    """x limited to [lo, hi]; the gradient passes at the bounds (as PyTorch's) and is a
    structural zero outside them, and for nan."""
    return with_constants("clamp", lo, hi)


def softmax_output(i: int) -> Rule:
    """Output ``i`` of softmax(x1..xn): d s_i/d x_j = s_i (delta_ij - s_j)."""
    return with_constants("softmax", i)


# Two rules that only derivatives make (on Values, for higher order): pow with IEEE
# results, and the chain rule's product local * grad, which is exactly 0 where local is 0.
IEEE_POW = compile_rule("**", "a b", "", "_ieee_pow(a, b)", "_dpow_dbase_xy(a, b)", "_dpow_dexponent(a, out)")
MASKED_MUL = compile_rule("*", "a b", "", "0.0 if a == 0.0 else a * b", "b", "a")
ADD, SUB, MUL, DIV, POW = (RULES[op] for op in ("+", "-", "*", "/", "**"))
NEG, ABS, EXP, LOG, SQRT = (RULES[op] for op in ("neg", "abs", "exp", "log", "sqrt"))
TANH, SIGMOID, RELU, SIN, COS = (RULES[op] for op in ("tanh", "sigmoid", "relu", "sin", "cos"))
MAXIMUM, MINIMUM = RULES["maximum"], RULES["minimum"]
SUM, DOT, LOGSUMEXP = RULES["sum"], RULES["dot"], RULES["logsumexp"]
