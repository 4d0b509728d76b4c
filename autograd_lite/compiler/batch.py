"""Batch mode: the same generated code over NumPy arrays, one example per row.

The table's source text runs unchanged with NumPy twins of the rules' helpers below
(``a if c else b`` becomes ``np.where``); domain errors raise the eager engine's errors,
naming the first offending example.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

from .. import domains, rules
from ..conversions import as_float
from ..value import Value
from . import add_into_grads, codegen, layers, segments, vectorized
from .codegen import build

if TYPE_CHECKING:
    from . import Compiled
    from .codegen import Evaluate
    from .trace import Tape

# The layered program: ``run(inputs, batch)`` -> ``(value, gradients, shared gradients)``.
Layered = Callable[[Sequence[Any], int], tuple[Any, tuple[Any, ...], Any]]

REDUCTIONS = ("sum", "mean", None)


# The NumPy module is passed in (imported on first use): to a type checker a ModuleType,
# whose attributes are Any, so the helpers below take and return Any (arrays or floats).
def _numpy() -> ModuleType:
    try:
        import numpy
    except ImportError:
        raise ImportError('compiled batch mode needs NumPy: pip install "autograd-lite[numpy]"') from None
    return numpy


def _first_bad(np: ModuleType, mask: Any, values: Any) -> tuple[float, int]:
    """The first bad value and its example: the last axis is the batch (a layer's matrix
    has one row per neuron)."""
    mask = np.broadcast_to(mask, np.shape(values))
    index = int(np.flatnonzero(mask)[0]) if np.ndim(values) else 0
    example = int(np.unravel_index(index, np.shape(values))[-1]) if np.ndim(values) else 0
    return float(np.ravel(values)[index]), example


def numpy_namespace(np: ModuleType) -> dict[str, Any]:
    """NumPy versions of every helper name the table's source text uses."""

    def fail(kind: type[Exception], message: str, mask: Any, values: Any) -> NoReturn:
        bad, index = _first_bad(np, mask, values)
        raise kind(message.format(bad=bad) + f" (example {index})")

    def _div(a: Any, b: Any) -> Any:
        zero = np.asarray(b) == 0.0
        if zero.any():
            fail(ZeroDivisionError, "division by zero: ... / {bad!r}", zero, b)
        return a / b

    def _pow(x: Any, y: Any) -> Any:
        negative = (np.asarray(x) < 0.0) & np.isfinite(y) & (np.asarray(y) != np.floor(y))
        if np.any(negative):
            fail(ValueError, "pow: negative base {bad!r} to a non-integer power has no real value", negative, x)
        zero = (np.asarray(x) == 0.0) & (np.asarray(y) < 0.0)
        if np.any(zero):
            fail(ZeroDivisionError, "pow: 0.0 cannot be raised to a negative power ({bad!r})", zero, x)
        out = np.power(x, y)
        overflow = np.isinf(out) & np.isfinite(x)
        if np.any(overflow):
            fail(OverflowError, "pow: {bad!r} ** ... overflows a float", overflow, x)
        return out

    def _checked_exp(x: Any) -> Any:
        out = np.exp(x)
        overflow = np.isinf(out) & np.isfinite(x)
        if np.any(overflow):
            fail(OverflowError, "exp: result overflows a float for operand {bad!r} (largest is about 709.78)",
                 overflow, x)
        return out

    def _checked_log(x: Any) -> Any:
        bad = np.asarray(x) <= 0.0
        if bad.any():
            fail(ValueError, "log: operand must be > 0, got {bad!r}", bad, x)
        return np.log(x)

    def _checked_sqrt(x: Any) -> Any:
        bad = np.asarray(x) < 0.0
        if bad.any():
            fail(ValueError, "sqrt: operand must be >= 0, got {bad!r}", bad, x)
        return np.sqrt(x)

    def finite_only(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def checked(x: Any) -> Any:
            bad = np.isinf(x)
            if np.any(bad):
                fail(ValueError, name + ": operand must be finite, got {bad!r}", bad, x)
            return fn(x)
        return checked

    def _sigmoid(x: Any) -> Any:
        e = np.exp(-np.abs(x))  # never overflows; saturates like the float version
        return np.where(np.asarray(x) >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))

    def overflow_checked(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def checked(x: Any) -> Any:
            out = fn(x)
            overflow = np.isinf(out) & np.isfinite(x)
            if np.any(overflow):
                fail(OverflowError, name + ": result overflows a float for operand {bad!r}", overflow, x)
            return out
        return checked

    def in_unit_interval(name: str, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def checked(x: Any) -> Any:
            bad = np.abs(x) > 1.0
            if np.any(bad):
                fail(ValueError, name + ": operand must be in [-1, 1], got {bad!r}", bad, x)
            return fn(x)
        return checked

    def _checked_log1p(x: Any) -> Any:
        bad = np.asarray(x) <= -1.0
        if bad.any():
            fail(ValueError, "log1p: operand must be > -1, got {bad!r}", bad, x)
        return np.log1p(x)

    erf, erfc = (np.vectorize(f, otypes=[float]) for f in (math.erf, math.erfc))  # NumPy has no erf

    def _softplus(x: Any) -> Any:
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

    def _normal_cdf(x: Any) -> Any:
        return 0.5 * erfc(-x * domains._SQRT_HALF)

    def _dpow_dbase(x: Any, y: Any) -> Any:
        at_zero = (np.asarray(x) == 0.0) & (np.asarray(y) < 1.0)
        return np.where(at_zero, np.where(np.asarray(y) == 0.0, 0.0, math.inf), y * np.power(x, y - 1.0))

    def _dpow_dexponent(x: Any, out: Any) -> Any:
        safe = np.where(np.asarray(x) > 0.0, x, 1.0)
        return np.where(np.asarray(x) > 0.0, out * np.log(safe), np.where(np.asarray(x) == 0.0, 0.0, math.nan))

    def softmax(xs: Sequence[Any]) -> list[Any]:
        shift = builtins.max(xs) if not any(np.ndim(x) for x in xs) else np.max(np.broadcast_arrays(*xs), axis=0)
        exps = [np.exp(x - shift) for x in xs]
        total = builtins.sum(exps)
        return [e / total for e in exps]

    def logsumexp(*xs: Any) -> Any:
        shift = np.max(np.broadcast_arrays(*xs), axis=0)
        finite = np.where(np.isinf(shift), 0.0, shift)
        return np.where(np.isinf(shift), shift, finite + np.log(builtins.sum(np.exp(x - finite) for x in xs)))

    numpy_rules = _NumpyRules(softmax, logsumexp)
    return {**_array_helpers(np),
        "_div": _div, "_pow": _pow, "_checked_exp": _checked_exp, "_checked_log": _checked_log,
        "_checked_sqrt": _checked_sqrt, "_checked_sin": finite_only("sin", np.sin),
        "_checked_cos": finite_only("cos", np.cos), "_tanh": np.tanh, "_sigmoid": _sigmoid,
        "_sin": np.sin, "_cos": np.cos, "_log": np.log, "_exp": np.exp,
        "_dpow_dbase": _dpow_dbase, "_dpow_dbase_xy": _dpow_dbase, "_dpow_dexponent": _dpow_dexponent,
        "_checked_tan": finite_only("tan", np.tan), "_checked_asin": in_unit_interval("asin", np.arcsin),
        "_checked_acos": in_unit_interval("acos", np.arccos), "_atan": np.arctan,
        "_checked_sinh": overflow_checked("sinh", np.sinh), "_checked_cosh": overflow_checked("cosh", np.cosh),
        "_checked_log1p": _checked_log1p, "_checked_expm1": overflow_checked("expm1", np.expm1),
        "_expm1": np.expm1, "_sinh": np.sinh, "_cosh": np.cosh, "_erf": erf, "_erfc": erfc,
        "_logistic": _sigmoid, "_softplus": _softplus, "_normal_cdf": _normal_cdf,
        "_gelu": lambda x: x * _normal_cdf(x), "_silu": lambda x: x * _sigmoid(x), "_ieee_pow": np.power,
        **{name: getattr(rules, name) for name in ("_SQRT_HALF", "_TWO_OVER_SQRT_PI", "_INV_SQRT_2PI")},
        "INF": math.inf, "NAN": math.nan, "ZERO": 0.0,
        "_LIST_OP_RULES": numpy_rules,
    }


def _array_helpers(np: ModuleType) -> dict[str, Any]:
    """What the layered code (see :mod:`.vectorized`) calls: matrices whose last axis, if
    any, is the batch; a row or block without it is one number for every example."""

    def _rows(parts: Sequence[Any], blocks: Sequence[bool]) -> Any:
        width, count = 1, 0
        for part, block in zip(parts, blocks):
            shape = np.shape(part)
            width = builtins.max(width, shape[-1]) if shape else width
            count += shape[0] if block else 1
        out, row = np.empty((count, width)), 0
        for part, block in zip(parts, blocks):
            size = part.shape[0] if block else 1
            out[row:row + size] = part  # broadcasts a number, a (1,) row or a (B,) column
            row += size
        return out

    def _outer_bsum(G: Any, X: Any, B: int) -> Any:  # sum over the batch of G[j] * X[i], as an (m, n) matrix
        if G.shape[1] == X.shape[1]:
            return G @ X.T * B if G.shape[1] == 1 else G @ X.T
        if G.shape[1] == 1:
            return np.outer(G[:, 0], X.sum(axis=1))
        return np.outer(G.sum(axis=1), X[:, 0])

    def _add(total: Any, index: Any, values: Any) -> None:  # each index once
        total[index] += values

    def _where(condition: Any, a: Any, b: Any) -> Any:
        """np.where's exact result. On a large array it selects the bits with integer masks:
        np.where branches on each element, and a mask that follows the data (relu's, on a
        layer's matrix) defeats the branch predictor, 3-4x slower."""
        if np.size(condition) < 4096:
            return np.where(condition, a, b)
        shape = np.broadcast_shapes(np.shape(condition), np.shape(a), np.shape(b))
        mask = -np.asarray(condition).astype(np.int64)  # all bits set where the condition holds
        bits_a = np.broadcast_to(np.asarray(a, dtype=float), shape).view(np.int64)
        bits_b = np.broadcast_to(np.asarray(b, dtype=float), shape).view(np.int64)
        return ((bits_a & mask) | (bits_b & ~mask)).view(float)

    return {
        "_matmul": np.matmul, "_rows": _rows, "_outer_bsum": _outer_bsum, "_zeros": np.zeros,
        # a single (a row) or rows whose batch axis is 1 wide are the same for every example
        "_bsum": lambda t, B: np.sum(t) * B if np.size(t) == 1 else np.sum(t),
        "_bsum_rows": lambda t, B: t[:, 0] * B if t.shape[1] == 1 else t.sum(axis=1),
        "_add": _add, "_add_at": np.add.at, "_where": _where,
    }


class _NumpyRule:
    def __init__(self, forward: Callable[..., Any], local: Callable[..., tuple[Any, ...]]) -> None:
        self.forward, self.local = forward, local


class _NumpyRules:
    """NumPy versions of the engine's list ops that are not sum or dot, by ``(row, *constants)``
    (the generated code reads ``_LIST_OP_RULES['softmax', k3]``)."""

    def __init__(self, softmax: Callable[[Sequence[Any]], list[Any]], logsumexp: Callable[..., Any]) -> None:
        self.softmax, self.logsumexp = softmax, logsumexp

    def __getitem__(self, key: tuple[Any, ...]) -> _NumpyRule:
        op, *constants = key
        if op == "logsumexp":
            return _NumpyRule(self.logsumexp, lambda *xs_out: tuple(self.softmax(xs_out[:-1])))
        if op == "softmax":
            i = int(constants[0])
            return _NumpyRule(
                lambda *xs: self.softmax(xs)[i],
                lambda *xs_out: tuple(xs_out[-1] * ((1.0 if j == i else 0.0) - s)
                                      for j, s in enumerate(self.softmax(xs_out[:-1]))))
        raise NotImplementedError(f"compiled batch mode has no NumPy version of the engine op {op!r}")


def _evaluated(np: ModuleType, evaluate: Evaluate, evaluate_one: Evaluate, inputs: Sequence[Any], batch: int,
               reduce: str | None) -> tuple[Any, list[Any]]:
    """Values and gradients per example, or reduced. Where an example's gradient is nan, a
    structural zero may have to mask it (see codegen.build), and which zeros are structural
    is known only per example: those examples are computed again by the float code, so batch
    mode gives exactly float mode's numbers there too."""
    evaluated_values, evaluated_grads = evaluate(inputs, check_nan=False)
    values = np.array(np.broadcast_to(evaluated_values, (batch,)), dtype=float)
    grads = [np.array(np.broadcast_to(g, (batch,)), dtype=float) for g in evaluated_grads]
    if grads:
        unsure = np.logical_or.reduce([np.isnan(g) for g in grads])
        for row in np.flatnonzero(unsure):
            value, row_grads = evaluate_one([float(x[row]) if np.ndim(x) else float(x) for x in inputs])
            values[row] = value
            for g, row_grad in zip(grads, row_grads):
                g[row] = row_grad
    if reduce is None:
        return values, grads
    combine = np.sum if reduce == "sum" else np.mean
    return float(combine(values)), [float(combine(g)) for g in grads]


def _build_layered(np: ModuleType, tape: Tape, shared_start: int, n_shared: int) -> Layered | None:
    """The layered program (see :mod:`.layers`): ``run(inputs, batch)``, or None when the
    tape has no layer whose weights are parameters, or is too long for one function."""
    plan = layers.plan(tape, range(shared_start, shared_start + n_shared))
    if plan is None:
        return None
    lines, constants, indices, called_rules = vectorized.generate(tape, plan, "numpy", shared_start, n_shared)
    if len(lines) > segments.ONE_FUNCTION_LINES:
        return None
    scope = dict(numpy_namespace(np), _sum=builtins.sum, _elementwise=codegen._elementwise, **called_rules,
                 **{name: np.array(positions, dtype=np.intp) for name, positions in indices.items()})
    segments.define([vectorized.source(lines, len(constants))], scope, "<autograd_lite.compile numpy layers>")
    run = scope["run"]
    return lambda inputs, batch: run(inputs, constants, np.array(inputs[shared_start:], dtype=float), batch)


def _layered(np: ModuleType, run: Layered | None, inputs: Sequence[Any], batch: int,
             reduce: str | None) -> tuple[Any, list[Any]] | None:
    """Values and gradients as :func:`_evaluated` gives them, from the layered program; None
    when there is none, or when a gradient is nan: a structural zero may have to mask it,
    which only the per-example code can tell (see :func:`_evaluated`)."""
    if run is None:
        return None
    value, run_grads, shared_grads = run(inputs, batch)
    grads = [np.broadcast_to(g, (batch,)) for g in run_grads]
    if np.isnan(shared_grads).any() or any(np.isnan(g).any() for g in grads):
        return None
    values = np.broadcast_to(value, (batch,))
    if reduce is None:
        return np.array(values, dtype=float), [np.array(g, dtype=float) for g in grads]
    if reduce == "sum":
        return float(np.sum(values)), [float(np.sum(g)) for g in grads] + shared_grads.tolist()
    return float(np.mean(values)), [float(np.mean(g)) for g in grads] + (shared_grads / batch).tolist()


def _batch_array(np: ModuleType, arg: Any, where: str) -> Any:
    """``arg`` as a float64 array, refusing what float mode refuses (bools, complex numbers,
    strings, dates, masked arrays) with the same errors, from ``as_float``."""
    if isinstance(arg, np.ma.MaskedArray):
        as_float(arg, where)  # raises
    # A list goes through objects: as floats, True and 1.5 would become 1.0 and 1.5 unseen.
    array = np.asarray(arg, dtype=object) if isinstance(arg, (list, tuple)) else np.asarray(arg)
    if array.dtype.kind in "fiu":
        return np.asarray(array, dtype=float)
    if array.dtype.kind == "O":
        numbers = [as_float(x.data if isinstance(x, Value) else x, where) for x in array.flat]
        return np.array(numbers, dtype=float).reshape(array.shape)
    if array.size:
        as_float(array.flat[0], where)  # raises: a bool, complex, str, date... array holds no real numbers
    raise TypeError(f"{where} expects real numbers (int or float), got an array of dtype {array.dtype}")


def run_batch(compiled: Compiled, args: Sequence[Any], reduce: str | None) -> tuple[Any, tuple[Any, ...]]:
    """``Compiled.batch``'s work (see there)."""
    np = _numpy()
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be 'sum', 'mean' or None, got {reduce!r}")
    if reduce is None and compiled.params:
        raise ValueError("per-example gradients (reduce=None) cannot be added into the params' .grad; "
                         "use reduce='sum' or 'mean', or pass the parameters as an argument")
    layout = compiled._layout(len(args))
    arrays, sizes = [], set()
    for i, arg in enumerate(args):
        if i in layout.static:
            arrays.append(arg)
            continue
        array = _batch_array(np, arg, f"batch argument {i}")
        if array.ndim == 0:
            raise ValueError(f"batch argument {i} needs a leading batch dimension, got a scalar")
        arrays.append(array)
        sizes.add(array.shape[0])
    if len(sizes) > 1:
        raise ValueError(f"batch arguments disagree on the batch size: {sorted(sizes)}")
    if not sizes or 0 in sizes:
        raise ValueError("batch mode needs at least one array argument with at least one example")
    batch = sizes.pop()
    first = [a[0].tolist() if i not in layout.static else a for i, a in enumerate(arrays)]
    program, _, _ = compiled._program(first)
    columns = [column for i, a in enumerate(arrays) if i not in layout.static
               for column in a.reshape(batch, -1).T]
    inputs = [*columns, *[p.data for p in compiled.params]]
    if "numpy layers" not in program:
        program["numpy layers"] = _build_layered(np, program["tape"], len(columns), len(compiled.params))
    with np.errstate(all="ignore"):
        result = _layered(np, program["numpy layers"], inputs, batch, reduce)
        if result is None:
            if "numpy" not in program:
                program["numpy"] = build(program["tape"], numpy_namespace(np), "numpy")
            result = _evaluated(np, program["numpy"], program["float"], inputs, batch, reduce)
    values, grads = result
    blocks, position = {}, 0
    for i, a in enumerate(arrays):
        if i in layout.differentiated:
            width = int(np.prod(a.shape[1:], dtype=int))
            blocks[i] = grads[position:position + width]
            position += width
    out = []
    for i in layout.order:  # argnums' order; a repeated position gets its own array
        a, block = arrays[i], blocks[i]
        if reduce is None:
            out.append(np.stack(block, axis=1).reshape(a.shape) if a.ndim > 1 else np.array(block[0]))
        else:
            out.append(np.array(block).reshape(a.shape[1:]) if a.ndim > 1 else block[0])
    add_into_grads(compiled.params, grads[len(grads) - len(compiled.params):])  # last: all or nothing
    return values, tuple(out)


__all__ = ["run_batch", "numpy_namespace"]
