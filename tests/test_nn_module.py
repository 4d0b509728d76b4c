"""nn.Neuron, nn.Layer and nn.MLP: shapes, parameter order, initialisation, the graph a
neuron builds, and gradients checked against the hand-derived delta rule."""

import math
import random

import pytest

import autograd_lite
from autograd_lite import Value
from autograd_lite import nn


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


# --- shapes and return types ---------------------------------------------------------

def test_mlp_with_one_output_returns_a_value_and_with_several_a_list():
    assert isinstance(nn.MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = nn.MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(o, Value) for o in out)


def test_a_one_neuron_inner_layer_works_unlike_micrograd():
    model = nn.MLP(2, [16, 1, 1], seed=0)
    assert isinstance(model([0.5, -0.5]), Value)


def test_layer_always_returns_a_list():
    assert len(nn.Layer(3, 1, seed=0)([1, 2, 3])) == 1


def test_wrong_number_of_inputs_is_a_clear_error():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        nn.MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_layer_sizes_must_be_positive_ints(bad):
    with pytest.raises(ValueError, match="positive int"):
        nn.MLP(2, [bad, 1])


def test_unknown_activation_and_init_name_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        nn.MLP(2, [3, 1], activation="swish")
    with pytest.raises(ValueError, match="unknown init 'normal'.*he"):
        nn.MLP(2, [3, 1], init="normal")
    with pytest.raises(ValueError, match="softmax.*whole layer"):
        nn.Neuron(2, activation="softmax")


# --- parameters -------------------------------------------------------------------------

def test_parameter_order_is_layer_neuron_weights_then_bias():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layer0/neuron0/w0", "layer0/neuron0/w1", "layer0/neuron0/b", "layer0/neuron1/w0"]
    assert names[-4:] == ["layer1/neuron0/w0", "layer1/neuron0/w1", "layer1/neuron0/w2", "layer1/neuron0/b"]
    params = model.parameters()
    assert params[0] is model.layers[0].neurons[0].w[0]
    assert params[2] is model.layers[0].neurons[0].b
    assert params[-1] is model.layers[1].neurons[0].b


def test_parameter_count_is_sum_of_fan_in_plus_one_per_neuron():
    assert nn.MLP(2, [16, 16, 1]).num_parameters == 16 * 3 + 16 * 17 + 1 * 17 == 337
    assert "337 parameters" in repr(nn.MLP(2, [16, 16, 1]))


def test_trainable_scaled_sigmoid_adds_c_and_beta_after_the_bias():
    neuron = nn.Neuron(2, activation=nn.ScaledSigmoid(c=2.0, beta=3.0, trainable=True), seed=0)
    assert [name for name, _ in neuron.named_parameters()] == ["w0", "w1", "b", "c", "beta"]
    assert nn.Neuron(2, activation=nn.ScaledSigmoid(2.0, 3.0), seed=0).num_parameters == 3


