"""Gradients that are Values: gradients(create_graph=True), and grad / value_and_grad /
jacobian / hessian, checked against sympy and exact Hessians."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Value
from conftest import thorough_examples
from test_ops_against_sympy import CASES, PER_OP_COST, sympy_oracle


def assert_matrices_close(got, expected, rel, abs):
    assert len(got) == len(expected)
    for got_row, expected_row in zip(got, expected):
        assert got_row == pytest.approx(expected_row, rel=rel, abs=abs)


class TestGradients:
    def test_returns_floats_and_leaves_grad_fields_alone(self):
        x, y = Value(2.0), Value(3.0)
        out = x * y + x
        for node in ag.topological_order(out):
            node.grad = 7.5
        assert ag.gradients(out, [x, y]) == [4.0, 2.0]
        assert all(node.grad == 7.5 for node in ag.topological_order(out))

    def test_create_graph_gives_values_that_differentiate_again(self):
        x = Value(1.5)
        (dx,) = ag.gradients(x**3, [x], create_graph=True)
        assert isinstance(dx, Value) and dx.data == 3 * 1.5**2
        (ddx,) = ag.gradients(dx, [x])
        assert ddx == 6 * 1.5

    def test_an_input_the_output_does_not_depend_on_gets_zero(self):
        x, unused = Value(1.0), Value(2.0)
        assert ag.gradients(x * 2, [x, unused]) == [2.0, 0.0]

    def test_bad_arguments(self):
        with pytest.raises(TypeError, match="Value output"):
            ag.gradients(3.0, [])
        with pytest.raises(TypeError, match="position 1"):
            ag.gradients(Value(1.0) * 2, [Value(1.0), 2.0])


class TestFunctionalAPI:
    def test_grad_of_grad_is_the_second_derivative(self):
        f = lambda x: x.sin() * x
        x = 0.7
        assert ag.grad(f)(x) == pytest.approx(math.cos(x) * x + math.sin(x), rel=1e-14)
        assert ag.grad(ag.grad(f))(x) == pytest.approx(-math.sin(x) * x + 2 * math.cos(x), rel=1e-14)

    def test_value_and_grad(self):
        value, derivative = ag.value_and_grad(lambda x, y: x * y, argnums=1)(3.0, 4.0)
        assert (value, derivative) == (12.0, 3.0)

    def test_argnums_tuple(self):
        assert ag.grad(lambda x, y: x * y * y, argnums=(0, 1))(3.0, 4.0) == (16.0, 24.0)

    def test_returns_floats_on_numbers(self):
        assert type(ag.grad(lambda x: x * x)(3)) is float

    def test_jacobian_of_a_list_valued_function(self):
        jac = ag.jacobian(lambda x, y: [x * y, x + 2 * y, x.exp()])(2.0, 3.0)
        assert jac == [[3.0, 2.0], [1.0, 2.0], [math.exp(2.0), 0.0]]

    def test_clear_errors(self):
        with pytest.raises(ValueError, match="argnums 2"):
            ag.grad(lambda x: x, argnums=2)(1.0)
        with pytest.raises(TypeError, match="jacobian"):
            ag.grad(lambda x: [x, x])(1.0)
        with pytest.raises(TypeError, match="argument 0"):
            ag.grad(lambda x: x)("one")


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


class TestKnownHessians:
    @pytest.mark.parametrize("x, y", [(1.0, 1.0), (-1.2, 1.0), (0.0, 0.0), (2.0, -3.0), (0.5, 0.25)])
    def test_rosenbrock(self, x, y):
        exact = [[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200]]
        assert_matrices_close(ag.hessian(rosenbrock)(x, y), exact, rel=1e-12, abs=0)

    @given(st.lists(st.floats(-5, 5), min_size=6, max_size=6), st.lists(st.floats(-5, 5), min_size=3, max_size=3))
    def test_quadratic_form_hessian_is_its_matrix(self, entries, point):
        a, b, c, d, e, f = entries
        A = [[a, b, c], [b, d, e], [c, e, f]]

        def quadratic(*xs):
            return 0.5 * ag.sum(A[i][j] * xs[i] * xs[j] for i in range(3) for j in range(3)) + ag.sum(xs)

        assert_matrices_close(ag.hessian(quadratic)(*point), A, rel=0, abs=1e-12)


def sympy_hessian(sympy_fn, point):
    flat = sympy_oracle(sympy_fn, len(point), 2)(point)
    n = len(point)
    return [flat[i * n : (i + 1) * n] for i in range(n)]


@pytest.mark.parametrize("name, engine_fn, sympy_fn, inputs", CASES, ids=[c[0] for c in CASES])
def test_second_derivatives_match_sympy(name, engine_fn, sympy_fn, inputs):
    @settings(max_examples=thorough_examples(PER_OP_COST))
    @given(st.tuples(*inputs))
    def check(point):
        assume(math.isfinite(engine_fn(*[Value(v) for v in point]).data))
        hessian = ag.hessian(engine_fn)(*point)
        expected = sympy_hessian(sympy_fn, point)
        assert_matrices_close(hessian, expected, rel=1e-7, abs=1e-9)
        assert all(hessian[i][j] == pytest.approx(hessian[j][i], rel=1e-12, abs=1e-12)
                   for i in range(len(point)) for j in range(len(point)))

    check()


def test_relu_and_abs_have_zero_second_derivative_away_from_the_kink():
    for fn in (ag.relu, abs):
        for x in (-2.0, 3.0):
            assert ag.grad(ag.grad(fn))(x) == 0.0


def test_newton_converges_on_rosenbrock_where_gradient_descent_crawls():
    import runpy
    from pathlib import Path

    example = runpy.run_path(str(Path(__file__).parent.parent / "docs" / "examples" / "newton_rosenbrock.py"))
    (x, y), newton_steps = example["newton"]((-1.2, 1.0))
    assert newton_steps <= 10
    assert (x, y) == pytest.approx((1.0, 1.0), abs=1e-9)
    (x, y), descent_steps = example["gradient_descent"]((-1.2, 1.0), max_steps=2000)
    assert descent_steps == 2000  # not converged after 200 times as many steps
    assert abs(x - 1.0) > 1e-3


def _nth_derivative(f, k):
    for _ in range(k):
        f = ag.grad(f)
    return f


def _sympy_nth_derivative_of_power(n, k, x):
    """d^k/dx^k x**n at x, exactly; at 0 the limit from the right (the engine's convention
    where the derivative blows up), as a float (±inf where it overflows)."""
    import sympy as sp

    X = sp.Symbol("x", positive=x >= 0)
    expr = sp.diff(X ** sp.nsimplify(n), X, k)
    exact = sp.limit(expr, X, 0, "+") if x == 0.0 else expr.subs(X, sp.Rational(x))
    if exact.is_infinite:
        return math.inf if exact.is_extended_positive else -math.inf
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


POWER_POINTS = [(n, x) for n in (0, 1, 2, 3, 4, 0.5, 1.5, -1, -2)
                for x in (0.0, 1e-300, -1e-300, 0.7, -1.3, 2.0)
                if not (x < 0 and n != int(n)) and not (x == 0.0 and n < 0)  # no real value there
                and not (abs(x) == 1e-300 and n == -2)]  # x**n itself overflows: an error


@pytest.mark.parametrize("n, x", POWER_POINTS)
def test_derivatives_of_x_to_a_constant_power_match_sympy_at_zero_tiny_and_ordinary_points(n, x):
    # An exponent that makes a derivative identically zero gives exactly 0 (x**1's third
    # derivative at 0 was nan: 0 * inf), and blow-ups are the one-sided infinities.
    for k in (1, 2, 3, 4):
        got = _nth_derivative(lambda v: v ** n, k)(x)
        expected = _sympy_nth_derivative_of_power(n, k, x)
        if math.isinf(expected) or expected == 0.0:
            assert got == expected, (n, x, k, got, expected)
        else:
            assert got == pytest.approx(expected, rel=1e-12), (n, x, k)


@pytest.mark.parametrize("x", [0.0, 1e-300, -1e-300])
def test_the_third_derivative_of_x_to_the_first_is_zero_even_at_zero(x):
    assert _nth_derivative(lambda v: v ** 1, 3)(x) == 0.0
    assert _nth_derivative(lambda v: v ** 2, 3)(x) == 0.0
    assert _nth_derivative(lambda v: v ** 0, 3)(x) == 0.0
