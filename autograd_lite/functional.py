"""Gradients as values: ``gradients`` (like ``torch.autograd.grad``) and the functional API
``grad``, ``value_and_grad``, ``jacobian`` and ``hessian`` (like HIPS autograd and JAX).

The functional transforms take plain numbers and return floats. Given Values, as they are
inside another transform, they return Values connected to the graph, which is what lets them
nest: ``grad(grad(f))(x)`` is f''(x).
"""

from . import graph
from .value import Value, as_float


def gradients(output, inputs, create_graph=False):
    """d output / d x for each Value x in ``inputs``, without touching any ``.grad``.

    With ``create_graph=False`` the result is a list of floats. With ``create_graph=True`` it
    is a list of Values whose graph connects back to the inputs, so they can be
    differentiated again. An input that ``output`` does not depend on gets 0.
    """
    if not isinstance(output, Value):
        raise TypeError(f"gradients() needs a Value output, got {type(output).__name__}")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"gradients() inputs must be Values, got {type(x).__name__} at position {i}")
    found = graph.propagate(output, Value(1.0) if create_graph else 1.0, symbolic=create_graph, wrt=inputs)
    if create_graph:
        return [g if isinstance(g, Value) else Value(g) for g in found]
    return [g.data if isinstance(g, Value) else g for g in found]


def _positions(argnums, nargs, name):
    if argnums is None:
        return tuple(range(nargs)), False
    single = isinstance(argnums, int)
    positions = (argnums,) if single else tuple(argnums)
    for i in positions:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(f"{name}: argnums {argnums!r} does not fit a call with {nargs} positional arguments")
    return tuple(i % nargs for i in positions), single


def _trace(f, args, positions, name):
    """Call f with Values at ``positions``; return (output, the input Values, nested?)."""
    nested = any(isinstance(args[i], Value) for i in positions)
    args = list(args)
    for i in positions:
        if not isinstance(args[i], Value):
            args[i] = Value(as_float(args[i], f"{name}: argument {i}"))
    output = f(*args)
    return output, [args[i] for i in positions], nested


def _scalar(output, name):
    if isinstance(output, Value):
        return output
    raise TypeError(f"{name}: the function must return a Value, got {type(output).__name__}; "
                    "for a list of outputs use jacobian()")


def value_and_grad(f, argnums=0):
    """A function returning ``(f(*args), the gradient of f)`` with respect to ``argnums``
    (an int gives one derivative, a tuple a tuple of them)."""

    def value_and_grad_f(*args):
        positions, single = _positions(argnums, len(args), "value_and_grad")
        output, inputs, nested = _trace(f, args, positions, "value_and_grad")
        output = _scalar(output, "value_and_grad")
        grads = gradients(output, inputs, create_graph=nested)
        value = output if nested else output.data
        return value, (grads[0] if single else tuple(grads))

    return value_and_grad_f


def grad(f, argnums=0):
    """A function returning the derivative of scalar-valued ``f`` with respect to argument
    ``argnums`` (default 0), or a tuple of derivatives for a tuple of positions."""
    value_and_grad_f = value_and_grad(f, argnums)

    def grad_f(*args):
        return value_and_grad_f(*args)[1]

    return grad_f


def jacobian(f, argnums=None):
    """A function returning the Jacobian of ``f``, one row per output and one column per
    argument (by default every positional argument). If ``f`` returns a single Value, the
    result is its gradient: one row."""

    def jacobian_f(*args):
        positions, _ = _positions(argnums, len(args), "jacobian")
        outputs, inputs, nested = _trace(f, args, positions, "jacobian")
        if isinstance(outputs, Value):
            return gradients(outputs, inputs, create_graph=nested)
        rows = []
        for i, output in enumerate(outputs):
            if not isinstance(output, Value):
                raise TypeError(f"jacobian: output {i} is a {type(output).__name__}, not a Value")
            rows.append(gradients(output, inputs, create_graph=nested))
        return rows

    return jacobian_f


def hessian(f, argnums=None):
    """A function returning the matrix of second derivatives of scalar-valued ``f`` with
    respect to its arguments (by default every positional argument)."""

    def gradient_as_list(*args):
        positions, _ = _positions(argnums, len(args), "hessian")
        output, inputs, _ = _trace(f, args, positions, "hessian")
        return gradients(_scalar(output, "hessian"), inputs, create_graph=True)

    def hessian_f(*args):
        return jacobian(gradient_as_list, argnums)(*args)

    return hessian_f
