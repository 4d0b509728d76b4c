"""The demo's two pictures of one flower's loss.

``graph.svg``: the neighbourhood of one live hidden unit, small enough to read: its inputs,
its weights, and its three paths to the loss. ``network.svg``: the whole network with each
neuron collapsed into one box. The full graph of one example has ~90 values and ~400 edges;
drawn whole it is 2643 x 7243 pt and every edge merges into one bundle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from autograd_lite import Value, dot, scope
from autograd_lite.nn.datasets import IRIS_CLASSES as CLASS_NAMES

if TYPE_CHECKING:
    from autograd_lite.nn import MLP

LossFunction = Callable[[Any, Any], Value]


class OneExample:
    """The model's graph of one example's loss, with the hidden units named h0..h7.

    The forward pass calls the model's layers inside the model's own scope, so every node
    carries the scope the model gives it (``mlp/layer0/neuron3``) and the hidden units come
    out in neuron order.
    """

    def __init__(self, model: MLP, inputs: Sequence[Value], label: int, loss_function: LossFunction) -> None:
        with scope(model.name):
            self.hidden = model.layers[0](inputs)
            self.logits = model.layers[1](self.hidden)
        for i, unit in enumerate(self.hidden):
            unit.label = f"h{i}"
        for logit, name in zip(self.logits, CLASS_NAMES):
            logit.label = f"z_{name}"
        self.loss = loss_function(self.logits, label)
        self.loss.label = "loss"
        self.loss.backward()

    def live_units(self) -> list[int]:
        """Indices of the hidden units the gradient flows through: ReLU on and grad nonzero."""
        return [i for i, unit in enumerate(self.hidden) if unit.data > 0 and unit.grad != 0]

    def chosen_unit(self) -> int | None:
        """The live unit with the largest |dloss/dh| (the one the loss is most sensitive
        to), or None when every unit is dead for this example."""
        live = self.live_units()
        return max(live, key=lambda i: abs(self.hidden[i].grad)) if live else None

    def why(self, k: int) -> str:
        """In words: why unit ``k`` is the one drawn."""
        unit = self.hidden[k]
        live, dead = self.live_units(), [i for i in range(len(self.hidden)) if i not in self.live_units()]
        text = (f"Hidden unit h{k} is drawn in graph.svg. It is live: its ReLU is on "
                f"(h{k} = {unit.data:.4f} > 0), so the loss's gradient flows through it "
                f"(dloss/dh{k} = {unit.grad:.4f}). Of the {len(live)} live units it has the "
                f"largest |dloss/dh|, so nudging it moves the loss most.")
        if dead:
            names = ", ".join(f"h{i}" for i in dead)
            text += (f" Dead for this flower (ReLU off, gradient 0, nothing to learn from "
                     f"it): {names}.")
        text += (f" In graph.svg each logit's box 'others' is what the other hidden units and the "
                 f"bias add to it, so every number drawn is the network's own.")
        return text


def neighbourhood(model: MLP, inputs: Sequence[Value], label: int, example: OneExample, k: int,
                  loss_function: LossFunction) -> tuple[Value, list[Value]]:
    """The loss rebuilt around hidden unit ``k`` alone, with the same numbers as the network.

    Drawn: the unit's inputs, weights and bias, its ReLU, and for each logit the weight from
    h_k, the product, and one number ``others`` = everything else that logit adds up (the
    other hidden units and the bias). So data and grads of every node drawn equal the full
    graph's, and ``h_k``'s grad is visibly the sum over its three paths to the loss.
    """
    neuron = model.layers[0].neurons[k]
    with scope(f"hidden unit h{k}"):
        weights = [Value(w.data, label=f"w{i}") for i, w in enumerate(neuron.w)]
        bias = Value(neuron.b.data, label="b")
        # As in nn.Neuron: the bias is the weight on a constant input 1, all in one dot node.
        pre_activation = dot([*weights, bias], [*inputs, Value(1.0)])
        pre_activation.label = f"a{k}"
        unit = pre_activation.relu()
        unit.label = f"h{k}"
    logits: list[Value] = []
    parameters = [*weights, bias]
    for out_neuron, full_logit, name in zip(model.layers[1].neurons, example.logits, CLASS_NAMES):
        with scope(f"logit z_{name}"):
            weight = Value(out_neuron.w[k].data, label=f"w{k}")
            others = Value(full_logit.data - weight.data * unit.data, label="others")
            logit = unit * weight + others
            logit.label = f"z_{name}"
        logits.append(logit)
        parameters.append(weight)
    loss = loss_function(logits, label)
    loss.label = "loss"
    loss.backward()
    return loss, parameters
