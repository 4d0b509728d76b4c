"""Learning-rate schedules: callables of the step number k (0 for the first ``step()``).

``linear_decay`` (in ``nn.optim``) goes linearly from start to end and stays there;
``cosine_decay`` follows half a cosine from start to end and stays there; ``warmup(steps,
then)`` ramps linearly up to ``then``'s first rate over ``steps`` steps and then runs
``then`` from its step 0. microgpt's rate is ``nn.linear_decay(0.01, 0.0, 1000)``
(``0.01 * (1 - k / 1000)``).
"""

from __future__ import annotations

import math

from .inputs import real
from .optim import Schedule, _non_negative, linear_decay


def _length(steps: object, what: str) -> float:
    length = real(steps)
    if length is None or not 0.0 < length < math.inf:
        raise ValueError(f"{what} must be a finite number > 0, got {steps!r}")
    return length


def cosine_decay(start: float, end: float, steps: float) -> Schedule:
    """``end + (start - end) * (1 + cos(pi * k / steps)) / 2`` for k < ``steps``, then ``end``:
    from ``start`` at step 0 to ``end`` at step ``steps`` (finite rates >= 0, not both 0)."""
    first, last = _non_negative(start, "start"), _non_negative(end, "end")
    if first == last == 0.0:
        raise ValueError("cosine_decay(0, 0, ...) is a learning rate of 0 throughout; nothing would train")
    length = _length(steps, "steps (the step at which the rate reaches end)")

    def schedule(k: int) -> float:
        return last if k >= length else last + (first - last) * 0.5 * (1.0 + math.cos(math.pi * k / length))
    return schedule


def warmup(steps: int, then: float | Schedule) -> Schedule:
    """Rate ``r0 * (k + 1) / steps`` for k < ``steps`` (r0 = ``then(0)``, or ``then`` if it is a
    number), then ``then(k - steps)``: warm up, then run ``then`` from its beginning, e.g.
    ``warmup(100, nn.cosine_decay(1e-2, 1e-3, 900))``."""
    length = real(steps)
    if isinstance(steps, bool) or length is None or length != int(length) or length < 1:
        raise ValueError(f"warmup steps must be an int >= 1, got {steps!r}")
    if callable(then):
        after: Schedule = then
    else:
        rate = _non_negative(then, "the rate after warmup")
        if rate == 0.0:
            raise ValueError("warmup to a rate of 0 would train nothing; give a rate > 0 or a schedule")
        after = lambda k: rate  # noqa: E731
    n = int(length)

    def schedule(k: int) -> float:
        return after(0) * (k + 1) / n if k < n else after(k - n)
    return schedule


__all__ = ["linear_decay", "cosine_decay", "warmup"]
