"""The new ops off the happy path: domain errors that name the op and the operand, the
far tails, kinks, ties and bounds, detach, autograd_lite.math on numbers and Values, and
compiled code (float and batch mode) agreeing with eager on every op."""

import ast
import builtins
import math

import mpmath
import pytest

import autograd_lite as ag
from autograd_lite import Value, rules
from autograd_lite.compiler import TracingError

np = pytest.importorskip("numpy")

mpmath.mp.dps = 40


class TestDomainErrors:
    @pytest.mark.parametrize("op, x, error, message", [
        ("asin", 1.5, ValueError, r"asin: operand must be in \[-1, 1\], got 1.5"),
        ("acos", -1.25, ValueError, r"acos: operand must be in \[-1, 1\], got -1.25"),
        ("log1p", -1.0, ValueError, "log1p: operand must be > -1, got -1.0"),
        ("log1p", -3.0, ValueError, "log1p: operand must be > -1, got -3.0"),
        ("tan", math.inf, ValueError, "tan: operand must be finite, got inf"),
        ("sinh", 1000.0, OverflowError, "sinh: result overflows a float for operand 1000.0"),
        ("cosh", -1000.0, OverflowError, "cosh: result overflows a float for operand -1000.0"),
        ("expm1", 710.0, OverflowError, "expm1: result overflows a float for operand 710.0"),
    ])
    def test_names_the_op_and_the_operand_in_eager_and_in_autograd_lite_math(self, op, x, error, message):
        with pytest.raises(error, match=message):
            getattr(Value(x), op)()
        with pytest.raises(error, match=message):
            getattr(ag.math, op)(x)

    def test_tan_has_no_pole_among_floats(self):
        # pi/2 is not a float: tan at the nearest float is large and finite, and so is
        # its derivative 1 + tan**2, as in C and PyTorch.
        x = Value(math.pi / 2)
        y = x.tan()
        y.backward()
        assert y.data == math.tan(math.pi / 2) and 1e16 < y.data < 1e17
        assert x.grad == 1.0 + y.data * y.data

    def test_asin_and_acos_are_infinitely_steep_at_the_ends(self):
        for op, sign in (("asin", 1.0), ("acos", -1.0)):
            for end in (-1.0, 1.0):
                assert ag.grad(lambda x: getattr(x, op)())(end) == sign * math.inf

    def test_nan_passes_through_as_nan(self):
        for op in ("asin", "acos", "log1p", "tan", "erf", "softplus", "gelu"):
            assert math.isnan(getattr(Value(math.nan), op)().data)


class TestTails:
    def test_softplus_is_exact_far_out_on_both_sides(self):
        assert ag.softplus(1000.0).data == 1000.0 and ag.grad(ag.softplus)(1000.0) == 1.0
        assert ag.softplus(-1000.0).data == 0.0 and ag.grad(ag.softplus)(-1000.0) == 0.0
        for x in (-30.0, -700.0):  # log(1 + e**x) = e**x (1 - e**x / 2 + ...): no cancellation
            assert ag.softplus(x).data == pytest.approx(float(mpmath.log1p(mpmath.exp(x))), rel=1e-15)

    @pytest.mark.parametrize("x", [-38.0, -20.0, -8.0, -1.0, 0.5, 6.0])
    def test_gelu_is_accurate_in_the_left_tail(self, x):
        # x * Phi(x) with Phi from erfc: the erf form 1 + erf(x / sqrt 2) would cancel to 0.
        expected = x * mpmath.ncdf(x)
        derivative = mpmath.ncdf(x) + x * mpmath.npdf(x)
        assert ag.gelu(x).data == pytest.approx(float(expected), rel=1e-13)
        assert ag.grad(ag.gelu)(x) == pytest.approx(float(derivative), rel=1e-12, abs=1e-300)

    def test_expm1_and_log1p_keep_tiny_operands(self):
        assert ag.expm1(1e-20).data == 1e-20 and ag.log1p(1e-20).data == 1e-20


