"""Building the DOT graph: value boxes, op nodes, fan-out edge labels, scope clusters.

Every user string (labels, scope names, op names, formatted numbers) reaches DOT only as a
label, escaped by ``labels.escape_text``/``escape_record``; node and cluster ids are made
here from numbers, so no user string is ever parsed as DOT syntax, a port or HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import graphviz

from .collapse import scope_at_depth
from .labels import (BOX_STYLE, FAN_OUT_COLORS, FONT, NODE_STYLE, OP_STYLE, escape_text, grad_line,
                     node_kind, record_label)

if TYPE_CHECKING:
    from ..value import Value
    from .draw import Options
    from .paths import GraphIndex

# (source id, target id) -> (the fan-out parent, its summed contribution), or (None, None)
Edges = dict[tuple[str, str], tuple[Any, Any]]


def value_id(index: GraphIndex, node: Value) -> str:
    return f"n{index.position[node]}"


def build_digraph(index: GraphIndex, options: Options, depth: int | None,
                  parameters: set[Value] | None) -> graphviz.Digraph:
    """The ``graphviz.Digraph`` of the graph in ``index``; scopes at ``depth`` drawn as boxes."""
    graph = graphviz.Digraph(
        "autograd_lite",
        graph_attr={"rankdir": options.rankdir, "fontname": FONT, "fontsize": "11",
                    "nodesep": "0.25", "ranksep": "0.35", "labeljust": "l"},
        node_attr={"fontname": FONT, "fontsize": "12", "shape": "record"},
        edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.7"},
    )
    clusters: dict[str, graphviz.Digraph] = {}  # scope path -> Digraph of its cluster

    def container(scope: str) -> graphviz.Digraph:
        if not options.clusters or not scope:
            return graph
        if scope not in clusters:
            clusters[scope] = _cluster(scope, len(clusters))
        return clusters[scope]

    box_of: dict[Value, str] = {}
    if depth is not None:
        for node in index.order:
            box = scope_at_depth(node.scope, depth)
            if box is not None:
                box_of[node] = box
        box_ids = {box: f"box{i}" for i, box in enumerate(dict.fromkeys(box_of.values()))}
        _add_boxes(box_of, box_ids, container)

    def shows_paths(node: Value) -> bool:
        # A constant (a plain number mixed in, such as a bias's input 1) may be used many
        # times, but nobody asks for its gradient: colouring its paths would be noise.
        return index.fans_out(node) and node_kind(node, index.root, parameters) != "constant"

    fmt = options.formatter
    colors: dict[Value, str] = {}  # fan-out node -> its colour, handed out in topological order

    def fan_out_color(node: Value) -> str:
        if node not in colors:
            colors[node] = FAN_OUT_COLORS[len(colors) % len(FAN_OUT_COLORS)]
        return colors[node]

    edges: Edges = {}  # (source, target) -> (fan-out parent, summed contribution); edges touching a box
    for node in index.order:
        if node in box_of:
            _link_into_box(index, node, box_of, box_ids, edges, shows_paths)
            continue
        here = container(node.scope)
        name = index.name(node)
        header = f"{name} ({node.op})" if node.op and options.merge_ops else name
        fields = [header, f"data {fmt(node.data)}", grad_line(node, index, fmt, options.max_terms)]
        style = dict(NODE_STYLE[node_kind(node, index.root, parameters)])
        if options.edge_labels and shows_paths(node):
            style.update(color=fan_out_color(node), penwidth="2")
        here.node(value_id(index, node), record_label(fields, options.rankdir), **style)
        target = value_id(index, node)
        if node.op and not options.merge_ops:
            target += "op"
            here.node(target, escape_text(node.op), **OP_STYLE)
            graph.edge(target, value_id(index, node))
        for slot, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            if parent in box_of:
                edges.setdefault((box_ids[box_of[parent]], target), (None, None))
                continue
            attributes: dict[str, str] = {}
            if options.edge_labels and shows_paths(parent):
                color = fan_out_color(parent)
                attributes = {"label": escape_text(fmt(local * node.grad)), "color": color, "fontcolor": color}
            graph.edge(value_id(index, parent), target, **attributes)

    for (source, target), (parent, contribution) in edges.items():
        attributes = {}
        if contribution is not None and options.edge_labels:
            color = fan_out_color(parent)
            attributes = {"label": escape_text(fmt(contribution)), "color": color, "fontcolor": color}
        graph.edge(source, target, **attributes)
    _nest_clusters(graph, clusters)
    return graph


def _add_boxes(box_of: dict[Value, str], box_ids: dict[str, str],
               container: Callable[[str], graphviz.Digraph]) -> None:
    members: dict[str, int] = {}
    for box in box_of.values():
        members[box] = members.get(box, 0) + 1
    for box, count in members.items():
        parent_scope = box.rpartition("/")[0]
        container(parent_scope).node(box_ids[box], escape_text(f"{box}\n{count} values"), **BOX_STYLE)


def _link_into_box(index: GraphIndex, node: Value, box_of: dict[Value, str], box_ids: dict[str, str], edges: Edges,
                   shows_paths: Callable[[Value], bool]) -> None:
    """Edges from outside a box into it, one per source; a fan-out node's edge is labelled
    with the sum of its paths into the box."""
    target = box_ids[box_of[node]]
    for parent, local in zip(node.parents, node.local_grads):
        if box_of.get(parent) == box_of[node]:
            continue
        if parent in box_of:
            edges.setdefault((box_ids[box_of[parent]], target), (None, None))
        elif not shows_paths(parent):
            edges.setdefault((value_id(index, parent), target), (None, None))
        else:
            key = (value_id(index, parent), target)
            earlier = edges.get(key, (parent, 0.0))[1]
            edges[key] = (parent, earlier + local * node.grad)


def _nest_clusters(graph: graphviz.Digraph, clusters: dict[str, graphviz.Digraph]) -> None:
    """Put each cluster inside its parent scope's cluster, innermost first."""
    for scope in list(clusters):  # make sure every ancestor has a cluster
        while "/" in scope:
            scope = scope.rpartition("/")[0]
            if scope not in clusters:
                clusters[scope] = _cluster(scope, len(clusters))
    for scope in sorted(clusters, key=lambda s: s.count("/"), reverse=True):
        parent_scope = scope.rpartition("/")[0]
        (clusters[parent_scope] if parent_scope else graph).subgraph(clusters[scope])


def _cluster(scope: str, number: int) -> graphviz.Digraph:
    return graphviz.Digraph(f"cluster{number}", graph_attr={
        "label": escape_text(scope), "style": "rounded,dashed", "color": "#888888"})
