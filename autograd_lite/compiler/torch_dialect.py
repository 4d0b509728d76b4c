"""The PyTorch dialect of the generated code: twins of the rules' helpers, and the rows
whose gradient comes from their local text (see :mod:`.torch_module` for
``Compiled.to_torch``).

Out of an op's domain the twins do what PyTorch does (``log(-1)`` is nan, ``1 / 0`` is
inf): a check would cost a device synchronisation per op.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from types import ModuleType
from typing import Any

from .. import domains, rules
from ..rules import ZERO, Rule
from .codegen import exact_float, template

# torch is passed in (imported on first use): to a type checker a ModuleType, whose
# attributes are Any, so the twins below take and return Any (tensors or numbers).

_LARGEST_EXP_ARGUMENT = math.log(1.7976931348623157e308)  # e**x is the largest float


def _torch() -> ModuleType:
    try:
        import torch
    except ImportError:
        raise ImportError('Compiled.to_torch needs PyTorch: pip install "autograd-lite[torch]"') from None
    return torch


def torch_namespace(torch: ModuleType) -> dict[str, Any]:
    """PyTorch versions of every helper name the table's forward text uses."""
    F = torch.nn.functional

    def _normal_cdf(x: Any) -> Any:
        return 0.5 * torch.special.erfc(-x * domains._SQRT_HALF)

    def _softplus(x: Any) -> Any:
        # PyTorch's own: its gradient is the sigmoid, 0.5 at 0 as ours; above 700 it is x,
        # which is log(1 + e**x) to the last bit there.
        return F.softplus(x, threshold=700.0)

    def _expm1(x: Any) -> Any:
        # Only elu's text uses it, in the branch for x <= 0, which torch evaluates for every x:
        # beyond the overflow point its gradient e**x would be inf, and 0 * inf makes the
        # discarded branch's gradient nan. Clamped there, the gradient is 0 (the value, never
        # selected, is the largest float instead of inf).
        return torch.expm1(torch.clamp(x, max=_LARGEST_EXP_ARGUMENT))

    def _rows(parts: Sequence[Any], blocks: Sequence[bool]) -> Any:
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
        "_LIST_OP_RULES": _TorchRules(torch),  # the name the generated code uses for the array dialects
        "_rows": _rows, "_matmul": torch.matmul,
    }


class _TorchRule:
    def __init__(self, forward: Callable[..., Any]) -> None:
        self.forward = forward


class _TorchRules:
    """PyTorch versions of the engine's list ops that are not sum or dot, by
    ``(row, *constants)`` (the generated code reads ``_LIST_OP_RULES['softmax', k3]``)."""

    def __init__(self, torch: ModuleType) -> None:
        self.torch = torch

    def __getitem__(self, key: tuple[Any, ...]) -> _TorchRule:
        torch = self.torch
        op, *constants = key

        def stacked(xs: Sequence[Any]) -> Any:
            like = next(x for x in xs if isinstance(x, torch.Tensor))
            return torch.stack(torch.broadcast_tensors(
                *[torch.as_tensor(x, dtype=like.dtype, device=like.device) for x in xs]))

        if op == "logsumexp":
            return _TorchRule(lambda *xs: torch.logsumexp(stacked(xs), dim=0))
        if op == "softmax":
            i = int(constants[0])
            return _TorchRule(lambda *xs: torch.softmax(stacked(xs), dim=0)[i])
        raise NotImplementedError(f"Compiled.to_torch has no PyTorch version of the engine op {op!r}")


# Rows whose local text is not the derivative of the branch their forward text takes: at a
# tie, maximum and minimum split the gradient in half; clamped_log's gradient passes
# straight through its clamp. Torch autograd would differentiate the branch, so their
# gradient in torch comes from their local text (an autograd.Function).
OWN_GRADIENT = frozenset({"maximum", "minimum", "clamped_log"})


def _row_of(rule: Rule) -> str | None:
    """The name of the row a rule was made from (None for a custom op's), by the rule
    object (see ``rules.row_of``), never by its name or its attributes."""
    row = rules.row_of(rule)
    return None if row is None else row[0]


