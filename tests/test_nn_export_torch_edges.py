"""nn.to_torch and nn.from_torch off the happy path: diverged and extreme weights, independent
copies, NumPy, threads, no torch installed, and every module or model that cannot cross,
refused with an error naming it (by position and type for from_torch)."""

import inspect
import math
import subprocess
import sys
import textwrap
import warnings

import pytest

from autograd_lite import nn
from autograd_lite.nn import torch_twins

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[export]"')

from torch_export_support import batch, bits, close, in_our_order, linear, random_sequential, randomise  # noqa: E402

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