class TestKinksTiesAndBounds:
    def test_clamp_passes_the_gradient_at_its_bounds_and_nothing_outside(self):
        grad = ag.grad(lambda x: x.clamp(-1.0, 2.0))
        assert [grad(x) for x in (-3.0, -1.0, 0.5, 2.0, 5.0)] == [0.0, 1.0, 1.0, 1.0, 0.0]
        assert [ag.clamp(x, -1.0, 2.0).data for x in (-3.0, -1.0, 0.5, 2.0, 5.0)] == [-1.0, -1.0, 0.5, 2.0, 2.0]

    def test_clamp_outside_its_bounds_masks_an_infinite_gradient(self):
        # The clamped output does not move with x there: no nan from 0 * inf.
        x = Value(5.0)
        (x.clamp(0.0, 1.0) * math.inf).backward()
        assert x.grad == 0.0
        y = Value(5.0)
        ((y * 0.0) * math.inf).backward()  # a computed zero is not a mask
        assert math.isnan(y.grad)

    def test_one_sided_clamp_and_bad_bounds(self):
        assert ag.clamp(-7.0, lo=-2.0).data == -2.0 and ag.clamp(7.0, lo=-2.0).data == 7.0
        assert ag.clamp(7.0, hi=3.0).data == 3.0
        with pytest.raises(ValueError, match="lo <= hi, got lo=2.0 and hi=1.0"):
            Value(0.0).clamp(2.0, 1.0)
        with pytest.raises(ValueError, match="lo <= hi"):
            Value(0.0).clamp(math.nan, 1.0)
        with pytest.raises(ValueError, match="give lo, hi or both"):
            Value(0.0).clamp()
        with pytest.raises(TypeError, match="clamp"):
            Value(0.0).clamp(True, 2.0)

    def test_clamp_of_nan_is_nan_with_no_gradient_as_in_pytorch(self):
        x = Value(math.nan)
        y = x.clamp(0.0, 1.0)
        y.backward()
        assert math.isnan(y.data) and x.grad == 0.0

    def test_maximum_and_minimum_split_a_tie_in_half(self):
        for op in (ag.maximum, ag.minimum):
            a, b = Value(1.5), Value(1.5)
            op(a, b).backward()
            assert (a.grad, b.grad) == (0.5, 0.5)

    def test_maximum_and_minimum_take_numbers_on_either_side(self):
        x = Value(2.0)
        assert ag.maximum(x, 3).data == 3.0 and ag.maximum(5, x).data == 5.0
        assert ag.minimum(x, 3).data == 2.0 and ag.minimum(-1.0, x).data == -1.0
        assert ag.grad(lambda v: ag.maximum(v, 1.0))(2.0) == 1.0
        assert ag.grad(lambda v: ag.maximum(v, 3.0))(2.0) == 0.0
        with pytest.raises(TypeError, match="maximum: operands must be Values or real numbers"):
            ag.maximum(x, "3")

    def test_maximum_with_nan_is_nan_and_passes_no_gradient(self):
        a, b = Value(math.nan), Value(1.0)
        out = ag.maximum(a, b)
        out.backward()
        assert math.isnan(out.data) and (a.grad, b.grad) == (0.0, 0.0)

    def test_elu_derivative_at_zero_is_alpha_and_alpha_is_checked(self):
        assert ag.grad(lambda x: x.elu(0.7))(0.0) == 0.7
        assert ag.elu(-1.0, 2.0).data == pytest.approx(2.0 * math.expm1(-1.0), rel=1e-15)
        with pytest.raises(ValueError, match="alpha must be finite"):
            Value(0.0).elu(math.inf)
        with pytest.raises(TypeError, match="elu"):
            Value(0.0).elu("1")

    @pytest.mark.parametrize("slope", [math.nan, math.inf, -math.inf])
    def test_a_leaky_relu_slope_that_is_not_finite_is_refused(self, slope):
        with pytest.raises(ValueError, match="slope must be finite"):
            Value(-2.0).leaky_relu(slope)
        assert Value(-2.0).leaky_relu(-0.5).data == 1.0  # any finite slope is a leaky ReLU, negative too

    def test_elu_with_alpha_zero_is_flat_below_zero(self):
        x = Value(-2.0)
        (x.elu(0.0) * math.inf).backward()
        assert x.grad == 0.0

    def test_abs_method_is_abs(self):
        x = Value(-3.0)
        x.abs().backward()
        assert x.abs().data == 3.0 and x.grad == -1.0


