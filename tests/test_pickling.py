"""Values, graphs and nn models pickle and deep-copy: numbers, grads and labels kept,
sharing kept within what was copied together, any depth, and the copy independent.

Gradients of the copies are checked against derivatives worked out by hand (stated at each
test) or against finite differences, never against the original graph's own backward."""

import copy
import math
import multiprocessing
import pickle

import pytest

import autograd_lite as ag
from autograd_lite import Value, nn
from autograd_lite.testing import gradcheck

# A custom op at module level pickles by reference (the loading process imports this module).
hypot = ag.op("hypot", forward=math.hypot, local=lambda x, y, out: (x / out, y / out))

ROUND_TRIPS = [pytest.param(lambda obj: pickle.loads(pickle.dumps(obj)), id="pickle"),
               pytest.param(copy.deepcopy, id="deepcopy")]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_a_leaf_keeps_its_number_grad_and_label_and_is_a_new_node(round_trip):
    x = Value(-2.5, label="x")
    x.grad = 0.75
    y = round_trip(x)
    assert (y.data, y.grad, y.label, y.op, y.parents) == (-2.5, 0.75, "x", "", ())
    assert y is not x
    y.data, y.grad = 1.0, 0.0  # the copy is independent
    assert (x.data, x.grad) == (-2.5, 0.75)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_backward_through_a_copied_graph_fills_the_copied_leaves(round_trip):
    # L = x*y + sin(x) + 3 at x = 2, y = -1: dL/dx = y + cos x, dL/dy = x
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    L = x * y + x.sin() + 3
    L.label = "L"
    L2, x2, y2 = round_trip((L, x, y))
    assert (L2.data, L2.label, L2.op) == (-2.0 + math.sin(2.0) + 3, "L", "+")
    L2.backward()
    assert x2.grad == pytest.approx(-1.0 + math.cos(2.0), rel=1e-15) and y2.grad == 2.0
    assert (x.grad, y.grad, L.grad) == (0.0, 0.0, 0.0)  # the original is untouched


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_grads_already_computed_are_kept(round_trip):
    x = Value(3.0, label="x")
    u = x * x  # du/dx = 2x = 6
    u.backward()
    u2 = round_trip(u)
    assert (u2.grad, u2.parents[0].grad, u2.parents[0] is u2.parents[1]) == (1.0, 6.0, True)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_ops_with_constants_custom_ops_and_structural_zeros_survive(round_trip):
    a, b = Value(-1.0, label="a"), Value(0.5, label="b")
    parts = [a.relu(), (a ** 3).leaky_relu(0.2), ag.softmax([a, b])[1], hypot(a, b), a.clamp(-0.5, 2.0),
             b ** a]
    out = ag.sum(parts)
    copied = round_trip(out)
    assert [p.op for p in copied.parents] == ["relu", "leaky_relu(0.2)", "softmax[1]", "hypot", "clamp(-0.5, 2)",
                                             "**"]

    def f(a_, b_):  # the same function, for finite differences
        return ag.sum([a_.relu(), (a_ ** 3).leaky_relu(0.2), ag.softmax([a_, b_])[1], hypot(a_, b_),
                       a_.clamp(-0.5, 2.0), b_ ** a_])

    copied.backward()
    a2, b2 = copied.parents[0].parents[0], copied.parents[3].parents[1]
    numeric = gradcheck(f, [-1.0, 0.5]).numeric
    assert [a2.grad, b2.grad] == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_a_structural_zero_still_masks_an_infinite_gradient_in_the_copy(round_trip):
    x = Value(-1.0)
    out = x.relu() * math.inf  # relu is flat at -1: d out/dx is 0, not 0 * inf = nan
    copied = round_trip(out)
    copied.backward()
    assert copied.parents[0].parents[0].grad == 0.0


def test_a_custom_op_that_is_not_importable_is_a_clear_error():
    local_op = ag.op("my local op", forward=lambda x: 2 * x, local=lambda x, out: (2.0,))
    out = local_op(Value(1.0))
    with pytest.raises(pickle.PicklingError, match="custom op 'my local op'.*module level"):
        pickle.dumps(out)
    assert pickle.loads(pickle.dumps(out.detach())).data == 2.0


@pytest.mark.parametrize("round_trip, n", [(copy.deepcopy, 100_000), (ROUND_TRIPS[0].values[0], 30_000)],
                         ids=["deepcopy", "pickle"])
def test_a_long_chain_copies_without_recursion_error(round_trip, n):
    c = 1.000001  # 30 000 is already 30 times the recursion limit
    x = Value(1.0, label="x")
    y = x
    for _ in range(n):
        y = y * c  # dy/dx = c**n
    y2 = round_trip(y)
    y2.backward()
    leaf = y2
    while leaf.parents:
        leaf = leaf.parents[0]
    assert leaf.label == "x" and leaf.grad == pytest.approx(c ** n, rel=1e-9)


