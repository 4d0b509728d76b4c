"""Who consumes each node, and what each path contributes: the terms of the total derivative.

Backward gives every parent ``local * consumer.grad`` once per use and sums them. This module
lists those uses so that the picture and ``explain`` can show the sum instead of only its result.
"""

from typing import NamedTuple

from ..graph import topological_order


class Use(NamedTuple):
    """One use of a node as an input: one path from the node towards the output."""

    consumer: object  # the Value that took the node as an input
    slot: int  # position among the consumer's parents (a*a uses ``a`` in slots 0 and 1)
    local: float  # d consumer / d node for this slot

    @property
    def contribution(self):
        """This path's share of the node's grad: d consumer/d node x dL/d consumer."""
        return self.local * self.consumer.grad


class GraphIndex:
    """The graph under ``root``: nodes in topological order, their uses, their names.

    Built once per drawing or explanation; it holds Values only while the caller uses it.
    """

    def __init__(self, root):
        self.root = root
        self.order = topological_order(root)
        self._position = None
        self._uses = None

    @property
    def position(self):
        """node -> its index in ``order`` (built on first use: a refused big graph never needs it)."""
        if self._position is None:
            self._position = {node: i for i, node in enumerate(self.order)}
        return self._position

    def _raw_uses(self):
        # Plain tuples, built once: making 10^5 NamedTuples up front would double the cost.
        if self._uses is None:
            uses = {node: [] for node in self.order}
            for consumer in self.order:
                for slot, (parent, local) in enumerate(zip(consumer.parents, consumer.local_grads)):
                    uses[parent].append((consumer, slot, local))
            self._uses = uses
        return self._uses

    def uses_of(self, node):
        """One :class:`Use` per time another node took ``node`` as an input."""
        return [Use(*use) for use in self._raw_uses()[node]]

    def __contains__(self, node):
        return node in self.position

    def name(self, node):
        """The node's label; else ``L`` for the output; else ``v<k>`` (its topological index)."""
        if node.label:
            return node.label
        if node is self.root:
            return "L"
        return f"v{self.position[node]}"

    def fans_out(self, node):
        """True when the node is used more than once, so its grad is a sum of several paths."""
        return len(self._raw_uses()[node]) > 1
