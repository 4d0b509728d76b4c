"""Neuron, Layer and MLP, built from autograd_lite Values (``Module``, their base class, is in
``autograd_lite.nn.base`` and importable from here too).

**Parameter order** (what ``parameters()`` returns, and the order of ``state_dict()``):
layer by layer, neuron by neuron, and within a neuron its weights in input order, then its
bias, then its activation's trainable parameters (only a trainable scaled sigmoid has any:
``c`` then ``beta``). Names follow the same path: ``"layer0/neuron3/w1"``, ``".../b"``.

**Graph per neuron:** one ``dot`` node and one activation node. The bias is the delta rule's
"weight w0 on a constant input x0 = 1": each layer call makes one constant ``1.0`` input and
every neuron computes ``dot([w1..wn, b], [x1..xn, 1.0])``. That is one node with 2n + 2
parents, against ``dot(w, x) + b`` which adds a ``+`` node per neuron (3,300 more nodes
per training step of MLP(2, [16, 16, 1]) on 100 points). Measured on that step, the
one-node form is about 9% faster (0.055 s against 0.060 s, medians of 7 interleaved runs),
and its graph shows the bias exactly as the delta-rule tutorial draws it.

**Initialisation** (``init=``), with a per-model ``random.Random(seed)`` and no global state;
biases start at 0:

- ``"he"`` (the default): U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)), suited to ReLU layers;
- ``"xavier"``: U(-sqrt(6 / (fan_in + fan_out)), +...), suited to tanh and sigmoid layers;
- ``"uniform"``: U(-1, 1), micrograd's scheme (same draws, in the same order).

Name scopes: a module's parameters are created, and its forward pass runs, inside name
scopes (the strings ``autograd_lite.scope`` makes), so each node and each parameter
remembers which module it belongs to (``value.scope == "mlp/layer0/neuron3"``) and rendered
graphs cluster by module.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any, cast

from autograd_lite import Value, scope, softmax
from autograd_lite.aliases import ValueLike
from autograd_lite.extend import builtin

from . import activations
from .base import Module as Module  # the base class lives in base.py; this module's API too
from .inputs import integer, plain, seed_value, shape

ActivationSpec = activations.ActivationSpec

_dot = builtin("dot").apply  # the unchecked path: the parents are already Values
INITS = ("he", "xavier", "uniform")


def _as_inputs(xs: Iterable[ValueLike], nin: int, who: str) -> tuple[Value, ...]:
    try:
        items = tuple(plain(xs))  # a NumPy row becomes Python floats in one call
    except TypeError:
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, got {type(xs).__name__}") from None
    if len(items) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(items)} (input shape {shape(xs)})")
    return tuple(x if type(x) is Value else Value(plain(x)) for x in items)


def _rng(seed: int | None, rng: random.Random | None) -> random.Random:
    if rng is not None:
        return rng
    if seed is not None and integer(seed) is None:
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    return random.Random(seed_value(seed))


def _bound(init: str, fan_in: int, fan_out: int) -> float:
    if init == "he":
        return math.sqrt(6.0 / fan_in)
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    if init == "uniform":
        return 1.0
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")


def _positive_int(n: object, what: str) -> int:
    size = integer(n)  # a NumPy integer becomes an int, so config() stays JSON
    if size is None or size < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return size


class ScalarModule(Module):
    """A module that names each scalar parameter itself (Neuron, Layer, MLP): its state dict
    is ``{name: float}`` in ``named_parameters()`` order."""

    def state_dict(self) -> dict[str, float]:
        """``{name: float}`` in parameter order; a copy, so later training does not change it."""
        return {name: p.data for name, p in self.named_parameters()}


class Neuron(ScalarModule):
    """``activation(w . x + b)`` over ``nin`` inputs. Call it with a list of numbers or Values."""

    def __init__(self, nin: int, activation: ActivationSpec = "relu", init: str = "he", seed: int | None = None, *,
                 rng: random.Random | None = None, fan_out: int = 1, name: str = "neuron") -> None:
        self.nin = _positive_int(nin, "nin")
        self.activation = activations.resolve(activation)
        bound = _bound(init, nin, fan_out)
        rng = _rng(seed, rng)
        with scope(name):
            self.w = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(nin)]
            self.b = Value(0.0, label="b")
            self._activate, extra = self.activation.bind()
        self._weights_and_bias = (*self.w, self.b)
        self._named = [(f"w{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)] + extra
        self._scope = scope(name)  # kept and re-entered on every call: cheap after the first

    def named_parameters(self) -> list[tuple[str, Value]]:
        return list(self._named)

    def _forward(self, inputs_and_one: tuple[Value, ...]) -> Value:
        # The bias is the weight on a constant input x0 = 1: one dot node per neuron. It is
        # autograd_lite.dot's node, made with the engine's primitive: the inputs are already
        # checked Values, and dot()'s validation would cost ~17% of a training step.
        with self._scope:
            return self._activate(_dot(self._weights_and_bias + inputs_and_one))

    def __call__(self, xs: Iterable[ValueLike]) -> Value:
        return self._forward(_as_inputs(xs, self.nin, "Neuron") + (Value(1.0),))

    def config(self) -> dict[str, Any]:
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation.config()}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(ScalarModule):
    """``nout`` neurons over the same ``nin`` inputs. Calling it returns a list of ``nout``
    Values, always (also for one output). ``activation="softmax"`` makes the neurons linear
    and normalises the layer's outputs together."""

    def __init__(self, nin: int, nout: int, activation: ActivationSpec = "relu", init: str = "he",
                 seed: int | None = None, *, rng: random.Random | None = None, name: str = "layer") -> None:
        self.nin, self.nout = _positive_int(nin, "nin"), _positive_int(nout, "nout")
        self.activation = activations.resolve(activation)
        self._softmax = isinstance(self.activation, activations.Softmax)
        per_neuron = activations.Linear() if self._softmax else self.activation
        rng = _rng(seed, rng)
        with scope(name):
            self.neurons = [Neuron(nin, per_neuron, init, rng=rng, fan_out=nout, name=f"neuron{i}")
                            for i in range(nout)]
        self._scope = scope(name)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"neuron{i}/{name}", p) for i, n in enumerate(self.neurons) for name, p in n.named_parameters()]

    def set_weights(self, weights: Iterable[Iterable[float]], biases: Iterable[float]) -> None:
        """Set the weights from rows (one list of ``nin`` numbers per neuron) and the biases
        from a list of ``nout`` numbers; nothing changes if a shape or value is wrong."""
        rows, bias_list = [list(row) for row in weights], list(biases)
        if len(rows) != self.nout or any(len(row) != self.nin for row in rows) or len(bias_list) != self.nout:
            raise ValueError(f"set_weights expects {self.nout} rows of {self.nin} weights and {self.nout} biases")
        state = self.state_dict()
        for i, (row, bias) in enumerate(zip(rows, bias_list)):
            state.update({f"neuron{i}/w{j}": w for j, w in enumerate(row)})
            state[f"neuron{i}/b"] = bias
        self.load_state_dict(state)

    def _forward(self, inputs: Iterable[Value]) -> list[Value]:
        with self._scope:
            inputs_and_one = (*inputs, Value(1.0))  # the bias's constant input x0 = 1
            outputs = [neuron._forward(inputs_and_one) for neuron in self.neurons]
            return softmax(outputs) if self._softmax else outputs

    def __call__(self, xs: Iterable[ValueLike]) -> list[Value]:
        return self._forward(_as_inputs(xs, self.nin, "Layer"))

    def config(self) -> dict[str, Any]:
        return {"type": "Layer", "nin": self.nin, "nout": self.nout, "activation": self.activation.config()}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(ScalarModule):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` maps 2 inputs through two hidden
    layers of 16 to 1 output.

    ``activation`` is used by every hidden layer (or give a list, one per hidden layer);
    ``output_activation`` by the last layer (None means linear; ``"softmax"`` for class
    probabilities). Calling the model returns a Value when the last layer has one output,
    else a list of Values; inner layers always pass lists, so ``MLP(2, [16, 1, 1])`` works.
    """

    def __init__(self, nin: int, nouts: int | Iterable[int],
                 activation: ActivationSpec | Sequence[ActivationSpec] = "relu",  # a list or tuple: one per hidden layer
                 output_activation: ActivationSpec = None, init: str = "he", seed: int | None = None,
                 name: str = "mlp") -> None:
        self.nin = _positive_int(nin, "nin")
        sizes_given: list[Any] = list(plain(nouts)) if integer(nouts) is None else [nouts]
        if not sizes_given:
            raise ValueError("nouts must list at least one layer size, e.g. [16, 16, 1]")
        self.nouts = [_positive_int(n, "each layer size in nouts") for n in sizes_given]
        hidden: Sequence[ActivationSpec] = (activation if isinstance(activation, (list, tuple))  # one per layer
                                            else [cast(ActivationSpec, activation)] * (len(sizes_given) - 1))
        if len(hidden) != len(sizes_given) - 1:
            raise ValueError(f"activation lists {len(hidden)} entries for {len(sizes_given) - 1} hidden layers")
        specs = [activations.resolve(a) for a in hidden] + [activations.resolve(output_activation)]
        if any(isinstance(s, activations.Softmax) for s in specs[:-1]):
            raise ValueError("softmax is only valid as the output_activation")
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"name must be a non-empty string without '/', got {name!r}")
        rng = _rng(seed, None)
        sizes = [nin] + self.nouts
        with scope(name):
            self.layers = [Layer(sizes[i], sizes[i + 1], specs[i], init, rng=rng, name=f"layer{i}")
                           for i in range(len(sizes_given))]
        self.name = name
        self._scope = scope(name)

    @property
    def activations(self) -> list[activations.Activation]:
        """The activation of each layer, the output layer last."""
        return [layer.activation for layer in self.layers]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"layer{i}/{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()]

    def __call__(self, x: Iterable[ValueLike]) -> Any:
        """A Value when the last layer has one output, else a list of Values. (Typed Any:
        which one depends on ``nouts`` at run time, and a union would make a checker reject
        every use of the common one-output case.)"""
        values: Any = _as_inputs(x, self.nin, "MLP")
        with self._scope:
            for layer in self.layers:
                values = layer._forward(values)
        return values[0] if len(values) == 1 else values

    def config(self) -> dict[str, Any]:
        return {"type": "MLP", "nin": self.nin, "nouts": list(self.nouts), "name": self.name,
                "activations": [layer.activation.config() for layer in self.layers]}

    def __repr__(self) -> str:
        shape = ", ".join(f"{layer.nout} {layer.activation!r}" for layer in self.layers)
        return f"MLP({self.nin} -> [{shape}], {self.num_parameters} parameters)"