def test_a_deep_graph_pickled_twice_in_a_row_stays_flat():
    y = Value(1.0)
    for _ in range(5_000):  # five times the recursion limit
        y = y + 1.0
    middle = y
    for _ in range(5_000):
        y = y + 1.0
    pickle.dumps([middle, y])  # middle is already in the pickle when y's list reaches it
    assert pickle.loads(pickle.dumps(middle)).data == 5_001.0  # and a later pickle of it is flat


# --- nn models -----------------------------------------------------------------------

MODELS = {
    "mlp relu": lambda: nn.MLP(2, [3, 1], seed=1),
    "mlp tanh, softmax output": lambda: nn.MLP(2, [3, 2], activation="tanh", output_activation="softmax", seed=2),
    "trainable scaled sigmoid": lambda: nn.MLP(2, [2, 1], activation=nn.ScaledSigmoid(2.0, 0.5, trainable=True),
                                               seed=3),
    "scaled sigmoid, elu, leaky relu": lambda: nn.MLP(2, [2, 2, 1], activation=["scaled_sigmoid", nn.ELU(0.5)],
                                                      output_activation=nn.LeakyReLU(0.2), seed=4),
    "neuron": lambda: nn.Neuron(2, activation="gelu", seed=5),
    "layer": lambda: nn.Layer(2, 2, activation="silu", seed=6),
    "scaled model": lambda: nn.ScaledModel(nn.MLP(2, [2, 1], seed=7), mean=[0.5, -1.0], std=[2.0, 0.5],
                                           features=["a", "b"]),
}


def _outputs(model, x):
    out = model(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("name", MODELS)
def test_every_model_round_trips_and_the_copy_trains_independently(name, round_trip):
    model = MODELS[name]()
    copied = round_trip(model)
    assert [(n, p.data, p.label) for n, p in copied.named_parameters()] == \
        [(n, p.data, p.label) for n, p in model.named_parameters()]
    assert not {id(p) for p in copied.parameters()} & {id(p) for p in model.parameters()}
    assert _outputs(copied, [0.3, -0.7]) == _outputs(model, [0.3, -0.7])  # same function, same floats
    before = [p.data for p in model.parameters()]
    ag.sum(_as_list(copied([0.3, -0.7]))).backward()
    nn.SGD(copied.parameters(), lr=0.5).step()
    assert [p.data for p in model.parameters()] == before and all(p.grad == 0.0 for p in model.parameters())


def _as_list(out):
    return out if isinstance(out, list) else [out]


def test_a_model_pickled_with_its_optimizer_keeps_them_linked():
    model = nn.MLP(2, [2, 1], seed=8)
    model2, optimizer2 = pickle.loads(pickle.dumps((model, nn.SGD(model.parameters(), lr=0.1))))
    w = model2.parameters()[0]
    w.grad, old = 1.0, w.data
    optimizer2.step()
    assert w.data == pytest.approx(old - 0.1, abs=1e-15)


def _loss_and_grads(model, x, target):
    loss = (model(x) - target) ** 2
    loss.backward()
    return loss.data, [p.grad for p in model.parameters()], model


def test_a_model_goes_through_a_spawned_multiprocessing_pool():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=9)
    x, target = [0.4, -1.2], 0.25
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        loss, grads, returned = pool.apply(_loss_and_grads, (model, x, target))

    numeric = gradcheck(lambda *ps: _loss_with(model, ps, x, target), [p.data for p in model.parameters()]).numeric
    assert grads == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    assert loss == pytest.approx(_loss_with(model, [Value(p.data) for p in model.parameters()], x, target).data)
    assert [p.grad for p in returned.parameters()] == grads  # and back again, grads kept
    assert all(p.grad == 0.0 for p in model.parameters())


def _loss_with(model, params, x, target):
    """The loss with the model's parameters replaced by ``params`` (Values), by hand:
    tanh hidden layer, linear output, as nn.MLP computes it."""
    params = list(params)
    hidden = []
    k = 0
    for _ in range(3):
        w0, w1, b = params[k:k + 3]
        k += 3
        hidden.append((w0 * x[0] + w1 * x[1] + b).tanh())
    w = params[k:k + 3]
    b = params[k + 3]
    out = w[0] * hidden[0] + w[1] * hidden[1] + w[2] * hidden[2] + b
    return (out - target) ** 2


def test_a_loss_pickled_with_its_model_backpropagates_into_the_loaded_model():
    model = nn.MLP(2, [3, 1], activation="tanh", seed=10)
    x, target = [-0.3, 0.8], -0.5
    loss = (model(x) - target) ** 2
    loss2, model2 = pickle.loads(pickle.dumps((loss, model)))
    loss2.backward()
    numeric = gradcheck(lambda *ps: _loss_with(model, ps, x, target), [p.data for p in model.parameters()]).numeric
    assert [p.grad for p in model2.parameters()] == pytest.approx(numeric, rel=1e-5, abs=1e-9)
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_shallow_copy_is_a_new_node_on_the_same_parents():
    x = Value(1.5, label="x")
    y = x * x  # dy/dx = 2x = 3
    y.label = "y"
    z = copy.copy(y)
    assert z is not y and (z.data, z.label, z.op) == (2.25, "y", "*") and z.parents[0] is x
    z.backward()
    assert x.grad == 3.0
