"""Every op's value and gradient agree with sympy, which differentiates the same
expression symbolically, on hypothesis-drawn points inside the op's domain."""

import functools
import math

import mpmath

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from conftest import thorough_examples
from autograd_lite import Value

x_, y_, z_ = sp.symbols("x y z", real=True)


def reals(lo=-20.0, hi=20.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo=-20.0, hi=20.0, gap=1e-3):
    return reals(lo, hi).filter(lambda v: abs(v) > gap)


positive = st.floats(1e-3, 50.0)

# name, engine function of Values, the same function in sympy, a strategy per input
CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [reals(), reals()]),
    ("radd", lambda a: 3.5 + a, lambda a: 3.5 + a, [reals()]),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [reals(), reals()]),
    ("rsub", lambda a: 2.0 - a, lambda a: 2 - a, [reals()]),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [reals(), reals()]),
    ("rmul", lambda a: -3 * a, lambda a: -3 * a, [reals()]),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [reals(), away_from_zero()]),
    ("rdiv", lambda a: 2.0 / a, lambda a: 2 / a, [away_from_zero()]),
    ("pow_int", lambda a: a**3, lambda a: a**3, [reals(-5, 5)]),
    ("pow_negative_int", lambda a: a**-2, lambda a: a**-2, [away_from_zero(-5, 5, 0.05)]),
    ("pow_fraction", lambda a: a**0.5, lambda a: a**sp.Rational(1, 2), [positive]),
    ("pow_value_exponent", lambda a, b: a**b, lambda a, b: a**b, [st.floats(0.05, 5.0), reals(-3, 3)]),
    ("rpow", lambda a: 2**a, lambda a: 2**a, [reals(-10, 10)]),
    ("neg", lambda a: -a, lambda a: -a, [reals()]),
    ("abs", lambda a: abs(a), sp.Abs, [away_from_zero()]),
    ("exp", ag.exp, sp.exp, [reals(-30, 30)]),
    ("log", ag.log, sp.log, [positive]),
    ("sqrt", ag.sqrt, sp.sqrt, [positive]),
    ("tanh", ag.tanh, sp.tanh, [reals(-10, 10)]),
    ("sigmoid", ag.sigmoid, lambda a: 1 / (1 + sp.exp(-a)), [reals(-30, 30)]),
    ("relu", ag.relu, lambda a: sp.Max(0, a), [away_from_zero()]),
    ("leaky_relu", lambda a: ag.leaky_relu(a, 0.1), lambda a: sp.Max(a, a / 10), [away_from_zero()]),
    ("sin", ag.sin, sp.sin, [reals()]),
    ("cos", ag.cos, sp.cos, [reals()]),
    ("tan", ag.tan, sp.tan, [reals(-1.5, 1.5)]),
    ("asin", ag.asin, sp.asin, [reals(-0.999, 0.999)]),
    ("acos", ag.acos, sp.acos, [reals(-0.999, 0.999)]),
    ("atan", ag.atan, sp.atan, [reals()]),
    ("sinh", ag.sinh, sp.sinh, [reals()]),
    ("cosh", ag.cosh, sp.cosh, [reals()]),
    ("log1p", ag.log1p, lambda a: sp.log(1 + a), [st.floats(-0.999, 50.0)]),
    ("expm1", ag.expm1, lambda a: sp.exp(a) - 1, [reals(-30, 30)]),
    ("erf", ag.erf, sp.erf, [reals(-6, 6)]),
    ("erfc", ag.erfc, sp.erfc, [reals(-6, 6)]),
    ("softplus", ag.softplus, lambda a: sp.log(1 + sp.exp(a)), [reals(-30, 30)]),
    ("gelu", ag.gelu, lambda a: a * (1 + sp.erf(a / sp.sqrt(2))) / 2, [reals(-8, 8)]),
    ("silu", ag.silu, lambda a: a / (1 + sp.exp(-a)), [reals(-30, 30)]),
    ("elu", ag.elu, lambda a: sp.Piecewise((a, a > 0), (sp.exp(a) - 1, True)), [away_from_zero()]),
    ("elu_alpha", lambda a: ag.elu(a, 0.3), lambda a: sp.Piecewise((a, a > 0), (sp.Rational(3, 10) * (sp.exp(a) - 1), True)),
     [away_from_zero()]),
    ("clamp", lambda a: ag.clamp(a, -1.0, 2.0), lambda a: sp.Max(-1, sp.Min(a, 2)),
     [reals().filter(lambda v: abs(v + 1.0) > 1e-3 and abs(v - 2.0) > 1e-3)]),
    ("maximum", ag.maximum, sp.Max, [reals(), reals()]),
    ("minimum", ag.minimum, sp.Min, [reals(), reals()]),
    # b is 0 or has a b * b that does not underflow: at b = 9e-181, b * b rounds to 0 and ties
    # with sin(0) in floats but not in exact arithmetic (found by the thorough profile).
    ("maximum_mixed", lambda a, b: ag.maximum(a.sin(), b * b), lambda a, b: sp.Max(sp.sin(a), b * b),
     [reals(), reals().filter(lambda v: v == 0.0 or abs(v) > 1e-150)]),
    ("sum", lambda a, b, c: ag.sum([a, b, c]), lambda a, b, c: a + b + c, [reals()] * 3),
    ("mean", lambda a, b, c: ag.mean([a, b, c]), lambda a, b, c: (a + b + c) / 3, [reals()] * 3),
    ("dot", lambda a, b, c: ag.dot([a, b], [c, a]), lambda a, b, c: a * c + b * a, [reals()] * 3),
    ("logsumexp", lambda a, b, c: ag.logsumexp([a, b, c]),
     lambda a, b, c: sp.log(sp.exp(a) + sp.exp(b) + sp.exp(c)), [reals()] * 3),
    *[
        (f"softmax[{i}]", lambda a, b, c, i=i: ag.softmax([a, b, c])[i],
         lambda a, b, c, i=i: sp.exp((a, b, c)[i]) / (sp.exp(a) + sp.exp(b) + sp.exp(c)), [reals()] * 3)
        for i in range(3)
    ],
]


