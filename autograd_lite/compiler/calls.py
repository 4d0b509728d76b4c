"""How a compiled function's call finds its trace: which arguments are static and which
are differentiated (``static_argnums``, ``argnums``, checked as ``ag.grad`` checks
``argnums``), and the bounded cache of traces."""

from __future__ import annotations

import contextlib
import itertools
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import TypeVar

from ..transforms import positions_of

MAX_TRACES = 256  # compile's default: a small function's trace holds some KiB, a small MLP's loss about 55 KiB

Entry = TypeVar("Entry")


def given_positions(positions: Iterable[int], name: str) -> tuple[int, ...]:
    """``positions`` as a tuple of ints, or a TypeError that says how to write them."""
    if isinstance(positions, int) or not isinstance(positions, Iterable):
        raise TypeError(f"compile: {name} must be a tuple of argument positions, e.g. {name}=(1,), "
                        f"got {type(positions).__name__} {positions!r}")
    out = tuple(positions)
    for i in out:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"compile: {name} must hold ints (argument positions), got {type(i).__name__} {i!r}")
    return out


class Layout:
    """For a call with ``nargs`` positional arguments: the set of static positions, and the
    differentiated ones in the order the gradients come back (``argnums``' order, a
    repeated position repeated; by default every non-static position)."""

    def __init__(self, static_argnums: tuple[int, ...], argnums: tuple[int, ...] | None, nargs: int) -> None:
        self.static = frozenset(positions_of(static_argnums, nargs, "compile", "static_argnums")[0])
        if argnums is None:
            self.order = tuple(i for i in range(nargs) if i not in self.static)
        else:
            self.order = positions_of(argnums, nargs, "compile")[0]
            both = sorted(self.static.intersection(self.order))
            if both:
                raise ValueError(f"compile: argument {both[0]} is both static (static_argnums) and differentiated "
                                 "(argnums); a static argument has no gradient, so leave it out of argnums")
        self.differentiated = frozenset(self.order)


class Traces(Mapping[Hashable, Entry]):
    """At most ``limit`` entries by key; adding one more drops the least recently used.
    Read as a mapping (``traces[key]``, iteration), it changes no order.

    ``made`` counts the entries ever added (``Compiled.traces``). Safe to use from several
    threads without a lock (a lock that an interrupt leaves held would hang every later
    call): each step is one OrderedDict operation, which the GIL keeps whole, and a key
    another thread dropped meanwhile is simply not there. Two threads that miss at once
    both trace, and one of the traces is kept."""

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"compile: max_traces must be an int >= 1, got {limit!r}")
        self.limit = limit
        self._added = itertools.count(1)
        self.made = 0
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()

    def lookup(self, key: Hashable) -> Entry | None:
        """The entry for ``key`` (now the most recently used), or None."""
        entry = self._entries.get(key)
        if entry is not None:
            with contextlib.suppress(KeyError):  # dropped by another thread just now
                self._entries.move_to_end(key)
        return entry

    def add(self, key: Hashable, entry: Entry) -> Entry:
        """Keep ``entry`` for ``key``, dropping the least recently used past ``limit``."""
        self.made = next(self._added)
        self._entries[key] = entry
        with contextlib.suppress(KeyError):
            self._entries.move_to_end(key)
        while len(self._entries) > self.limit:
            with contextlib.suppress(KeyError):  # another thread dropped it first
                self._entries.popitem(last=False)
        return entry

    def only(self) -> Entry | None:
        """The one entry, if exactly one was ever added (and so is still held)."""
        entries = list(self._entries.values())
        return entries[0] if self.made == 1 and len(entries) == 1 else None

    def __getitem__(self, key: Hashable) -> Entry:
        return self._entries[key]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["MAX_TRACES", "Layout", "Traces", "given_positions"]
