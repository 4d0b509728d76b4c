"""Compiled custom ops: the float, batch and torch dialects choose how to write a node by the
rule object it was made with, never by its name. A custom op named after a built-in op
(``sum``, ``dot``, ``logsumexp``, ``softmax[0]``, ``exp``, ``+``...) computes its own
function, bitwise equal to eager ``backward()``, and to values derived by hand here."""

import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Value
from autograd_lite.extend import ZERO


def product(*xs):
    return math.prod(xs)


def product_local(*xs_out):
    xs, out = xs_out[:-1], xs_out[-1]
    return tuple(math.prod(xs[:j] + xs[j + 1:]) for j in range(len(xs)))


# name -> (the op, a point, its value there and its gradient, derived by hand). Each differs
# from the built-in op of the same name at the point, so a mix-up cannot pass.
CASES = {
    # sum(2, 3, 5) would be 10 with gradient 1s; the product is 30 with the other two's products.
    "sum": (ag.op("sum", product, product_local), (2.0, 3.0, 5.0), 30.0, (15.0, 10.0, 6.0)),
    # dot(2, 3, 5, 7) would be 2*5 + 3*7 = 31; the sum of squares is 87, gradient 2x.
    "dot": (ag.op("dot", lambda *xs: sum(x * x for x in xs), lambda *xo: tuple(2.0 * x for x in xo[:-1])),
            (2.0, 3.0, 5.0, 7.0), 87.0, (4.0, 6.0, 10.0, 14.0)),
    # logsumexp would be about 5.17; the alternating sum 2 - 3 + 5 is 4, gradient (1, -1, 1).
    "logsumexp": (ag.op("logsumexp", lambda *xs: xs[0] - xs[1] + xs[2], lambda *xo: (1.0, -1.0, 1.0)),
                  (2.0, 3.0, 5.0), 4.0, (1.0, -1.0, 1.0)),
    # softmax[0] would be a probability; the largest input is 5, the gradient picks it.
    "softmax[0]": (ag.op("softmax[0]", max, lambda *xo: tuple(1.0 if x == xo[-1] else ZERO for x in xo[:-1])),
                   (2.0, 3.0, 5.0), 5.0, (0.0, 0.0, 1.0)),
    # exp(2) would be e**2; the cube is 8, gradient 3x**2 = 12.
    "exp": (ag.op("exp", lambda x: x ** 3, lambda x, out: (3.0 * x * x,)), (2.0,), 8.0, (12.0,)),
    # tanh(2) would be below 1; 1 - x is -1, gradient -1.
    "tanh": (ag.op("tanh", lambda x: 1.0 - x, lambda x, out: (-1.0,)), (2.0,), -1.0, (-1.0,)),
    # 2 + 3 would be 5; the product is 6, gradient (3, 2).
    "+": (ag.op("+", lambda a, b: a * b, lambda a, b, out: (b, a)), (2.0, 3.0), 6.0, (3.0, 2.0)),
    # 2 * 3 would be 6; a - b is -1, gradient (1, -1).
    "*": (ag.op("*", lambda a, b: a - b, lambda a, b, out: (1.0, -1.0)), (2.0, 3.0), -1.0, (1.0, -1.0)),
}


def twice(op):
    """2 * op(...): the op is not the output node, and doubling is exact."""
    return lambda *xs: op(*xs) * 2.0


def eager(f, point):
    xs = [Value(x) for x in point]
    out = f(*xs)
    out.backward()
    return out.data, tuple(x.grad for x in xs)


@pytest.mark.parametrize("name", list(CASES))
def test_float_mode_computes_the_custom_op_not_the_built_in_of_its_name(name):
    op, point, value, grads = CASES[name]
    f = twice(op)
    assert ag.compile(f)(*point) == eager(f, point) == (2.0 * value, tuple(2.0 * g for g in grads))


@pytest.mark.parametrize("name", list(CASES))
def test_batch_mode_computes_the_custom_op_per_example_bitwise(name):
    op, point, value, grads = CASES[name]
    f = twice(op)
    other = tuple(x + 0.5 for x in point)  # a second example: the op's own functions, exactly
    values, batch_grads = ag.compile(f).batch(*[np.array(column) for column in zip(point, other)], reduce=None)
    for k, example in enumerate((point, other)):
        expected_value, expected_grads = eager(f, example)
        assert values[k] == expected_value
        assert tuple(g[k] for g in batch_grads) == expected_grads
    assert (values[0], tuple(g[0] for g in batch_grads)) == (2.0 * value, tuple(2.0 * g for g in grads))


