"""Walking the graph: the chain rule, written once, in the order the total derivative needs.

Backward runs Kahn's algorithm from the root. Each node counts its consumers in this graph
(``_pending``); a parent receives ``local * grad`` from each consumer and ``+=`` sums the
contributions. When its count reaches zero every path through it has contributed: its grad
is the complete total derivative, and it can pass it on to its own parents.

The counts live on the nodes (no dict, no hashing, no sort) and are zero between calls:
each pass brings them back to zero, and an interrupted pass puts them back.
"""

import weakref

_last_root = None  # weakref to the root of the most recent backward(), for explain()


def _count_consumers(root):
    """Set each node's ``_pending`` to its number of consumers below ``root``, reset the
    grads of intermediate nodes, and return the leaves."""
    leaves = []
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent._pending == 0:  # first visit
                if parent._parents:
                    parent.grad = 0.0
                    stack.append(parent)
                else:
                    leaves.append(parent)
            parent._pending += 1
    return leaves


def _clear_counts(root):
    for node in reachable(root):
        node._pending = 0


def propagate(root, seed, symbolic=False):
    """The chain rule, once: leave d root / d node in every node's ``grad``.

    With ``symbolic`` the local derivatives come from the op's rule evaluated on Values
    (``rule.local(*parents, node)``) instead of the stored floats, so every product and sum
    below is itself recorded: the gradients are Values that can be differentiated again.
    """
    leaves = _count_consumers(root)
    # Leaves accumulate across calls, but this call's gradient is summed from zero and added
    # once, as PyTorch does: so backward twice gives exactly twice the gradient.
    earlier = [leaf.grad for leaf in leaves]
    for leaf in leaves:
        leaf.grad = 0.0
    try:
        root.grad = (0.0 if root._parents else root.grad) + seed
        ready = [root]
        while ready:
            node = ready.pop()
            grad = node.grad
            local_grads = node._rule.local(*node._parents, node) if symbolic and node._parents else node._local
            for parent, local in zip(node._parents, local_grads):
                parent.grad += local * grad
                parent._pending -= 1
                if parent._pending == 0:  # all consumers have contributed: total derivative done
                    ready.append(parent)
    except BaseException:
        _clear_counts(root)
        for leaf, grad in zip(leaves, earlier):
            leaf.grad = grad
        raise
    for leaf, grad in zip(leaves, earlier):
        leaf.grad += grad


def backward(root, gradient=1.0):
    """Set every node's ``grad`` to d root / d node (leaves accumulate; see Value.backward)."""
    global _last_root
    propagate(root, gradient)
    _last_root = weakref.ref(root)


def last_backward_root():
    """The root of the most recent ``backward()`` if it is still alive, else None."""
    return _last_root() if _last_root is not None else None


def reachable(root):
    """The set of nodes ``root`` depends on, itself included."""
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def topological_order(root):
    """Every node ``root`` depends on, each listed after all of its parents.

    Iterative (any depth works at the default recursion limit). Uses its own counts, so it
    is safe to call at any time, e.g. while rendering.
    """
    pending = {}
    for node in reachable(root):
        for parent in node._parents:
            pending[parent] = pending.get(parent, 0) + 1
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node._parents:
            pending[parent] -= 1
            if pending[parent] == 0:
                ready.append(parent)
    order.reverse()
    return order


def zero_grad(root):
    """Set ``grad`` to 0.0 on ``root`` and every node it depends on."""
    for node in reachable(root):
        node.grad = 0.0
