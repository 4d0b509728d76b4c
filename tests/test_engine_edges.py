"""Right or an error at the edges: implicit conversions, derivatives that overflow, zero local
derivatives meeting nan or inf, derivatives of higher order at the domain's edge, and memory
that stays flat however many exponents a program uses."""

import math
import tracemalloc

import pytest
import sympy as sp

import autograd_lite as ag
from autograd_lite import Value, rules


def second(f):
    return ag.grad(ag.grad(f))


class TestImplicitConversionIsRefused:
    """A Value turned into a plain float silently loses its gradient: x * math.exp(x) would
    give dy/dx = e^x (1.6487 at 0.5) instead of (1 + x) e^x (2.4731)."""

    @pytest.mark.parametrize("convert", [float, int, math.exp, math.sqrt, math.floor, range,
                                         lambda v: [0, 1][v], complex],
                             ids=["float", "int", "math.exp", "math.sqrt", "math.floor", "range", "index", "complex"])
    def test_conversion_raises_type_error_that_says_what_to_use(self, convert):
        with pytest.raises(TypeError) as error:
            convert(Value(0.5))
        message = str(error.value)
        assert "x.exp()" in message and "x.item()" in message and "x.data" in message

    def test_numpy_scalar_conversion_raises_too(self):
        np = pytest.importorskip("numpy")
        with pytest.raises(TypeError, match="item"):
            np.float64(Value(0.5))

    def test_the_differentiable_spelling_gives_the_total_derivative(self):
        x = Value(0.5)
        y = x * ag.exp(x)
        y.backward()
        assert x.grad == pytest.approx(1.5 * math.exp(0.5), rel=1e-15)  # (1 + x) e^x = 2.4731

    def test_item_returns_the_float(self):
        assert Value(3).item() == 3.0 and type(Value(3).item()) is float


class TestDerivativesThatOverflowAreInfinite:
    """A finite value never raises because its derivative is too large for a float."""

    @pytest.mark.parametrize("make", [lambda x: x ** -1, lambda x: x ** Value(-1.0), lambda x: 1 / x],
                             ids=["pow number", "pow value", "division"])
    def test_reciprocal_of_a_tiny_number(self, make):
        x = Value(1e-300)
        y = make(x)
        y.backward()
        assert y.data == pytest.approx(1e300, rel=1e-15)
        assert x.grad == -math.inf

    def test_odd_power_of_a_tiny_negative_number_keeps_the_sign(self):
        x = Value(-1e-110)
        y = x ** -2  # value 1e220; derivative -2 x^-3 = +2e330 -> +inf
        y.backward()
        assert x.grad == math.inf

    def test_an_infinite_value_is_still_a_clear_error(self):
        with pytest.raises(OverflowError, match=r"pow: .* overflows a float"):
            Value(-1e-110) ** -3

    def test_no_message_is_a_bare_errno_tuple(self):
        for make in (lambda: Value(10.0) ** 400, lambda: Value(2.0) ** Value(5000.0), lambda: Value(10 ** 400)):
            with pytest.raises(OverflowError) as error:
                make()
            assert "Numerical result out of range" not in str(error.value)
            assert not str(error.value).startswith("(")