class TestDetach:
    def test_a_leaf_with_the_same_number_that_stops_the_gradient(self):
        x = Value(3.0, label="x")
        d = x.detach()
        assert d is not x and d.data == 3.0 and d.parents == () and d.op == "" and d.label == "x"
        y = x * d  # d/dx (x * c) = c, the detached copy being a constant
        y.backward()
        assert x.grad == 3.0 and d.grad == 3.0

    def test_detach_of_an_intermediate(self):
        x = Value(2.0)
        h = x * x
        assert ag.grad(lambda v: (v * v).detach() + v)(2.0) == 1.0
        assert h.detach().data == 4.0

    def test_detach_inside_compile_is_refused(self):
        # A trace would bake the traced number in as a constant: wrong for other inputs.
        with pytest.raises(TracingError, match="detach"):
            ag.compile(lambda x: x * x.detach())(2.0)


class TestMathModule:
    @pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
                                      "sinh", "cosh", "tanh", "log1p", "expm1", "erf", "erfc"])
    def test_a_float_for_a_number_as_the_standard_library(self, name):
        for x in (0.25, 0.5, 1):
            got = getattr(ag.math, name)(x)
            assert type(got) is float and got == getattr(math, name)(x)

    def test_a_value_for_a_value_with_its_gradient(self):
        x = Value(0.5)
        y = ag.math.sin(x) * ag.math.exp(x)
        y.backward()
        assert isinstance(y, Value)
        assert x.grad == pytest.approx(math.exp(0.5) * (math.sin(0.5) + math.cos(0.5)), rel=1e-15)

    def test_the_activations_on_numbers(self):
        assert ag.math.sigmoid(0.0) == 0.5 and ag.math.relu(-2.0) == 0.0
        assert ag.math.softplus(0.0) == math.log(2.0)
        assert ag.math.gelu(1.0) == pytest.approx(float(mpmath.ncdf(1.0)), rel=1e-15)
        assert ag.math.silu(2.0) == pytest.approx(2.0 / (1.0 + math.exp(-2.0)), rel=1e-15)
        assert ag.math.elu(-1.0) == pytest.approx(math.expm1(-1.0), rel=1e-15)
        assert type(ag.math.elu(-1.0)) is float and isinstance(ag.math.elu(Value(-1.0)), Value)

    def test_one_function_serves_floats_and_values(self):
        def swish_like(x):
            return x * ag.math.sigmoid(x) + ag.math.log1p(x * x)

        assert swish_like(0.75) == pytest.approx(swish_like(Value(0.75)).data, rel=1e-15)

    def test_wrong_types_are_named(self):
        with pytest.raises(TypeError, match=r"autograd_lite.math.exp\(\) expects a real number"):
            ag.math.exp("1")
        with pytest.raises(TypeError, match="bool"):
            ag.math.log(True)
        assert ag.math.exp(np.float64(0.0)) == 1.0

    def test_the_standard_library_math_is_not_shadowed_inside_the_package(self):
        import autograd_lite.rules as rules_module
        assert rules_module.math is math


class TestNumpyInterop:
    def test_value_to_the_power_of_an_array_is_an_array_of_values(self):
        x = Value(2.0)
        powers = x ** np.array([1.0, 2.0, 3.0])
        assert powers.dtype == object and [p.data for p in powers] == [2.0, 4.0, 8.0]
        ag.sum(powers).backward()
        assert x.grad == 1.0 + 2 * 2.0 + 3 * 2.0**2  # d/dx (x + x**2 + x**3)

    @pytest.mark.parametrize("op, derivative", [
        (lambda a, x: a * x, lambda a, x: a),
        (lambda a, x: x * a, lambda a, x: a),
        (lambda a, x: a + x, lambda a, x: 1.0),
        (lambda a, x: x - a, lambda a, x: 1.0),
        (lambda a, x: a / x, lambda a, x: -a / x**2),
        (lambda a, x: x / a, lambda a, x: 1.0 / a),
        (lambda a, x: a ** x, lambda a, x: a**x * np.log(a)),
    ], ids=["array*v", "v*array", "array+v", "v-array", "array/v", "v/array", "array**v"])
    def test_arrays_on_either_side(self, op, derivative):
        x = Value(1.5)
        a = np.array([0.5, 2.0])
        out = op(a, x)
        assert out.dtype == object and len(out) == 2
        for k in range(2):
            x.grad = 0.0
            out[k].backward()
            assert x.grad == pytest.approx(derivative(a[k], 1.5), rel=1e-15)

    @pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
    def test_every_binary_operator_returns_not_implemented_for_unknown_types(self, op):
        class Other:  # a type that knows how to combine with a Value, from the right
            def __radd__(self, other): return "other"
            __rsub__ = __rmul__ = __rtruediv__ = __rpow__ = __radd__

        assert eval(f"Value(2.0) {op} Other()") == "other"  # noqa: S307 - our own test text
        assert getattr(Value(2.0), {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
                                    "**": "__pow__"}[op])(Other()) is NotImplemented

    def test_numpy_scalars_and_zero_dimensional_arrays_still_give_one_value(self):
        x = Value(2.0)
        for exponent in (np.array(3.0), np.float64(3.0), np.int64(3)):
            y = x ** exponent
            assert isinstance(y, Value) and y.data == 8.0
        y.backward()
        assert x.grad == 3 * 2.0**2

    def test_a_bool_exponent_is_still_a_clear_error(self):
        with pytest.raises(TypeError, match="bool"):
            Value(2.0) ** True


