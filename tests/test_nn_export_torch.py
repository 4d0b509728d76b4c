"""nn.to_torch and nn.from_torch, checked against PyTorch as the oracle: the exported module
computes the same outputs (to 1e-12) and, by torch's own autograd on a batch, the same
parameter gradients (to 1e-10) as our backward over the examples; parameters cross in both
directions bitwise; whatever cannot cross is refused with an error naming it."""

import inspect
import math
import random
import struct
import subprocess
import sys
import textwrap
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import nn
from autograd_lite.nn import activations, export, torch_twins

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[export]"')

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


def bits(numbers):
    return [struct.pack("<d", x) for x in numbers]


def close(got, expected, tolerance):
    return abs(got - expected) <= tolerance * max(1.0, abs(expected))


def randomise(model, seed):
    """Nonzero biases and per-neuron c, beta too, so every parameter's gradient is exercised."""
    rng = random.Random(seed)
    model.set_parameters([p.data + rng.uniform(-0.5, 0.5) for p in model.parameters()])
    return model


def torch_pairs(net):
    """[(Linear, activation module or None)] of an exported Sequential."""
    items, pairs = list(net), []
    for item in items:
        if isinstance(item, torch.nn.Linear):
            pairs.append([item, None])
        else:
            pairs[-1][1] = item
    return pairs


def in_our_order(net, of=lambda tensor: tensor):
    """The Sequential's parameters (or ``of`` each, e.g. its grad) as floats in nn's documented
    parameter order: per neuron its weights, its bias, then c and beta if trainable."""
    flat = []
    for linear, act in torch_pairs(net):
        extra = [of(act.c), of(act.beta)] if getattr(act, "trainable", False) else []
        for j in range(linear.out_features):
            flat += of(linear.weight)[j].tolist() + [of(linear.bias)[j].item()] + [e[j].item() for e in extra]
    return flat


def outputs_as_rows(model, X):
    """Our model's outputs, one row of floats per example (PyTorch's (batch, nout) layout)."""
    rows = []
    for x in X:
        out = model(x)
        rows.append([v.data for v in out] if isinstance(out, list) else [out.data])
    return rows


def check_against_torch(model, X, seed=0):
    """Outputs to 1e-12 and parameter gradients of a weighted sum of all outputs to 1e-10."""
    net = nn.to_torch(model)
    nout = len(outputs_as_rows(model, X[:1])[0])
    rng = random.Random(seed)
    R = [[rng.uniform(-1, 1) for _ in range(nout)] for _ in X]

    out = net(torch.tensor(X, dtype=torch.float64))
    (out * torch.tensor(R, dtype=torch.float64)).sum().backward()

    model.zero_grad()
    loss = 0.0
    for x, r in zip(X, R):
        y = model(x)
        for v, weight in zip(y if isinstance(y, list) else [y], r):
            loss = loss + v * weight
    loss.backward()

    ours_out = outputs_as_rows(model, X)
    for got_row, torch_row in zip(ours_out, out.tolist()):
        assert all(close(g, t, 1e-12) for g, t in zip(got_row, torch_row)), (got_row, torch_row)
    torch_grads = in_our_order(net, lambda p: p.grad)
    ours = [p.grad for p in model.parameters()]
    assert len(ours) == len(torch_grads)
    bad = [(name, g, t) for (name, _), g, t in zip(model.named_parameters(), ours, torch_grads)
           if not close(g, t, 1e-10)]
    assert not bad, bad[:5]


def batch(nin, n=6, seed=1, scale=3.0):
    rng = random.Random(seed)
    return [[rng.uniform(-scale, scale) for _ in range(nin)] for _ in range(n)]


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


def random_sequential(seed, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.GELU(), torch.nn.Linear(6, 6), torch.nn.Identity(),
                               torch.nn.Linear(6, 4), torch.nn.LeakyReLU(0.1), torch.nn.Linear(4, 2),
                               torch.nn.Softmax(dim=-1)).to(dtype)


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


# --- off the happy path ---------------------------------------------------------------------

def test_a_diverged_model_crosses_as_it_is():
    """nan and inf are values: exported and read back unchanged, so a diverged model can be
    inspected in PyTorch (nn.save refuses it; export does not judge)."""
    model = nn.MLP(2, [3, 1], seed=0)
    values = [p.data for p in model.parameters()]
    values[0], values[3], values[5] = math.nan, math.inf, -math.inf
    model.set_parameters(values)
    net = nn.to_torch(model)
    assert math.isnan(net[0].weight[0, 0].item()) and net[0].weight[1, 0].item() == math.inf
    assert net[0].bias[1].item() == -math.inf
    back = [p.data for p in nn.from_torch(net).parameters()]
    assert math.isnan(back[0]) and bits(back[1:]) == bits(values[1:])


