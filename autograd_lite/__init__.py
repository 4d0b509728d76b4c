"""autograd-lite: a scalar reverse-mode automatic differentiation engine.

>>> from autograd_lite import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + x          # x fans out to three uses
>>> y.backward()
>>> x.grad                 # the total derivative: 2x + 1
5.0
"""

from .functions import cos, dot, exp, leaky_relu, log, logsumexp, mean, relu, sigmoid, sin, softmax, sqrt, sum, tanh
from .functional import grad, gradients, hessian, jacobian, value_and_grad
from .linearize import jvp, vjp
from .graph import topological_order
from .mode import enable_grad, is_grad_enabled, no_grad, scope
from .value import Value
from .render import backward_steps, draw_dot, draw_graph, explain
from .compiler import Compiled, TracingError, compile

__version__ = "0.1.0"

__all__ = [
    "Value",
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
    "draw_graph",
    "draw_dot",
    "explain",
    "backward_steps",
    "compile",
    "Compiled",
    "TracingError",
]
