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

import math
import operator
from functools import lru_cache

from .domains import (  # noqa: F401 - the table's source text names them
    _SQRT_HALF, _TWO_OVER_SQRT_PI, _INV_SQRT_2PI, _div, _pow, _checked_exp, _checked_log,
    _checked_sqrt, _checked_log1p, _softplus, _gelu, _silu, _sigmoid, _logsumexp, _tanh,
    _checked_sin, _checked_cos, _checked_tan, _checked_asin, _checked_acos, _atan,
    _checked_sinh, _checked_cosh, _checked_expm1, _erf, _expm1)

INF = math.inf
NAN = math.nan
# A structural zero: the local derivative of an op that is flat in that input there (relu
# below 0, x ** 0, ...). The chain rule skips such an edge even when the gradient arriving is
# inf or nan, as PyTorch's masks do; a zero that is merely computed (2x at x = 0) follows
# IEEE arithmetic instead, so 0 * inf stays nan. It is told apart by identity: a float made
# at run time, so that no literal 0.0 anywhere can be this object.
ZERO = float("0")


class Rule:
    """An op: its display name, its forward function and its local-derivative rule."""

    __slots__ = ("name", "forward", "local", "inputs", "forward_source", "local_sources")

    def __init__(self, name, forward, local, inputs=(), forward_source="", local_sources=()):
        self.name = name
        self.forward = forward
        self.local = local
        self.inputs = tuple(inputs)
        self.forward_source = forward_source
        self.local_sources = tuple(local_sources)

    def __repr__(self):
        return f"Rule({self.name!r})"


# --- helpers that work on floats and on Values ------------------------------------------

def _data(x):
    return x if type(x) is float else x.data


def _exp(x):
    return math.exp(x) if type(x) is float else x.exp()


def _log(x):
    return math.log(x) if type(x) is float else x.log()


def _sin(x):
    return math.sin(x) if type(x) is float else x.sin()


def _cos(x):
    return math.cos(x) if type(x) is float else x.cos()


def _sinh(x):
    return math.sinh(x) if type(x) is float else x.sinh()


def _cosh(x):
    return math.cosh(x) if type(x) is float else x.cosh()


def _logistic(x):
    return _sigmoid(x) if type(x) is float else x.sigmoid()


def _erfc(x):
    return math.erfc(x) if type(x) is float else x.erfc()


def _normal_cdf(x):
    """P(N(0, 1) <= x), through erfc: no cancellation far in the left tail."""
    return 0.5 * _erfc(-x * _SQRT_HALF)


def _softmax(xs):
    shift = max(_data(x) for x in xs)
    exps = [_exp(x - shift) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]


# --- derivatives of pow: IEEE results, so a finite value never raises for its derivative ---

def apply_rule(rule, a, b):
    """A node of the two-input ``rule`` from Values or numbers (set by :mod:`.value`; here so
    that derivative rules evaluated on Values can make nodes of their own)."""
    raise NotImplementedError


def _odd_integer(y):
    return y % 2.0 == 1.0


def _ieee_pow(x, y):
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


def _dpow_dbase(x, n):
    """d/dx x**n for a constant n: n * x**(n-1), ±inf where that overflows (1e-300 ** -1)
    and +inf at x == 0 for 0 < n < 1, so that derivatives of any order take the one-sided
    limits; a structural zero for n == 0, where x**0 is the constant 1."""
    return ZERO if n == 0.0 else n * _ieee_pow(x, n - 1.0)


def _dpow_dbase_xy(x, y):
    """d/dx x**y for a Value exponent y: as :func:`_dpow_dbase`, but where y is 0 the zero is
    only computed (y varies), and on Values it keeps its derivative in y."""
    if type(y) is float:
        return 0.0 if y == 0.0 else y * _ieee_pow(x, y - 1.0)
    return apply_rule(MASKED_MUL, y, _ieee_pow(x, y - 1.0))


def _dpow_dexponent(x, out):
    """x**y * ln x for x > 0; 0.0 at x == 0 (as PyTorch); nan for x < 0, where x**y
    exists only at integer y and so has no derivative in y. The nan is a product with
    ``out``, so that its own derivatives are nan too (a Hessian stays symmetric)."""
    if _data(x) > 0.0:
        return out * _log(x)
    return ZERO if _data(x) == 0.0 else out * NAN


