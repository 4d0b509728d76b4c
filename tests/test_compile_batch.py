"""Batch mode: the compiled function over NumPy arrays, one example per row, agrees with
float mode on every example (allclose: NumPy's transcendental functions may round
differently in the last bit)."""

import autograd_lite as ag
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compile_support import evaluate, inputs, programs

np = pytest.importorskip("numpy")


@settings(max_examples=80)
@given(st.data())
def test_batch_equals_float_mode_per_example(data):
    program = data.draw(programs())
    n = program[0]
    rows = data.draw(st.lists(st.lists(inputs, min_size=n, max_size=n), min_size=1, max_size=5))
    step = ag.compile(lambda *xs: evaluate(program, xs))
    columns = np.array(rows).T
    values, grads = step.batch(*columns, reduce=None)
    for b, row in enumerate(rows):
        value, row_grads = step(*row)
        assert values[b] == pytest.approx(value, rel=1e-9, abs=1e-12)
        assert [g[b] for g in grads] == pytest.approx(list(row_grads), rel=1e-9, abs=1e-12)
    total, total_grads = step.batch(*columns, reduce="sum")
    mean, mean_grads = step.batch(*columns, reduce="mean")
    assert total == pytest.approx(float(np.sum(values)), rel=1e-12, abs=1e-12)
    assert mean_grads == pytest.approx([float(np.mean(g)) for g in grads], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("op", ["abs", "relu", "leaky_relu", "sqrt", "log", "exp", "sigmoid", "**"])
def test_every_branching_op_takes_both_branches_within_one_batch(op):
    f = {"abs": abs, "relu": lambda x: x.relu(), "leaky_relu": lambda x: x.leaky_relu(0.1),
         "sqrt": lambda x: (x * x).sqrt(), "log": lambda x: (x * x + 1.0).log(),
         "exp": lambda x: x.exp(), "sigmoid": lambda x: (x * 50.0).sigmoid(), "**": lambda x: (x * x) ** x}[op]
    xs = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    step = ag.compile(f)
    values, (grads,) = step.batch(xs, reduce=None)
    expected = [step(float(x)) for x in xs]
    assert values == pytest.approx([v for v, _ in expected], rel=1e-12, nan_ok=True)
    assert grads == pytest.approx([g for _, (g,) in expected], rel=1e-12, nan_ok=True)  # sqrt at 0: inf * 0


def test_params_broadcast_and_their_reduced_gradient_goes_into_grad():
    w = ag.Value(2.0)
    step = ag.compile(lambda x: w * x, params=[w])
    value, (dx,) = step.batch(np.array([1.0, 2.0, 3.0]), reduce="mean")
    assert value == 4.0 and dx == 2.0 and w.grad == 2.0
    with pytest.raises(ValueError, match="reduce=None"):
        step.batch(np.array([1.0]), reduce=None)


def test_list_arguments_take_a_matrix_and_give_gradients_of_its_shape():
    step = ag.compile(lambda v: ag.dot(v, v))
    values, (grads,) = step.batch(np.array([[1.0, 2.0], [3.0, 4.0]]), reduce=None)
    assert values.tolist() == [5.0, 25.0] and grads.tolist() == [[2.0, 4.0], [6.0, 8.0]]


def test_domain_errors_name_the_op_and_the_example():
    step = ag.compile(lambda x: x.log())
    with pytest.raises(ValueError, match=r"log: operand must be > 0, got -1.0 \(example 1\)"):
        step.batch(np.array([1.0, -1.0]))


def test_bad_batches_are_named():
    step = ag.compile(lambda x, y: x * y)
    with pytest.raises(ValueError, match="disagree on the batch size"):
        step.batch(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="reduce must be"):
        step.batch(np.ones(2), np.ones(2), reduce="max")


def test_argnums_in_batch_mode():
    w = ag.Value(2.0)
    step = ag.compile(lambda x, y: w * x * y, params=[w], argnums=(1,))
    value, (dy,) = step.batch(np.array([1.0, 3.0]), np.array([1.0, 1.0]), reduce="sum")
    assert value == 8.0 and dy == 8.0 and w.grad == 4.0


def test_without_numpy_batch_mode_names_the_extra_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "autograd-lite\[numpy\]"'):
        ag.compile(lambda x: x * 2.0).batch([1.0, 2.0])
