"""Proxies for objects that live in the engine's process (:mod:`.session`).

``session.V`` stands in for the engine's class and every object it returns is a
:class:`Remote`: its operators, attributes and calls are requests to the engine's process,
so the kit's code (detection, the properties) runs unchanged on them, in the kit's process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .session import Session


class Remote:
    """An object that lives in the engine's process: every use is a request to it."""

    __slots__ = ("_session", "_ref", "_generation")

    def __init__(self, session: Session, ref: int, generation: int) -> None:
        self._session, self._ref, self._generation = session, ref, generation

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.operation("getattr", (self,), f".{name}", name=name)

    def __call__(self, *args: Any) -> Any:
        return self._session.operation("call", (self, *args), "a call")

    def __add__(self, other: Any) -> Any:
        return self._session.operation("add", (self, other), "+")

    def __radd__(self, other: Any) -> Any:
        return self._session.operation("add", (other, self), "+")

    def __sub__(self, other: Any) -> Any:
        return self._session.operation("sub", (self, other), "-")

    def __rsub__(self, other: Any) -> Any:
        return self._session.operation("sub", (other, self), "-")

    def __mul__(self, other: Any) -> Any:
        return self._session.operation("mul", (self, other), "*")

    def __rmul__(self, other: Any) -> Any:
        return self._session.operation("mul", (other, self), "*")

    def __truediv__(self, other: Any) -> Any:
        return self._session.operation("truediv", (self, other), "/")

    def __rtruediv__(self, other: Any) -> Any:
        return self._session.operation("truediv", (other, self), "/")

    def __pow__(self, other: Any) -> Any:
        return self._session.operation("pow", (self, other), "**")

    def __rpow__(self, other: Any) -> Any:
        return self._session.operation("pow", (other, self), "**")

    def __neg__(self) -> Any:
        return self._session.operation("neg", (self,), "-")

    def __float__(self) -> float:
        return float(self._session.operation("float", (self,), "float()"))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} in the engine's process>"

    def __del__(self) -> None:
        try:
            if self._generation == self._session.generation:
                self._session.freed.append(self._ref)
        except AttributeError:
            pass


_REMOTE_CLASSES: dict[str, type[Remote]] = {}


def remote_class(name: str) -> type[Remote]:
    """A Remote subclass called like the engine object's type, so ``type(x).__name__`` reads
    as it would in-process (the name is a plain identifier, checked)."""
    if name not in _REMOTE_CLASSES:
        _REMOTE_CLASSES[name] = type(name, (Remote,), {"__slots__": ()})
    return _REMOTE_CLASSES[name]


class RemoteClass:
    """Stands in for the engine's class: ``V(x)`` makes a leaf in the child."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def __name__(self) -> str:
        return self._session.class_name

    def __call__(self, *args: Any) -> Any:
        return self._session.operation("new", args, "the constructor")
