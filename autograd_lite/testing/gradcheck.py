"""Compare reverse-mode gradients with finite differences.

Choosing ``eps`` (the step, relative to ``max(1, |x|)``): a finite difference has two
errors that pull in opposite directions. Truncation error shrinks with the step (like
``h**2`` for central differences, ``h**4`` for the five-point stencil and faster for
Richardson extrapolation); rounding error grows like ``u * |f| / h``, where ``u = 2.2e-16``
is float64's unit roundoff. The best step balances them: about ``u**(1/3) ~ 6e-6`` for
central differences and ``u**(1/5) ~ 7e-4`` for the higher-order methods. The defaults
(``1e-6`` and ``1e-3``) are near those. Use a smaller step when ``f`` has a kink or a domain
edge within ``eps * max(1, |x|)`` of the point (better: test away from it), a larger one
when ``f`` is noisy, and loosen ``atol`` when ``|f|`` is large, since rounding error scales
with ``|f|``.

Whatever the step, gradcheck estimates each finite difference's own error from a second,
finer (or lower-order) estimate. Where that error is not small against the tolerance, the
check is inconclusive: ``report.conclusive`` is False and a failure message says the
finite difference, not necessarily the gradient, may be at fault.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from ..graph import topological_order
from ..mode import no_grad
from ..value import Value, as_float

METHODS = {"central": 1e-6, "five-point": 1e-3, "richardson": 1e-3}
ROUNDOFF = 2.0 ** -53  # float64's unit roundoff
Function = Callable[..., Value]  # one Value per input -> the output Value


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; ``.report`` has the details."""

    def __init__(self, report: GradcheckReport) -> None:
        self.report = report
        super().__init__(report.failure_message())


