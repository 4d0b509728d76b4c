"""Keeping big graphs drawable: above a node limit, draw each scope as one box, or refuse.

Laying out thousands of boxes takes Graphviz minutes and gives an unreadable picture, so the
decision is made from counts alone, in time linear in the graph, before any text is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..value import Value


class GraphTooLargeError(ValueError):
    """The graph has more boxes than ``max_nodes`` even after collapsing scopes."""


@lru_cache(maxsize=4096)  # a graph has few distinct scopes but may have 10^5 nodes
def scope_at_depth(scope: str, depth: int) -> str | None:
    """The first ``depth`` parts of a scope path, or None if the scope is shallower."""
    if not scope:
        return None
    parts = scope.split("/")
    return "/".join(parts[:depth]) if len(parts) >= depth else None


def box_count(nodes: Sequence[Value], depth: int) -> int:
    """Boxes drawn when every scope at ``depth`` becomes one box (others stay single nodes)."""
    boxes = set()
    singles = 0
    for node in nodes:
        box = scope_at_depth(node.scope, depth)
        if box is None:
            singles += 1
        else:
            boxes.add(box)
    return singles + len(boxes)


def choose_collapse_depth(nodes: Sequence[Value], max_nodes: int, collapse_depth: int | None) -> int | None:
    """The scope depth to collapse at, or None to draw every node.

    ``collapse_depth=None`` means automatic: draw everything when it fits, else the deepest
    depth whose boxes fit (most detail that is still drawable). An explicit depth is used as
    given. GraphTooLargeError if the result still exceeds ``max_nodes``.
    """
    if collapse_depth is not None and (isinstance(collapse_depth, bool) or
                                       not isinstance(collapse_depth, int) or collapse_depth < 1):
        raise ValueError(f"collapse_depth must be a positive int (1 = top-level scopes) or None, "
                         f"got {collapse_depth!r}")
    if collapse_depth is None and len(nodes) <= max_nodes:
        return None
    deepest = max((node.scope.count("/") + 1 for node in nodes if node.scope), default=0)
    candidates: Sequence[int] = [collapse_depth] if collapse_depth is not None else range(deepest, 0, -1)
    fewest = len(nodes)
    for depth in candidates:
        count = box_count(nodes, depth)
        if count <= max_nodes:
            return depth
        fewest = min(fewest, count)
    raise GraphTooLargeError(_too_large_message(len(nodes), max_nodes, deepest, fewest, collapse_depth))


def _too_large_message(value_count: int, max_nodes: int, deepest: int, fewest: int,
                       collapse_depth: int | None) -> str:
    if collapse_depth is not None:
        tried = f"collapsing scopes at depth {collapse_depth} still leaves {fewest} boxes"
    elif deepest:
        tried = f"collapsing scopes still leaves at least {fewest} boxes"
    else:
        tried = "it has no scopes that could be collapsed into boxes"
    return (
        f"the graph has {value_count} values, more than max_nodes={max_nodes}, and {tried}. "
        f"Options: build the model inside `with autograd_lite.scope(\"name\"):` blocks so "
        f"parts can be drawn as one box each (then collapse_depth=1 draws each top-level "
        f"scope as a box); draw a smaller sub-expression; or raise the limit with "
        f"max_nodes={value_count} (Graphviz may then take minutes).")
