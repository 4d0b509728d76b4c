"""One SVG per step, all on one layout: Graphviz lays the graph out once, then each frame only
changes texts and colours of that SVG, so nothing moves between steps.

The DOT gives every box, op and edge an ``id`` (``n3``, ``n3op``, ``e3_0`` for input 0 of
node 3, ``o3`` for op -> value), and each box is laid out with the longest text it will ever
show, so every later text fits.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import graphviz

from .record import Step
from ..labels import FONT, NODE_STYLE, OP_STYLE, escape_text, join_terms, node_kind, printable, record_label

if TYPE_CHECKING:
    from ...value import Value
    from ..paths import GraphIndex
    from .page import Patches

Format = Callable[[float], str]
Undo = Callable[[], None]

SVG = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

WAITING = "grad (waiting)"
DONE = " \u2713"  # a check mark after the name of a node whose grad is complete
ACTIVE = "#D55E00"  # the edge being added and the node passing its grad on
RECEIVING_FILL = "#ffe599"
COMPLETE = "#009E73"
MASKED = "#999999"


class View(NamedTuple):
    """What one frame shows of a step: the step's highlights, the receiver's grad field, and
    whether the receiver is marked complete and the edge's contribution written on it. The
    normal page shows every step whole; practice mode first shows it with its result
    withheld (the question), then whole."""

    step: Step
    text: str  # the receiver's grad field from this frame on
    complete: bool  # mark the receiver complete (its name's check mark, a green border)
    added: bool  # write the contribution on the edge (at a fan-out)


def whole_views(steps: Sequence[Step], texts: Sequence[str]) -> list[View]:
    """The normal page's frames: each step as it leaves the graph."""
    return [View(step, text, step.complete, True) for step, text in zip(steps, texts)]


def grad_texts(index: GraphIndex, steps: Sequence[Step], fmt: Format, max_terms: int) -> list[str]:
    """For each step, the text of the receiver's grad field after it: ``grad 54 = 18 + 36``."""
    texts: list[str] = []
    for step in steps:
        node = index.order[step.receiver]
        line = f"grad {fmt(step.total)}"
        if index.fans_out(node) and step.terms:
            line += " = " + join_terms(step.terms, fmt, max_terms)
        texts.append(line)
    return texts


def one_line(fmt: Format) -> Format:
    """``fmt`` whose text is shown as one line, as draw_graph shows it: a line break inside a
    box would split its field in two and shift the fields each frame writes into."""
    return lambda x: " ".join(printable(fmt(x)).splitlines())


def edge_id(step: Step) -> str:
    return f"e{step.consumer}_{step.slot}"


