"""``autograd_lite.compile``: trace a scalar function once, then run its forward and
backward pass on new inputs without building Values (see docs/compile.md)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import repeat
from operator import add, attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

from .. import pytree
from ..value import Value
from .calls import MAX_TRACES, Layout, Traces, given_positions
from .codegen import build, float_namespace
from .trace import Tape, TracingError, run_traced

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from .codegen import Evaluate
    from .torch_module import CompiledModule

    # What ``_trace`` makes per argument structure: the tape, its float code, the arguments'
    # structures and the static arguments' values; batch mode adds its NumPy programs (the
    # layered one, or None where the tape has no layer).
    Program = TypedDict("Program", {"tape": Tape, "float": Evaluate, "shapes": "list[pytree.TreeDef | None]",
                                    "static": "dict[int, Any]", "numpy layers": Callable[..., Any] | None,
                                    "numpy": Evaluate}, total=False)

_FLOAT_NAMESPACE = float_namespace()


def compile(f: Callable[..., Value], *, params: Iterable[Value] | None = None,  # noqa: A001 - the package's name for it
            static_argnums: Iterable[int] = (), argnums: Iterable[int] | None = None,
            max_traces: int = MAX_TRACES) -> Compiled:
    """Compile ``f``, a function of numbers (or pytrees of numbers: nested lists, tuples and
    dicts) returning a scalar Value.

    ``step = compile(f)``; ``value, grads = step(*args)`` gives ``f(*args).data`` and, for
    each argument, d value / d argument in the argument's structure (a float for a number, a
    list for a list, a dict with the same keys for a dict). The first call with a given
    structure traces ``f`` on Values; later calls run generated straight-line Python, and
    in float mode match ``backward()`` bitwise (a NaN is a NaN in both, its sign bit may
    differ). ``step.batch`` takes NumPy arrays, not pytrees.

    ``params``: Values that ``f`` reads from outside, e.g. ``model.parameters()``. Each
    call reads their current ``.data`` and adds its gradient into their ``.grad``, as
    ``backward()`` does, so ``nn`` optimizers work unchanged.

    ``static_argnums``: positions of arguments that are not numbers to differentiate
    (class labels, flags). Their values are part of the cache key: each new value traces
    ``f`` again. ``argnums``: the positions whose gradients to return, in that order (by
    default every non-static one). Both are tuples of ints; a negative position counts from
    the end, and one that does not fit the call is a ValueError, as in ``ag.grad``.
    ``max_traces``: how many traces are kept; one more drops the least recently used (it is
    traced again when next needed). ``step.batch(...)`` evaluates NumPy batches (see
    ``Compiled.batch``).

    Control flow on traced data (``if x > 0``, ``float(x)``) raises TracingError; reads of
    ``.data`` cannot be seen, so ``f`` must not branch on them (see docs/compile.md).
    """
    return Compiled(f, params, static_argnums, argnums, max_traces)


class Compiled:
    """A compiled function; call it, call ``batch`` with NumPy arrays, or make it a PyTorch
    module with ``to_torch``."""

    def __init__(self, f: Callable[..., Value], params: Iterable[Value] | None, static_argnums: Iterable[int],
                 argnums: Iterable[int] | None = None, max_traces: int = MAX_TRACES) -> None:
        if not callable(f):
            raise TypeError(f"compile expects a function, got {type(f).__name__}")
        self.f = f
        self.params = _checked_params(params)
        self.static_argnums = given_positions(static_argnums, "static_argnums")
        self.argnums = None if argnums is None else given_positions(argnums, "argnums")
        both = set(self.static_argnums).intersection(self.argnums or ())
        if both:  # a negative position can clash only once the call's length is known (Layout)
            raise ValueError(f"compile: argument {min(both)} is both static (static_argnums) and differentiated "
                             "(argnums); a static argument has no gradient, so leave it out of argnums")
        self._cache: Traces[Program] = Traces(max_traces)
        self._layouts: dict[int, Layout] = {}

    def _layout(self, nargs: int) -> Layout:
        """Which of ``nargs`` arguments are static and which differentiated (see Layout)."""
        layout = self._layouts.get(nargs)
        if layout is None:
            layout = self._layouts[nargs] = Layout(self.static_argnums, self.argnums, nargs)
        return layout

    @property
    def traces(self) -> int:
        """How many times ``f`` has been traced (one per argument structure and static value,
        and again for one dropped from the cache of ``max_traces``)."""
        return self._cache.made

    def __call__(self, *args: Any) -> tuple[float, tuple[Any, ...]]:
        """``(value, gradients)``: ``f(*args).data`` and d value / d argument for each
        differentiated argument, in its structure (a float for a number)."""
        program, flat, shapes = self._program(args)
        value, grads = program["float"]([*flat, *[p.data for p in self.params]])
        return value, self._finish(grads, shapes)

    def _program(self, args: Sequence[Any]) -> tuple[Program, list[float], list[pytree.TreeDef | None]]:
        """The trace for ``args`` (traced now if it is not cached), their flat numbers and
        their structures."""
        key, flat, shapes = self._key(args)
        program = self._cache.lookup(key)
        if program is None:
            program = self._cache.add(key, self._trace(args, flat, shapes))
        return program, flat, shapes

    def _finish(self, grads: Sequence[Any], shapes: Sequence[pytree.TreeDef | None]) -> tuple[Any, ...]:
        """Add the params' gradients into .grad; return the arguments' in their shapes, in
        ``argnums``' order."""
        layout = self._layout(len(shapes))
        start: dict[int, int] = {}
        position = 0
        for i, shape in enumerate(shapes):
            if shape is not None and i in layout.differentiated:
                start[i] = position
                position += shape.num_leaves
        out: list[Any] = []
        for i in layout.order:
            shape, first = shapes[i], start[i]
            assert shape is not None  # a differentiated argument has a structure
            out.append(grads[first] if shape is pytree.LEAF else
                       pytree.unflatten(shape, grads[first:first + shape.num_leaves]))
        add_into_grads(self.params, grads[len(grads) - len(self.params):])
        return tuple(out)

    def _wrt(self, args: Sequence[Any], shapes: Sequence[pytree.TreeDef | None], n_flat: int) -> list[int]:
        """Flat positions of the inputs to differentiate: the chosen arguments', then params'."""
        wrt: list[int] = []
        position = 0
        for i, shape in enumerate(shapes):
            if shape is None:
                continue
            size = shape.num_leaves
            if i in self._layout(len(shapes)).differentiated:
                wrt.extend(range(position, position + size))
            position += size
        return wrt + list(range(n_flat, n_flat + len(self.params)))

    def _key(self, args: Sequence[Any]) -> tuple[Hashable, list[float], list[pytree.TreeDef | None]]:
        flat: list[float] = []
        shapes: list[pytree.TreeDef | None] = []
        static: list[Hashable] = []
        static_positions = self._layout(len(args)).static
        for i, arg in enumerate(args):
            if i in static_positions:
                static.append(_frozen(arg))
                shapes.append(None)
            elif type(arg) is float:  # the common case, without building a tree
                flat.append(arg)
                shapes.append(pytree.LEAF)
            else:
                leaves, shape = pytree.flatten(arg, f"compiled function argument {i}")
                flat.extend(leaf.data if isinstance(leaf, Value) else leaf for leaf in leaves)
                shapes.append(shape)
        return (tuple(shapes), tuple(static)), flat, shapes

    def _trace(self, args: Sequence[Any], flat: Sequence[float], shapes: Sequence[pytree.TreeDef | None]) -> Program:
        leaves = [Value(x) for x in flat]
        traced_args: list[Any] = []
        position = 0
        for arg, shape in zip(args, shapes):
            if shape is None:
                traced_args.append(arg)
            else:
                traced_args.append(pytree.unflatten(shape, leaves[position:position + shape.num_leaves]))
                position += shape.num_leaves
        inputs = leaves + self.params
        out = run_traced(self.f, traced_args, inputs)
        if not isinstance(out, Value):
            raise TypeError(f"compile: the function must return a scalar Value, got {type(out).__name__}")
        tape = Tape(out, inputs, self._wrt(args, shapes, len(flat)))
        del out, leaves, traced_args  # the traced graph is garbage now: free it before code generation
        static = {i: arg for i, (arg, shape) in enumerate(zip(args, shapes)) if shape is None}
        return {"tape": tape, "float": build(tape, _FLOAT_NAMESPACE), "shapes": list(shapes), "static": static}

    @overload
    def batch(self, *args: Any, reduce: Literal["sum", "mean"] = "mean") -> tuple[float, tuple[Any, ...]]: ...
    @overload
    def batch(self, *args: Any, reduce: None) -> tuple[NDArray[np.float64], tuple[NDArray[np.float64], ...]]: ...

    def batch(self, *args: Any, reduce: Literal["sum", "mean"] | None = "mean") -> tuple[Any, tuple[Any, ...]]:
        """Evaluate on NumPy arrays, one example per row: each argument gets a leading batch
        dimension (shape (B,) for a number, (B, n) for a list of n). Returns
        ``(values, grads)``: per example with ``reduce=None``, else their sum or mean.
        With ``params``, their reduced gradient is added to ``.grad``. Reduced, the value is
        a float and each gradient a float (a number's) or an array (a list's); per example,
        all are float64 arrays."""
        from .batch import run_batch
        return run_batch(self, args, reduce)

    def to_torch(self, *example_args: Any) -> CompiledModule:
        """The function as a ``torch.nn.Module`` whose forward pass is generated from the
        same tape and rule text, in PyTorch ops, so that torch's autograd differentiates it.

        ``example_args`` give the structure (as a call would; static arguments are fixed
        at their values here). Without them, the function's one trace gives it: after
        exactly one trace, or for a function of no arguments; otherwise it is a TypeError
        that asks for them. The module takes, for each argument, a tensor whose trailing
        dimensions are that structure (none for a number, (n,) for a list of n) after any
        batch shape; batch shapes broadcast, and the result has the broadcast batch shape.
        It computes in float64 (other real dtypes and Python numbers are converted) on the
        inputs' device. ``params`` become one float64 ``torch.nn.Parameter``, ``.params``,
        in the order given to ``compile``; ``copy_params_to_values()`` writes it back.
        Needs PyTorch (``pip install "autograd-lite[torch]"``); see docs/compile.md."""
        from .torch_module import to_torch
        return to_torch(self, example_args)