def own_gradient_function(torch: ModuleType, rule: Rule) -> Callable[..., Any]:
    """``rule`` as a function of tensors whose value is its forward text and whose gradient
    is its local text times the incoming gradient (nothing where the local is 0, as the
    engine's chain rule skips a structural zero). Differentiable again: the local text runs
    on the saved inputs with torch ops."""
    row = rules.row_of(rule)
    if row is None:
        raise TypeError("own_gradient_function: the rule was not made from a row of rules.TABLE")
    forward, local = _text_functions(torch, row[3], tuple(row[4:]), tuple(row[1].split()), tuple(row[2].split()))
    constants = [exact_float(value) for value in rule.param_values]

    # torch is the module passed in: to a type checker a ModuleType, not the torch package.
    class RuleFunction(torch.autograd.Function):  # type: ignore[misc, name-defined]
        @staticmethod
        def forward(ctx: Any, *xs: Any) -> Any:
            out = forward(*xs, *constants)
            ctx.numbers = [None if isinstance(x, torch.Tensor) else x for x in xs]
            ctx.save_for_backward(*[x for x in xs if isinstance(x, torch.Tensor)], out)
            return out

        @staticmethod
        def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
            *tensors, out = ctx.saved_tensors
            saved = iter(tensors)
            xs = [next(saved) if number is None else number for number in ctx.numbers]
            grads: list[Any] = []
            for x, d, wanted in zip(xs, local(*xs, *constants, out), ctx.needs_input_grad):
                if not wanted:
                    grads.append(None)
                    continue
                d = torch.as_tensor(d, dtype=grad.dtype, device=grad.device)
                grads.append(torch.where(d == 0.0, torch.zeros_like(grad), d * grad).sum_to_size(x.shape))
            return tuple(grads)

    RuleFunction.__name__ = f"RuleFunction[{row[0]}]"
    apply: Callable[..., Any] = RuleFunction.apply
    return apply


def custom_op_function(torch: ModuleType, rule: Rule) -> Callable[..., Any]:
    """A custom op (``autograd_lite.op``) as a function of tensors: its own ``forward`` and
    ``local`` (Python on floats) run once per element, on the CPU, so its values are the
    eager engine's bits; the gradient is its local derivatives times the incoming gradient
    (nothing through a ``ZERO``, as in the engine). First derivatives only: the functions
    run on floats, which torch cannot differentiate again, so ``create_graph=True`` is
    refused (not answered with a gradient that torch would treat as a constant)."""
    shown = str.__repr__(rule.name)  # not repr(): the name may be a str subclass with its own

    # torch is the module passed in: to a type checker a ModuleType, not the torch package.
    class CustomOpFunction(torch.autograd.Function):  # type: ignore[misc, name-defined]
        @staticmethod
        def forward(ctx: Any, *xs: Any) -> Any:
            like = next(x for x in xs if isinstance(x, torch.Tensor))
            wide = torch.broadcast_tensors(*[torch.as_tensor(x, dtype=torch.float64, device=like.device)
                                             for x in xs])
            columns = list(zip(*[x.detach().cpu().reshape(-1).tolist() for x in wide]))
            outs = [rule.forward(*column) for column in columns]
            ctx.columns, ctx.outs, ctx.shapes = columns, outs, [getattr(x, "shape", None) for x in xs]
            return torch.tensor(outs, dtype=torch.float64, device=like.device).reshape(wide[0].shape)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
            if torch.is_grad_enabled():  # create_graph=True: a higher derivative is on its way
                raise RuntimeError(
                    f"Compiled.to_torch: the custom op {shown} has first derivatives only in PyTorch (its "
                    "local rule runs on floats); for higher derivatives use autograd_lite's own "
                    "(ag.grad, ag.hessian), or build the op from autograd_lite's ops")
            incoming = grad.detach().cpu().reshape(-1).tolist()
            per_input: list[list[float]] = [[] for _ in ctx.shapes]
            for column, out, g in zip(ctx.columns, ctx.outs, incoming):
                for j, d in enumerate(rule.local(*column, out)):
                    per_input[j].append(0.0 if d is ZERO else d * g)
            return tuple(None if shape is None or not wanted else
                         torch.tensor(values, dtype=grad.dtype, device=grad.device).reshape(grad.shape)
                         .sum_to_size(shape)
                         for values, shape, wanted in zip(per_input, ctx.shapes, ctx.needs_input_grad))

    apply: Callable[..., Any] = CustomOpFunction.apply
    return apply


@lru_cache(maxsize=64)
def _text_functions(torch: ModuleType, forward_source: str, local_sources: tuple[str, ...], inputs: tuple[str, ...],
                    params: tuple[str, ...]) -> tuple[Callable[..., Any], Callable[..., tuple[Any, ...]]]:
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


__all__ = ["OWN_GRADIENT", "custom_op_function", "own_gradient_function", "torch_namespace"]