NEW_OPS = {
    "tan": lambda x: x.tan(), "asin": lambda x: (0.5 * x).asin(), "acos": lambda x: (0.5 * x).acos(),
    "atan": lambda x: x.atan(), "sinh": lambda x: x.sinh(), "cosh": lambda x: x.cosh(),
    "log1p": lambda x: (x * x).log1p(), "expm1": lambda x: x.expm1(), "erf": lambda x: x.erf(),
    "erfc": lambda x: x.erfc(), "softplus": lambda x: x.softplus(), "gelu": lambda x: x.gelu(),
    "silu": lambda x: x.silu(), "elu": lambda x: x.elu(), "elu_alpha": lambda x: x.elu(0.25),
    "clamp": lambda x: x.clamp(-0.5, 0.5), "clamp_lo": lambda x: x.clamp(lo=0.0),
    "abs": lambda x: x.abs(), "maximum": lambda x: ag.maximum(x, x * x - 0.5),
    "minimum": lambda x: ag.minimum(0.25, x.sin()),
}
POINTS = [-1.5, -0.5, -0.25, 0.0, 0.3, 0.5, 1.0, 1.5]  # bounds and ties included


@pytest.mark.parametrize("name", sorted(NEW_OPS))
def test_compiled_float_mode_equals_eager_bitwise_and_batch_mode_agrees(name):
    f = NEW_OPS[name]
    step = ag.compile(lambda x: f(x) * 1.0)
    eager = []
    for p in POINTS:
        x = Value(p)
        out = f(x) * 1.0
        out.backward()
        eager.append((out.data, x.grad))
        value, (grad,) = step(p)
        assert (repr(value), repr(grad)) == (repr(out.data), repr(x.grad))
    values, (grads,) = step.batch(np.array(POINTS), reduce=None)
    assert values == pytest.approx([v for v, _ in eager], rel=1e-12, abs=1e-300)
    assert grads == pytest.approx([g for _, g in eager], rel=1e-12, abs=1e-300)


def test_batch_mode_raises_the_engines_domain_errors():
    with pytest.raises(ValueError, match=r"asin: operand must be in \[-1, 1\], got 2.0 \(example 1\)"):
        ag.compile(lambda x: x.asin()).batch(np.array([0.5, 2.0]), reduce="sum")
    with pytest.raises(ValueError, match=r"log1p: operand must be > -1, got -1.0 \(example 1\)"):
        ag.compile(lambda x: x.log1p()).batch(np.array([2.0, -1.0]), reduce="sum")


def test_every_name_in_the_table_has_a_numpy_twin():
    from autograd_lite.compiler.batch import numpy_namespace
    from autograd_lite.compiler.codegen import float_namespace

    numpy_names, float_names = numpy_namespace(np), float_namespace()
    # Ops over a list (inputs *xs) have their own NumPy versions, tested in test_compile_batch.
    rows = [((*row[1].split(), *row[2].split()), row[3], row[4:]) for row in rules.TABLE if row[1] != "*xs"]
    for inputs, forward, local_sources in rows:
        for text in (forward, *local_sources):
            names = {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}
            names -= set(dir(builtins))  # abs() works on arrays too
            missing = names - set(inputs) - {"out"} - set(numpy_names)
            assert not missing, f"{text!r} uses {missing}, which batch mode does not define"
            assert not names - set(inputs) - {"out"} - set(float_names)
