"""``Compiled.to_torch``: a compiled function as a PyTorch module.

Its forward pass is generated from the same tape and the same rule text as the float and
NumPy dialects (:mod:`.vectorized`, with a network's layers as matrix products), run
with the PyTorch twins of the rules' helpers below, so that PyTorch's autograd
differentiates it: ``backward()``, ``torch.autograd.grad`` (also of higher order), CUDA
and ``DistributedDataParallel`` work as for any module. See docs/compile.md.

Out of an op's domain the twins do what PyTorch does (``log(-1)`` is nan, ``1 / 0`` is
inf): a check would cost a device synchronisation per op.
"""

import math
import re
from functools import lru_cache

from .. import pytree, rules
from . import layers, segments, vectorized
from .codegen import template


_LARGEST_EXP_ARGUMENT = math.log(1.7976931348623157e308)  # e**x is the largest float


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError('Compiled.to_torch needs PyTorch: pip install "autograd-lite[torch]"') from None
    return torch


def torch_namespace(torch):
    """PyTorch versions of every helper name the table's forward text uses."""
    F = torch.nn.functional

    def _normal_cdf(x):
        return 0.5 * torch.special.erfc(-x * rules._SQRT_HALF)

    def _softplus(x):
        # PyTorch's own: its gradient is the sigmoid, 0.5 at 0 as ours; above 700 it is x,
        # which is log(1 + e**x) to the last bit there.
        return F.softplus(x, threshold=700.0)

    def _expm1(x):
        # Only elu's text uses it, in the branch for x <= 0, which torch evaluates for every x:
        # beyond the overflow point its gradient e**x would be inf, and 0 * inf makes the
        # discarded branch's gradient nan. Clamped there, the gradient is 0 (the value, never
        # selected, is the largest float instead of inf).
        return torch.expm1(torch.clamp(x, max=_LARGEST_EXP_ARGUMENT))

    def _rows(parts, blocks):
        tensors = [part for part in parts if isinstance(part, torch.Tensor)]
        width = max([1, *[part.shape[-1] for part in tensors if part.ndim]])
        like = tensors[0]
        return torch.cat([part.expand(part.shape[0], width) if block else
                          torch.as_tensor(part, dtype=like.dtype, device=like.device).expand(width)[None]
                          for part, block in zip(parts, blocks)])

    return {
        "_div": lambda a, b: a / b, "_pow": torch.pow, "_ieee_pow": torch.pow,
        "_checked_exp": torch.exp, "_checked_log": torch.log, "_checked_sqrt": torch.sqrt,
        "_checked_sin": torch.sin, "_checked_cos": torch.cos, "_checked_tan": torch.tan,
        "_checked_asin": torch.asin, "_checked_acos": torch.acos, "_atan": torch.atan,
        "_checked_sinh": torch.sinh, "_checked_cosh": torch.cosh, "_checked_log1p": torch.log1p,
        "_checked_expm1": torch.expm1, "_expm1": _expm1, "_tanh": torch.tanh, "_sigmoid": torch.sigmoid,
        "_logistic": torch.sigmoid, "_sin": torch.sin, "_cos": torch.cos, "_log": torch.log, "_exp": torch.exp,
        "_sinh": torch.sinh, "_cosh": torch.cosh, "_erf": torch.erf, "_erfc": torch.special.erfc,
        "_softplus": _softplus, "_normal_cdf": _normal_cdf, "_gelu": lambda x: x * _normal_cdf(x),
        "_silu": lambda x: x * torch.sigmoid(x), "_where": torch.where,
        **{name: getattr(rules, name) for name in ("_SQRT_HALF", "_TWO_OVER_SQRT_PI", "_INV_SQRT_2PI")},
        "INF": math.inf, "NAN": math.nan, "ZERO": 0.0,
        "_NUMPY_RULES": _TorchRules(torch),  # the name the generated code uses for the array dialects
        "_rows": _rows, "_matmul": torch.matmul,
    }


