"""Gradients as values: ``gradients`` (like ``torch.autograd.grad``) and the functional API
``grad``, ``value_and_grad``, ``jacobian`` and ``hessian`` (like HIPS autograd and JAX), with
``jvp`` and ``vjp`` (like ``torch.func``) in ``autograd_lite.linearize``.

The transforms take plain numbers, or pytrees of them (nested lists, tuples and dicts; see
``autograd_lite.pytree``), and return floats in the same structure. Given Values, as they
are inside another transform, they return Values connected to the graph, which is what lets
them nest: ``grad(grad(f))(x)`` is f''(x).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, overload

from . import graph, pytree
from .aliases import ValueLike
from .mode import enable_grad
from .pytree import TreeDef
from .value import Value


class GradientFunction(Protocol):
    """What ``grad(f)`` returns: a float derivative at a float, a Value at a Value (inside
    another transform), and for several arguments or a pytree whatever matches their shape."""

    @overload
    def __call__(self, x: Value, /) -> Value: ...
    @overload
    def __call__(self, x: float, /) -> float: ...
    @overload
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


class ValueAndGradientFunction(Protocol):
    """What ``value_and_grad(f)`` returns: ``(f(x), f'(x))``, floats at a float."""

    @overload
    def __call__(self, x: Value, /) -> tuple[Value, Value]: ...
    @overload
    def __call__(self, x: float, /) -> tuple[float, float]: ...
    @overload
    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]: ...


def gradients(output: Value, inputs: Iterable[Value], create_graph: bool = False) -> list[Any]:
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
    return pull(output, 1.0, inputs, create_graph)


def pull(root: Value, seed: ValueLike, inputs: Sequence[Value], symbolic: bool) -> list[Any]:
    """d root / d x for each x in ``inputs``, scaled by ``seed``: floats, or with
    ``symbolic`` Values that can be differentiated again."""
    found = graph.propagate(root, Value(seed) if symbolic and not isinstance(seed, Value) else seed,
                            symbolic=symbolic, wrt=inputs)
    if symbolic:
        return [g if isinstance(g, Value) else Value(g) for g in found]
    return [g.data if isinstance(g, Value) else g for g in found]


def positions_of(argnums: int | Sequence[int] | None, nargs: int, name: str,
                 what: str = "argnums") -> tuple[tuple[int, ...], bool]:
    """``(positions, single)``: the argument positions ``argnums`` names, a negative one
    counting from the end as in Python, and whether it named one position as an int (then a
    transform returns one result, not a tuple). ``what`` names the option in the error."""
    if argnums is None:
        return tuple(range(nargs)), False
    single = isinstance(argnums, int)
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in positions:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(f"{name}: {what} {argnums!r} does not fit a call with {nargs} positional arguments "
                             f"(positions 0 to {nargs - 1}, or -{nargs} to -1 from the end)")
    return tuple(i % nargs for i in positions), single


def trace(f: Callable[..., Any], args: Sequence[Any], positions: Sequence[int],
          name: str) -> tuple[Any, list[Value], list[TreeDef], bool]:
    """Call ``f`` with every leaf of the arguments at ``positions`` made a variable.

    Returns ``(output, inputs, treedefs, nested)``: ``inputs`` is the flat list of variables,
    ``treedefs`` the structure of each differentiated argument, and ``nested`` whether any
    leaf was already a Value (so the results must be Values, for an outer transform).
    Call it under ``enable_grad``: a transform differentiates even inside ``no_grad``.
    """
    args = list(args)
    inputs: list[Value] = []
    treedefs: list[TreeDef] = []
    nested = False
    variables_at: dict[int, tuple[list[Value], TreeDef]] = {}
    for i in positions:
        if i in variables_at:  # a repeated position: the same variables again, so the same gradient
            variables, treedef = variables_at[i]
            inputs.extend(variables)
            treedefs.append(treedef)
            continue
        if type(args[i]) is float:  # the common case, without building a tree
            args[i] = variable = Value(args[i])
            inputs.append(variable)
            treedefs.append(pytree.LEAF)
            variables_at[i] = [variable], pytree.LEAF
            continue
        leaves, treedef = pytree.flatten(args[i], f"{name}: argument {i}")
        variables = [_variable(leaf) for leaf in leaves]
        nested = nested or any(isinstance(leaf, Value) for leaf in leaves)
        args[i] = pytree.unflatten(treedef, variables)
        inputs.extend(variables)
        treedefs.append(treedef)
        variables_at[i] = variables, treedef
    return f(*args), inputs, treedefs, nested


def _variable(leaf: Value | float) -> Value:
    # A Value from the caller (an outer transform's variable) becomes a new node leaf * 1.0,
    # so that this transform differentiates with respect to the argument alone: a closure
    # over the same Value, or the same Value passed at two leaves, stays a separate variable
    # (JAX's "perturbation confusion"). Its data is the leaf's, bit for bit.
    return leaf * 1.0 if isinstance(leaf, Value) else Value(leaf)


