"""autograd-lite: a scalar reverse-mode automatic differentiation engine.

>>> from autograd_lite import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + x          # x fans out to three uses
>>> y.backward()
>>> x.grad                 # the total derivative: 2x + 1
5.0
"""

import importlib
from typing import TYPE_CHECKING, Any

from .operators import (acos, asin, atan, clamp, cos, cosh, dot, elu, erf, erfc, exp, expm1, gelu, leaky_relu, log,
                        log1p, logsumexp, maximum, mean, minimum, relu, sigmoid, silu, sin, sinh, softmax, softplus,
                        sqrt, sum, tan, tanh)
from . import extend, math  # autograd_lite.math: functions that take floats or Values (not in __all__: it would shadow math)
from .transforms import grad, gradients, hessian, jacobian, value_and_grad
from .linearize import jvp, vjp
from .graph import topological_order
from .mode import enable_grad, is_grad_enabled, no_grad, scope
from .value import Value
from .extend import op

if TYPE_CHECKING:  # imported on first use (below), so the engine needs neither graphviz nor the compiler
    from .compiler import Compiled, TracingError, compile
    from .render import backward_steps, draw_dot, draw_graph
    from .render.explain import explain

__version__ = "0.1.0"

__all__ = [
    "Value",
    "op",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "scope",
    "topological_order",
    "gradients",
    "grad",
    "value_and_grad",
    "jacobian",
    "hessian",
    "jvp",
    "vjp",
    "sum",
    "mean",
    "dot",
    "softmax",
    "logsumexp",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "log1p",
    "expm1",
    "erf",
    "erfc",
    "softplus",
    "gelu",
    "silu",
    "elu",
    "clamp",
    "maximum",
    "minimum",
    "draw_graph",
    "draw_dot",
    "explain",
    "backward_steps",
    "compile",
    "Compiled",
    "TracingError",
]

# Rendering needs the graphviz package, and compile is a separate layer: both are imported the
# first time one of their names is used, so ``import autograd_lite`` needs nothing else.
_LAZY = {"draw_graph": "render", "draw_dot": "render", "explain": "render", "backward_steps": "render",
         "compile": "compiler", "Compiled": "compiler", "TracingError": "compiler"}


# The documented subpackages, imported on first use too: ``ag.nn.MLP`` works after ``import autograd_lite as ag``.
_SUBPACKAGES = ("nn", "testing", "compiler", "render", "math", "extend")


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API only (what tab completion offers): ``__all__``, the subpackages, the version."""
    return sorted({*__all__, *_SUBPACKAGES, "__version__"})
