"""`autograd-lite grad` with every function of the expression language: values and gradients
against sympy's exact derivatives (and hand-derived ones at the kinks, where the choice
is PyTorch's), the refusals of wrong calls, and one list of functions everywhere it is
written (parser, error messages, --help, docs/cli.md)."""

import re
from pathlib import Path

import pytest
import sympy

from autograd_lite.cli.functions import FUNCTIONS, parameters, summary
from cli_support import call_cli, printed_numbers

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
x, y = sympy.symbols("x y", real=True)


def elu(t, alpha=1):
    return sympy.Piecewise((t, t > 0), (alpha * (sympy.exp(t) - 1), True))


def gelu(t):
    return t / 2 * (1 + sympy.erf(t / sympy.sqrt(2)))


# (expression, {variable: value}, the same function in sympy)
SYMPY_CASES = [
    ("tanh(x) * sigmoid(y) + sqrt(relu(x) + exp(y)) - log(sin(x) + cos(y))", {"x": 0.9, "y": -0.4},
     sympy.tanh(x) / (1 + sympy.exp(-y)) + sympy.sqrt(sympy.Max(x, 0) + sympy.exp(y))
     - sympy.log(sympy.sin(x) + sympy.cos(y))),
    ("tan(x) + atan(x*y)", {"x": 0.7, "y": -1.3}, sympy.tan(x) + sympy.atan(x * y)),
    ("asin(y) * acos(y)", {"y": 0.4}, sympy.asin(y) * sympy.acos(y)),
    ("sinh(x) - cosh(x*y)", {"x": 1.25, "y": -0.5}, sympy.sinh(x) - sympy.cosh(x * y)),
    ("log1p(x) + expm1(y)", {"x": -0.5, "y": 0.25}, sympy.log(1 + x) + sympy.exp(y) - 1),
    ("erf(x) * erfc(y)", {"x": 0.3, "y": 0.8}, sympy.erf(x) * sympy.erfc(y)),
    ("softplus(x*y)", {"x": 3, "y": -2}, sympy.log(1 + sympy.exp(x * y))),
    ("gelu(x) + silu(y)", {"x": -0.6, "y": 1.7}, gelu(x) + y / (1 + sympy.exp(-y))),
    ("elu(x) + elu(y, 0.5)", {"x": -0.7, "y": -2}, elu(x) + elu(y, sympy.Rational(1, 2))),
    ("elu(x*y, pi/4)", {"x": 1.5, "y": 2}, elu(x * y, sympy.pi / 4)),
    ("clamp(x, -1, 2) + clamp(y, -pi, pi/4)", {"x": 3, "y": 0.5},
     sympy.Min(sympy.Max(x, -1), 2) + sympy.Min(sympy.Max(y, -sympy.pi), sympy.pi / 4)),
    ("clamp(x*y, -1, 2)", {"x": 0.5, "y": 1.5}, sympy.Min(sympy.Max(x * y, -1), 2)),
    ("maximum(x, y) + minimum(x, y*y)", {"x": 0.3, "y": 2}, sympy.Max(x, y) + sympy.Min(x, y * y)),
    ("max(x, 0) * min(y, 1)", {"x": -0.5, "y": 0.25}, sympy.Max(x, 0) * sympy.Min(y, 1)),
    ("max(x, y) * min(x, y)", {"x": 0.5, "y": -3}, sympy.Max(x, y) * sympy.Min(x, y)),
    ("abs(x*y) + leaky_relu(x)", {"x": -2, "y": 0.75}, sympy.Abs(x * y) + sympy.Max(x, sympy.Rational(0.01) * x)),
]


def exactly(expression, values):
    """sympy's value and derivatives at the point, to 40 digits, as floats."""
    point = {sympy.Symbol(name, real=True): sympy.Rational(float(v)) for name, v in values.items()}
    value = float(sympy.N(expression.subs(point), 40))
    return value, {str(s): float(sympy.N(sympy.diff(expression, s).subs(point), 40)) for s in point}


def grad(expression, values):
    result = call_cli("grad", expression, *(f"{k}={v}" for k, v in values.items()))
    assert result.returncode == 0, result.stderr
    return printed_numbers(result.stdout)


@pytest.mark.parametrize("expression, values, exact", SYMPY_CASES, ids=[c[0] for c in SYMPY_CASES])
def test_every_function_matches_sympy(expression, values, exact):
    numbers = grad(expression, values)
    value, derivatives = exactly(exact, values)
    assert numbers["f"] == pytest.approx(value, rel=1e-12, abs=1e-15)
    for name, derivative in derivatives.items():
        assert numbers[f"df/d{name}"] == pytest.approx(derivative, rel=1e-12, abs=1e-15), name


def test_the_sympy_cases_call_every_function():
    called = {name for case in SYMPY_CASES for name in re.findall(r"([a-z_0-9]+)\(", case[0])}
    assert called == set(FUNCTIONS)


