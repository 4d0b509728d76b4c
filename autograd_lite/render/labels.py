"""Text and style of the boxes: numbers, the grad-as-a-sum line, and what kind a node is."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Sequence
from typing import TYPE_CHECKING, Any

import graphviz

if TYPE_CHECKING:
    from ..value import Value
    from .paths import GraphIndex

KINDS = ("output", "parameter", "input", "constant", "intermediate")

# Fill colours chosen to stay distinguishable in greyscale print as well.
NODE_STYLE = {
    "output": {"style": "filled,bold", "fillcolor": "#f4cccc", "penwidth": "2"},
    "parameter": {"style": "filled", "fillcolor": "#cfe2f3"},
    "input": {"style": "filled", "fillcolor": "#d9ead3"},
    "constant": {"style": "filled,dashed", "fillcolor": "#eeeeee"},
    "intermediate": {"style": "solid"},
}
OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#fff2cc", "fontsize": "11",
            "margin": "0.02,0.02", "height": "0.3"}
BOX_STYLE = {"shape": "box3d", "style": "filled", "fillcolor": "#ead1dc"}
# Each fan-out node gets one colour for its border, its outgoing edges and their labels, so
# a reader can match the terms of its grad sum to the paths they came along (Okabe-Ito
# colours, darkened where needed to stay legible as text).
FAN_OUT_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D1F", "#5D3A9B")
FONT = "Courier"  # monospace: every viewer's fallback has the metrics the layout assumed


def number_formatter(number_format: str | Callable[[float], str]) -> Callable[[float], str]:
    """A function float -> str from a format spec such as ``".4f"`` or from a callable."""
    if callable(number_format):
        return number_format
    if not isinstance(number_format, str):
        raise TypeError(f"number_format must be a format spec like '.4f' or a callable, "
                        f"got {type(number_format).__name__}")
    try:
        format(1.5, number_format)
    except ValueError as error:
        raise ValueError(f"number_format {number_format!r} is not a valid float format spec "
                         f"(try '.4f' or '.3g'): {error}") from None
    return lambda x: _without_negative_zero(format(x, number_format))


def _without_negative_zero(text: str) -> str:
    # -0.0001 shown as "-0.000" reads as a sign error; a rounded zero needs no sign.
    if text.startswith("-") and set(text[1:]) <= set("0."):
        return text[1:]
    return text


def node_kind(node: Value, root: Value, parameters: Container[Value] | None) -> str:
    """Which of KINDS the node is.

    Leaves: listed in ``parameters`` -> parameter. Otherwise a labelled leaf created inside
    a scope is a parameter (modules create their weights in scopes), a labelled leaf outside
    any scope is an input, and an unlabelled leaf is a constant (numbers mixed into an
    expression become unlabelled leaves).
    """
    if node is root:
        return "output"
    if node.parents:
        return "intermediate"
    if parameters is not None:
        if node in parameters:
            return "parameter"
        return "input" if node.label else "constant"
    if not node.label:
        return "constant"
    return "parameter" if node.scope else "input"


def join_terms(numbers: Sequence[float], fmt: Callable[[float], str], max_terms: int) -> str:
    """``0.3000 + 0.1200 - 0.0500``; at most ``max_terms`` terms, then ``+ ... (n terms)``."""
    text = ""
    for i, x in enumerate(numbers[:max_terms]):
        term = fmt(x)
        negative = term.startswith("-")
        if i == 0:
            text = term
        else:
            text += (" - " + term[1:]) if negative else (" + " + term)
    if len(numbers) > max_terms:
        text += f" + ... ({len(numbers)} terms)"
    return text


def grad_line(node: Value, index: GraphIndex, fmt: Callable[[float], str], max_terms: int) -> str:
    """``grad 0.4200`` or, at a fan-out, ``grad 0.4200 = 0.3000 + 0.1200``.

    When the grad is not the sum of its paths (leaves accumulate over several backward()
    calls) the line says so rather than print a false equation.
    """
    line = f"grad {fmt(node.grad)}"
    if node is index.root or not index.fans_out(node):
        return line
    terms = [use.contribution for use in index.uses_of(node)]
    total = math.fsum(terms)
    if math.isclose(total, node.grad, rel_tol=1e-9, abs_tol=1e-12):
        return f"{line} = {join_terms(terms, fmt, max_terms)}"
    return f"{line} (paths sum to {fmt(total)}: grads accumulated?)"


# Characters XML 1.0 forbids (the SVG would not parse) or UTF-8 cannot encode (lone
# surrogates, e.g. from undecodable bytes): shown as their Python escape instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: object) -> str:
    """The text as every drawing shows it: characters an SVG cannot hold (``\\x01``, a lone
    surrogate) replaced by their Python escape. The DOT escapes below start with it, and the
    step page applies it to every text it writes into a frame or a caption, so a label reads
    the same in both."""
    return _NOT_XML.sub(lambda match: ascii(match.group())[1:-1], str(text))


def _line_breaks(text: str) -> str:
    # Graphviz would drop a raw newline inside a record field; "\n" is its own line break.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def escape_text(text: object) -> Any:
    """Make any text show verbatim as a plain Graphviz label (clusters, ops, edge labels).

    Backslashes lose their escape meaning (``\\N``, ``\\l``, a trailing ``\\``), ``&`` no
    longer starts a character entity, ``<...>`` is not taken for an HTML-like label (whose
    ``href`` would become a link in the SVG), and quotes are escaped when the graphviz
    package quotes the string. Line breaks stay line breaks; characters an SVG cannot hold
    are shown as Python escapes (``\\x01``).
    """
    text = printable(text).replace("\\", "\\\\").replace("&", "&amp;")
    return graphviz.nohtml(_line_breaks(text))


def escape_record(text: object) -> str:
    """Make any text show verbatim inside one field of a Graphviz record label."""
    text = printable(text)
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return _line_breaks(text.replace("&", "&amp;"))


def record_label(fields: Sequence[object], rankdir: str) -> Any:
    """A record whose fields are stacked top to bottom whatever the rank direction."""
    body = " | ".join(escape_record(field) for field in fields)
    # Records lay fields across the rank direction; braces turn them by 90 degrees.
    return graphviz.nohtml(body if rankdir in ("LR", "RL") else "{ " + body + " }")