# --- the table ------------------------------------------------------------------------
# One line per op: its inputs, its forward value, and its local derivative with respect to
# each input (``out`` is the forward value). Each line is compiled twice from this one
# definition: into ``Rule.forward`` / ``Rule.local`` below, and into the fused Value method
# that :mod:`autograd_lite.value` generates for the eager path.

#    op       inputs  forward                         local derivatives, one per input
TABLE = [
    ("+",     "a b",  "a + b",                        "1.0", "1.0"),
    ("-",     "a b",  "a - b",                        "1.0", "-1.0"),
    ("*",     "a b",  "a * b",                        "b", "a"),
    ("/",     "a b",  "_div(a, b)",                   "1.0 / b", "-out / b"),
    ("**",    "a b",  "_pow(a, b)",                   "_dpow_dbase_xy(a, b)", "_dpow_dexponent(a, out)"),
    ("neg",   "x",    "-x",                           "-1.0"),
    ("abs",   "x",    "abs(x)",                       "1.0 if x > 0.0 else -1.0 if x < 0.0 else ZERO"),
    ("exp",   "x",    "_checked_exp(x)",              "out"),
    ("log",   "x",    "_checked_log(x)",              "1.0 / x"),
    ("sqrt",  "x",    "_checked_sqrt(x)",             "0.5 / out if out > 0.0 else _dpow_dbase(x, 0.5)"),
    ("tanh",  "x",    "_tanh(x)",                     "1.0 - out * out"),
    ("sigmoid", "x",  "_sigmoid(x)",                  "out * (1.0 - out)"),
    ("relu",  "x",    "0.0 if x <= 0.0 else x",       "1.0 if x > 0.0 else ZERO"),
    ("sin",   "x",    "_checked_sin(x)",              "_cos(x)"),
    ("cos",   "x",    "_checked_cos(x)",              "-_sin(x)"),
    ("tan",   "x",    "_checked_tan(x)",              "1.0 + out * out"),
    ("asin",  "x",    "_checked_asin(x)",             "_ieee_pow(1.0 - x * x, -0.5)"),
    ("acos",  "x",    "_checked_acos(x)",             "-_ieee_pow(1.0 - x * x, -0.5)"),
    ("atan",  "x",    "_atan(x)",                     "1.0 / (1.0 + x * x)"),
    ("sinh",  "x",    "_checked_sinh(x)",             "_cosh(x)"),
    ("cosh",  "x",    "_checked_cosh(x)",             "_sinh(x)"),
    ("log1p", "x",    "_checked_log1p(x)",            "1.0 / (1.0 + x)"),
    ("expm1", "x",    "_checked_expm1(x)",            "out + 1.0"),
    ("erf",   "x",    "_erf(x)",                      "_TWO_OVER_SQRT_PI * _exp(-x * x)"),
    ("erfc",  "x",    "_erfc(x)",                     "-_TWO_OVER_SQRT_PI * _exp(-x * x)"),
    ("softplus", "x", "_softplus(x)",                 "_logistic(x)"),
    ("gelu",  "x",    "_gelu(x)",                     "_normal_cdf(x) + x * _INV_SQRT_2PI * _exp(-0.5 * x * x)"),
    ("silu",  "x",    "_silu(x)",                     "_logistic(x) * (1.0 + x * (1.0 - _logistic(x)))"),
    # A tie splits the gradient in half, as in PyTorch; nan gets none. (Not `a == b`: on
    # Values that compares identity; the orderings compare numbers.)
    ("maximum", "a b", "a if a >= b else b if a < b else NAN",
     "1.0 if a > b else 0.5 if a >= b else ZERO", "1.0 if b > a else 0.5 if b >= a else ZERO"),
    ("minimum", "a b", "a if a <= b else b if a > b else NAN",
     "1.0 if a < b else 0.5 if a <= b else ZERO", "1.0 if b < a else 0.5 if b <= a else ZERO"),
]

def compile_rule(name, inputs, forward, *locals_):
    """A :class:`Rule` whose functions are compiled from the table's source text."""
    args = ", ".join(inputs.split())
    namespace = {}
    source = f"forward = lambda {args}: {forward}\nlocal = lambda {args}, out: ({', '.join(locals_)},)\n"
    exec(compile(source, f"<rule {name}>", "exec"), globals(), namespace)  # our own table, never user text
    return Rule(name, namespace["forward"], namespace["local"], inputs.split(), forward, locals_)


