"""backward(): the total-derivative sum at every fan-out, any depth, defined repeat calls,
and graphs freed by reference counting alone."""

import gc
import math
import sys
import weakref

import pytest

import autograd_lite as ag
from autograd_lite import Value


def micrograd_sanity_expression():
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return x, y


def micrograd_more_ops_expression():
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


class TestMicrogradsOwnTests:
    def test_sanity_check(self):
        x, y = micrograd_sanity_expression()
        y.backward()
        assert y.data == -20.0
        assert x.grad == 46.0

    def test_more_ops(self):
        a, b, g = micrograd_more_ops_expression()
        g.backward()
        assert g.data == pytest.approx(24.70408163265306, abs=1e-12)
        assert a.grad == pytest.approx(138.83381924198252, abs=1e-12)
        assert b.grad == pytest.approx(645.5772594752186, abs=1e-12)


class TestFanOutSumsThePaths:
    def test_a_plus_a(self):
        a = Value(3.0)
        (a + a).backward()
        assert a.grad == 2.0

    def test_a_times_a(self):
        a = Value(3.0)
        (a * a).backward()
        assert a.grad == 6.0

    def test_doubling_twice(self):
        a = Value(3.0)
        b = a + a
        c = b + b
        c.backward()
        assert (c.data, b.grad, a.grad) == (12.0, 2.0, 4.0)

    def test_diamond(self):
        # z = (2x)(3x) = 6x^2: two paths from x, each contributing 6x, total 12x.
        x = Value(1.5)
        left, right = x * 2.0, x * 3.0
        z = left * right
        z.backward()
        assert left.grad == right.data == 4.5
        assert right.grad == left.data == 3.0
        assert x.grad == 2.0 * left.grad + 3.0 * right.grad == 12 * 1.5

    def test_a_node_feeding_one_consumer_twice_is_two_paths(self):
        a = Value(2.0)
        c = a * a
        assert c.parents == (a, a)
        assert c.local_grads == (2.0, 2.0)


class TestRepeatedBackward:
    def test_second_call_accumulates_into_leaves_exactly_twice(self):
        # micrograd's own engine gives 1852.27 here for a: its intermediates accumulate too.
        a, b, g = micrograd_more_ops_expression()
        g.backward()
        first = (a.grad, b.grad)
        g.backward()
        assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
        assert a.grad == pytest.approx(2 * 138.83381924198252, rel=1e-15)

    def test_second_call_resets_intermediates(self):
        x = Value(2.0)
        h = x * x
        y = h * 3.0
        y.backward()
        y.backward()
        assert (y.grad, h.grad) == (1.0, 3.0)
        assert x.grad == 2 * 12.0

    def test_zero_grad_clears_the_whole_graph(self):
        x = Value(2.0)
        y = (x * x).tanh()
        y.backward()
        y.zero_grad()
        assert all(node.grad == 0.0 for node in ag.topological_order(y))

    def test_zero_grad_then_backward_gives_a_single_gradient(self):
        x = Value(0.5)
        y = x.exp() * x
        y.backward()
        y.zero_grad()
        y.backward()
        assert x.grad == pytest.approx((1 + 0.5) * 2.718281828459045**0.5, rel=1e-15)

    def test_seed_gradient_scales_every_gradient(self):
        x = Value(3.0)
        (x * x).backward(gradient=0.5)
        assert x.grad == 3.0

    def test_seed_gradient_must_be_a_number(self):
        with pytest.raises(TypeError, match="backward"):
            (Value(1.0) * 2).backward(gradient="1")


class TestDepthAndWidth:
    def test_chain_a_million_deep_at_the_default_recursion_limit(self):
        limit = sys.getrecursionlimit()
        x = Value(1.0)
        y = x
        for _ in range(1_000_000):
            y = y + x  # y = (10^6 + 1) x
        y.backward()
        assert x.grad == 1_000_001.0
        assert sys.getrecursionlimit() == limit
        del y  # freeing a million-deep chain must not overflow the C stack either

    def test_builtin_sum_of_a_thousand_values(self):
        xs = [Value(float(i)) for i in range(1000)]
        total = sum(xs)  # a chain of 1000 additions
        total.backward()
        assert total.data == 499500.0
        assert all(x.grad == 1.0 for x in xs)

    def test_sum_of_a_hundred_thousand_terms_is_one_node(self):
        xs = [Value(1.0) for _ in range(100_000)]
        total = ag.sum(xs)
        assert total.op == "sum" and len(total.parents) == 100_000
        total.backward()
        assert total.data == 100_000.0
        assert all(x.grad == 1.0 for x in xs)

    def test_topological_order_lists_parents_first(self):
        x = Value(1.0)
        a = x * 2
        b = a + x
        c = b * a
        order = ag.topological_order(c)
        position = {id(node): i for i, node in enumerate(order)}
        assert len(order) == 5  # x, the constant 2, a, b, c
        for node in order:
            assert all(position[id(p)] < position[id(node)] for p in node.parents)


class TestNoReferenceCycles:
    def test_dropping_the_output_frees_the_graph_without_the_cyclic_gc(self):
        gc.collect()
        gc.disable()
        try:
            x = Value(0.5)
            hidden = (x * 2.0).tanh()
            out = hidden * hidden + x.exp()
            out.backward()
            watch_hidden, watch_out = weakref.ref(hidden), weakref.ref(out)
            del hidden, out
            assert watch_out() is None
            assert watch_hidden() is None
            assert x.grad != 0.0  # the leaf the user still holds keeps its gradient
        finally:
            gc.enable()

    def test_no_grad_graph_is_freed_too(self):
        gc.disable()
        try:
            with ag.no_grad():
                out = Value(1.0) * 3.0
            watch = weakref.ref(out)
            del out
            assert watch() is None
        finally:
            gc.enable()