def test_huge_tiny_and_signed_zero_weights_cross_bitwise():
    extremes = [1.7976931348623157e308, 5e-324, -0.0, 2.2250738585072014e-308, -1e-300, 3.0, 0.1]
    model = nn.MLP(2, [2, 1], seed=0)
    model.set_parameters(extremes + [0.5, -0.0])
    net = nn.to_torch(model)
    assert bits(in_our_order(net)) == bits(extremes + [0.5, -0.0])
    assert bits([p.data for p in nn.from_torch(net).parameters()]) == bits(extremes + [0.5, -0.0])


def test_the_exported_module_is_an_independent_copy():
    model = randomise(nn.MLP(2, [3, 1], seed=0), 0)
    before = model.state_dict()
    net = nn.to_torch(model)
    with torch.no_grad():
        net[0].weight.add_(1.0)
    assert model.state_dict() == before
    exported = bits(in_our_order(net))
    model.set_parameters([0.0] * model.num_parameters)
    assert bits(in_our_order(net)) == exported


def test_the_exported_module_takes_tensors_made_from_numpy():
    np = pytest.importorskip("numpy")
    model = randomise(nn.MLP(2, [3, 1], activation="tanh", seed=0), 0)
    X = np.array(batch(2))
    out = nn.to_torch(model)(torch.from_numpy(X)).flatten().tolist()
    assert all(close(model(x).data, o, 1e-12) for x, o in zip(X, out))
    with pytest.raises(TypeError, match="must be Tensor"):
        nn.to_torch(model)(X)


def test_from_torch_leaves_the_module_as_it_was_and_reads_modules_that_hold_gradients():
    net = random_sequential(3)
    net(torch.ones(2, 3, dtype=torch.float64)).sum().backward()
    saved = {name: (p.detach().clone(), p.grad.clone()) for name, p in net.named_parameters()}
    nn.from_torch(net)
    assert all(torch.equal(p, saved[n][0]) and torch.equal(p.grad, saved[n][1]) for n, p in net.named_parameters())


def test_the_scaled_sigmoid_twin_is_a_named_class_that_pickles():
    import pickle

    net = nn.to_torch(nn.MLP(2, [3, 1], activation=nn.ScaledSigmoid(2.0, 0.5, trainable=True), seed=0))
    twin = torch_twins.TorchScaledSigmoid
    assert type(net[1]) is twin and twin.__module__ == "autograd_lite.nn.torch_twins"
    again = pickle.loads(pickle.dumps(net))
    assert type(again[1]) is twin and torch.equal(again[1].c, net[1].c)
    assert [name for name, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.c", "1.beta", "2.weight",
                                                            "2.bias"]
    with pytest.raises(AttributeError, match="no_such"):
        torch_twins.no_such


def linear(nin, nout, **options):
    return torch.nn.Linear(nin, nout, dtype=torch.float64, **options)


def empty_linear():
    with warnings.catch_warnings():  # torch warns that initialising a zero-element weight does nothing
        warnings.simplefilter("ignore", UserWarning)
        return linear(0, 3)


class MyLinear(torch.nn.Linear):
    def forward(self, x):
        return 2 * super().forward(x)


UNREADABLE = [
    (torch.nn.Sequential(linear(2, 3), torch.nn.Conv1d(1, 1, 1)), TypeError, r"item 1 \(Conv1d\) is not a module"),
    (torch.nn.Sequential(linear(2, 3, bias=False)), ValueError, r"item 0 \(Linear\) has no bias"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.ReLU(), linear(4, 1)), ValueError,
     r"item 2 \(Linear\) takes 4 inputs, but the layer before gives 3"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.ReLU(), torch.nn.Tanh()), ValueError,
     r"item 2 \(Tanh\) follows another activation"),
    (torch.nn.Sequential(torch.nn.ReLU(), linear(2, 3)), ValueError, r"item 0 \(ReLU\) comes first"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.Softmax(dim=-1), linear(3, 1)), ValueError,
     r"item 1 \(Softmax\).*as the last item"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.Softmax(dim=0)), ValueError, r"item 1 \(Softmax\)"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.GELU(approximate="tanh")), ValueError,
     r"item 1 \(GELU\) uses approximate='tanh'"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.Softplus(beta=2.0)), ValueError, r"item 1 \(Softplus\) has beta=2"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.Softplus(threshold=5.0)), ValueError, r"threshold>=20"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.Softplus(threshold=math.nan)), ValueError, r"threshold>=20"),
    (torch.nn.Sequential(empty_linear()), ValueError, r"item 0 \(Linear\) has 0 inputs and 3 outputs"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.LeakyReLU(1.5)), ValueError, r"item 1 \(LeakyReLU\): leaky_relu slope"),
    (torch.nn.Sequential(linear(2, 3), torch.nn.ELU(math.inf)), ValueError, r"item 1 \(ELU\): elu alpha"),
    (torch.nn.Sequential(MyLinear(2, 3)), TypeError, r"item 0 \(MyLinear\) is a subclass of Linear"),
    (torch.nn.Sequential(torch.nn.Linear(2, 3, dtype=torch.complex128)), TypeError,
     r"item 0 \(Linear\): its weight is torch.complex128"),
    (torch.nn.Sequential(torch.nn.Sequential(linear(2, 3))), TypeError, r"item 0 \(Sequential\) is not a module"),
    (torch.nn.Sequential(), ValueError, "the Sequential is empty"),
    (torch.nn.ReLU(), TypeError, "reads a torch.nn.Sequential .* got ReLU"),
    ("not a module", TypeError, "got str"),
    (torch.nn.Sequential(torch.nn.LazyLinear(3)), TypeError, r"item 0 \(LazyLinear\) is a subclass of Linear"),
    (torch.nn.Sequential(torch.nn.Linear(2, 3, device="meta")), ValueError, r"item 0 \(Linear\): its weight holds no"),
    (torch.nn.Sequential(linear(2, 3), torch_twins.TorchScaledSigmoid(4)), ValueError,
     r"item 1 \(TorchScaledSigmoid\) has 4 features, but the Linear before it gives 3"),
    (torch.nn.Sequential(linear(2, 2), torch.nn.Dropout()), TypeError, r"item 1 \(Dropout\) is not a module"),
]


