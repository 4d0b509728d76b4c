"""nn.to_torch and nn.from_torch, checked against PyTorch as the oracle: the exported module
computes the same outputs (to 1e-12) and, by torch's own autograd on a batch, the same
parameter gradients (to 1e-10) as our backward over the examples; parameters cross in both
directions bitwise. Refusals and edge cases: test_nn_export_torch_edges.py."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import nn
from autograd_lite.nn import activations, export

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[export]"')

from torch_export_support import (batch, bits, check_against_torch, close, in_our_order, linear,  # noqa: E402
                                  random_sequential, randomise)

# Every activation nn offers by name, with the variants that change the module (slopes, alphas,
# a trainable scaled sigmoid); test_every_activation_nn_offers_has_a_case keeps this complete.
CASES = {
    "linear": ["linear"],
    "relu": ["relu"],
    "tanh": ["tanh"],
    "sigmoid": ["sigmoid"],
    "leaky_relu": ["leaky_relu", nn.LeakyReLU(0.3)],
    "elu": ["elu", nn.ELU(0.4)],
    "gelu": ["gelu"],
    "silu": ["silu"],
    "softplus": ["softplus"],
    "scaled_sigmoid": [nn.ScaledSigmoid(2.0, 0.5), nn.ScaledSigmoid(1.5, -0.8, trainable=True)],
    "softmax": ["softmax"],
}
SPECS = [spec for specs in CASES.values() for spec in specs]


# --- every activation, outputs and gradients ----------------------------------------------------

def test_every_activation_nn_offers_has_a_case():
    assert set(CASES) == set(activations.NAMED), "add the new activation to CASES (and to nn/export.py)"
    assert set(export._TO_TORCH) == set(activations.NAMED.values())


@pytest.mark.parametrize("spec", SPECS, ids=repr)
def test_outputs_and_gradients_agree_with_torch(spec):
    if activations.resolve(spec).name == "softmax":
        model = nn.MLP(3, [5, 4], activation="tanh", output_activation=spec, seed=0)
    else:  # hidden and output layers both use it
        model = nn.MLP(3, [5, 4, 2], activation=spec, output_activation=spec, seed=0)
    check_against_torch(randomise(model, 2), batch(3))


@pytest.mark.parametrize("spec", [s for s in SPECS if s != "softmax"], ids=repr)
def test_a_layer_and_a_neuron_agree_with_torch(spec):
    layer = randomise(nn.Layer(3, 4, spec, seed=0), 3)
    assert len(nn.to_torch(layer)) == (1 if activations.resolve(spec).name == "linear" else 2)
    check_against_torch(layer, batch(3))
    neuron = randomise(nn.Neuron(3, spec, seed=0), 4)
    net = nn.to_torch(neuron)
    assert net[0].out_features == 1 and net(torch.zeros(5, 3, dtype=torch.float64)).shape == (5, 1)
    check_against_torch(neuron, batch(3))


def test_a_softmax_layer_is_linear_then_softmax():
    layer = randomise(nn.Layer(3, 4, "softmax", seed=0), 5)
    assert [type(m) for m in nn.to_torch(layer)] == [torch.nn.Linear, torch.nn.Softmax]
    check_against_torch(layer, batch(3))


def test_softplus_is_exact_where_torchs_default_threshold_is_not():
    neuron = nn.Neuron(1, "softplus")
    neuron.set_parameters([1.0, 0.0])
    points = [-800.0, -30.0, 0.0, 19.0, 20.5, 25.0, 33.0, 39.5, 40.5, 700.0]
    ours = [neuron([x]).data for x in points]
    exported = nn.to_torch(neuron)(torch.tensor([[x] for x in points], dtype=torch.float64)).flatten().tolist()
    assert all(close(g, t, 1e-15) for g, t in zip(ours, exported))
    default = torch.nn.Softplus()(torch.tensor(points, dtype=torch.float64)).tolist()
    assert ours[4] - default[4] == pytest.approx(math.log1p(math.exp(-20.5)), rel=1e-6)  # why threshold=40
    assert max(abs(a - b) for a, b in zip(ours, default)) <= math.log1p(math.exp(-20.0))
    assert neuron([33.0]).data != 33.0 and neuron([33.3]).data == 33.3  # where log(1 + e**x) rounds to x


# --- random MLPs --------------------------------------------------------------------------------

HIDDEN = [s for s in SPECS if s != "softmax"]


@st.composite
def mlps(draw):
    nin = draw(st.integers(1, 4))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in sizes[:-1]]
    output = draw(st.sampled_from(SPECS if sizes[-1] > 1 else HIDDEN))
    model = nn.MLP(nin, sizes, activation=hidden, output_activation=output, seed=draw(st.integers(0, 99)))
    return randomise(model, draw(st.integers(0, 99)))


@settings(max_examples=25)
@given(mlps(), st.integers(1, 4), st.integers(0, 99))
def test_random_mlps_agree_with_torch(model, n, seed):
    check_against_torch(model, batch(model.nin, n, seed), seed)


@settings(max_examples=25)
@given(mlps())
def test_to_torch_then_from_torch_keeps_every_parameter_bitwise(model):
    net = nn.to_torch(model)
    assert bits(in_our_order(net)) == bits([p.data for p in model.parameters()])
    assert all(p.dtype == torch.float64 for p in net.parameters())
    back = nn.from_torch(net)
    assert bits([p.data for p in back.parameters()]) == bits([p.data for p in model.parameters()])
    assert back.config() == model.config()


def test_from_torch_then_to_torch_keeps_every_parameter_bitwise():
    net = random_sequential(0)
    again = nn.to_torch(nn.from_torch(net))
    mine = {name: p.detach() for name, p in again.named_parameters()}
    assert list(mine) == ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias", "5.weight", "5.bias"]
    # The Identity is dropped: a linear layer has no module. Same tensors, compared as bits.
    theirs = [p.detach() for p in net.parameters()]
    assert all(torch.equal(a.view(torch.int64), b.view(torch.int64)) for a, b in zip(mine.values(), theirs))
    X = torch.tensor(batch(3), dtype=torch.float64)
    assert torch.allclose(again(X), net(X), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_narrower_floats_are_read_exactly_into_float64(dtype):
    net = random_sequential(1, dtype)
    model = nn.from_torch(net)
    expected = in_our_order(net, lambda p: p.detach().double())
    assert bits([p.data for p in model.parameters()]) == bits(expected)
    assert all(float(x) == x for x in in_our_order(net))  # each value's float is that value: nothing rounded


def test_a_pytorch_default_model_reads_and_agrees():
    torch.manual_seed(2)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(inplace=True), torch.nn.Linear(8, 1))
    model = nn.from_torch(net)
    assert repr(model) == "MLP(2 -> [8 relu, 1 linear], 33 parameters)"
    check_against_torch(model, batch(2))
    X = batch(2)
    reference = net.double()(torch.tensor(X, dtype=torch.float64)).flatten().tolist()
    assert all(close(model(x).data, r, 1e-12) for x, r in zip(X, reference))


def test_one_linear_reads_as_a_linear_mlp():
    linear = torch.nn.Linear(3, 2, dtype=torch.float64)
    model = nn.from_torch(linear)
    assert isinstance(model, nn.MLP) and model.nouts == [2] and model.activations == [activations.Linear()]
    assert bits([p.data for p in model.parameters()]) == bits(in_our_order(torch.nn.Sequential(linear)))


def test_pytorchs_default_softplus_reads_as_softplus_and_exports_with_threshold_40():
    model = nn.from_torch(torch.nn.Sequential(linear(2, 3), torch.nn.Softplus(), linear(3, 1)))
    assert model.activations == [activations.Softplus(), activations.Linear()]
    assert nn.to_torch(model)[1].threshold == 40.0


def test_a_linear_used_twice_becomes_two_layers_with_their_own_copies():
    shared = linear(3, 3)
    model = nn.from_torch(torch.nn.Sequential(shared, torch.nn.Tanh(), shared))
    first, second = model.layers
    assert [n.w[0].data for n in first.neurons] == [n.w[0].data for n in second.neurons]
    assert first.neurons[0].w[0] is not second.neurons[0].w[0]
    check_against_torch(model, batch(3))