class TestZeroLocalDerivativeMasks:
    """An edge whose op is flat in that input there (relu below 0, x ** 0, abs at 0)
    contributes 0, even when the gradient that arrives is nan or inf: the function does not
    change with that parent. A local derivative that only computes to 0 follows IEEE
    arithmetic, so 0 * inf is a loud nan rather than a silent guess (PyTorch agrees on both)."""

    def test_constant_function_of_a_relu_has_zero_gradient(self):
        f = lambda y: (-2.0) ** y.relu()  # noqa: E731 - constant 1 for y < 0
        assert ag.grad(f)(-1.0) == 0.0

    def test_the_same_in_eager_backward_create_graph_and_compile(self):
        f = lambda y: (-2.0) ** y.relu()  # noqa: E731
        y = Value(-1.0)
        f(y).backward()
        y2 = Value(-1.0)
        (as_value,) = ag.gradients(f(y2), [y2], create_graph=True)
        assert (y.grad, as_value.data) == (0.0, 0.0)
        assert ag.compile(f)(-1.0)[1] == (0.0,)

    @pytest.mark.parametrize("flat", [lambda x: x.relu(), lambda x: x.leaky_relu(0.0), lambda x: x ** 0,
                                      lambda x: Value(0.0) ** (x * x + 1)],
                             ids=["relu", "leaky_relu(0)", "x**0", "0**y"])
    def test_an_infinite_gradient_through_a_flat_op_is_zero(self, flat):
        def f(x):
            g = flat(x)
            return (g - g.data).sqrt()  # sqrt' = inf arrives at g, whose op is flat at x = -1

        assert ag.grad(f)(-1.0) == 0.0

    @pytest.mark.parametrize("f", [lambda x: x.sqrt() ** 2, lambda x: (x ** 3) ** (1 / 3)],
                             ids=["sqrt(x)**2", "cbrt(x**3)"])
    def test_a_computed_zero_meeting_infinity_is_nan_not_a_silent_zero(self, f):
        # Both functions equal x for x >= 0, so the true one-sided derivative at 0 is 1; the
        # chain rule sees 0 * inf there. A nan says so; masking would silently answer 0.
        assert math.isnan(ag.grad(f)(0.0))
        assert ag.grad(f)(4.0) == pytest.approx(1.0, rel=1e-12)

    def test_nonzero_local_derivatives_still_carry_nan(self):
        x = Value(-2.0)
        y = x ** Value(2.0)
        e = y.parents[1]
        y.backward()
        assert math.isnan(e.grad)  # d/de x^e has no real value at a negative base

    def test_second_order_of_the_masked_function(self):
        f = lambda y: (-2.0) ** y.relu()  # noqa: E731
        assert second(f)(-1.0) == 0.0
        assert ag.hessian(f)(-1.0) == [[0.0]]


class TestHigherOrderAtTheEdge:
    """Derivatives of every order take the one-sided limit at 0, like the first one."""

    @pytest.mark.parametrize("f", [lambda x: x.sqrt(), lambda x: x ** 0.5, lambda x: x ** (1 / 3),
                                   lambda x: x ** Value(0.5)], ids=["sqrt", "x**0.5", "x**(1/3)", "x**Value(0.5)"])
    def test_second_derivative_at_zero_is_minus_infinity(self, f):
        assert ag.grad(f)(0.0) == math.inf
        assert second(f)(0.0) == -math.inf

    def test_third_derivative_of_sqrt_at_zero_and_away_from_it(self):
        third = ag.grad(second(lambda x: x.sqrt()))
        assert third(0.0) == math.inf
        s = sp.Symbol("s")
        assert third(4.0) == pytest.approx(float(sp.diff(sp.sqrt(s), s, 3).subs(s, 4)), rel=1e-14)

    def test_hessian_of_pow_at_a_negative_base_is_symmetric(self):
        hessian = ag.hessian(lambda x, y: x ** y)(-2.0, 2.0)
        assert hessian[0][0] == 2.0  # y (y - 1) x^(y-2)
        assert math.isnan(hessian[0][1]) and math.isnan(hessian[1][0]) and math.isnan(hessian[1][1])

    @pytest.mark.parametrize("point", [(2.0, 3.0), (0.5, -1.5), (0.0, 2.0), (1.0, 0.0), (3.0, 0.0)])
    def test_hessian_of_pow_matches_sympy(self, point):
        x, y = sp.symbols("x y")
        f = x ** y
        got = ag.hessian(lambda a, b: a ** b)(*point)
        for i, u in enumerate((x, y)):
            for j, v in enumerate((x, y)):
                exact = sp.limit(sp.diff(f, u, v).subs(y, point[1]), x, point[0], "+") if point[0] == 0 else \
                    sp.diff(f, u, v).subs({x: point[0], y: point[1]})
                assert got[i][j] == pytest.approx(float(exact), rel=1e-12, abs=1e-300)


class TestMemoryStaysFlat:
    """Parametrized rules are cached with a bound: a million distinct exponents keep no more
    rules alive than a thousand."""

    @pytest.mark.parametrize("make", [lambda x, p: x ** p, lambda x, p: x.leaky_relu(p / 10)], ids=["pow", "leaky_relu"])
    def test_distinct_parameters_do_not_accumulate(self, make):
        x = Value(1.5)

        def use(start, count):
            for i in range(start, start + count):
                make(x, 1.0 + i * 1e-9)

        tracemalloc.start()
        try:
            use(0, 20000)  # the cache fills up
            before = tracemalloc.get_traced_memory()[0]
            use(20000, 20000)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert grown < 20_000, f"{grown} bytes kept after 20,000 more distinct parameters"
        assert rules._with_constants.cache_info().currsize <= 1024
