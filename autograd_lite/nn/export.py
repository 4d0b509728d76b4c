"""Models to and from PyTorch: ``to_torch(model)`` and ``from_torch(module)``.

``to_torch`` turns an ``MLP`` into a ``torch.nn.Sequential`` of ``Linear`` layers, each
followed by its activation's module (none for a linear layer), in float64 and holding
bitwise the same numbers: layer ``i``'s ``weight[j, k]`` is ``layers[i].neurons[j].w[k]``
and its ``bias[j]`` is that neuron's bias. A ``Layer`` becomes ``Sequential(Linear,
activation)`` and a ``Neuron`` ``Sequential(Linear(nin, 1), activation)``: PyTorch modules
take a batch, shape ``(batch, nin)``, and give ``(batch, nout)``, also for one output (where
our model gives one Value per example). The copy is independent: training one changes
nothing in the other. nan and inf parameters (a model that diverged) are copied as they are.

==========================================  =====================================================
autograd-lite activation                    PyTorch module
==========================================  =====================================================
``linear`` (or None)                        none (the Linear's output is the layer's)
``relu``, ``tanh``, ``sigmoid``, ``silu``   ``nn.ReLU()``, ``nn.Tanh()``, ``nn.Sigmoid()``, ``nn.SiLU()``
``gelu``                                    ``nn.GELU()`` (the exact erf form)
``leaky_relu(slope)``, ``elu(alpha)``       ``nn.LeakyReLU(slope)``, ``nn.ELU(alpha)``
``softplus``                                ``nn.Softplus(beta=1, threshold=40)``
``softmax`` (the output layer)              ``nn.Softmax(dim=-1)``
``ScaledSigmoid(c, beta, trainable)``       ``TorchScaledSigmoid``: ``c * sigmoid(beta * x)``
==========================================  =====================================================

Softplus's ``threshold=40``: above its threshold PyTorch returns ``x`` itself, and beyond
about 33.3 ``log(1 + e**x)`` rounds to ``x`` in float64, so the module is our softplus;
PyTorch's default, 20, is off by up to 2.1e-9 just above 20. ``TorchScaledSigmoid`` (from
``autograd_lite.nn.torch_twins``) holds c and beta as floats, or, trainable, as Parameters
of shape ``(nout,)``: one c and one beta per neuron, as ``nn.ScaledSigmoid(trainable=True)``
gives each neuron its own. A Python-function activation has no PyTorch twin and is refused.

``from_torch`` reads such a module back into an ``MLP``: a ``Sequential`` (or one ``Linear``)
in which each ``Linear`` (with a bias) is followed by at most one activation module of the
types above (``nn.Identity`` reads as linear; ``nn.Softplus`` needs ``beta=1`` and a
threshold of at least 20, PyTorch's default; ``nn.GELU`` the exact form; ``nn.Softmax`` is
last, over ``dim=-1``). Weights may be on any device and float16, bfloat16, float32 or
float64: each of those is a float64 exactly, so nothing is rounded. Anything else raises a
ValueError or TypeError naming the item's index and type; everything is read and checked
before the model is built. A module with a forward hook or pre-hook, a backward hook, a
hook on a parameter, a parametrization (``weight_norm``) or a global module hook is refused,
naming it (see :mod:`.torch_hooks`). Both round trips keep every parameter bitwise. A ``Linear`` that
appears twice in the ``Sequential`` (tied weights) becomes two layers, each with its own copy.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any, cast, overload

from . import activations
from .gpt import GPT
from .inputs import real
from .module import MLP, Layer, Neuron
from .scaled import ScaledModel
from .torch_hooks import refuse_hooks
from .torch_twins import require_torch, scaled_sigmoid_class

if TYPE_CHECKING:
    from torch import nn as torch_nn

# Inside the functions, ``torch`` is the module require_torch() returned: Any to a type checker.

SOFTPLUS_THRESHOLD = 40.0  # from here on log(1 + e**x) rounds to x in float64
SOFTPLUS_MIN_THRESHOLD = 20.0  # PyTorch's default: off by at most log1p(e**-20) = 2.1e-9


# --- to_torch -------------------------------------------------------------------------------

def _layers_of(model: MLP | Layer | Neuron) -> list[tuple[list[Neuron], activations.Activation]]:
    """[(Layer or Neuron's pseudo-layer neurons, activation)], the model's layers in order."""
    if isinstance(model, ScaledModel):
        raise TypeError("to_torch exports a network, and this ScaledModel also standardises its inputs: "
                        "export model.network and give it (x - model.mean) / model.std")
    if isinstance(model, MLP):
        return [(layer.neurons, layer.activation) for layer in model.layers]
    if isinstance(model, Layer):
        return [(model.neurons, model.activation)]
    if isinstance(model, Neuron):
        return [([model], model.activation)]
    raise TypeError(f"to_torch exports an nn.MLP, nn.Layer or nn.Neuron, got {type(model).__name__}")


def _check_translatable(index: int, activation: activations.Activation) -> None:
    if type(activation) not in _TO_TORCH:
        named = ", ".join(sorted(activations.NAMED))
        raise ValueError(f"layer {index}'s activation {activation.name!r} has no PyTorch twin: to_torch translates "
                         f"nn's named activations ({named}); use one of those, or write the PyTorch module "
                         "yourself")


def _activation_module(torch: ModuleType, activation: activations.Activation, neurons: list[Neuron]) -> Any:
    if isinstance(activation, activations.ScaledSigmoid):
        module = scaled_sigmoid_class()(len(neurons), activation.c, activation.beta, activation.trainable)
        if activation.trainable:
            per_neuron = [dict(n.named_parameters()) for n in neurons]
            with torch.no_grad():
                module.c.copy_(torch.tensor([p["c"].data for p in per_neuron], dtype=torch.float64))
                module.beta.copy_(torch.tensor([p["beta"].data for p in per_neuron], dtype=torch.float64))
        return module
    return _TO_TORCH[type(activation)](torch, activation)


_TO_TORCH: dict[type[activations.Activation], Any] = {
    activations.Linear: lambda torch, a: None,
    activations.ReLU: lambda torch, a: torch.nn.ReLU(),
    activations.Tanh: lambda torch, a: torch.nn.Tanh(),
    activations.Sigmoid: lambda torch, a: torch.nn.Sigmoid(),
    activations.SiLU: lambda torch, a: torch.nn.SiLU(),
    activations.GELU: lambda torch, a: torch.nn.GELU(approximate="none"),
    activations.Softplus: lambda torch, a: torch.nn.Softplus(beta=1.0, threshold=SOFTPLUS_THRESHOLD),
    activations.LeakyReLU: lambda torch, a: torch.nn.LeakyReLU(a.slope),
    activations.ELU: lambda torch, a: torch.nn.ELU(a.alpha),
    activations.Softmax: lambda torch, a: torch.nn.Softmax(dim=-1),
    activations.ScaledSigmoid: None,  # its module holds per-neuron numbers: _activation_module
}


@overload
def to_torch(model: GPT) -> Any: ...
@overload
def to_torch(model: MLP | Layer | Neuron) -> torch_nn.Sequential: ...


def to_torch(model: MLP | Layer | Neuron | GPT) -> Any:
    """A ``torch.nn.Sequential`` in float64 computing what ``model`` (an ``nn.MLP``,
    ``nn.Layer`` or ``nn.Neuron``) computes, with bitwise the same parameters, on batches of
    shape ``(batch, nin)``. See the module docstring for the activations' modules. An
    ``nn.GPT`` becomes a ``TorchGPT`` (:mod:`autograd_lite.nn.torch_gpt`). The model is not
    changed. ImportError without torch (``pip install "autograd-lite[export]"``)."""
    if isinstance(model, GPT):
        from .torch_gpt import gpt_to_torch

        return gpt_to_torch(model)
    layers = _layers_of(model)
    for index, (_, activation) in enumerate(layers):
        _check_translatable(index, activation)
    torch = require_torch()
    modules: list[Any] = []
    for neurons, activation in layers:
        linear = torch.nn.Linear(neurons[0].nin, len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons], dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules.append(linear)
        act = _activation_module(torch, activation, neurons)
        if act is not None:
            modules.append(act)
    return cast("torch_nn.Sequential", torch.nn.Sequential(*modules))


# --- from_torch -----------------------------------------------------------------------------

MAX_PARAMETERS = 1_000_000  # one Python Value each (~200 bytes): a bigger torch model is a mistake here


class _ReadLayer:
    """One Linear and its activation, read and checked: plain Python floats only."""

    def __init__(self, rows: list[list[float]], biases: list[float], activation: activations.Activation,
                 per_neuron: dict[str, list[float]]) -> None:
        self.rows, self.biases, self.activation, self.per_neuron = rows, biases, activation, per_neuron


def _describe(index: int, module: object) -> str:
    return f"from_torch: item {index} ({type(module).__name__})"


def _floats(torch: ModuleType, where: str, tensor: object, what: str, shape: tuple[int, ...]) -> Any:
    """The tensor's numbers as nested lists of Python floats, exactly; TypeError/ValueError
    naming ``where`` if it is not a real float tensor of ``shape`` with values."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{where}: its {what} is a {type(tensor).__name__}, not a tensor")
    if torch.nn.parameter.is_lazy(tensor) or tensor.device.type == "meta":
        raise ValueError(f"{where}: its {what} holds no values yet (lazy or on the meta device); "
                         "run a batch through the module or load its weights first")
    if tensor.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise TypeError(f"{where}: its {what} is {tensor.dtype}; from_torch reads float16, bfloat16, float32 "
                        "or float64 (each converts to float64 exactly)")
    if tuple(tensor.shape) != shape:
        raise ValueError(f"{where}: its {what} has shape {tuple(tensor.shape)}, expected {shape}")
    return tensor.detach().cpu().to(torch.float64).tolist()


def _read_linear(torch: ModuleType, index: int, linear: Any) -> tuple[list[list[float]], list[float]]:
    where = _describe(index, linear)
    if type(linear) is not torch.nn.Linear:
        raise TypeError(f"{where} is a subclass of Linear, which may compute something else; from_torch reads "
                        "torch.nn.Linear itself")
    if linear.bias is None:
        raise ValueError(f"{where} has no bias, and every autograd-lite neuron has one: use Linear(..., bias=True) "
                         "(a zero bias computes the same)")
    shape = (linear.out_features, linear.in_features)
    if min(shape) < 1:
        raise ValueError(f"{where} has {shape[1]} inputs and {shape[0]} outputs; a layer needs at least 1 of each")
    return _floats(torch, where, linear.weight, "weight", shape), _floats(torch, where, linear.bias, "bias", shape[:1])


def _simple_activations(torch: ModuleType) -> dict[type[Any], str]:
    nn_ = torch.nn
    return {nn_.Identity: "linear", nn_.ReLU: "relu", nn_.Tanh: "tanh", nn_.Sigmoid: "sigmoid", nn_.SiLU: "silu"}


def _activation_types(torch: ModuleType) -> tuple[type[Any], ...]:
    nn_ = torch.nn
    return (*_simple_activations(torch), nn_.GELU, nn_.Softplus, nn_.LeakyReLU, nn_.ELU, nn_.Softmax,
            scaled_sigmoid_class())


def _unreadable(index: int, module: object) -> TypeError:
    return TypeError(f"{_describe(index, module)} is not a module from_torch can read; it reads a Sequential of "
                     "Linear layers, each followed by at most one of Identity, ReLU, Tanh, Sigmoid, SiLU, GELU, "
                     "Softplus, LeakyReLU, ELU, TorchScaledSigmoid or (last) Softmax")


def _read_activation(torch: ModuleType, index: int, module: Any, nout: int,
                     last: bool) -> tuple[activations.Activation, dict[str, list[float]]]:
    """(nn activation, {parameter name: [one float per neuron]}) for the module after a Linear."""
    where, kind, nn_ = _describe(index, module), type(module), torch.nn
    simple = _simple_activations(torch)
    if kind in simple:
        return activations.resolve(simple[kind]), {}
    if kind is nn_.GELU:
        if module.approximate != "none":
            raise ValueError(f"{where} uses approximate={module.approximate!r}; nn's gelu is the exact erf form, "
                             "GELU(approximate='none')")
        return activations.GELU(), {}
    if kind is nn_.Softplus:
        if module.beta != 1 or not module.threshold >= SOFTPLUS_MIN_THRESHOLD:  # nan too
            raise ValueError(f"{where} has beta={module.beta}, threshold={module.threshold}; nn's softplus is "
                             f"log(1 + e**x): use Softplus(beta=1, threshold>={SOFTPLUS_MIN_THRESHOLD:g})")
        return activations.Softplus(), {}
    if kind in (nn_.LeakyReLU, nn_.ELU):
        try:
            if kind is nn_.ELU:
                return activations.ELU(module.alpha), {}
            return activations.LeakyReLU(module.negative_slope), {}
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    if kind is nn_.Softmax:
        if not last or module.dim not in (-1, 1):
            raise ValueError(f"{where}: nn's softmax normalises the output layer over its features: use "
                             "Softmax(dim=-1) as the last item")
        return activations.Softmax(), {}
    if kind is scaled_sigmoid_class():
        return _read_scaled_sigmoid(torch, where, module, nout)
    raise _unreadable(index, module)


def _read_scaled_sigmoid(torch: ModuleType, where: str, module: Any,
                         nout: int) -> tuple[activations.Activation, dict[str, list[float]]]:
    if module.features != nout:
        raise ValueError(f"{where} has {module.features} features, but the Linear before it gives {nout}")
    if not module.trainable:
        if real(module.c) is None or real(module.beta) is None:
            raise TypeError(f"{where}: c and beta must be numbers when trainable=False")
        return activations.ScaledSigmoid(module.c, module.beta), {}
    per_neuron = {name: _floats(torch, where, getattr(module, name), name, (nout,)) for name in ("c", "beta")}
    return activations.ScaledSigmoid(module.initial_c, module.initial_beta, trainable=True), per_neuron


def _items(torch: ModuleType, module: Any) -> list[Any]:
    if type(module) is torch.nn.Linear:
        return [module]
    if type(module) is not torch.nn.Sequential:
        raise TypeError(f"from_torch reads a torch.nn.Sequential of Linear and activation modules (or one Linear), "
                        f"got {type(module).__name__}")
    items = list(module)  # by position, a module used twice included twice
    if not items:
        raise ValueError("from_torch: the Sequential is empty; it needs at least one Linear")
    return items


def _count_parameters(torch: ModuleType, items: list[Any]) -> int:
    return sum(m.in_features * m.out_features + m.out_features for m in items
               if isinstance(m, torch.nn.Linear) and not torch.nn.parameter.is_lazy(m.weight))


@overload
def from_torch(module: torch_nn.Sequential | torch_nn.Linear, max_parameters: int = MAX_PARAMETERS) -> MLP: ...
@overload
def from_torch(module: torch_nn.Module, max_parameters: int = MAX_PARAMETERS) -> MLP | GPT: ...


def from_torch(module: torch_nn.Module, max_parameters: int = MAX_PARAMETERS) -> MLP | GPT:
    """An ``nn.MLP`` computing what ``module`` computes, with bitwise the same parameters
    (a ``TorchGPT`` from ``to_torch`` gives back an ``nn.GPT``):
    ``module`` is a ``torch.nn.Sequential`` of ``Linear`` layers, each followed by at most
    one activation module (see the module docstring), or one ``Linear``. Weights are read
    from any device (``.detach().cpu()``); float16/bfloat16/float32 convert exactly. Every
    item is read and checked first, so a module it cannot read raises (ValueError or
    TypeError naming the item's index and type) before any model is built; so does a module
    with hooks or parametrizations, which an MLP cannot carry. A module with
    more than ``max_parameters`` parameters is refused (each becomes a Python Value)."""
    torch = require_torch()
    from .torch_gpt import gpt_class, gpt_from_torch

    if isinstance(module, gpt_class()):
        count = sum(p.numel() for p in module.parameters())
        if count > max_parameters:
            raise ValueError(f"from_torch: the module has {count:,} parameters, more than "
                             f"max_parameters={max_parameters:,}: pass a larger max_parameters= if you mean it")
        return gpt_from_torch(module)
    if isinstance(module, torch.nn.Module):
        refuse_hooks(torch, module)
    items = _items(torch, module)
    count = _count_parameters(torch, items)
    if count > max_parameters:
        raise ValueError(f"from_torch: the module has {count:,} parameters, more than "
                         f"max_parameters={max_parameters:,}; each becomes a Python Value (about 200 bytes and "
                         "slow arithmetic): pass a larger max_parameters= if you mean it")
    layers: list[_ReadLayer]
    layers, index = [], 0
    while index < len(items):
        linear = items[index]
        if not isinstance(linear, torch.nn.Linear):
            if type(linear) not in _activation_types(torch):
                raise _unreadable(index, linear)
            after = "comes first" if index == 0 else "follows another activation"
            raise ValueError(f"{_describe(index, linear)} {after}, where a Linear must be: each autograd-lite "
                             "layer is a Linear followed by at most one activation")
        rows, biases = _read_linear(torch, index, linear)
        if layers and len(rows[0]) != len(layers[-1].biases):
            raise ValueError(f"{_describe(index, linear)} takes {len(rows[0])} inputs, but the layer before gives "
                             f"{len(layers[-1].biases)}")
        activation: activations.Activation
        per_neuron: dict[str, list[float]]
        activation, per_neuron = activations.Linear(), {}
        if index + 1 < len(items) and not isinstance(items[index + 1], torch.nn.Linear):
            activation, per_neuron = _read_activation(torch, index + 1, items[index + 1], len(biases),
                                                      last=index + 2 == len(items))
            index += 1
        layers.append(_ReadLayer(rows, biases, activation, per_neuron))
        index += 1
    return _build(layers)


def _build(layers: list[_ReadLayer]) -> MLP:
    model = MLP(len(layers[0].rows[0]), [len(layer.biases) for layer in layers],
                activation=[layer.activation for layer in layers[:-1]], output_activation=layers[-1].activation,
                seed=0)
    state: dict[str, float] = {}
    for i, layer in enumerate(layers):
        for j, (row, bias) in enumerate(zip(layer.rows, layer.biases)):
            state.update({f"layer{i}/neuron{j}/w{k}": w for k, w in enumerate(row)})
            state[f"layer{i}/neuron{j}/b"] = bias
            state.update({f"layer{i}/neuron{j}/{name}": values[j] for name, values in layer.per_neuron.items()})
    model.load_state_dict(state)
    return model
