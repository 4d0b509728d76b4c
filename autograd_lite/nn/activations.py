"""Activation functions for neurons, by name or as callables.

A neuron computes ``activation(w . x + b)``. Named activations are checkpointable:

==================  ===============================  =================================
name                f(a)                             f'(a)
==================  ===============================  =================================
``"linear"``        a                                1
``"relu"``          max(0, a)                        1 if a > 0 else 0
``"leaky_relu"``    a if a > 0 else slope * a        1 if a > 0 else slope (0.01)
``"tanh"``          tanh(a) = 2 sigmoid(2a) - 1      1 - tanh(a)**2
``"sigmoid"``       1 / (1 + e**-a)                  sigmoid(a) (1 - sigmoid(a))
``"scaled_sigmoid"`` c / (1 + e**(-beta a))           c beta s (1 - s), s = sigmoid(beta a)
``"softmax"``       e**a_k / sum_j e**a_j            s_i (delta_ij - s_j); whole layer only
``"softplus"``      log(1 + e**a)                    sigmoid(a)
``"gelu"``          a Phi(a), Phi the normal CDF     Phi(a) + a phi(a)
``"silu"``          a sigmoid(a)                     s (1 + a (1 - s)), s = sigmoid(a)
``"elu"``           a if a > 0 else alpha (e**a - 1) 1 if a > 0 else alpha e**a (alpha 1.0)
==================  ===============================  =================================

Any callable ``Value -> Value`` also works (it cannot be saved in a checkpoint).
"""

from __future__ import annotations

import functools
import math
import reprlib
from collections.abc import Callable
from typing import Any, Union

from autograd_lite import Value

from .inputs import real


ActivationFunction = Callable[[Value], Value]
NamedParameters = list[tuple[str, Value]]
ActivationSpec = Union[str, "Activation", ActivationFunction, None]  # a name, an Activation, a callable, or linear


class Activation:
    """A named element-wise activation. ``bind()`` gives each neuron its own function and
    its own trainable parameters (only the scaled sigmoid has any)."""

    name: str = "linear"

    def bind(self) -> tuple[ActivationFunction, NamedParameters]:
        """(function of a Value, [(name, parameter Value), ...]) for one neuron."""
        return self.apply, []

    def apply(self, a: Value) -> Value:
        return a

    def config(self) -> dict[str, Any]:
        """A JSON-able description; ``from_config`` rebuilds the activation from it."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Activation) and other.config() == self.config()

    __hash__ = None  # type: ignore[assignment]  # unhashable: equal activations are interchangeable, not keys


class Linear(Activation):
    name = "linear"


class _EngineMethod(Activation):
    """An activation that is one of the engine's own Value methods, named by ``name``."""

    def bind(self) -> tuple[ActivationFunction, NamedParameters]:
        return getattr(Value, self.name), []  # the engine's method itself: no extra call per neuron

    def apply(self, a: Value) -> Value:
        method: ActivationFunction = getattr(Value, self.name)
        return method(a)


class ReLU(_EngineMethod):
    name = "relu"


class Tanh(_EngineMethod):
    name = "tanh"


class Sigmoid(_EngineMethod):
    name = "sigmoid"


class Softplus(_EngineMethod):
    name = "softplus"


class GELU(_EngineMethod):
    name = "gelu"


class SiLU(_EngineMethod):
    name = "silu"


class ELU(Activation):
    """a for a > 0, else ``alpha * (e**a - 1)``."""

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        checked = real(alpha)
        if checked is None or not math.isfinite(checked):
            raise ValueError(f"elu alpha must be a finite number, got {alpha!r}")
        self.alpha = checked

    def apply(self, a: Value) -> Value:
        return a.elu(self.alpha)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self) -> str:
        return f"elu(alpha={self.alpha!r})"


class LeakyReLU(Activation):
    """a for a > 0, else ``slope * a`` (0 <= slope < 1)."""

    name = "leaky_relu"

    def __init__(self, slope: float = 0.01) -> None:
        checked = real(slope)
        if checked is None or not 0.0 <= checked < 1.0:
            raise ValueError(f"leaky_relu slope must be a number in [0, 1), got {slope!r}")
        self.slope = checked

    def apply(self, a: Value) -> Value:
        return a.leaky_relu(self.slope)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "slope": self.slope}

    def __repr__(self) -> str:
        return f"leaky_relu(slope={self.slope!r})"


