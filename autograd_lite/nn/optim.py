"""Optimizers: update parameters from their ``.grad`` after ``loss.backward()``.

A learning rate is a number or a schedule: a callable of the step number k (0 for the
first ``step()``), e.g. micrograd's linear decay ``lambda k: 1.0 - 0.9 * k / 100``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from autograd_lite import Value

Schedule = Callable[[int], float]  # step number -> learning rate

from .inputs import real


def _check_parameters(params: Iterable[Value]) -> list[Value]:
    params = list(params)
    if not params:
        raise ValueError("optimizer got no parameters; pass model.parameters()")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"optimizer parameters must be Values, got {type(p).__name__}")
    if len(set(map(id, params))) != len(params):
        raise ValueError("optimizer got the same parameter twice; it would be updated twice per step")
    return params


def _check_rate(lr: float | Schedule) -> float | Schedule:
    if callable(lr):
        return lr
    rate = real(lr)
    if rate is None or not rate > 0.0 or not math.isfinite(rate):
        raise ValueError(f"lr must be a positive number or a callable of the step number, got {lr!r}")
    return rate


def _non_negative(x: float, name: str, below: float = math.inf) -> float:
    value = real(x)
    if value is None or not 0.0 <= value < below:
        raise ValueError(f"{name} must be a number in [0, {below}), got {x!r}")
    return value


class Optimizer:
    """Shared parts: the parameter list, the step counter and the learning rate."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule) -> None:
        self.params = _check_parameters(params)
        self.lr = _check_rate(lr)
        self.steps = 0  # number of step() calls so far

    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        schedule = callable(self.lr)
        returned = self.lr(self.steps) if callable(self.lr) else self.lr  # callable again: for mypy
        rate = real(returned)
        if rate is None or not 0.0 <= rate < math.inf:
            # A negative rate climbs the loss instead of descending it; nan/inf wreck every
            # parameter. Either way raise before any parameter changes (also for an lr
            # assigned after construction).
            what = f"the lr schedule returned {returned!r} at step {self.steps}" if schedule else \
                f"the optimizer's lr is {returned!r}"
            raise ValueError(f"{what}; it must {'return' if schedule else 'be'} a finite number >= 0")
        return rate

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0.0 (backward accumulates into parameters)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, as in PyTorch:
    g = grad + weight_decay * p;  v = momentum * v + g;  p = p - lr * v
    (with momentum 0 this is the delta rule's w <- w - alpha dE/dw)."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _non_negative(momentum, "momentum", 1.0)
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, momentum, decay = self.current_lr(), self.momentum, self.weight_decay
        if momentum == 0.0 and decay == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
        else:
            velocity = self.velocity
            for i, p in enumerate(self.params):
                v = momentum * velocity[i] + p.grad + decay * p.data
                velocity[i] = v
                p.data -= lr * v
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias correction; weight_decay adds decay * p to the
    gradient (L2, as in PyTorch's Adam):
    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g**2;
    p = p - lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}") from None
        self.betas = (_non_negative(beta1, "betas[0]", 1.0), _non_negative(beta2, "betas[1]", 1.0))
        self.eps = _non_negative(eps, "eps")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        lr, (beta1, beta2), eps, decay = self.current_lr(), self.betas, self.eps, self.weight_decay
        t = self.steps + 1
        correction1, correction2 = 1.0 - beta1**t, 1.0 - beta2**t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            p.data -= lr * (m[i] / correction1) / (math.sqrt(v[i] / correction2) + eps)
        self.steps += 1


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as PyTorch's AdamW:
    each step first shrinks p = p - lr * weight_decay * p, then takes the Adam step on the
    gradient alone. ``weight_decay`` defaults to 0.01, PyTorch's."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, betas, eps, 0.0)
        self.decoupled_weight_decay = _non_negative(weight_decay, "weight_decay")

    def step(self) -> None:
        shrink = 1.0 - self.current_lr() * self.decoupled_weight_decay  # checks the rate before any change
        if shrink != 1.0:
            for p in self.params:
                p.data *= shrink
        super().step()


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale every gradient by ``max_norm / (norm + 1e-6)`` when their global 2-norm
    ``sqrt(sum g**2)`` exceeds ``max_norm`` (PyTorch's ``clip_grad_norm_``); returns the
    norm before clipping. A nan or inf norm raises ValueError and changes no gradient."""
    values = _check_parameters(params)
    limit = real(max_norm)
    if limit is None or not 0.0 < limit < math.inf:
        raise ValueError(f"max_norm must be a finite number > 0, got {max_norm!r}")
    norm = math.sqrt(math.fsum(p.grad * p.grad for p in values))
    if not math.isfinite(norm):
        raise ValueError(f"the gradients' norm is {norm}: a gradient is nan or inf (training has diverged); "
                         "no gradient was changed")
    if norm > limit:
        scale = limit / (norm + 1e-6)
        for p in values:
            p.grad *= scale
    return norm


def linear_decay(start: float, end: float, steps: float) -> Schedule:
    """A schedule going linearly from ``start`` (step 0) to ``end`` at step ``steps`` and
    staying at ``end`` after that: micrograd's demo is ``linear_decay(1.0, 0.1, 100)``,
    i.e. 1.0 - 0.9 k / 100 for its 100 steps. ``start`` and ``end`` are finite rates >= 0
    (not both 0) and ``steps`` a finite number > 0."""
    first, last = _non_negative(start, "start"), _non_negative(end, "end")
    if first == last == 0.0:
        raise ValueError("linear_decay(0, 0, ...) is a learning rate of 0 throughout; nothing would train")
    length = real(steps)
    if length is None or not 0.0 < length < math.inf:
        raise ValueError(f"steps must be a finite number > 0 (the step at which the rate reaches end), got {steps!r}")

    def schedule(k: int) -> float:
        return last if k >= length else first + (last - first) * k / length
    return schedule
