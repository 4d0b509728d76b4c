"""Batch mode forms one matrix product per layer (compiler/layers.py, vectorized.py): the
results equal float mode's, example by example, to 1e-12, for networks of every
activation, for random graphs on top of a layer, and where a gradient is nan."""

import math

import autograd_lite as ag
import pytest
from autograd_lite import nn
from autograd_lite.compiler import layers
from hypothesis import given, settings
from hypothesis import strategies as st

from compile_support import UNARY, evaluate, programs

np = pytest.importorskip("numpy", reason='batch mode needs NumPy: pip install -e ".[numpy]"')

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "softplus", "gelu", "silu", "elu", "linear",
               nn.activations.ScaledSigmoid(2.0, 0.5)]


def float_mode(step, params, rows, reduce):
    """The oracle: float mode (bitwise the eager engine) one example at a time, reduced."""
    for p in params:
        p.grad = 0.0
    values, arg_grads = [], []
    for row in rows:
        value, grads = step(*row)
        values.append(value)
        arg_grads.append(grads)
    scale = 1.0 / len(rows) if reduce == "mean" else 1.0
    param_grads = [p.grad * scale for p in params]
    for p in params:
        p.grad = 0.0
    return math.fsum(values) * scale, arg_grads, param_grads


def assert_close(got, expected, scale=1.0):
    """Equal to 1e-12, relative to the size of what was summed."""
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12 * scale, equal_nan=True), (got, expected)


def groups_of(step):
    program = next(iter(step._cache.values()))
    n_args = sum(1 for kind, _, _, _ in program["tape"].nodes if kind == "input") - len(step.params)
    plan = layers.plan(program["tape"], range(n_args, n_args + len(step.params)))
    return [type(group).__name__ for group in plan.groups] if plan else []


def test_the_benchmark_network_is_four_matrix_products_and_two_activations():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()
    step = ag.compile(lambda x, y: (1.0 - y * model(x)).relu() + nn.l2_penalty(params, 1e-4),
                      params=params, argnums=())
    step.batch(np.ones((3, 2)), np.ones(3))
    # three layers and the l2 penalty's dot(params, params); relu on each hidden layer
    assert sorted(groups_of(step)) == ["Elementwise"] * 2 + ["Layer"] * 4


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_an_mlp_step_equals_float_mode(activation, reduce):
    X, labels = nn.datasets.moons(30, noise=0.1, seed=3)
    y = [2.0 * t - 1.0 for t in labels]
    model = nn.MLP(2, [5, 4, 1], activation=activation, seed=1)
    params = model.parameters()
    step = ag.compile(lambda x, t: (1.0 - t * model(x)).relu() + nn.l2_penalty(params, 1e-3), params=params)
    expected_loss, expected_arg_grads, expected_param_grads = float_mode(step, params, list(zip(X, y)), reduce)
    loss, (dx, dy) = step.batch(np.array(X), np.array(y), reduce=reduce)
    got_param_grads = [p.grad for p in params]
    combine = np.sum if reduce == "sum" else np.mean
    assert_close(loss, expected_loss)
    assert_close(got_param_grads, expected_param_grads)
    assert_close(dx, combine([g[0] for g in expected_arg_grads], axis=0))
    assert_close(dy, combine([g[1] for g in expected_arg_grads]))


def test_softmax_output_and_cross_entropy_equal_float_mode():
    X, y = nn.datasets.iris()
    model = nn.MLP(4, [6, 3], activation="tanh", output_activation="softmax", seed=0)
    params = model.parameters()
    rows = [(x, [1.0 if k == t else 0.0 for k in range(3)]) for x, t in zip(X[:20], y[:20])]
    step = ag.compile(lambda x, onehot: -ag.dot(onehot, [p.log() for p in model(x)]), params=params, argnums=(0,))
    expected_loss, expected_arg_grads, expected_param_grads = float_mode(step, params, rows, "mean")
    loss, (dx,) = step.batch(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), reduce="mean")
    assert_close(loss, expected_loss)
    assert_close([p.grad for p in params], expected_param_grads)
    assert_close(dx, np.mean([g[0] for g in expected_arg_grads], axis=0))
    assert "Layer" in groups_of(step)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_random_graphs_on_a_layers_rows_equal_float_mode(data):
    # The program reads the rows of a layer one by one (as single nodes), so rows are
    # both in a matrix and in the scalar code, and their adjoints come from both.
    program = data.draw(programs(max_inputs=3, max_steps=8))
    width = program[0]
    activation = data.draw(st.sampled_from(["relu", "tanh", "linear", "sigmoid"]))
    layer = nn.Layer(2, width, activation=activation, seed=data.draw(st.integers(0, 5)))
    params = layer.parameters()
    step = ag.compile(lambda x: evaluate(program, layer(x)), params=params)
    X = data.draw(st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=4))
    rows = [([a, b],) for a, b in X]
    expected_loss, expected_arg_grads, expected_param_grads = float_mode(step, params, rows, "sum")
    loss, (dx,) = step.batch(np.array(X), reduce="sum")
    scale = 1.0 + sum(abs(g) for g in expected_param_grads)
    assert_close(loss, expected_loss, 1.0 + abs(expected_loss))
    assert_close([p.grad for p in params], expected_param_grads, scale)
    assert_close(dx, np.sum([g[0] for g in expected_arg_grads], axis=0), scale)