def build_layout_dot(index: GraphIndex, steps: Sequence[Step], texts: Sequence[str], names: Sequence[str],
                     fmt: Format, parameters: Container[Value] | None) -> str:
    """The DOT source of the layout every frame shares. Every text in it is escaped as
    ``draw_graph`` escapes it (``labels.escape_text``, ``record_label``): an op named
    ``<b>x</b>`` is that text, never an HTML-like label with links."""
    longest: dict[int, str] = {}
    for step, text in zip(steps, texts):
        longest[step.receiver] = max(longest.get(step.receiver, WAITING), text, key=len)
    labelled = {edge_id(step): fmt(step.local * step.incoming) for step in steps[1:]
                if not step.masked and index.fans_out(index.order[step.receiver])}
    graph = graphviz.Digraph(
        "backward_steps",
        graph_attr={"rankdir": "LR", "fontname": FONT, "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"fontname": FONT, "fontsize": "12", "shape": "record"},
        edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.7"},
    )
    for position, node in enumerate(index.order):
        fields = [names[position] + DONE, f"data {fmt(node.data)}", longest.get(position, WAITING)]
        style = NODE_STYLE[node_kind(node, index.root, parameters)]
        graph.node(f"n{position}", record_label(fields, "LR"), id=f"n{position}", **style)
        if node.parents:
            graph.node(f"n{position}op", escape_text(node.op), id=f"n{position}op", **OP_STYLE)
            graph.edge(f"n{position}op", f"n{position}", id=f"o{position}")
        for slot, parent in enumerate(node.parents):
            name = f"e{position}_{slot}"
            extra = {"label": escape_text(labelled[name])} if name in labelled else {}
            graph.edge(f"n{index.position[parent]}", f"n{position}op", id=name, **extra)
    source: str = graph.source
    return source


def make_frames(layout_svg: str, views: Sequence[View], names: Sequence[str]) -> list[str]:
    """One SVG text per view, from the rendered layout."""
    return [ET.tostring(tree, encoding="unicode") for tree in _frame_trees(layout_svg, views, names)]


def frame_patches(layout_svg: str, views: Sequence[View], names: Sequence[str]) -> tuple[str | None, Patches]:
    """The page's compact form of the frames: the first frame's SVG with every element
    numbered (``data-k``), and per frame the elements that differ from the first, as
    ``[k, {"t": text, "a": {attribute: value or None}}]``."""
    first: str | None = None
    first_state: list[tuple[str | None, dict[str, str]]] = []
    patches: Patches = []
    for tree in _frame_trees(layout_svg, views, names):
        state = [(element.text, dict(element.attrib)) for element in tree.iter()]
        if first is None:
            numbered = copy.deepcopy(tree)
            for k, element in enumerate(numbered.iter()):
                element.set("data-k", str(k))
            first, first_state = ET.tostring(numbered, encoding="unicode"), state
        patch: list[Any] = []
        for k, ((text0, attributes0), (text, attributes)) in enumerate(zip(first_state, state)):
            change: dict[str, Any] = {}
            if (text or "") != (text0 or ""):
                change["t"] = text or ""
            changed = {name: attributes.get(name) for name in attributes0.keys() | attributes.keys()
                       if attributes.get(name) != attributes0.get(name)}
            if changed:
                change["a"] = changed
            if change:
                patch.append([k, change])
        patches.append(patch)
    return first, patches


def _frame_trees(layout_svg: str, views: Sequence[View], names: Sequence[str]) -> Iterator[ET.Element]:
    """The SVG tree as each view leaves it (one tree, changed in place: use it before the next)."""
    base = ET.fromstring(layout_svg)
    groups = {group.get("id"): group for group in base.iter(f"{{{SVG}}}g")}
    # Edge labels appear once their contribution has been added; hide them all to start.
    for group in groups.values():
        if group.get("class") == "edge":
            for label in group.findall(f"{{{SVG}}}text"):
                label.set("data-label", label.text or "")
                label.text = ""
    for position, name in enumerate(names):
        fields = groups[f"n{position}"].findall(f"{{{SVG}}}text")
        fields[0].text = name
        fields[2].text = WAITING
    for step, text, complete, added in views:
        fields = groups[f"n{step.receiver}"].findall(f"{{{SVG}}}text")
        fields[2].text = text
        if complete:
            fields[0].text = names[step.receiver] + DONE
            _outline(groups[f"n{step.receiver}"], COMPLETE, "2.5")
        changed = [_fill(groups[f"n{step.receiver}"], RECEIVING_FILL)]
        if step.consumer is not None:
            edge = groups[edge_id(step)]
            color = MASKED if step.masked else ACTIVE
            changed += [_stroke(edge, color, dashed=step.masked), _stroke(groups[f"o{step.consumer}"], color),
                        _stroke(groups[f"n{step.consumer}op"], color)]
            for label in edge.findall(f"{{{SVG}}}text") if added else ():
                label.text = label.get("data-label")
        yield base
        for undo in reversed(changed):
            undo()


def _shapes(group: ET.Element) -> list[ET.Element]:
    return [child for child in group if child.tag in (f"{{{SVG}}}polygon", f"{{{SVG}}}path",
                                                      f"{{{SVG}}}ellipse")]


def _remember(elements: Iterable[ET.Element], attributes: Iterable[str]) -> Undo:
    saved = [(element, {name: element.get(name) for name in attributes}) for element in elements]

    def undo() -> None:
        for element, values in saved:
            for name, value in values.items():
                if value is None:
                    element.attrib.pop(name, None)
                else:
                    element.set(name, value)
    return undo


def _outline(group: ET.Element, color: str, width: str) -> None:
    for shape in _shapes(group)[:1]:
        shape.set("stroke", color)
        shape.set("stroke-width", width)


def _fill(group: ET.Element, color: str) -> Undo:
    shape = _shapes(group)[0]
    undo = _remember([shape], ("fill",))
    shape.set("fill", color)
    return undo


def _stroke(group: ET.Element, color: str, dashed: bool = False) -> Undo:
    shapes = _shapes(group)
    undo = _remember(shapes, ("stroke", "stroke-width", "fill", "stroke-dasharray"))
    for shape in shapes:
        shape.set("stroke", color)
        shape.set("stroke-width", "3")
        if dashed:
            shape.set("stroke-dasharray", "5,3")
        if shape.tag == f"{{{SVG}}}polygon" and group.get("class") == "edge":
            shape.set("fill", color)  # the arrowhead
    return undo