@pytest.mark.parametrize("module, error, message", UNREADABLE, ids=lambda x: None)
def test_what_from_torch_cannot_read_is_refused_by_index_and_type(module, error, message):
    with pytest.raises(error, match=message):
        nn.from_torch(module)


def test_a_wrong_shaped_weight_is_refused():
    layer = linear(2, 3)
    layer.weight = torch.nn.Parameter(torch.zeros(3, 5, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"item 0 \(Linear\): its weight has shape \(3, 5\), expected \(3, 2\)"):
        nn.from_torch(layer)


def test_a_model_too_big_for_python_values_is_refused_unless_asked_for():
    big = torch.nn.Sequential(linear(100, 100), torch.nn.ReLU(), linear(100, 1))
    with pytest.raises(ValueError, match="10,201 parameters, more than max_parameters=10,000"):
        nn.from_torch(big, max_parameters=10_000)
    assert nn.from_torch(big, max_parameters=10_201).num_parameters == 10_201
    assert inspect.signature(nn.from_torch).parameters["max_parameters"].default == 1_000_000


def test_what_to_torch_cannot_export_is_refused_and_the_model_kept():
    def bump(a):
        return a * 2.0

    model = nn.MLP(2, [3, 1], activation=bump, seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"layer 0's activation 'bump' has no PyTorch twin.*use one of those"):
        nn.to_torch(model)
    assert model.state_dict() == before
    scaled = nn.ScaledModel(nn.MLP(2, [1], seed=0), mean=[0.0, 1.0], std=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"export model.network and give it \(x - model.mean\) / model.std"):
        nn.to_torch(scaled)
    with pytest.raises(TypeError, match="exports an nn.MLP, nn.Layer or nn.Neuron, got list"):
        nn.to_torch([1.0])


def run_without_torch(code):
    prelude = 'import sys\nsys.modules["torch"] = None  # as if torch were not installed\n'
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=120)


def test_without_torch_nn_imports_and_export_names_the_extra():
    result = run_without_torch("""
        from autograd_lite import nn
        import nn as short
        for call in (lambda: nn.to_torch(nn.MLP(2, [1])), lambda: nn.from_torch(None)):
            try:
                call()
            except ImportError as error:
                print("ImportError:", error)
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(line == 'ImportError: exporting to PyTorch needs torch, which is not installed: '
                       'pip install "autograd-lite[export]"' for line in lines)


def test_the_export_extra_installs_torch():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert config["project"]["optional-dependencies"]["export"] == [f"torch=={torch.__version__.split('+')[0]}"]


def test_pytorchs_default_softplus_reads_as_softplus_and_exports_with_threshold_40():
    model = nn.from_torch(torch.nn.Sequential(linear(2, 3), torch.nn.Softplus(), linear(3, 1)))
    assert model.activations == [activations.Softplus(), activations.Linear()]
    assert nn.to_torch(model)[1].threshold == 40.0


def test_threads_making_the_twin_at_once_get_one_class(monkeypatch):
    import threading
    import time

    made = torch_twins._make_scaled_sigmoid_class

    def slow_make(torch_module):
        time.sleep(0.05)  # widen the window in which a second thread could make a second class
        return made(torch_module)

    monkeypatch.setattr(torch_twins, "_made", {})  # as before the first use
    monkeypatch.setattr(torch_twins, "_make_scaled_sigmoid_class", slow_make)
    start, classes = threading.Barrier(8), []

    def first_use():
        start.wait()
        classes.append(torch_twins.scaled_sigmoid_class())

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(classes) == 8 and len(set(classes)) == 1


def test_a_linear_used_twice_becomes_two_layers_with_their_own_copies():
    shared = linear(3, 3)
    model = nn.from_torch(torch.nn.Sequential(shared, torch.nn.Tanh(), shared))
    first, second = model.layers
    assert [n.w[0].data for n in first.neurons] == [n.w[0].data for n in second.neurons]
    assert first.neurons[0].w[0] is not second.neurons[0].w[0]
    check_against_torch(model, batch(3))
