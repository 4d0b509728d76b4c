"""Custom ops (``autograd_lite.op``): one node with the user's forward and local rule, working
everywhere a built-in op does, checked against sympy's exact derivatives, hand-derived
values and finite differences."""

import inspect
import math
import traceback

import numpy as np
import pytest
import sympy

import autograd_lite as ag
from autograd_lite import Value
from autograd_lite import math as agm
from autograd_lite.extend import ZERO, builtin
from autograd_lite.testing import GradcheckError, gradcheck

hypot = ag.op("hypot", forward=math.hypot, local=lambda x, y, out: (x / out, y / out))
# A rule written with autograd_lite.math, so it also runs on Values (higher order).
softclip = ag.op("softclip", forward=lambda x: math.tanh(x) * 2.0,
                 local=lambda x, out: (2.0 * (1.0 - agm.tanh(x) * agm.tanh(x)),))

X, Y = sympy.symbols("x y")
HYPOT = sympy.sqrt(X**2 + Y**2)
POINTS = [(3.0, 4.0), (-1.5, 0.25), (1e-3, 2.0), (7.0, -7.0)]


def exact(expression, *wrt, at):
    return float(sympy.diff(expression, *wrt).subs({X: at[0], Y: at[1]}))


class TestOneNodeWithTheUsersRule:
    def test_makes_one_node_named_after_the_op(self):
        x, y = Value(3.0), Value(4.0)
        h = hypot(x, y)
        assert (h.op, h.parents, h.data) == ("hypot", (x, y), 5.0)

    @pytest.mark.parametrize("point", POINTS)
    def test_first_derivatives_match_sympy(self, point):
        x, y = Value(point[0]), Value(point[1])
        hypot(x, y).backward()
        assert x.grad == pytest.approx(exact(HYPOT, X, at=point), rel=1e-14)
        assert y.grad == pytest.approx(exact(HYPOT, Y, at=point), rel=1e-14)

    def test_numbers_become_constants(self):
        x = Value(3.0)
        h = hypot(x, 4)
        h.backward()
        assert (h.data, x.grad, h.parents[1].data) == (5.0, 0.6, 4.0)

    def test_fan_out_sums_like_any_op(self):
        x = Value(3.0)
        h = hypot(x, x)  # sqrt(2) |x|: d/dx = sqrt(2) for x > 0, the sum of two paths
        h.backward()
        assert x.grad == pytest.approx(math.sqrt(2.0), rel=1e-15)

    def test_no_grad_records_nothing(self):
        with ag.no_grad():
            h = hypot(Value(3.0), Value(4.0))
        assert (h.data, h.parents) == (5.0, ())


class TestHigherOrder:
    @pytest.mark.parametrize("point", POINTS)
    def test_hessian_matches_sympy(self, point):
        hessian = ag.hessian(hypot)(*point)
        for i, a in enumerate((X, Y)):
            for j, b in enumerate((X, Y)):
                assert hessian[i][j] == pytest.approx(exact(HYPOT, a, b, at=point), rel=1e-12)

    def test_third_derivative_matches_sympy(self):
        third = ag.grad(ag.grad(ag.grad(softclip)))(0.3)
        t = sympy.Symbol("t")
        assert third == pytest.approx(float(sympy.diff(2 * sympy.tanh(t), t, 3).subs(t, 0.3)), rel=1e-12)


class TestForwardMode:
    def test_jvp_and_vjp_use_the_same_rule(self):
        # Hand-derived: d hypot = (x dx + y dy) / hypot.
        assert ag.jvp(hypot, (3.0, 4.0), (1.0, 2.0)) == (5.0, pytest.approx((3.0 + 8.0) / 5.0, rel=1e-15))
        out, pullback = ag.vjp(hypot, 3.0, 4.0)
        assert (out, pullback(2.0)) == (5.0, (pytest.approx(1.2), pytest.approx(1.6)))