_get_grad = attrgetter("grad")


def add_into_grads(params: Sequence[Value], grads: Sequence[float]) -> None:
    """``p.grad += g`` for each pair, in one C-level step as ``backward()`` commits: Python
    checks for signals only between bytecodes, so a Ctrl-C lands before it (no gradient
    changed) or after it (all changed), never between two parameters."""
    list(map(setattr, params, repeat("grad"), map(add, map(_get_grad, params), grads)))


def _checked_params(params: Iterable[Value] | None) -> list[Value]:
    if params is None:
        return []
    values = list(params)
    for p in values:
        if not isinstance(p, Value):
            raise TypeError(f"compile params must be Values (e.g. model.parameters()), got {type(p).__name__}")
        if p.parents:
            raise ValueError(f"compile params must be leaves, but {p!r} was made by {p.op!r}")
    if len(set(map(id, values))) != len(values):
        raise ValueError("compile got the same parameter twice in params")
    return values


def _frozen(arg: Any) -> Hashable:
    if isinstance(arg, (list, tuple)):
        return tuple(map(_frozen, arg))
    try:
        hash(arg)
    except TypeError:
        raise TypeError(f"compile: a static argument must be hashable (or a list of such), got {type(arg).__name__}") from None
    return (type(arg), arg)


__all__ = ["compile", "Compiled", "TracingError"]