class GradcheckReport:
    """The outcome of :func:`gradcheck`, one entry per input.

    ``analytic[i]`` is the engine's d f/d x_i, ``numeric[i]`` the finite-difference
    estimate, ``errors[i] = |analytic - numeric|``, ``allowed[i] = atol + rtol*|numeric|``.
    ``worst`` is the input with the largest ``errors[i] / allowed[i]``; ``ok`` is True when
    every error is within its allowance.

    ``numeric_error[i]`` estimates how far ``numeric[i]`` itself is from the true derivative
    (from the change of the estimate when the step is halved; for Richardson, the change
    made by the last extrapolation level, usually an overestimate). ``inconclusive`` lists
    the inputs where it exceeds half of ``allowed[i]``: there f changes too fast on the
    scale of the step (large higher derivatives, a kink or a domain edge within the step)
    for finite differences to judge the gradient. ``conclusive`` is True when that list is
    empty.
    """

    def __init__(self, inputs: list[float], output: float, analytic: list[float], numeric: list[float], method: str,
                 eps: float, atol: float, rtol: float, numeric_error: list[float] | None = None) -> None:
        self.inputs, self.output = inputs, output
        self.analytic, self.numeric = analytic, numeric
        self.numeric_error = [0.0] * len(numeric) if numeric_error is None else numeric_error
        self.method, self.eps, self.atol, self.rtol = method, eps, atol, rtol
        self.errors = [_difference(a, n) for a, n in zip(analytic, numeric)]
        self.allowed = [atol + rtol * abs(n) if math.isfinite(n) else 0.0 for n in numeric]
        ratios = [e / a if a > 0 else (0.0 if e == 0 else math.inf) for e, a in zip(self.errors, self.allowed)]
        self.worst = max(range(len(ratios)), key=ratios.__getitem__) if ratios else None
        self.ok = all(r <= 1.0 for r in ratios)
        self.inconclusive = [i for i, (e, a) in enumerate(zip(self.numeric_error, self.allowed))
                             if not e <= a / 2.0]

    @property
    def conclusive(self) -> bool:
        """True when every finite difference is accurate to within half its allowance."""
        return not self.inconclusive

    def failure_message(self) -> str:
        """What failed: the worst input's derivatives and tolerances, then every input."""
        i = cast(int, self.worst)  # a report that failed has inputs, so a worst one
        lines = [
            f"gradient mismatch at input {i} (x{i} = {self.inputs[i]!r}): "
            f"analytic {self.analytic[i]!r} vs numeric {self.numeric[i]!r}, "
            f"|difference| = {self.errors[i]:.3g} > atol + rtol*|numeric| = {self.atol:g} + {self.rtol:g}*"
            f"{abs(self.numeric[i]):.3g} = {self.allowed[i]:.3g}",
            f"(method={self.method!r}, eps={self.eps:g}, output={self.output!r}). All inputs:",
            str(self),
        ]
        if i in self.inconclusive:
            lines.append(
                f"The finite difference itself is uncertain here: its estimated error is {self.numeric_error[i]:.3g}, "
                f"more than half the allowance. f may change too fast on the scale of the step h = "
                f"{self.eps:g}*max(1, |x{i}|) (large higher derivatives, a kink or a domain edge within h), so the "
                f"gradient is not necessarily wrong: try a smaller eps, or check at another point.")
        return "\n".join(lines)

    def __str__(self) -> str:
        rows = [f"  {'input':>6} {'x':>12} {'analytic':>22} {'numeric':>22} {'error':>10} {'allowed':>10} "
                f"{'fd error':>10}"]
        for i, x in enumerate(self.inputs):
            mark = " <- worst" if i == self.worst and not self.ok else ""
            rows.append(f"  {i:>6} {x:>12.6g} {self.analytic[i]:>22.15g} {self.numeric[i]:>22.15g} "
                        f"{self.errors[i]:>10.3g} {self.allowed[i]:>10.3g} {self.numeric_error[i]:>10.3g}{mark}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        status = "ok" if self.ok else f"FAILED at input {self.worst}"
        return f"<GradcheckReport {status}: {len(self.inputs)} inputs, method={self.method!r}, eps={self.eps:g}>"


def gradcheck(f: Function, inputs: Iterable[float | Value], *, eps: float | None = None, atol: float = 1e-5,
              rtol: float = 1e-4, method: str = "central", raise_exception: bool = True) -> GradcheckReport:
    """Check ``f``'s reverse-mode gradient at ``inputs`` against finite differences.

    ``f`` takes one Value per input and returns a Value; ``inputs`` are numbers. Returns a
    :class:`GradcheckReport`; if some derivative is off by more than ``atol + rtol*|numeric|``
    it raises :class:`GradcheckError` (an AssertionError) naming the worst input, both
    derivatives and the tolerances, unless ``raise_exception=False``.

    ``method``: ``"central"`` ((f(x+h) - f(x-h)) / 2h, error O(h**2), default eps 1e-6),
    ``"five-point"`` (fourth-order stencil, default eps 1e-3) or ``"richardson"`` (central
    differences at h, h/2, h/4, h/8 extrapolated to h -> 0, default eps 1e-3). The step
    for input i is ``eps * max(1, |x_i|)``. See the module docstring for choosing eps.
    Each estimate is repeated at step h/2 (central, five-point) to estimate its own error:
    see :class:`GradcheckReport` ``numeric_error`` and ``conclusive``.

    Values that ``f`` closes over (parameters) keep their ``grad``: gradcheck restores it.
    """
    if method not in METHODS:
        raise ValueError(f"gradcheck(method=...) must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    step: float = METHODS[method] if eps is None else as_float(eps, "gradcheck(eps=...)")
    if not step > 0.0:
        raise ValueError(f"gradcheck(eps=...) must be > 0, got {step!r}")
    atol, rtol = as_float(atol, "gradcheck(atol=...)"), as_float(rtol, "gradcheck(rtol=...)")
    if atol < 0.0 or rtol < 0.0:
        raise ValueError(f"gradcheck tolerances must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    point = _check_inputs(inputs)
    output, analytic = _analytic(f, point)
    size = abs(output) if math.isfinite(output) else 0.0
    estimates = [_numeric(f, point, i, step * max(1.0, abs(point[i])), method, size) for i in range(len(point))]
    numeric, numeric_error = [e[0] for e in estimates], [e[1] for e in estimates]
    report = GradcheckReport(point, output, analytic, numeric, method, step, atol, rtol, numeric_error)
    if not report.ok and raise_exception:
        raise GradcheckError(report)
    return report


def _check_inputs(inputs: Iterable[float | Value]) -> list[float]:
    if isinstance(inputs, (int, float, Value)):
        raise TypeError(f"gradcheck(f, inputs): inputs must be a list of numbers, got a single {type(inputs).__name__}; "
                        f"wrap it: [{inputs!r}]")
    point = [as_float(x.data if isinstance(x, Value) else x, f"gradcheck inputs[{i}]") for i, x in enumerate(inputs)]
    if not point:
        raise ValueError("gradcheck(f, inputs): inputs is empty; pass one number per argument of f")
    bad = [i for i, x in enumerate(point) if not math.isfinite(x)]
    if bad:
        raise ValueError(f"gradcheck inputs must be finite; inputs[{bad[0]}] is {point[bad[0]]!r}")
    return point


def _call(f: Function, point: Sequence[float], where: str) -> tuple[list[Value], Value]:
    leaves = [Value(x) for x in point]
    try:
        out = f(*leaves)
    except (ArithmeticError, ValueError) as error:
        raise ValueError(f"gradcheck: f raised {type(error).__name__} {where}: {error}. The point or a finite-"
                         f"difference step leaves f's domain; move the point or use a smaller eps") from error
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value (built from the Values it receives), "
                        f"got {type(out).__name__} {out!r}")
    return leaves, out


def _analytic(f: Function, point: Sequence[float]) -> tuple[float, list[float]]:
    leaves, out = _call(f, point, "at the point")
    nodes = topological_order(out)
    saved = [(node, node.grad) for node in nodes]
    out.backward()
    grads = [leaf.grad for leaf in leaves]
    for node, grad in saved:  # leave the caller's Values (e.g. closed-over parameters) as they were
        node.grad = grad
    for leaf in leaves:
        leaf.grad = 0.0
    return out.data, [float(g) for g in grads]


def _value_at(f: Function, point: Sequence[float], i: int, offset: float) -> float:
    shifted = list(point)
    shifted[i] += offset
    with no_grad():
        return _call(f, shifted, f"at inputs[{i}] {offset:+g}")[1].data


def _central(f: Function, point: Sequence[float], i: int, h: float) -> float:
    return (_value_at(f, point, i, h) - _value_at(f, point, i, -h)) / (2.0 * h)


def _five_point(f: Function, point: Sequence[float], i: int, h: float) -> float:
    values = [_value_at(f, point, i, k * h) for k in (-2, -1, 1, 2)]
    return (values[0] - 8.0 * values[1] + 8.0 * values[2] - values[3]) / (12.0 * h)


def _numeric(f: Function, point: Sequence[float], i: int, h: float, method: str, size: float) -> tuple[float, float]:
    """``(estimate, estimated error)`` of d f / d x_i with step h; ``size`` is |f(x)|.

    An estimate with error ``c h**p`` and the same estimate at h/2 differ by about
    ``(1 - 2**-p) c h**p``, which gives the error of the first. Rounding noise usually shows
    in that difference too, but the two can round alike, so the rounding error of the
    finest step, ``2 u |f| / h_finest``, is added. Both steps stay within [x - h, x + h],
    so the check never leaves a domain that the plain estimate respects.
    """
    if method in ("central", "five-point"):
        estimate, order = (_central, 2) if method == "central" else (_five_point, 4)
        coarse, fine = estimate(f, point, i, h), estimate(f, point, i, h / 2.0)
        rounding = 2.0 * ROUNDOFF * size / (h / 2.0)
        return coarse, _spread(coarse, fine) / (1.0 - 2.0 ** -order) + rounding
    # Richardson: D(h) = f' + c2 h^2 + c4 h^4 + ...; each column cancels the next even power.
    # The error estimate is the change made by the last level (as in Ridders' method).
    table = [_central(f, point, i, h / 2.0 ** k) for k in range(4)]
    for level in range(1, 4):
        factor = 4.0 ** level
        previous = table
        table = [(factor * fine - coarse) / (factor - 1.0) for coarse, fine in zip(table, table[1:])]
    rounding = 2.0 * ROUNDOFF * size / (h / 8.0)
    return table[0], max(_spread(table[0], p) for p in previous) + rounding


def _spread(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b)


def _difference(a: float, n: float) -> float:
    if math.isnan(a) or math.isnan(n):
        return math.inf
    if a == n:  # equal infinities
        return 0.0
    return abs(a - n)