def split(flat: Sequence[Any], treedefs: Sequence[TreeDef]) -> list[Any]:
    """Cut a flat list of per-leaf results into one tree per argument structure."""
    out: list[Any] = []
    start = 0
    for treedef in treedefs:
        end = start + treedef.num_leaves
        out.append(flat[start] if treedef is pytree.LEAF else pytree.unflatten(treedef, flat[start:end]))
        start = end
    return out


def _scalar(output: object, name: str) -> Value:
    if isinstance(output, Value):
        return output
    raise TypeError(f"{name}: the function must return a Value, got {type(output).__name__}; "
                    "for a list or dict of outputs use jacobian() or vjp()")


@overload
def value_and_grad(f: Callable[..., Value], argnums: int = 0) -> ValueAndGradientFunction: ...
@overload
def value_and_grad(f: Callable[..., Value], argnums: Sequence[int]) -> Callable[..., tuple[Any, tuple[Any, ...]]]: ...


def value_and_grad(f: Callable[..., Value], argnums: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), the gradient of f)`` with respect to ``argnums``
    (an int gives one derivative, a tuple a tuple of them). An argument may be a pytree
    (nested lists, tuples and dicts of numbers): its gradient has the same structure."""
    return _value_and_grad(f, argnums, "value_and_grad")


def _value_and_grad(f: Callable[..., Value], argnums: int | Sequence[int],
                    name: str) -> Callable[..., tuple[Any, Any]]:
    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        positions, single = positions_of(argnums, len(args), name)
        with enable_grad():
            output, inputs, treedefs, nested = trace(f, args, positions, name)
            output = _scalar(output, name)
            grads = split(pull(output, 1.0, inputs, nested), treedefs)
        value = output if nested else output.data
        return value, (grads[0] if single else tuple(grads))

    return value_and_grad_f


@overload
def grad(f: Callable[..., Value], argnums: int = 0) -> GradientFunction: ...
@overload
def grad(f: Callable[..., Value], argnums: Sequence[int]) -> Callable[..., tuple[Any, ...]]: ...


def grad(f: Callable[..., Value], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """A function returning the derivative of scalar-valued ``f`` with respect to argument
    ``argnums`` (default 0), or a tuple of derivatives for a tuple of positions. The
    derivative with respect to a pytree argument has that argument's structure:
    ``grad(lambda p: p["w"] * p["b"])({"w": 2.0, "b": 3.0}) == {"w": 3.0, "b": 2.0}``."""
    value_and_grad_f = _value_and_grad(f, argnums, "grad")

    def grad_f(*args: Any) -> Any:
        return value_and_grad_f(*args)[1]

    return grad_f


def jacobian(f: Callable[..., Any], argnums: int | Sequence[int] | None = None) -> Callable[..., Any]:
    """A function returning the Jacobian of ``f``: the output's structure outside, the
    inputs' inside (as ``jax.jacobian``).

    For each output leaf (``f`` may return a Value, or a list, tuple or dict of them) the
    row holds its derivative with respect to each argument: a list over the arguments
    (by default every positional argument), each shaped like its argument; with an int
    ``argnums`` the row is shaped like that one argument. A number among the outputs is a
    constant: its row is zeros.
    """

    def jacobian_f(*args: Any) -> Any:
        positions, single = positions_of(argnums, len(args), "jacobian")
        with enable_grad():
            outputs, inputs, treedefs, nested = trace(f, args, positions, "jacobian")
            leaves, out_treedef = pytree.flatten(outputs, "jacobian: the output")
            rows: list[Any] = []
            for leaf in leaves:
                flat = (pull(leaf, 1.0, inputs, nested) if isinstance(leaf, Value)
                        else [Value(0.0) if nested else 0.0 for _ in inputs])
                row = split(flat, treedefs)
                rows.append(row[0] if single else row)
        return pytree.unflatten(out_treedef, rows)

    return jacobian_f


def hessian(f: Callable[..., Value], argnums: int | Sequence[int] | None = None) -> Callable[..., Any]:
    """A function returning the second derivatives of scalar-valued ``f``: the Jacobian of
    its gradient. For arguments ``x, y`` (the default: every positional argument) it is the
    matrix ``[[f_xx, f_xy], [f_yx, f_yy]]``; with an int ``argnums`` and a pytree argument
    it nests like JAX: ``hessian(f, argnums=0)(p)[i][j]`` is d²f / dp[i] dp[j]."""

    def gradient(*args: Any) -> Any:
        positions, single = positions_of(argnums, len(args), "hessian")
        output, inputs, treedefs, _ = trace(f, args, positions, "hessian")
        grads = split(pull(_scalar(output, "hessian"), 1.0, inputs, True), treedefs)
        return grads[0] if single else grads

    def hessian_f(*args: Any) -> Any:
        return jacobian(gradient, argnums)(*args)

    return hessian_f