class ScaledSigmoid(Activation):
    """The scaled sigmoid ``c / (1 + e**(-beta a))``: c sets the scale, beta the
    steepness. With ``trainable=True`` every neuron gets its own c and beta as parameters
    (named ``c`` and ``beta``, after the neuron's bias in ``parameters()``)."""

    name = "scaled_sigmoid"

    def __init__(self, c: float = 1.0, beta: float = 1.0, trainable: bool = False) -> None:
        checked = []
        for label, number in (("c", c), ("beta", beta)):
            value = real(number)
            if value is None:
                raise TypeError(f"scaled_sigmoid {label} must be a number, got {number!r}")
            checked.append(value)
        (self.c, self.beta), self.trainable = checked, bool(trainable)

    def bind(self) -> tuple[ActivationFunction, NamedParameters]:
        if not self.trainable:
            return functools.partial(_scaled_sigmoid, self.c, self.beta), []
        c_node, beta_node = Value(self.c, label="c"), Value(self.beta, label="beta")
        # a partial of a module function, not a lambda: a model pickles (multiprocessing)
        return functools.partial(_scaled_sigmoid, c_node, beta_node), [("c", c_node), ("beta", beta_node)]

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "c": self.c, "beta": self.beta, "trainable": self.trainable}

    def __repr__(self) -> str:
        return f"scaled_sigmoid(c={self.c!r}, beta={self.beta!r}, trainable={self.trainable})"


def _scaled_sigmoid(c: float | Value, beta: float | Value, a: Value) -> Value:
    return c * (beta * a).sigmoid()


class Softmax(Activation):
    """Normalises a whole layer's outputs; only valid as a Layer's (or MLP output) activation."""

    name = "softmax"

    def bind(self) -> tuple[ActivationFunction, NamedParameters]:
        raise ValueError("softmax acts on a whole layer, not one neuron; "
                         "use it as a Layer's activation or an MLP's output_activation")


class Custom(Activation):
    """Wraps a user callable ``Value -> Value``; usable in training, not in checkpoints."""

    def __init__(self, function: ActivationFunction) -> None:
        self.function = function
        self.name = getattr(function, "__name__", repr(function))

    def apply(self, a: Value) -> Value:
        return self.function(a)

    def config(self) -> dict[str, Any]:
        raise ValueError(f"activation {self.name!r} is a Python callable and cannot be saved; "
                         f"use a named activation ({', '.join(sorted(NAMED))}) to checkpoint the model")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Custom) and type(other) is Custom and other.function is self.function


NAMED: dict[str, type[Activation]] = {cls.name: cls for cls in (Linear, ReLU, Tanh, Sigmoid, LeakyReLU, ScaledSigmoid, Softmax,
                                    Softplus, GELU, SiLU, ELU)}


def resolve(spec: ActivationSpec) -> Activation:
    """An Activation from a name, an Activation, a callable or None (meaning linear)."""
    if spec is None:
        return Linear()
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        if spec not in NAMED:
            raise ValueError(f"unknown activation {spec!r}; choose one of {', '.join(sorted(NAMED))} "
                             "or pass a callable Value -> Value")
        return NAMED[spec]()
    if callable(spec):
        return Custom(spec)
    raise TypeError(f"activation must be a name, an Activation or a callable, got {type(spec).__name__}")


def from_config(config: object) -> Activation:
    """Rebuild a named activation from ``Activation.config()`` output; ValueError if invalid."""
    described = reprlib.repr(config)  # short, whatever a damaged checkpoint holds
    if not isinstance(config, dict) or not isinstance(config.get("name"), str) or config["name"] not in NAMED:
        raise ValueError(f"invalid activation description {described}")
    options = {key: value for key, value in config.items() if key != "name"}
    try:
        return NAMED[config["name"]](**options)
    except TypeError as error:
        raise ValueError(f"invalid activation description {described}: {error}") from None