def test_set_parameters_and_set_weights_set_values_in_the_documented_order():
    model = nn.MLP(2, [2, 1], seed=0)
    model.set_parameters([1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert model.layers[0].neurons[1].w[0].data == 4.0 and model.layers[1].neurons[0].b.data == 9.0
    model.layers[0].set_weights([[10, 20], [30, 40]], [50, 60])
    assert [p.data for p in model.layers[0].parameters()] == [10, 20, 50, 30, 40, 60]


def test_failed_load_state_dict_changes_nothing():
    model = nn.MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    bad = dict(before, **{"layer1/neuron0/b": "oops"})
    with pytest.raises(TypeError, match="layer1/neuron0/b"):
        model.load_state_dict(bad)
    with pytest.raises(ValueError, match="missing"):
        model.load_state_dict({"layer0/neuron0/w0": 1.0})
    with pytest.raises(ValueError, match="expects 9 numbers"):
        model.set_parameters([1.0] * 8)
    assert model.state_dict() == before


def test_zero_grad_clears_every_parameter():
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- initialisation --------------------------------------------------------------------

def test_same_seed_same_weights_and_no_global_random_state_used():
    random.seed(1)
    state = random.getstate()
    assert nn.MLP(3, [4, 2], seed=7).state_dict() == nn.MLP(3, [4, 2], seed=7).state_dict()
    assert nn.MLP(3, [4, 2], seed=7).state_dict() != nn.MLP(3, [4, 2], seed=8).state_dict()
    assert random.getstate() == state


@pytest.mark.parametrize("init, bound_of", [
    ("uniform", lambda fan_in, fan_out: 1.0),
    ("he", lambda fan_in, fan_out: math.sqrt(6 / fan_in)),
    ("xavier", lambda fan_in, fan_out: math.sqrt(6 / (fan_in + fan_out))),
])
def test_init_draws_weights_within_the_scheme_bound_and_zero_biases(init, bound_of):
    model = nn.MLP(50, [40, 1], init=init, seed=0)
    for layer in model.layers:
        bound = bound_of(layer.nin, layer.nout)
        weights = [w.data for n in layer.neurons for w in n.w]
        assert max(abs(w) for w in weights) <= bound
        assert max(abs(w) for w in weights) > 0.8 * bound  # the whole range is used
        assert all(n.b.data == 0.0 for n in layer.neurons)


def test_uniform_init_draws_what_micrograd_draws_from_the_same_seed():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(42)
    theirs = micrograd_nn.MLP(2, [4, 1])
    ours = nn.MLP(2, [4, 1], init="uniform", seed=42)
    assert [p.data for p in ours.parameters()] == [float(p.data) for p in theirs.parameters()]


# --- the graph a neuron builds ----------------------------------------------------------

def test_a_neuron_is_one_dot_node_with_the_bias_as_weight_on_a_constant_one():
    neuron = nn.Neuron(2, activation="tanh", seed=0)
    out = neuron([3.0, 4.0])
    assert out.op == "tanh"
    (pre,) = out.parents
    assert pre.op == "dot"
    ws, xs = pre.parents[:3], pre.parents[3:]
    assert list(ws) == neuron.parameters()
    assert [x.data for x in xs] == [3.0, 4.0, 1.0]
    w0, w1 = (w.data for w in neuron.w)
    assert pre.data == pytest.approx(3 * w0 + 4 * w1 + neuron.b.data)


def test_forward_values_carry_the_module_path_as_scope():
    model = nn.MLP(2, [3, 1], seed=0)
    out = model([1.0, 2.0])
    assert out.scope == "mlp/layer1/neuron0"
    hidden = [p for p in out.parents if p.op == "relu"]  # the output neuron is linear: out is its dot
    assert [h.scope for h in hidden] == ["mlp/layer0/neuron0", "mlp/layer0/neuron1", "mlp/layer0/neuron2"]
    with autograd_lite.scope("outer"):
        assert model([1.0, 2.0]).scope == "outer/mlp/layer1/neuron0"
    assert Value(1.0).scope == ""  # the scope is left after the call


def test_no_grad_forward_records_nothing():
    with autograd_lite.no_grad():
        out = nn.MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert out.parents == ()


def test_softmax_output_layer_gives_probabilities():
    out = nn.MLP(2, [3, 4], output_activation="softmax", seed=0)([1.0, -2.0])
    assert [o.op for o in out] == ["softmax[0]", "softmax[1]", "softmax[2]", "softmax[3]"]
    assert sum(o.data for o in out) == pytest.approx(1.0)


def test_a_callable_activation_is_applied_per_neuron():
    neuron = nn.Neuron(1, activation=lambda a: a * a, seed=0)
    neuron.set_parameters([2.0, 1.0])
    assert neuron([3.0]).data == 49.0


# --- gradients: the delta rule by hand ----------------------------------------------------

def test_2_2_1_sigmoid_network_gradients_match_the_hand_derived_delta_rule():
    W1, b1, W2, b2 = [[0.15, -0.2], [0.25, 0.3]], [0.35, -0.1], [0.4, -0.5], 0.6
    x, y = [0.05, 0.1], 1.0
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
    model.layers[0].set_weights(W1, b1)
    model.layers[1].set_weights([W2], [b2])
    nn.binary_cross_entropy(model(x), y).backward()

    h = [sigmoid(sum(w * xi for w, xi in zip(W1[j], x)) + b1[j]) for j in range(2)]
    o = sigmoid(W2[0] * h[0] + W2[1] * h[1] + b2)
    delta_out = o - y                                                # sigmoid + log loss
    delta_hidden = [h[j] * (1 - h[j]) * W2[j] * delta_out for j in range(2)]  # f'(z) w delta
    expected = []
    for j in range(2):
        expected += [delta_hidden[j] * x[0], delta_hidden[j] * x[1], delta_hidden[j]]
    expected += [delta_out * h[0], delta_out * h[1], delta_out]
    assert [p.grad for p in model.parameters()] == pytest.approx(expected, rel=1e-12)


def test_mlp_gradients_match_central_finite_differences():
    model = nn.MLP(3, [4, 3, 2], activation="tanh", seed=3)
    x = [0.3, -1.2, 0.7]

    def loss():
        return nn.cross_entropy(model(x), 1)

    loss().backward()
    for p in model.parameters():
        original, h = p.data, 1e-6
        p.data = original + h
        up = loss().data
        p.data = original - h
        down = loss().data
        p.data = original
        assert p.grad == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_a_training_step_graph_is_freed_without_the_cyclic_gc():
    import gc
    import weakref

    model = nn.MLP(2, [3, 1], activation=nn.ScaledSigmoid(trainable=True), seed=0)
    gc.disable()
    try:
        loss = nn.mse_loss(model([1.0, 2.0]), 0.5)
        loss.backward()
        probe = weakref.ref(loss.parents[0])
        del loss
        assert probe() is None  # reference counting alone freed it: no cycles
    finally:
        gc.enable()


def test_parameters_carry_their_module_path_as_scope_too():
    model = nn.MLP(2, [3, 1], activation=nn.ScaledSigmoid(trainable=True), seed=0)
    named = dict(model.named_parameters())
    assert named["layer0/neuron2/w1"].scope == "mlp/layer0/neuron2"
    assert named["layer0/neuron2/c"].scope == "mlp/layer0/neuron2"
    assert named["layer1/neuron0/b"].scope == "mlp/layer1/neuron0"