def test_a_custom_op_named_dot_is_no_layer_in_batch_mode_with_params():
    # With parameters, batch mode turns the built-in dot's nodes into matrix products; a
    # custom op named "dot" must stay itself: here the sum of squares of (w1, w2, x1, x2).
    op = CASES["dot"][0]
    w = [Value(2.0), Value(3.0)]
    step = ag.compile(lambda x: op(w[0], w[1], x[0], x[1]), params=w)
    values, _ = step.batch(np.array([[5.0, 7.0], [1.0, 1.0]]), reduce="sum")
    assert values == 87.0 + 15.0  # 4 + 9 + 25 + 49, then 4 + 9 + 1 + 1
    assert [p.grad for p in w] == [2.0 * 2.0 * 2.0, 2.0 * 3.0 * 2.0]  # 2w per example, two examples


def test_the_built_in_list_ops_still_compile_as_themselves():
    f = lambda a, b, c: ag.logsumexp([a, b, c]) + ag.softmax([a, b, c])[0] + ag.sum([a, b]) + ag.dot([a], [c])
    point = (0.5, -1.0, 2.0)
    assert ag.compile(f)(*point) == eager(f, point)
    values, grads = ag.compile(f).batch(*[np.array([x, x]) for x in point], reduce=None)
    expected_value, expected_grads = eager(f, point)
    assert values.tolist() == pytest.approx([expected_value] * 2, rel=1e-12)
    assert [g[1] for g in grads] == pytest.approx(expected_grads, rel=1e-12)


def test_variable_input_custom_ops_run_in_batch_mode():
    # Before: NotImplementedError ("no NumPy version of the op"). The product of 1..4 inputs.
    op = ag.op("prod", product, product_local)
    step = ag.compile(lambda x: op(*x))
    values, (grads,) = step.batch(np.array([[2.0, 3.0, 4.0], [1.0, -1.0, 0.5]]), reduce=None)
    assert values.tolist() == [24.0, -0.5]
    assert grads.tolist() == [[12.0, 8.0, 6.0], [-0.5, 0.5, -1.0]]


@pytest.mark.parametrize("name", list(CASES))
def test_to_torch_computes_the_custom_op_not_the_built_in_of_its_name(name):
    torch = pytest.importorskip("torch")
    op, point, value, grads = CASES[name]
    f = twice(op)
    other = tuple(x + 0.5 for x in point)
    module = ag.compile(f).to_torch(*point)
    tensors = [torch.tensor(column, dtype=torch.float64, requires_grad=True) for column in zip(point, other)]
    out = module(*tensors)
    out.sum().backward()
    for k, example in enumerate((point, other)):
        expected_value, expected_grads = eager(f, example)
        assert out[k].item() == expected_value  # the op's own forward, on the same floats
        assert tuple(t.grad[k].item() for t in tensors) == expected_grads  # one op: one product each
    assert out[0].item() == 2.0 * value and tuple(t.grad[0].item() for t in tensors) == tuple(2.0 * g for g in grads)


def test_to_torch_custom_op_with_params_and_a_structural_zero():
    torch = pytest.importorskip("torch")
    step_op = ag.op("relu", lambda x: 1.0 if x > 0.0 else 0.0, lambda x, out: (ZERO,))  # a step, named relu
    w = [Value(0.5), Value(-2.0)]
    step = ag.compile(lambda x: step_op(w[0] * x) * (w[1] * x) + w[0] * x, params=w)
    module = step.to_torch(1.0)
    x = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
    module(x).sum().backward()
    # x = 3: step 1, value 1 * (-6) + 1.5; x = -1: step 0, value 0 + (-0.5). d/dw1 = x per
    # example (the step's edge carries nothing); d/dw2 = step * x: 3 at x = 3, 0 at x = -1.
    assert module(x).tolist() == [-4.5, -0.5]
    assert module.params.grad.tolist() == [3.0 + -1.0, 3.0]
    assert x.grad.tolist() == [-2.0 + 0.5, 0.5]
