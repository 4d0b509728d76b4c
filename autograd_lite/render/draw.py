"""``draw_graph``: the public entry point; checks options, then builds the drawing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from .collapse import box_count, choose_collapse_depth
from .dot import build_digraph
from .output import GraphDrawing
from .labels import number_formatter
from .paths import GraphIndex

if TYPE_CHECKING:
    from ..value import Value


class Options(NamedTuple):
    formatter: Callable[[float], str]
    rankdir: str
    merge_ops: bool
    edge_labels: bool
    clusters: bool
    max_terms: int


def draw_graph(root: Value, *, number_format: str | Callable[[float], str] = ".4f", rankdir: str = "LR",
               merge_ops: bool = False, edge_labels: bool = True, clusters: bool = True,
               parameters: Iterable[Value] | None = None, max_nodes: int = 500, collapse_depth: int | None = None,
               max_terms: int = 6) -> GraphDrawing:
    """Draw the graph that ``root`` depends on; returns a :class:`GraphDrawing`.

    Each value is a box with its name, data and grad. Where a value is used more than once,
    each outgoing edge is labelled with that path's contribution (local derivative x the
    consumer's grad) and the box shows the grad as their sum: ``grad 0.42 = 0.30 + 0.12``.

    number_format: format spec (``".4f"``) or callable for every number shown.
    rankdir: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
    merge_ops: draw the op inside the value's box instead of as a separate small node.
    edge_labels: label fan-out edges with their contributions.
    clusters: draw a cluster around the values created in each ``autograd_lite.scope``.
    parameters: Values to style as parameters; by default a labelled leaf created inside a
        scope is a parameter, a labelled leaf outside one an input, an unlabelled leaf a
        constant.
    max_nodes: the most value boxes to draw. Above it, scopes are collapsed into one box
        each (the deepest scope depth that fits); if that is not enough, GraphTooLargeError
        says what to do.
    collapse_depth: collapse scopes at this depth (1 = top level) whatever the size.
    max_terms: the most terms written in a grad's sum before ``+ ... (n terms)``.
    """
    from ..value import Value

    if not isinstance(root, Value):
        raise TypeError(f"draw_graph expects the output Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR' or 'TB' (or 'RL', 'BT'), got {rankdir!r}")
    for name, number in (("max_nodes", max_nodes), ("max_terms", max_terms)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ValueError(f"{name} must be a positive int, got {number!r}")
    options = Options(number_formatter(number_format), rankdir, bool(merge_ops),
                      bool(edge_labels), bool(clusters), max_terms)
    index = GraphIndex(root)
    depth = choose_collapse_depth(index.order, max_nodes, collapse_depth)
    graph = build_digraph(index, options, depth, None if parameters is None else set(parameters))
    boxes = len(index.order) if depth is None else box_count(index.order, depth)
    return GraphDrawing(graph, len(index.order), boxes, depth)


draw_dot = draw_graph  # the name micrograd's notebooks use
