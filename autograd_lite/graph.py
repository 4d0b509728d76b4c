"""Walking the graph: topological order, and the chain rule, written once.

At every node, in reverse topological order, each parent receives ``local * grad``.
A parent with several consumers receives one contribution per consumer and ``+=`` sums
them: that sum over paths is the total derivative, which is all backpropagation does.
"""

import weakref
from operator import attrgetter

_creation_order = attrgetter("_seq")

_last_root = None  # weakref to the root of the most recent backward(), for explain()


def topological_order(root):
    """Every node ``root`` depends on, each listed after all of its parents.

    A node's parents always exist before it does, so creation order (``_seq``) is a
    topological order: collect the nodes with an explicit stack (no recursion, so any
    depth works) and sort them by it.
    """
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_creation_order)


def backward(root, gradient=1.0):
    """Set every node's ``grad`` to d root / d node (leaves accumulate; see Value.backward)."""
    global _last_root
    order = topological_order(root)
    for node in order:
        if node._parents:  # intermediates start from zero; leaves accumulate
            node.grad = 0.0
    root.grad += gradient
    for node in reversed(order):
        grad = node.grad
        for parent, local in zip(node._parents, node._local):
            parent.grad += local * grad
    _last_root = weakref.ref(root)


def last_backward_root():
    """The root of the most recent ``backward()`` if it is still alive, else None."""
    return _last_root() if _last_root is not None else None


def zero_grad(root):
    """Set ``grad`` to 0.0 on ``root`` and every node it depends on."""
    for node in topological_order(root):
        node.grad = 0.0
