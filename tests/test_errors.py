"""Bad input gets the exception a Python float would raise, with a message naming the op and
the operand; nothing is recorded or changed by a failed op; NaN and inf follow floats."""

import math

import pytest

import autograd_lite as ag
from autograd_lite import Value

nan, inf = math.nan, math.inf


@pytest.mark.parametrize(
    "compute, error, message",
    [
        (lambda: Value(0.0).log(), ValueError, r"log: operand must be > 0, got 0\.0"),
        (lambda: Value(-1.0).log(), ValueError, r"log: .*-1\.0"),
        (lambda: Value(-4.0).sqrt(), ValueError, r"sqrt: operand must be >= 0, got -4\.0"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"division by zero: 1\.0 / 0\.0"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "division by zero"),
        (lambda: 3 / Value(0.0), ZeroDivisionError, r"3\.0 / 0\.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow: 0\.0 cannot be raised to the negative power -1\.0"),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, "pow"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow: negative base -8\.0 to the non-integer power"),
        (lambda: Value(10.0) ** 400, OverflowError, r"pow: 10\.0 \*\* 400\.0 overflows"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp: result overflows a float for operand 1000\.0"),
        (lambda: Value(inf).sin(), ValueError, "sin: operand must be finite"),
        (lambda: Value(-inf).cos(), ValueError, "cos: operand must be finite"),
    ],
)
def test_domain_errors_name_the_op_and_the_operand(compute, error, message):
    with pytest.raises(error, match=message):
        compute()


def test_a_failed_op_changes_nothing():
    x = Value(-1.0)
    x.grad = 0.25
    with pytest.raises(ValueError):
        x.log()
    assert (x.data, x.grad, x.parents) == (-1.0, 0.25, ())


class TestFloatSemantics:
    def test_nan_propagates(self):
        for out in [Value(nan) + 1, Value(nan).exp(), Value(nan).tanh(), Value(nan).sigmoid(), Value(nan).log(),
                    Value(nan).relu(), ag.sqrt(nan)]:
            assert math.isnan(out.data)

    def test_infinities(self):
        assert Value(inf).exp().data == inf
        assert Value(-inf).exp().data == 0.0
        assert Value(inf).log().data == inf
        assert Value(inf).tanh().data == 1.0
        assert math.isnan((Value(inf) - inf).data)

    def test_sigmoid_saturates_exactly_without_overflow(self):
        assert Value(1000.0).sigmoid().data == 1.0
        assert Value(-1000.0).sigmoid().data == 0.0
        x = Value(-1000.0)
        x.sigmoid().backward()
        assert x.grad == 0.0

    def test_logsumexp_and_softmax_do_not_overflow(self):
        assert ag.logsumexp([1000.0, 1000.0]).data == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)
        assert [s.data for s in ag.softmax([1000.0, 1000.0])] == [0.5, 0.5]


class TestPowAtNonPositiveBases:
    """x ** y with a Value exponent: d/dy = x**y ln x for x > 0; 0.0 at x == 0; nan for x < 0."""

    def test_negative_base_integer_exponent(self):
        x, y = Value(-2.0), Value(3.0)
        out = x**y
        out.backward()
        assert out.data == -8.0
        assert x.grad == 12.0  # 3 * (-2)^2
        assert math.isnan(y.grad)  # (-2)^y is real only at integer y: no derivative in y

    def test_zero_base_positive_exponent(self):
        x, y = Value(0.0), Value(2.0)
        out = x**y
        out.backward()
        assert (out.data, x.grad, y.grad) == (0.0, 0.0, 0.0)

    def test_zero_base_fractional_exponent_has_infinite_slope(self):
        x = Value(0.0)
        (x**0.5).backward()
        assert x.grad == inf

    def test_zero_to_the_zero(self):
        x = Value(0.0)
        out = x**0
        out.backward()
        assert (out.data, x.grad) == (1.0, 0.0)

    def test_sqrt_at_zero_has_infinite_slope(self):
        x = Value(0.0)
        x.sqrt().backward()
        assert x.grad == inf


class TestListFunctions:
    def test_dot_needs_equal_lengths(self):
        with pytest.raises(ValueError, match="2 weights and 3 inputs"):
            ag.dot([1.0, 2.0], [1.0, 2.0, 3.0])

    @pytest.mark.parametrize("fn", [ag.softmax, ag.logsumexp, ag.mean])
    def test_empty_lists_are_refused(self, fn):
        with pytest.raises(ValueError, match="empty"):
            fn([])

    def test_non_iterables_and_bad_elements_are_refused(self):
        with pytest.raises(TypeError, match="iterable"):
            ag.sum(3.0)
        with pytest.raises(TypeError, match="str"):
            ag.sum([1.0, "2"])

    def test_empty_sum_is_zero(self):
        assert ag.sum([]).data == 0.0