def test_a_weight_used_twice_in_one_layer_gets_both_contributions():
    w, v = ag.Value(0.5), ag.Value(-2.0)
    step = ag.compile(lambda x: ag.dot([w, w], x) * ag.dot([w, v], x), params=[w, v])
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    expected = float_mode(step, [w, v], [(list(x),) for x in X], "sum")
    loss, (dx,) = step.batch(X, reduce="sum")
    assert_close([loss, w.grad, v.grad], [expected[0], *expected[2]])
    assert groups_of(step) == ["Layer"]


def test_a_nan_gradient_is_computed_per_example_as_in_float_mode():
    # Below 0, relu's local derivative is a structural zero: float mode adds nothing through
    # it, even for an inf adjoint. The matrix code computes 0 * inf = nan there, and cannot
    # tell a structural zero from a computed one, so such a batch is computed per example.
    layer = nn.Layer(1, 2, activation="relu", seed=0)
    layer.set_weights([[-1.0], [-2.0]], [0.0, 0.5])
    params = layer.parameters()
    step = ag.compile(lambda x: ag.sum(layer(x[:1])) * x[1], params=params)
    X = [[1.0, math.inf], [1.0, 2.0], [-1.0, 3.0]]
    expected = float_mode(step, params, [(x,) for x in X], "sum")
    assert not any(math.isnan(g) for g in expected[2])
    loss, (dx,) = step.batch(np.array(X), reduce="sum")
    assert_close([p.grad for p in params], expected[2])
    assert_close(dx, np.sum([g[0] for g in expected[1]], axis=0))
    assert math.isnan(loss) and math.isnan(expected[0])  # relu(-1) * inf = 0 * inf


def test_a_custom_op_on_a_layers_rows_runs_per_element_and_equals_float_mode():
    cube = ag.op("cube", lambda x: x ** 3, lambda x, out: (3.0 * x * x,))
    layer = nn.Layer(2, 3, activation="tanh", seed=0)
    params = layer.parameters()
    step = ag.compile(lambda x: ag.sum([cube(o) for o in layer(x)]), params=params)
    X = [[0.5, -1.0], [2.0, 0.25]]
    expected = float_mode(step, params, [(x,) for x in X], "sum")
    loss, (dx,) = step.batch(np.array(X), reduce="sum")
    assert_close([loss, *[p.grad for p in params]], [expected[0], *expected[2]])
    assert groups_of(step) == ["Layer", "Elementwise"]  # the tanh; the custom op stays per node


def test_the_numpy_select_on_large_arrays_is_np_where_bit_for_bit():
    from autograd_lite.compiler.batch import numpy_namespace
    where = numpy_namespace(np)["_where"]
    rng = np.random.default_rng(0)
    specials = np.array([np.nan, -np.nan, -0.0, 0.0, np.inf, -np.inf, 5e-324, -1.5])
    a = rng.choice(specials, size=(3, 5000))
    b = rng.standard_normal((3, 5000))
    condition = rng.random((3, 5000)) < 0.5
    for args in [(condition, a, b), (condition, b, a), (condition[0], a, 0.0), (condition, 1.0, -0.0),
                 (condition, a[0], b), (True, a, b)]:
        expected = np.where(*args)
        got = where(*args)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert np.array_equal(got.view(np.int64), expected.view(np.int64))


def test_a_domain_error_in_a_layer_names_the_example():
    layer = nn.Layer(1, 3, activation="linear", seed=0)
    for neuron in layer.neurons:
        neuron.w[0].data = 1.0
    step = ag.compile(lambda x: ag.sum([o.log() for o in layer(x)]), params=layer.parameters())
    with pytest.raises(ValueError, match=r"log: operand must be > 0, got -2.0 \(example 1\)"):
        step.batch(np.array([[1.0], [-2.0]]))
    assert groups_of(step) == ["Layer", "Elementwise"]


def test_every_unary_op_of_the_random_programs_on_a_layer_equals_float_mode():
    # Each op as a whole layer's activation (an Elementwise group) against float mode.
    layer = nn.Layer(1, 3, activation="linear", seed=0)
    params = layer.parameters()
    for name, op in sorted(UNARY.items()):
        step = ag.compile(lambda x: ag.sum([op(o) for o in layer(x)]), params=params)
        rows = [([x],) for x in (-1.5, -0.2, 0.3, 2.0)]
        expected = float_mode(step, params, rows, "sum")
        loss, (dx,) = step.batch(np.array([[x] for (x,), in rows]), reduce="sum")
        assert_close([loss, *[p.grad for p in params]], [expected[0], *expected[2]], 10.0), name
