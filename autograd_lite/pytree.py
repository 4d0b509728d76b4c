"""Pytrees: nested lists, tuples and dicts of numbers, taken apart into a flat list of
leaves and put back together in the same shape.

This is what lets ``grad``, ``jacobian``, ``jvp``, ``vjp`` and ``compile`` take a dict of
parameters and return the gradients as a dict with the same keys. The rules (as in JAX):

* Containers: ``list``, ``tuple``, namedtuples (rebuilt as their own class), ``dict`` and
  ``OrderedDict``. Anything else is a leaf.
* A plain ``dict`` is walked in **sorted key order** (as JAX does), so two dicts with the
  same keys have the same structure whatever order they were built in, and a rebuilt dict
  lists its keys sorted. An ``OrderedDict`` keeps its insertion order.
* ``None`` is an empty subtree: it holds no leaves and comes back as ``None`` (an optional
  bias that is absent, say).
* A leaf must be a real number (int, float, NumPy scalar; not bool) or a Value. Anything
  else is a TypeError naming where it is: ``argument 0['w'][1]: expected a number ...``.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from operator import attrgetter
from typing import Any

from .value import Value, as_float

MAX_DEPTH = 200  # deeper than any real parameter tree; also stops a list that contains itself


class TreeDef:
    """The shape of a pytree without its leaves. Hashable and comparable, so it can key a
    cache (``compile`` traces once per structure)."""

    __slots__ = ("kind", "meta", "children", "num_leaves", "_key")

    kind: str
    meta: Any  # a dict's keys, a namedtuple's class, or None
    children: tuple[TreeDef, ...]
    num_leaves: int
    _key: Hashable

    def __init__(self, kind: str, meta: Any = None, children: Iterable[TreeDef] = ()) -> None:
        self.kind, self.meta, self.children = kind, meta, tuple(children)
        self.num_leaves = 1 if kind == "leaf" else sum(map(_num_leaves, self.children))
        self._key = (kind, meta, tuple(map(_key_of, self.children)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TreeDef) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        return f"TreeDef({describe(self)})"


_num_leaves, _key_of = attrgetter("num_leaves"), attrgetter("_key")
LEAF = TreeDef("leaf")
NONE = TreeDef("none")


def describe(treedef: TreeDef) -> str:
    """A short readable form of a structure, for error messages: ``{'b': *, 'w': [*, *]}``."""
    kind, children = treedef.kind, treedef.children
    if kind == "leaf":
        return "*"
    if kind == "none":
        return "None"
    inner = ", ".join(map(describe, children))
    if kind == "list":
        return f"[{inner}]"
    if kind == "tuple":
        return f"({inner}{',' if len(children) == 1 else ''})"
    if kind == "namedtuple":
        return f"{treedef.meta.__name__}({inner})"
    pairs = ", ".join(f"{key!r}: {describe(child)}" for key, child in zip(treedef.meta, children))
    return f"{{{pairs}}}" if kind == "dict" else f"OrderedDict({{{pairs}}})"


def flatten(tree: Any, where: str = "argument") -> tuple[list[Any], TreeDef]:
    """``(leaves, treedef)``: the leaves of ``tree`` in order (numbers as floats, Values as
    they are) and its structure. ``where`` names the tree in error messages."""
    if type(tree) is float:  # the common cases first: compile flattens every call's arguments
        return [tree], LEAF
    leaves: list[Any] = []
    return leaves, _flatten(tree, leaves, where, 0)


def _flatten(tree: Any, leaves: list[Any], path: str, depth: int) -> TreeDef:
    if depth > MAX_DEPTH:
        raise ValueError(f"{path}: nested more than {MAX_DEPTH} levels deep (does a list contain itself?)")
    kind = type(tree)
    if kind is list or kind is tuple:
        children: list[TreeDef] = []
        for i, item in enumerate(tree):
            if type(item) is float or type(item) is Value:  # a leaf needs no path unless it is bad
                leaves.append(item)
                children.append(LEAF)
            else:
                children.append(_flatten(item, leaves, f"{path}[{i}]", depth + 1))
        return TreeDef(kind.__name__, None, children)
    if isinstance(tree, tuple) and hasattr(kind, "_fields"):
        children = [_flatten(item, leaves, f"{path}.{name}", depth + 1) for name, item in zip(kind._fields, tree)]
        return TreeDef("namedtuple", kind, children)
    if kind is dict or kind is OrderedDict:
        keys = tuple(tree) if kind is OrderedDict else _sorted_keys(tree, path)
        children = [_flatten(tree[key], leaves, f"{path}[{key!r}]", depth + 1) for key in keys]
        return TreeDef("dict" if kind is dict else "ordereddict", keys, children)
    if tree is None:
        return NONE
    leaves.append(_leaf(tree, path))
    return LEAF


def _sorted_keys(tree: dict[Any, Any], path: str) -> tuple[Any, ...]:
    try:
        return tuple(sorted(tree))
    except TypeError:
        kinds = sorted({type(key).__name__ for key in tree})
        raise TypeError(f"{path}: a dict's keys must be sortable, since a pytree walks a dict in sorted key "
                        f"order; these mix {', '.join(kinds)}. Use keys of one type, or an OrderedDict") from None


def _leaf(x: Any, path: str) -> Any:
    if isinstance(x, Value):
        return x
    if isinstance(x, (numbers.Real, bool)) or getattr(x, "ndim", None) == 0:
        return as_float(x, path)  # its errors (bool, an int too large) name the path too
    if isinstance(x, (list, tuple, dict)):
        hint = "; only list, tuple, namedtuple, dict and OrderedDict are containers: convert it"
    elif hasattr(x, "tolist"):
        hint = "; convert an array with .tolist()"
    else:
        hint = ""
    raise TypeError(f"{path}: expected a number or a Value, got {type(x).__name__}{hint}")


def unflatten(treedef: TreeDef, leaves: Iterable[Any]) -> Any:
    """The tree with structure ``treedef`` holding ``leaves`` (an iterable, used in order)."""
    leaves = list(leaves)
    if treedef is LEAF and len(leaves) == 1:
        return leaves[0]
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"unflatten: the structure has {treedef.num_leaves} leaves, got {len(leaves)}")
    return _build(treedef, iter(leaves))


def _build(treedef: TreeDef, leaves: Iterator[Any]) -> Any:
    kind = treedef.kind
    if kind == "leaf":
        return next(leaves)
    if kind == "none":
        return None
    children = [_build(child, leaves) for child in treedef.children]
    if kind == "list":
        return children
    if kind == "tuple":
        return tuple(children)
    if kind == "namedtuple":
        return treedef.meta(*children)
    pairs = zip(treedef.meta, children)
    return dict(pairs) if kind == "dict" else OrderedDict(pairs)


def map_leaves(function: Callable[[Any], Any], tree: Any, where: str = "argument") -> Any:
    """``tree`` with ``function`` applied to each leaf, in the same structure."""
    leaves, treedef = flatten(tree, where)
    return unflatten(treedef, map(function, leaves))