class TestEverywhereABuiltInOpWorks:
    def f(self, a, b):
        return hypot(a, b) * softclip(a)

    def test_compile_float_mode_equals_eager_bitwise(self):
        step = ag.compile(self.f)
        for point in POINTS:
            a, b = Value(point[0]), Value(point[1])
            out = self.f(a, b)
            out.backward()
            assert step(*point) == (out.data, (a.grad, b.grad))

    def test_compile_batch_mode_equals_eager_per_example(self):
        step = ag.compile(self.f)
        xs, ys = np.array([p[0] for p in POINTS]), np.array([p[1] for p in POINTS])
        values, (gx, gy) = step.batch(xs, ys, reduce=None)
        for k, point in enumerate(POINTS):
            expected_value, expected_grads = step(*point)
            assert values[k] == pytest.approx(expected_value, rel=1e-14)
            assert (gx[k], gy[k]) == pytest.approx(expected_grads, rel=1e-14)

    def test_drawings_name_the_op_and_explain_sums_its_paths(self):
        x = Value(3.0, label="x")
        h = hypot(x, x)
        h.backward()
        assert "hypot" in ag.draw_graph(h).source
        assert "hypot" in ag.backward_steps(h).html()
        text = ag.explain(x, h)
        assert "sum over 2 paths" in text and text.count("0.7071") == 2  # x/out per path, sqrt(2)/2
        assert "where L = hypot(x, x)" in text

    def test_gradcheck_passes_a_right_rule_and_catches_a_wrong_one(self):
        gradcheck(lambda a, b: hypot(a, b), [3.0, 4.0])
        wrong = ag.op("hypot_wrong", forward=math.hypot, local=lambda x, y, out: (y / out, x / out))
        with pytest.raises(GradcheckError):
            gradcheck(lambda a, b: wrong(a, b), [3.0, 4.0])

    def test_a_structural_zero_masks_like_relu(self):
        step = ag.op("step", forward=lambda x: 1.0 if x > 0.0 else 0.0, local=lambda x, out: (ZERO,))
        x = Value(2.0)
        y = step(x) * Value(math.inf)  # the gradient arriving at step is nan-making inf
        y.backward()
        assert x.grad == 0.0

    def test_a_computed_zero_multiplies_as_usual(self):
        flat = ag.op("flat", forward=lambda x: 1.0, local=lambda x, out: (0.0,))
        x = Value(2.0)
        (flat(x) * Value(math.inf)).backward()
        assert math.isnan(x.grad)  # 0.0 * inf: the chain rule cannot decide, and says so

    def test_any_number_of_inputs_when_local_takes_star_args(self):
        total = ag.op("total", forward=lambda *xs: math.fsum(xs), local=lambda *xs_out: (1.0,) * (len(xs_out) - 1))
        xs = [Value(float(i)) for i in range(5)]
        t = total(*xs)
        t.backward()
        assert t.data == 10.0 and [x.grad for x in xs] == [1.0] * 5


class TestClearErrors:
    def test_wrong_number_of_derivatives(self):
        bad = ag.op("bad", forward=math.hypot, local=lambda x, y, out: (x / out,))
        with pytest.raises(TypeError, match=r"op 'bad': local must return a tuple of 2 local derivatives"):
            bad(3.0, 4.0)

    def test_a_value_where_a_float_belongs(self):
        bad = ag.op("bad", forward=math.exp, local=lambda x, out: (ag.exp(x),))
        with pytest.raises(TypeError, match="local returned a Value for float inputs.*autograd_lite.math"):
            bad(1.0)
        worse = ag.op("worse", forward=ag.exp, local=lambda x, out: (out,))
        with pytest.raises(TypeError, match="forward returned a Value"):
            worse(1.0)

    def test_bad_definitions_and_inputs(self):
        with pytest.raises(TypeError, match="non-empty string"):
            ag.op("", math.exp, lambda x, out: (out,))
        with pytest.raises(TypeError, match="forward must be callable"):
            ag.op("f", 3.0, lambda x, out: (out,))
        with pytest.raises(TypeError, match=r"local\(\*xs, out\)"):
            ag.op("f", math.exp, lambda out: (out,))
        with pytest.raises(TypeError, match="hypot"):
            hypot(Value(1.0))
        with pytest.raises(TypeError, match=r"hypot\(\) input expects a real number.*str"):
            hypot(Value(1.0), "2")

    def test_a_failed_call_leaves_no_node_and_no_gradient(self):
        x = Value(2.0)
        bad = ag.op("bad", forward=lambda x: x, local=lambda x, out: ("one",))
        with pytest.raises(TypeError, match="local derivative 0"):
            bad(x)
        assert x.grad == 0.0