class _TorchRule:
    def __init__(self, forward):
        self.forward = forward


class _TorchRules:
    """PyTorch versions of the rules that are not table rows, by rule name."""

    def __init__(self, torch):
        self.torch = torch

    def __getitem__(self, name):
        torch = self.torch

        def stacked(xs):
            like = next(x for x in xs if isinstance(x, torch.Tensor))
            return torch.stack(torch.broadcast_tensors(
                *[torch.as_tensor(x, dtype=like.dtype, device=like.device) for x in xs]))

        if name == "logsumexp":
            return _TorchRule(lambda *xs: torch.logsumexp(stacked(xs), dim=0))
        if name.startswith("softmax["):
            i = int(name[len("softmax["):-1])
            return _TorchRule(lambda *xs: torch.softmax(stacked(xs), dim=0)[i])
        raise NotImplementedError(f"Compiled.to_torch has no PyTorch version of the op {name!r}")


def tensor_shape(treedef, position):
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


def to_torch(compiled, example_args):
    """The module for the structure of ``example_args`` (see ``Compiled.to_torch``)."""
    torch = _torch()
    key, flat, shapes = compiled._key(example_args)
    program = compiled._cache.get(key)
    if program is None:
        program = compiled._cache[key] = compiled._trace(example_args, flat, shapes)
    for kind, rule, _, _ in program["tape"].nodes:
        if kind == "op" and not rule.forward_source:
            raise TypeError(f"Compiled.to_torch: the custom op {rule.name!r} is Python code on floats, which "
                            "PyTorch can neither run on tensors nor differentiate; build it from autograd_lite's "
                            "ops instead (its graph then carries over)")
    trailing = [None if shape is None else tensor_shape(shape, i) for i, shape in enumerate(shapes)]
    static = {i: arg for i, arg in enumerate(example_args) if i in compiled.static_argnums}
    run, constants, reads_params_alone = _forward(torch, program["tape"], len(flat), len(compiled.params))
    return _module_class(torch)(compiled, run, constants, trailing, static, reads_params_alone)


def _forward(torch, tape, n_flat, n_params):
    """The generated forward pass and its constants: one function, with the layers grouped,
    when it fits in one; else a chain of plain segments (see :mod:`.segments`)."""
    scope = dict(torch_namespace(torch), _sum=sum)
    names = {}  # id(rule) -> the name of its autograd.Function in scope, or None (the tape keeps rules alive)

    def called(rule):
        if id(rule) not in names:
            names[id(rule)] = None
            if _row_of(rule) in OWN_GRADIENT:
                names[id(rule)] = name = f"T{len(scope)}"
                scope[name] = own_gradient_function(torch, rule)
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
    plain = scope["run"]
    return (lambda I, C, P, B: plain(I, C)), constants, _reads_inputs_from(lines, n_flat)


def _reads_inputs_from(lines, first):
    """True if a line reads an input at position ``first`` or later, as one number."""
    return any(int(k) >= first for line in lines for k in re.findall(r"\bI\[(\d+)\]", line))


def _broadcast_shapes(shapes):
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


# Rows whose local text is not the derivative of the branch their forward text takes: at a
# tie, maximum and minimum split the gradient in half; clamped_log's gradient passes
# straight through its clamp. Torch autograd would differentiate the branch, so their
# gradient in torch comes from their local text (an autograd.Function).
OWN_GRADIENT = frozenset({"maximum", "minimum", "clamped_log"})


def _row_of(rule):
    """The table row a rule was made from (None for the rules outside the table)."""
    for op, row in rules.ROWS.items():
        if row[3] == rule.forward_source and tuple(row[4:]) == rule.local_sources:
            return op
    return None


