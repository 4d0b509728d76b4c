"""Recording state: whether ops record their parents (``no_grad``) and the name scope.

Both live in one :class:`contextvars.ContextVar`, so each op reads its state with a single
lookup, and the state is private to each thread and each asyncio task.
"""

import functools
from contextvars import ContextVar
from typing import NamedTuple


class Mode(NamedTuple):
    recording: bool
    scope: str


MODE = ContextVar("autograd_lite_mode", default=Mode(True, ""))

# Set by autograd_lite.compile while it traces a function: comparisons and float() on
# Values report to it, since a branch on a traced value cannot be captured by the trace.
TRACER = ContextVar("autograd_lite_tracer", default=None)


def is_grad_enabled():
    """True when new ops record their parents (the default); False inside ``no_grad``."""
    return MODE.get().recording


class _SetMode:
    """A context manager that is also a decorator; each ``with`` gets its own token,
    so one instance may be re-entered and shared between threads."""

    def __init__(self):
        self._tokens = []

    def _mode(self, current):
        raise NotImplementedError

    def __enter__(self):
        self._tokens.append(MODE.set(self._mode(MODE.get())))
        return self

    def __exit__(self, *exc_info):
        MODE.reset(self._tokens.pop())
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return func(*args, **kwargs)

        return wrapper

    def _fresh(self):
        return type(self)()


class no_grad(_SetMode):
    """Ops inside record no parents: their results are constants for ``backward``.

    Use as ``with no_grad():`` or as a decorator, ``@no_grad()``. Typical use: updating
    parameters (``p.data -= lr * p.grad``) or evaluating a model without building a graph.
    """

    def _mode(self, current):
        return current._replace(recording=False)


class enable_grad(_SetMode):
    """Turns recording back on inside a ``no_grad`` block."""

    def _mode(self, current):
        return current._replace(recording=True)


class scope(_SetMode):
    """Name scope: Values created inside remember it (``value.scope``), and rendered
    graphs group them in a cluster. Scopes nest with "/": ``"mlp/layer0/neuron3"``.

    A scope object can be kept and entered again and again (``nn`` modules keep one each);
    it caches the mode it sets for each enclosing mode, so re-entering is cheap.
    """

    def __init__(self, name):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"scope name must be a non-empty string without '/', got {name!r}")
        super().__init__()
        self.name = name
        self._inside = {}

    def _fresh(self):
        return scope(self.name)

    def __enter__(self):  # _SetMode.__enter__ with the cache lookup inlined: nn enters scopes per neuron
        current = MODE.get()
        inside = self._inside.get(current)
        self._tokens.append(MODE.set(inside if inside is not None else self._mode(current)))
        return self

    def _mode(self, current):
        if len(self._inside) > 32:  # bounded: a scope seldom sits under more than a few others
            self._inside.clear()
        inside = self._inside[current] = current._replace(
            scope=f"{current.scope}/{self.name}" if current.scope else self.name)
        return inside