class TestTheEnginesOwnOpsThroughTheSeam:
    def test_builtin_ops_equal_the_functions(self):
        ws, xs = [Value(1.5), Value(-2.0)], [Value(3.0), Value(0.5)]
        assert builtin("dot")(*ws, *xs).data == ag.dot(ws, xs).data == 3.5
        assert builtin("dot").apply((*ws, *xs)).op == "dot"
        assert builtin("leaky_relu", 0.2)(-2.0).data == Value(-2.0).leaky_relu(0.2).data == -0.4

    def test_builtin_errors(self):
        with pytest.raises(KeyError):
            builtin("no_such_op")
        with pytest.raises(TypeError, match="constants 'slope'"):
            builtin("leaky_relu")
        with pytest.raises(TypeError, match="takes no constants"):
            builtin("exp", 2.0)

    @pytest.mark.parametrize("inputs", [(1.0, 2.0, 3.0), (Value(1.0),)])
    def test_builtin_dot_refuses_an_odd_number_of_inputs(self, inputs):
        # w1..wn, x1..xn: with 3 inputs there is no pairing (it returned 2.0 = 1*2, with
        # gradients that did not match it)
        with pytest.raises(ValueError, match="even number of inputs, got"):
            builtin("dot")(*inputs)

    @pytest.mark.parametrize("make, public", [
        (lambda: builtin("clamp", 2, 1), lambda: ag.clamp(0.0, 2, 1)),
        (lambda: builtin("clamp", math.nan, 1), lambda: ag.clamp(0.0, math.nan, 1)),
        (lambda: builtin("elu", math.inf), lambda: Value(0.0).elu(math.inf)),
        (lambda: builtin("elu", math.nan), lambda: Value(0.0).elu(math.nan)),
        (lambda: builtin("leaky_relu", True), lambda: Value(0.0).leaky_relu(True)),
        (lambda: builtin("**n", "2"), lambda: Value(2.0) ** "2"),
        (lambda: builtin("logsumexp")(), lambda: ag.logsumexp([])),
    ])
    def test_builtin_raises_as_the_public_function_does(self, make, public):
        with pytest.raises((TypeError, ValueError)) as ours:
            make()
        with pytest.raises((TypeError, ValueError)) as theirs:
            public()
        assert type(ours.value) is type(theirs.value)
        if type(theirs.value) is ValueError:  # a TypeError's message names the caller
            assert str(ours.value) == str(theirs.value)

    def test_builtin_softmax_output_checks_its_index(self):
        with pytest.raises(TypeError, match="an int >= 0, got 1.5"):
            builtin("softmax", 1.5)
        with pytest.raises(TypeError, match="an int >= 0, got -1"):
            builtin("softmax", -1)
        with pytest.raises(ValueError, match="needs more than 2 inputs, got 2"):
            builtin("softmax", 2)(1.0, 2.0)
        # softmax([1, 2])[1] = e**2 / (e + e**2) = 1 / (1 + e**-1)
        assert builtin("softmax", 1)(1.0, 2.0).data == pytest.approx(1.0 / (1.0 + math.exp(-1.0)))

    def test_builtin_clamped_log_checks_eps_as_binary_cross_entropy_does(self):
        with pytest.raises(ValueError, match=r"eps must be in \[0, 0.5\)"):
            builtin("clamped_log", 0.7)


class TestGeneratedCodeHasSource:
    def test_getsource_shows_the_fused_method(self):
        source = inspect.getsource(Value.__mul__)
        assert "def __mul__" in source and "out = a * b" in source and "node._local = (b, a,)" in source

    def test_tracebacks_show_the_generated_line(self):
        with pytest.raises(ZeroDivisionError) as caught:
            Value(1.0) / 0.0
        shown = "".join(traceback.format_tb(caught.tb))
        assert "out = _div(a, b)" in shown

    def test_a_custom_ops_node_code_has_source(self):
        assert "out = forward(x0, x1)" in inspect.getsource(hypot)

    def test_a_traceback_through_a_custom_op_shows_its_line_and_names_it(self):
        broken = ag.op("broken_hypot", forward=lambda x, y: 1.0 / 0.0, local=lambda x, y, out: (x, y))
        with pytest.raises(ZeroDivisionError) as caught:
            broken(1.0, 2.0)
        shown = "".join(traceback.format_tb(caught.tb))
        assert "in broken_hypot" in shown and "out = forward(x0, x1)" in shown

    def test_making_and_dropping_custom_ops_keeps_memory_flat(self):
        import gc
        import linecache
        import tracemalloc

        def make(i):
            return ag.op(f"leak_check_{i}", forward=math.hypot, local=lambda x, y, out: (x / out, y / out))

        make(-1)(3.0, 4.0)
        gc.collect()
        entries = len(linecache.cache)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(5000):
                made = make(i)
                assert made(3.0, 4.0).data == 5.0
                del made
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        # each op used to leave its ~2 KiB source in linecache: ~11 MiB for 5000
        assert len(linecache.cache) == entries
        assert grown < 256 * 1024
        for name in [name for name in linecache.cache if name.startswith("<autograd_lite op")]:
            del linecache.cache[name]  # as linecache.clearcache() would: the next op puts it back
        assert "out = forward(x0, x1)" in inspect.getsource(make(0))