mpmath.mp.dps = 30
PER_OP_COST = 5  # one op on 1-3 numbers: 2,000 thorough examples per op are plenty (10x CI)


@functools.lru_cache(maxsize=None)
def sympy_oracle(sympy_fn, arity, order):
    """sympy differentiates ``sympy_fn`` once; the result is evaluated at 30 digits (mpmath).
    order 1: (value, gradient); order 2: the Hessian."""
    symbols = (x_, y_, z_)[:arity]
    expr = sympy_fn(*symbols)
    if order == 1:
        targets = [expr, *(sp.diff(expr, s) for s in symbols)]
    else:
        targets = [sp.diff(expr, a, b) for a in symbols for b in symbols]
    # Kinks (abs, relu) give DiracDelta terms; the drawn points avoid the kink, where it is 0.
    targets = [t.replace(sp.DiracDelta, lambda *args: sp.S.Zero) for t in targets]
    evaluate = sp.lambdify(symbols, targets, modules="mpmath")
    return lambda point: [float(v) for v in evaluate(*(mpmath.mpf(p) for p in point))]


def sympy_value_and_gradient(sympy_fn, point):
    value, *grads = sympy_oracle(sympy_fn, len(point), 1)(point)
    return value, grads


@pytest.mark.parametrize("name, engine_fn, sympy_fn, inputs", CASES, ids=[c[0] for c in CASES])
def test_value_and_gradient_match_sympy(name, engine_fn, sympy_fn, inputs):
    @settings(max_examples=thorough_examples(PER_OP_COST))
    @given(st.tuples(*inputs))
    def check(point):
        leaves = [Value(v) for v in point]
        out = engine_fn(*leaves)
        assume(math.isfinite(out.data))
        out.backward()
        value, grads = sympy_value_and_gradient(sympy_fn, point)
        assert out.data == pytest.approx(value, rel=1e-9, abs=1e-12)
        assert [leaf.grad for leaf in leaves] == pytest.approx(grads, rel=1e-8, abs=1e-10)

    check()


@pytest.mark.parametrize(
    "fn, expected",
    [(ag.relu, 0.0), (abs, 0.0), (lambda v: ag.leaky_relu(v, 0.2), 0.2)],
    ids=["relu", "abs", "leaky_relu"],
)
def test_derivative_at_the_kink_follows_pytorch(fn, expected):
    x = Value(0.0)
    fn(x).backward()
    assert x.grad == expected
