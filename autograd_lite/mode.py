"""Recording state: whether ops record their parents (``no_grad``) and the name scope.

Both live in one :class:`contextvars.ContextVar`, so each op reads its state with a single
lookup, and the state is private to each thread and each asyncio task.

Each mode remembers the mode it was entered from (``outer``), and leaving a block restores
that. Nothing about a block lives on the ``no_grad``/``scope`` object itself, so one object
can be entered by many threads, tasks and nested blocks at once.
"""

import functools
from contextvars import ContextVar


class Mode(tuple):
    """``(recording, scope)``, plus ``outer``: the mode to restore on leaving the block."""

    def __new__(cls, recording, scope, outer=None):
        mode = tuple.__new__(cls, (recording, scope))
        mode.outer = outer
        return mode

    @property
    def recording(self):
        return self[0]

    @property
    def scope(self):
        return self[1]

    def __repr__(self):
        return f"Mode(recording={self[0]!r}, scope={self[1]!r})"


MODE = ContextVar("autograd_lite_mode", default=Mode(True, ""))

# Set by autograd_lite.compile while it traces a function: comparisons and float() on
# Values report to it, since a branch on a traced value cannot be captured by the trace.
TRACER = ContextVar("autograd_lite_tracer", default=None)

_CACHE_LIMIT = 64


def is_grad_enabled():
    """True when new ops record their parents (the default); False inside ``no_grad``."""
    return MODE.get()[0]


class _SetMode:
    """A context manager that is also a decorator. One instance may be kept, re-entered,
    nested and shared between threads and asyncio tasks: each block's way back is stored in
    the context's own mode, not on the instance."""

    def __init__(self):
        # id(enclosing mode) -> (enclosing mode, mode inside): entering again from the same
        # place is one dict lookup. Holding the enclosing mode keeps its id from being reused.
        self._inside = {}

    def _inner(self, recording, scope):
        raise NotImplementedError

    def __enter__(self):
        current = MODE.get()
        cached = self._inside.get(id(current))
        if cached is None or cached[0] is not current:
            if len(self._inside) >= _CACHE_LIMIT:  # bounded: a block seldom sits under many modes
                self._inside.clear()
            cached = (current, Mode(*self._inner(*current), outer=current))
            self._inside[id(current)] = cached
        MODE.set(cached[1])
        return self

    def __exit__(self, *exc_info):
        outer = MODE.get().outer
        if outer is not None:  # None only if a block is left that was never entered
            MODE.set(outer)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return wrapper


class no_grad(_SetMode):
    """Ops inside record no parents: their results are constants for ``backward``.

    Use as ``with no_grad():`` or as a decorator, ``@no_grad()``. Typical use: updating
    parameters (``p.data -= lr * p.grad``) or evaluating a model without building a graph.
    """

    def _inner(self, recording, scope):
        return False, scope


class enable_grad(_SetMode):
    """Turns recording back on inside a ``no_grad`` block."""

    def _inner(self, recording, scope):
        return True, scope


class scope(_SetMode):
    """Name scope: Values created inside remember it (``value.scope``), and rendered
    graphs group them in a cluster. Scopes nest with "/": ``"mlp/layer0/neuron3"``.

    A scope object can be kept and entered again and again, from any thread (``nn`` modules
    keep one each); re-entering from the same enclosing mode is one dict lookup.
    """

    def __init__(self, name):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"scope name must be a non-empty string without '/', got {name!r}")
        super().__init__()
        self.name = name

    def _inner(self, recording, scope):
        return recording, f"{scope}/{self.name}" if scope else self.name