RULES = {row[0]: compile_rule(*row) for row in TABLE}
# Two rules that only derivatives make (on Values, for higher order): pow with IEEE
# results, and the chain rule's product local * grad, which is exactly 0 where local is 0.
IEEE_POW = compile_rule("**", "a b", "_ieee_pow(a, b)", "_dpow_dbase_xy(a, b)", "_dpow_dexponent(a, out)")
MASKED_MUL = compile_rule("*", "a b", "0.0 if a == 0.0 else a * b", "b", "a")
ADD, SUB, MUL, DIV, POW = (RULES[op] for op in ("+", "-", "*", "/", "**"))
NEG, ABS, EXP, LOG, SQRT = (RULES[op] for op in ("neg", "abs", "exp", "log", "sqrt"))
TANH, SIGMOID, RELU, SIN, COS = (RULES[op] for op in ("tanh", "sigmoid", "relu", "sin", "cos"))
MAXIMUM, MINIMUM = RULES["maximum"], RULES["minimum"]

# Ops over lists of inputs: one node with n parents.
SUM = Rule("sum", lambda *xs: sum(xs), lambda *xs_out: (1.0,) * (len(xs_out) - 1))
LOGSUMEXP = Rule("logsumexp", _logsumexp, lambda *xs_out: tuple(_softmax(xs_out[:-1])))
DOT = Rule(
    "dot",
    lambda *wx: sum(map(operator.mul, wx[: len(wx) // 2], wx[len(wx) // 2 :])),
    lambda *wx_out: (*wx_out[len(wx_out) // 2 : -1], *wx_out[: len(wx_out) // 2]),
)


# The parametrized rules are cached for speed, with a bound: a program that uses a million
# distinct exponents must not keep a million rules alive.
@lru_cache(maxsize=1024)
def power(n):
    """``x ** n`` for a constant exponent ``n`` (a float)."""
    return Rule(f"**{n:g}", lambda x: _pow(x, n), lambda x, out: (_dpow_dbase(x, n),))


@lru_cache(maxsize=1024)
def leaky_relu(slope):
    """max(x, slope*x) for 0 <= slope < 1; the derivative at 0 is ``slope``."""
    flat_side = slope if slope else ZERO  # slope 0 is relu: flat below 0
    return Rule(
        f"leaky_relu({slope:g})",
        lambda x: x if x > 0.0 else slope * x,
        lambda x, out: (1.0 if x > 0.0 else flat_side,),
    )


@lru_cache(maxsize=1024)
def softmax_output(i):
    """Output ``i`` of softmax(x1..xn): d s_i/d x_j = s_i (delta_ij - s_j)."""
    return Rule(
        f"softmax[{i}]",
        lambda *xs: _softmax(xs)[i],
        lambda *xs_out: tuple(
            xs_out[-1] * ((1.0 if j == i else 0.0) - s_j) for j, s_j in enumerate(_softmax(xs_out[:-1]))
        ),
    )


def _literal(number):
    """Source text for a float constant: exact (repr round-trips), inf by name."""
    if math.isinf(number):
        return "INF" if number > 0.0 else "-INF"
    return repr(number)


# Parametrized rules from source text: the constants are written into the text, so that
# compile generates code from it as from a table row.
@lru_cache(maxsize=1024)
def elu(alpha):
    """x for x > 0, else alpha * (e**x - 1); the derivative at 0 is ``alpha`` (PyTorch's)."""
    a = _literal(alpha)
    # At 0 the constant alpha, so that the second derivative there is 0, as in PyTorch.
    left = f"{a} if x >= 0.0 else {a} * _exp(x)" if alpha else "ZERO"
    return compile_rule(f"elu({alpha:g})", "x", f"x if x > 0.0 else {a} * _expm1(x)",
                        f"1.0 if x > 0.0 else {left}")


@lru_cache(maxsize=1024)
def clamp(lo, hi):
    """x limited to [lo, hi]; the gradient passes at the bounds (as PyTorch's) and is a
    structural zero outside them, and for nan."""
    lo_text, hi_text = _literal(lo), _literal(hi)
    return compile_rule(f"clamp({lo:g}, {hi:g})", "x",
                        f"{lo_text} if x < {lo_text} else {hi_text} if x > {hi_text} else x",
                        f"(1.0 if x <= {hi_text} else ZERO) if x >= {lo_text} else ZERO")