# At a kink sympy has no derivative; these are PyTorch's choices, derived by hand.
KINKS = [
    ("max(x, y)", {"x": 1.5, "y": 1.5}, {"f": 1.5, "df/dx": 0.5, "df/dy": 0.5}),    # a tie splits it
    ("minimum(x, y)", {"x": -2, "y": -2}, {"f": -2.0, "df/dx": 0.5, "df/dy": 0.5}),
    ("clamp(x, -1, 2)", {"x": 2}, {"f": 2.0, "df/dx": 1.0}),                         # passes at a bound
    ("clamp(x, -1, 2)", {"x": -1}, {"f": -1.0, "df/dx": 1.0}),
    ("clamp(x, -1, 2)", {"x": -1.5}, {"f": -1.0, "df/dx": 0.0}),
    ("elu(x, 2)", {"x": 0}, {"f": 0.0, "df/dx": 2.0}),                               # alpha at 0
    ("abs(x)", {"x": 0}, {"f": 0.0, "df/dx": 0.0}),
    ("leaky_relu(x, 0.2)", {"x": 0}, {"f": 0.0, "df/dx": 0.2}),
]


@pytest.mark.parametrize("expression, values, expected", KINKS, ids=[f"{c[0]} at {c[1]}" for c in KINKS])
def test_kinks_follow_pytorch(expression, values, expected):
    assert grad(expression, values) == expected


def test_a_constant_parameter_may_be_a_constant_expression():
    # elu(x, exp(0)) is elu(x, 1): at x = -1, e**-1 - 1 and its derivative e**-1
    assert grad("elu(x, exp(0))", {"x": -1}) == grad("elu(x)", {"x": -1})
    assert grad("clamp(x, -pi, pi/4)", {"x": 1})["f"] == pytest.approx(0.7853981633974483, rel=1e-15)


REFUSED = [
    ("elu(x, y)", "elu's alpha at column 8 must be a number, not a variable (y)"),
    ("clamp(x, 0, y)", "clamp's hi at column 13 must be a number, not a variable (y)"),
    ("clamp(x, 1)", "clamp at column 1 takes 3 argument(s), got 2; write clamp(x, lo, hi)"),
    ("clamp(x, 2, 1)", "clamp: needs lo <= hi, got lo=2.0 and hi=1.0"),
    ("clamp(x, lo=0, hi=1)", "keyword arguments"),
    ("elu(x, 1, 2)", "elu at column 1 takes 1 or 2 argument(s), got 3; write elu(x[, alpha])"),
    ("elu(x, 1e300*1e300)", "elu's alpha must be a finite number, got inf"),
    ("elu(x, log(-1))", "elu's alpha at column 8: log(-1) cannot be evaluated"),
    ("elu(x, 2**10**10)", "exponent 10 ** 10"),
    ("max(x, 1, 2)", "max at column 1 takes 2 argument(s), got 3; write max(a, b)"),
    ("maximum(x)", "maximum at column 1 takes 2 argument(s), got 1"),
    ("tan", "'tan' at column 1 is a function; call it, as in tan(x)"),
    ("min + x", "'min' at column 1 is a function; call it, as in min(a, b)"),
    ("x**exp(7)", "the exponent exp(7) at column 4 is too large"),
    ("softmax(x)", "unknown function 'softmax'"),
]


@pytest.mark.parametrize("expression, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_wrong_calls_exit_2_saying_what_to_write(expression, message):
    result = call_cli("grad", expression, "x=1")
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr and "Traceback" not in result.stderr


DOMAIN_ERRORS = [
    ("asin(x)", "x=2", "asin(x) cannot be evaluated: asin: operand must be in [-1, 1], got 2.0"),
    ("acos(x)", "x=-1.5", "acos(x) cannot be evaluated"),
    ("log1p(x)", "x=-1", "log1p(x) cannot be evaluated"),
    ("sinh(x) + 1", "x=1000", "sinh(x) cannot be evaluated"),
    ("expm1(x)", "x=800", "expm1(x) cannot be evaluated"),
]


@pytest.mark.parametrize("expression, value, message", DOMAIN_ERRORS, ids=[d[0] for d in DOMAIN_ERRORS])
def test_domain_errors_exit_1_naming_the_sub_expression(expression, value, message):
    result = call_cli("grad", expression, value)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def _words(text):
    return " ".join(text.replace("`", "").split())


def test_the_summary_lists_every_function_once():
    names = re.findall(r"\b([a-z_][a-z_0-9]*)\b(?![^(]*\))", summary().replace(", and", " "))
    assert sorted(names) == sorted(FUNCTIONS)


def test_help_lists_the_parsers_functions():
    help_text = _words(call_cli("grad", "--help").stdout)
    assert summary() in help_text
    assert "The parameters slope, alpha, lo and hi must be numbers." in help_text
    assert parameters() == "slope, alpha, lo and hi"


def test_docs_list_the_parsers_functions():
    assert summary() in _words(DOCS.read_text(encoding="utf-8"))


def test_an_unknown_function_error_lists_every_function_as_the_docs_show():
    result = call_cli("grad", "__import__('os').system('rm -rf /')")
    shown = [line for line in DOCS.read_text(encoding="utf-8").splitlines()
             if line.startswith("autograd-lite grad: error: calling attribute access")]
    assert shown == [result.stderr.strip()]
    listed = result.stderr.split("the functions ")[1].strip().split(", ")
    assert listed == list(FUNCTIONS)
