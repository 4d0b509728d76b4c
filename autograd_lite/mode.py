"""Recording state: whether ops record their parents (``no_grad``) and the name scope.

Both live in one :class:`contextvars.ContextVar`, so each op reads its state with a single
lookup, and the state is private to each thread and each asyncio task.

Each mode remembers the mode it was entered from (``outer``), and leaving a block restores
that. Nothing about a block lives on the ``no_grad``/``scope`` object itself, so one object
can be entered by many threads, tasks and nested blocks at once.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Literal, TypeVar, cast

if TYPE_CHECKING:
    from typing_extensions import Self

_F = TypeVar("_F", bound=Callable[..., Any])


class Mode(tuple[bool, str]):
    """``(recording, scope)``, plus ``outer``: the mode to restore on leaving the block."""

    outer: Mode | None

    def __new__(cls, recording: bool, scope: str, outer: Mode | None = None) -> Mode:
        mode = tuple.__new__(cls, (recording, scope))
        mode.outer = outer
        return mode

    @property
    def recording(self) -> bool:
        return self[0]

    @property
    def scope(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        return f"Mode(recording={self[0]!r}, scope={self[1]!r})"


MODE: ContextVar[Mode] = ContextVar("autograd_lite_mode", default=Mode(True, ""))

# Set by autograd_lite.compile while it traces a function: comparisons and float() on
# Values report to it, since a branch on a traced value cannot be captured by the trace.
TRACER: ContextVar[Any] = ContextVar("autograd_lite_tracer", default=None)  # a compiler Tracer or None

_CACHE_LIMIT = 64


def is_grad_enabled() -> bool:
    """True when new ops record their parents (the default); False inside ``no_grad``."""
    return MODE.get()[0]


class _SetMode:
    """A context manager that is also a decorator. One instance may be kept, re-entered,
    nested and shared between threads and asyncio tasks: each block's way back is stored in
    the context's own mode, not on the instance."""

    def __init__(self) -> None:
        # id(enclosing mode) -> (enclosing mode, mode inside): entering again from the same
        # place is one dict lookup. Holding the enclosing mode keeps its id from being reused.
        self._inside: dict[int, tuple[Mode, Mode]] = {}

    def _inner(self, recording: bool, scope: str) -> tuple[bool, str]:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        # the cache is keyed by id(): meaningless in a copy or another process (nn modules pickle)
        return {**vars(self), "_inside": {}}

    def __enter__(self) -> Self:
        current = MODE.get()
        cached = self._inside.get(id(current))
        if cached is None or cached[0] is not current:
            if len(self._inside) >= _CACHE_LIMIT:  # bounded: a block seldom sits under many modes
                self._inside.clear()
            cached = (current, Mode(*self._inner(*current), outer=current))
            self._inside[id(current)] = cached
        MODE.set(cached[1])
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> Literal[False]:
        outer = MODE.get().outer
        if outer is not None:  # None only if a block is left that was never entered
            MODE.set(outer)
        return False

    def __call__(self, func: _F) -> _F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return cast(_F, wrapper)  # functools.wraps keeps func's name and signature


class no_grad(_SetMode):
    """Ops inside record no parents: their results are constants for ``backward``.

    Use as ``with no_grad():`` or as a decorator, ``@no_grad()``. Typical use: updating
    parameters (``p.data -= lr * p.grad``) or evaluating a model without building a graph.
    """

    def _inner(self, recording: bool, scope: str) -> tuple[bool, str]:
        return False, scope


class enable_grad(_SetMode):
    """Turns recording back on inside a ``no_grad`` block."""

    def _inner(self, recording: bool, scope: str) -> tuple[bool, str]:
        return True, scope


class scope(_SetMode):
    """Name scope: Values created inside remember it (``value.scope``), and rendered
    graphs group them in a cluster. Scopes nest with "/": ``"mlp/layer0/neuron3"``.

    A scope object can be kept and entered again and again, from any thread (``nn`` modules
    keep one each); re-entering from the same enclosing mode is one dict lookup.
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"scope name must be a str, got {type(name).__name__} {name!r}")
        if not name or "/" in name:
            raise ValueError(f"scope name must be a non-empty string without '/', got {name!r}")
        super().__init__()
        self.name = name

    def _inner(self, recording: bool, scope: str) -> tuple[bool, str]:
        return recording, f"{scope}/{self.name}" if scope else self.name
