"""``explain``: one node's grad written out as the total derivative, symbols and numbers."""

import math

from ..graph import last_backward_root
from .paths import GraphIndex

MINUS = "\u2212"


def explain(node, root=None, number_format=".4g"):
    """The equation that gives ``node.grad``: a sum over every use of the node.

    ``root`` is the output; by default the root of the most recent ``backward()`` (held
    weakly, so it must still be alive). Symbols are labels where set, ``L`` for an
    unlabelled output, otherwise ``v<k>`` as in ``draw_graph``. Example::

        dL/dh = dL/dz1·dz1/dh + dL/dz2·dz2/dh = (0.3)(0.5) + (−0.1)(1.2) = 0.03
    """
    from ..value import Value

    if not isinstance(node, Value):
        raise TypeError(f"explain expects a Value, got {type(node).__name__}")
    if root is None:
        root = last_backward_root()
        if root is None:
            raise ValueError("explain needs the output: call backward() on it first (and keep a "
                             "reference to it), or pass root=<the output Value>")
    elif not isinstance(root, Value):
        raise TypeError(f"explain's root must be a Value, got {type(root).__name__}")
    index = GraphIndex(root)
    if node not in index:
        raise ValueError(f"{node!r} is not part of the graph of {root!r}: the output does not "
                         f"depend on it, so it has no path to explain")
    show = _formatter(number_format)
    out, name = index.name(root), index.name(node)
    lines = []
    if node is root:
        lines.append(f"d{out}/d{out} = {show(root.grad)} (the output: backward() starts here)")
    else:
        uses = index.uses_of(node)
        symbols = " + ".join(f"d{out}/d{index.name(u.consumer)}·d{index.name(u.consumer)}/d{name}"
                             for u in uses)
        numbers = " + ".join(f"({show(u.consumer.grad)})({show(u.local)})" for u in uses)
        total = math.fsum(u.contribution for u in uses)
        lines.append(f"d{out}/d{name} = {symbols} = {numbers} = {show(total)}")
        if len(uses) == 1:
            lines.append(f"{name} has one use, so this is the plain chain rule.")
        else:
            lines.append(f"{name} is used {len(uses)} times, so its grad is the sum over "
                         f"{len(uses)} paths: the total derivative.")
        if not math.isclose(total, node.grad, rel_tol=1e-9, abs_tol=1e-12):
            lines.append(f"note: {name}.grad is {show(node.grad)}, not {show(total)}: leaves "
                         f"accumulate over backward() calls (call zero_grad() first), or "
                         f"the graph changed since backward().")
    if root.grad == 0.0:
        lines.append(f"note: {out}.grad is 0, so backward() has not been run on this output.")
    return "\n".join(lines)


def _formatter(number_format):
    def show(x):
        return format(x, number_format).replace("-", MINUS)

    format(1.5, number_format)  # a bad spec fails here, with Python's own message
    return show
