"""The Python protocols of a Value: ``==``, hashing, ``format()``, ``round()``, pickling.

* ``==`` and ``!=`` between Values are identity: graph code keys dicts and sets by node,
  and ``node in nodes`` must find that node. Against a number they raise a TypeError that
  says to compare ``.data``: ``Value(0.0) != 0`` would otherwise be True, silently, and
  ``if x != 0:`` always taken. Anything else (``x == None``) is unequal.
* ``format(x, spec)`` and ``round(x, n)`` use the number, ``x.data``, and return plain
  Python values: ``round(x)`` is an int, as for a float.
* Pickling and ``copy.deepcopy`` work at any depth and keep sharing (:mod:`.pickling`).
"""

from __future__ import annotations

import numbers
from typing import Any, SupportsIndex, overload

from . import pickling
from .mode import TRACER

__all__ = ["PythonProtocols"]


class PythonProtocols:
    """Mixed into :class:`~autograd_lite.value.Value` (which holds the slots)."""

    __slots__ = ()
    data: float

    def __eq__(self, other: object) -> bool:
        """Identity between Values (graph code keys dicts and sets by node); a TypeError
        against a number, which would otherwise be silently False."""
        if isinstance(other, PythonProtocols):
            return self is other
        return _refuse_number_equality(other, "==")

    def __ne__(self, other: object) -> bool:
        if isinstance(other, PythonProtocols):
            return self is not other
        return _refuse_number_equality(other, "!=")

    __hash__ = object.__hash__  # by identity, consistent with == between Values

    def __format__(self, spec: str) -> str:
        """``f"{x:.3f}"``: a float format spec formats the number (``x.data``); an empty
        spec gives ``str(x)``, the repr. Another spec is a ValueError that says so."""
        if not spec:
            return str(self)
        if TRACER.get() is not None:
            TRACER.get().read_data("format()", self)
        try:
            return format(self.data, spec)
        except ValueError as error:
            raise ValueError(
                f"format spec {spec!r} is not a float format ({error}): a Value formats its number, "
                f"x.data, with a float spec such as '.3f', 'e', 'g' or '>10.2f'; for the repr, "
                f"format str(x) (f'{{x!s:>40}}')") from None

    @overload
    def __round__(self, ndigits: None = None) -> int: ...
    @overload
    def __round__(self, ndigits: SupportsIndex) -> float: ...

    def __round__(self, ndigits: SupportsIndex | None = None) -> int | float:
        """``round(x)`` is an int and ``round(x, n)`` a float, as for the number ``x.data``:
        plain numbers, not Values (rounding is flat, so no gradient is lost)."""
        if TRACER.get() is not None:
            TRACER.get().read_data("round()", self)
        return round(self.data) if ndigits is None else round(self.data, ndigits)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and deepcopy the graph below this node, any depth (see .pickling)."""
        return pickling.reduce(self)  # type: ignore[arg-type]  # self is a Value

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        pickling.set_state(self, state)  # type: ignore[arg-type]  # self is a Value

    def __copy__(self) -> Any:
        return pickling.copy_node(self)  # type: ignore[arg-type]  # self is a Value

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return pickling.deep_copy(self, memo)  # type: ignore[arg-type]  # self is a Value


def _refuse_number_equality(other: object, op: str) -> bool:
    """NotImplemented for a non-number (so ``x == None`` is False); a TypeError for a number."""
    if not isinstance(other, numbers.Number):
        return NotImplemented  # type: ignore[no-any-return]  # mypy: NotImplemented is Any outside dunders
    raise TypeError(
        f"Value {op} {type(other).__name__}: == and != between Values compare identity (they are "
        f"graph nodes), so against a number they would silently compare nothing. Compare the "
        f"number: x.data {op} {other!r} (or math.isclose(x.data, ...)); the orderings < <= > >= "
        f"work directly.")
