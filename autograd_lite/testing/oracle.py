"""An exact, engine-independent oracle: the same expression graph built in sympy.

The table below maps each op name to its sympy function; sympy does the differentiation.
Nothing here touches the engine's derivative rules, so agreement between the two is
evidence, not a tautology. Needs sympy (``pip install sympy``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

try:
    import mpmath
    import sympy
except ImportError as error:  # pragma: no cover
    raise ImportError(
        "autograd_lite.testing.oracle needs sympy: pip install sympy (it is in the 'test' extra)"
    ) from error

if TYPE_CHECKING:
    from .expression import Expression


def _exact(number: float) -> Any:
    """A Python float as the exact rational sympy number it represents."""
    return sympy.Rational(number)


def _softmax(xs: Sequence[Any], i: int) -> Any:
    exps = [sympy.exp(x) for x in xs]
    return exps[i] / sympy.Add(*exps)


def _abs(x: Any) -> Any:
    """|x| for a real x. Not sympy.Abs: unless sympy can prove its argument real (log(x) is
    not, for a real symbol x), Abs differentiates through re() and im(), and erf of those
    evaluates to a complex number, which no float() takes (abs(erf(log(4 x))))."""
    return sympy.Piecewise((x, x >= 0), (-x, True))


def _half(a: Sequence[Any]) -> int:
    return len(a) // 2


SYMPY_OPS: dict[str, Callable[[Sequence[Any], Any], Any]] = {  # op name -> (operands, parameter) -> sympy
    "+": lambda a, p: a[0] + a[1],
    "-": lambda a, p: a[0] - a[1],
    "*": lambda a, p: a[0] * a[1],
    "/": lambda a, p: a[0] / a[1],
    "**": lambda a, p: a[0] ** a[1],
    "**n": lambda a, p: a[0] ** _exact(p),
    "x+c": lambda a, p: a[0] + _exact(p),
    "c*x": lambda a, p: _exact(p) * a[0],
    "c-x": lambda a, p: _exact(p) - a[0],
    "c/x": lambda a, p: _exact(p) / a[0],
    "c**x": lambda a, p: _exact(p) ** a[0],
    "neg": lambda a, p: -a[0],
    "abs": lambda a, p: _abs(a[0]),
    "exp": lambda a, p: sympy.exp(a[0]),
    "log": lambda a, p: sympy.log(a[0]),
    "sqrt": lambda a, p: sympy.sqrt(a[0]),
    "tanh": lambda a, p: sympy.tanh(a[0]),
    "sigmoid": lambda a, p: 1 / (1 + sympy.exp(-a[0])),
    "relu": lambda a, p: sympy.Max(a[0], 0),
    "leaky_relu": lambda a, p: sympy.Max(a[0], _exact(p) * a[0]),  # slope in [0, 1)
    "sin": lambda a, p: sympy.sin(a[0]),
    "cos": lambda a, p: sympy.cos(a[0]),
    "tan": lambda a, p: sympy.tan(a[0]),
    "asin": lambda a, p: sympy.asin(a[0]),
    "acos": lambda a, p: sympy.acos(a[0]),
    "atan": lambda a, p: sympy.atan(a[0]),
    "sinh": lambda a, p: sympy.sinh(a[0]),
    "cosh": lambda a, p: sympy.cosh(a[0]),
    "log1p": lambda a, p: sympy.log(1 + a[0]),
    "expm1": lambda a, p: sympy.exp(a[0]) - 1,
    "erf": lambda a, p: sympy.erf(a[0]),
    "erfc": lambda a, p: sympy.erfc(a[0]),
    "softplus": lambda a, p: sympy.log(1 + sympy.exp(a[0])),
    "gelu": lambda a, p: a[0] * (1 + sympy.erf(a[0] / sympy.sqrt(2))) / 2,
    "silu": lambda a, p: a[0] / (1 + sympy.exp(-a[0])),
    "elu": lambda a, p: sympy.Piecewise((a[0], a[0] > 0), (_exact(p) * (sympy.exp(a[0]) - 1), True)),
    "clamp": lambda a, p: sympy.Min(sympy.Max(a[0], _exact(p[0])), _exact(p[1])),
    "maximum": lambda a, p: sympy.Max(a[0], a[1]),
    "minimum": lambda a, p: sympy.Min(a[0], a[1]),
    "sum": lambda a, p: sympy.Add(*a),
    "logsumexp": lambda a, p: sympy.log(sympy.Add(*[sympy.exp(x) for x in a])),
    "softmax": lambda a, p: _softmax(a, p),
    "dot": lambda a, p: sympy.Add(*[w * x for w, x in zip(a[: _half(a)], a[_half(a):])]),
}


def leaf_symbols(n: int) -> Any:
    """Real symbols ``x0 .. x{n-1}``."""
    return sympy.symbols(f"x0:{n}", real=True)


def to_sympy(expression: Expression, symbols: Iterable[Any] | None = None) -> Any:
    """The expression's output as a sympy expression in ``symbols``."""
    symbols = leaf_symbols(expression.n_leaves) if symbols is None else list(symbols)
    return expression.interpret(SYMPY_OPS, symbols)


def exact_gradient(expression: Expression, digits: int = 40) -> tuple[float, list[float]]:
    """``(value, [d out / d x_i])`` at ``expression.inputs``, from sympy's symbolic
    derivatives evaluated with ``digits`` significant digits (mpmath), rounded to floats."""
    symbols = leaf_symbols(expression.n_leaves)
    output = to_sympy(expression, symbols)
    derivatives = [sympy.diff(output, s) for s in symbols]
    # Evaluated numerically, never by exact substitution (sympy would compute powers like
    # (p/q)**(r/s) exactly, which can take hours), and through common subexpressions (cse):
    # a graph's shared nodes are computed once, where walking the expression tree (evalf)
    # is exponential in the depth of sharing. The inputs are floats, so exact in mpmath.
    # At `digits` digits Max, Min, Piecewise and Heaviside (relu, leaky_relu, elu, clamp,
    # maximum, minimum) are decided correctly, as the strategies keep points away from kinks.
    evaluate = sympy.lambdify(symbols, [output, *derivatives], modules="mpmath", cse=True)
    with mpmath.workdps(digits):
        value, *gradient = [float(v) for v in evaluate(*[mpmath.mpf(x) for x in expression.inputs])]
    return value, gradient