def own_gradient_function(torch, rule):
    """``rule`` as a function of tensors whose value is its forward text and whose gradient
    is its local text times the incoming gradient (nothing where the local is 0, as the
    engine's chain rule skips a structural zero). Differentiable again: the local text runs
    on the saved inputs with torch ops."""
    forward, local = _text_functions(torch, rule.forward_source, rule.local_sources, rule.inputs, rule.params)
    constants = rule.param_values

    class RuleFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *xs):
            out = forward(*xs, *constants)
            ctx.numbers = [None if isinstance(x, torch.Tensor) else x for x in xs]
            ctx.save_for_backward(*[x for x in xs if isinstance(x, torch.Tensor)], out)
            return out

        @staticmethod
        def backward(ctx, grad):
            *tensors, out = ctx.saved_tensors
            tensors = iter(tensors)
            xs = [next(tensors) if number is None else number for number in ctx.numbers]
            grads = []
            for x, d, wanted in zip(xs, local(*xs, *constants, out), ctx.needs_input_grad):
                if not wanted:
                    grads.append(None)
                    continue
                d = torch.as_tensor(d, dtype=grad.dtype, device=grad.device)
                grads.append(torch.where(d == 0.0, torch.zeros_like(grad), d * grad).sum_to_size(x.shape))
            return tuple(grads)

    RuleFunction.__name__ = f"RuleFunction[{rule.name}]"
    return RuleFunction.apply


@lru_cache(maxsize=64)
def _text_functions(torch, forward_source, local_sources, inputs, params):
    """``forward(*inputs, *params)`` and ``local(*inputs, *params, out)`` from a row's text,
    in the torch dialect (our own table text, never user text)."""
    names = (*inputs, *params)
    forward = template(forward_source, names, "torch").format(*names)
    local = ", ".join(template(text, (*names, "out"), "torch").format(*names, "out") for text in local_sources)
    source = (f"def forward({', '.join(names)}):\n    return {forward}\n"
              f"def local({', '.join(names)}, out):\n    return ({local},)\n")
    scope = torch_namespace(torch)
    exec(compile(source, "<autograd_lite.compile torch rule>", "exec"), scope)
    return scope["forward"], scope["local"]


@lru_cache(maxsize=1)
def _module_class(torch):

    class CompiledModule(torch.nn.Module):
        """A compiled function as a ``torch.nn.Module``: call it with tensors (see
        docs/compile.md); ``params`` holds the compiled function's parameters."""

        def __init__(self, compiled, run, constants, trailing, static, reads_params_alone):
            super().__init__()
            self._run, self._constants, self._trailing, self._static = run, constants, trailing, static
            self._reads_params_alone = reads_params_alone
            self._values = list(compiled.params)
            data = [p.data for p in self._values]
            self.params = torch.nn.Parameter(torch.tensor(data, dtype=torch.float64)) if data else None

        def forward(self, *args):
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
                return torch.empty(shape, dtype=torch.float64, device=device)
            inputs = []
            for i, tensor in tensors.items():
                width = math.prod(self._trailing[i])
                wide = tensor.reshape(*tensor.shape[:tensor.ndim - len(self._trailing[i])], width)
                inputs.extend(wide.expand(*shape, width).reshape(size, width).unbind(-1))
            if self.params is not None and self._reads_params_alone:
                inputs.extend(self.params.unbind())
            out = self._run(inputs, self._constants, self.params, size)
            out = torch.as_tensor(out, dtype=torch.float64, device=device)
            return out.expand(size).reshape(shape)

        def copy_params_to_values(self):
            """Write the current ``params`` into the compiled function's parameter Values."""
            for value, number in zip(self._values, self.params.detach().cpu().tolist() if self._values else ()):
                value.data = number

    return CompiledModule


def _as_float64(torch, arg, position, device):
    if isinstance(arg, torch.Tensor):
        if arg.is_complex():
            raise TypeError(f"argument {position} is a complex tensor; a compiled function takes real numbers")
        return arg.to(torch.float64)
    try:
        return torch.as_tensor(arg, dtype=torch.float64, device=device)
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(f"argument {position} must be a tensor or numbers, got {type(arg).__name__}: {error}") from None


__all__ = ["to_torch", "torch_namespace"]
