"""``Compiled.to_torch``: a compiled function as a PyTorch module.

Its forward pass is generated from the same tape and the same rule text as the float and
NumPy dialects (:mod:`.vectorized`, with a network's layers as matrix products), in the
PyTorch dialect (:mod:`.torch_dialect`), so that PyTorch's autograd differentiates it:
``backward()``, ``torch.autograd.grad`` (also of higher order), CUDA and
``DistributedDataParallel`` work as for any module. See docs/compile.md.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .. import pytree
from ..rules import Rule
from . import layers, segments, vectorized
from .torch_dialect import (OWN_GRADIENT, _row_of, _torch, custom_op_function, own_gradient_function,
                            torch_namespace)

if TYPE_CHECKING:
    from torch import Tensor
    from torch.nn import Module, Parameter

    from . import Compiled, Program
    from .trace import Tape

    class CompiledModule(Module):
        """The module ``Compiled.to_torch`` returns, as type checkers see it. The class itself
        is made on first use by :func:`_module_class` (it subclasses ``torch.nn.Module``, and
        torch is imported only then): this name exists for type checkers only, so import it
        under ``typing.TYPE_CHECKING`` to annotate with it."""

        params: Parameter | None  # the compiled function's params, in order (None without any)

        def __call__(self, *args: Any) -> Tensor: ...
        def forward(self, *args: Any) -> Tensor: ...
        def copy_params_to_values(self) -> None: ...


def tensor_shape(treedef: pytree.TreeDef, position: int) -> tuple[int, ...]:
    """The trailing shape of a tensor that holds argument ``position``'s structure: () for a
    number, (n,) for a list of n numbers, (n, k) for n lists of k..."""
    if treedef.kind == "leaf":
        return ()
    children = treedef.children
    if treedef.kind in ("list", "tuple") and children and all(child == children[0] for child in children):
        return (len(children), *tensor_shape(children[0], position))
    raise TypeError(f"Compiled.to_torch: argument {position} is {pytree.describe(treedef)}; a tensor holds a "
                    "number or a (nested) list of numbers of one length per level: pass the parts of "
                    "another structure as separate arguments")


def to_torch(compiled: Compiled, example_args: Sequence[Any]) -> CompiledModule:
    """The module for the structure of ``example_args``, or without them of the one trace
    (see ``Compiled.to_torch``)."""
    torch = _torch()
    if example_args:
        program, _, shapes = compiled._program(example_args)
        static = {i: arg for i, arg in enumerate(example_args) if shapes[i] is None}
    else:
        program = _the_one_trace(compiled)
        shapes, static = program["shapes"], program["static"]
    n_flat = sum(shape.num_leaves for shape in shapes if shape is not None)
    trailing = [None if shape is None else tensor_shape(shape, i) for i, shape in enumerate(shapes)]
    run, constants, reads_params_alone = _forward(torch, program["tape"], n_flat, len(compiled.params))
    return _module_class(torch)(compiled, run, constants, trailing, static, reads_params_alone)


def _the_one_trace(compiled: Compiled) -> Program:
    """For ``to_torch()`` without arguments: the function's one trace; for a function of no
    arguments a new one; else a TypeError that asks for example arguments."""
    program = compiled._cache.only()
    if program is not None:
        return program
    if compiled.traces == 0:
        try:
            inspect.signature(compiled.f).bind()
        except (TypeError, ValueError):  # it needs arguments (or its signature is unknown)
            state = "has not been traced yet"
        else:
            return compiled._program(())[0]
    else:
        state = (f"has {compiled.traces} traces (one per argument structure and static value), "
                 "so which one to use is not clear")
    raise TypeError(f"Compiled.to_torch() without example arguments uses the function's one trace, but it {state}: "
                    "pass example arguments as a call takes them, e.g. step.to_torch(0.0, [0.0, 0.0]) for a number "
                    "and a list of two")


def _forward(torch: ModuleType, tape: Tape, n_flat: int, n_params: int
             ) -> tuple[Callable[..., Any], tuple[float, ...], bool]:
    """The generated forward pass and its constants: one function, with the layers grouped,
    when it fits in one; else a chain of plain segments (see :mod:`.segments`)."""
    scope = dict(torch_namespace(torch), _sum=sum)
    # id(rule) -> the name of its autograd.Function in scope, or None (the tape keeps rules alive)
    names: dict[int, str | None] = {}

    def called(rule: Rule) -> str | None:
        if id(rule) not in names:
            names[id(rule)] = None
            row = _row_of(rule)
            if row is None or row in OWN_GRADIENT:  # a custom op, or a rule with its own gradient
                names[id(rule)] = name = f"T{len(scope)}"
                scope[name] = custom_op_function(torch, rule) if row is None else own_gradient_function(torch, rule)
        return names[id(rule)]

    plan = layers.plan(tape, range(n_flat, n_flat + n_params)) or vectorized.ungrouped(tape)
    lines, constants, indices, _ = vectorized.generate(tape, plan, "torch", n_flat, n_params, False, called)
    if len(lines) <= segments.ONE_FUNCTION_LINES:
        scope.update({name: torch.tensor(positions, dtype=torch.long) for name, positions in indices.items()})
        segments.define([vectorized.source(lines, len(constants))], scope, "<autograd_lite.compile torch>")
        return scope["run"], constants, _reads_inputs_from(lines, n_flat)
    lines, constants, _, _ = vectorized.generate(tape, vectorized.ungrouped(tape), "torch", n_flat, n_params,
                                                 False, called)
    segments.define(segments.functions(lines, len(constants)), scope, "<autograd_lite.compile torch>")
    plain: Callable[..., Any] = scope["run"]
    return (lambda I, C, P, B: plain(I, C)), constants, _reads_inputs_from(lines, n_flat)


def _reads_inputs_from(lines: Sequence[str], first: int) -> bool:
    """True if a line reads an input at position ``first`` or later, as one number."""
    return any(int(k) >= first for line in lines for k in re.findall(r"\bI\[(\d+)\]", line))


def _broadcast_shapes(shapes: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """torch.broadcast_shapes, without its Python overhead (a third of a small batch's call)."""
    ndim = max(map(len, shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for axis, size in enumerate(shape, ndim - len(shape)):
            if size != 1:
                if out[axis] not in (1, size):
                    raise ValueError(f"the arguments' batch shapes {[tuple(s) for s in shapes]} do not broadcast")
                out[axis] = size
    return tuple(out)


@lru_cache(maxsize=1)
def _module_class(torch: ModuleType) -> type[CompiledModule]:

    # torch is the module passed in: to a type checker a ModuleType, not the torch package.
    class CompiledModule(torch.nn.Module):  # type: ignore[misc, name-defined]
        """A compiled function as a ``torch.nn.Module``: call it with tensors (see
        docs/compile.md); ``params`` holds the compiled function's parameters."""

        _trailing: list[Any]  # per argument its trailing shape, None for a static one (never read as a shape)

        def __init__(self, compiled: Compiled, run: Callable[..., Any], constants: tuple[float, ...],
                     trailing: list[tuple[int, ...] | None], static: dict[int, Any], reads_params_alone: bool) -> None:
            super().__init__()
            self._run, self._constants, self._trailing, self._static = run, constants, trailing, static
            self._reads_params_alone = reads_params_alone
            self._values = list(compiled.params)
            data = [p.data for p in self._values]
            self.params = torch.nn.Parameter(torch.tensor(data, dtype=torch.float64)) if data else None

        def forward(self, *args: Any) -> Tensor:
            if len(args) != len(self._trailing):
                raise TypeError(f"expected {len(self._trailing)} arguments, got {len(args)}")
            tensors, batch_shapes = {}, []
            device = self.params.device if self.params is not None else None
            for i, arg in enumerate(args):
                if i in self._static:
                    if arg != self._static[i]:
                        raise ValueError(f"static argument {i} was {self._static[i]!r} when this module was made, "
                                         f"got {arg!r}: make a module for that value with to_torch")
                    continue
                tensor = _as_float64(torch, arg, i, device)
                device = tensor.device if device is None else device
                trailing = self._trailing[i]
                if tensor.ndim < len(trailing) or tuple(tensor.shape[tensor.ndim - len(trailing):]) != trailing:
                    raise ValueError(f"argument {i} must have the trailing shape {trailing} (then any batch "
                                     f"shape before it), got a tensor of shape {tuple(tensor.shape)}")
                tensors[i] = tensor
                batch_shapes.append(tensor.shape[:tensor.ndim - len(trailing)])
            shape = _broadcast_shapes(batch_shapes)
            size = math.prod(shape)
            if size == 0:
                return cast("Tensor", torch.empty(shape, dtype=torch.float64, device=device))
            inputs: list[Any] = []
            for i, tensor in tensors.items():
                width = math.prod(self._trailing[i])
                wide = tensor.reshape(*tensor.shape[:tensor.ndim - len(self._trailing[i])], width)
                inputs.extend(wide.expand(*shape, width).reshape(size, width).unbind(-1))
            if self.params is not None and self._reads_params_alone:
                inputs.extend(self.params.unbind())
            result = self._run(inputs, self._constants, self.params, size)
            out: Tensor = torch.as_tensor(result, dtype=torch.float64, device=device)
            return out.expand(size).reshape(shape)

        def copy_params_to_values(self) -> None:
            """Write the current ``params`` into the compiled function's parameter Values."""
            params = cast("Parameter", self.params)  # not None where there are values
            for value, number in zip(self._values, params.detach().cpu().tolist() if self._values else ()):
                value.data = number

    return CompiledModule


def _as_float64(torch: ModuleType, arg: Any, position: int, device: Any) -> Tensor:
    if isinstance(arg, torch.Tensor):
        if arg.is_complex():
            raise TypeError(f"argument {position} is a complex tensor; a compiled function takes real numbers")
        return cast("Tensor", arg.to(torch.float64))
    try:
        return cast("Tensor", torch.as_tensor(arg, dtype=torch.float64, device=device))
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(f"argument {position} must be a tensor or numbers, got {type(arg).__name__}: {error}") from None


__all__ = ["to_torch", "tensor_shape"]
