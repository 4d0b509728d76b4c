"""Planted bug: micrograd's recursive topological sort, which dies past ~1,000 nodes.
Everything else, a second backward() included, is right."""

from . import iterative


class Value(iterative.Value):
    def topological_order(self):
        order, visited = [], set()

        def build(node):
            if id(node) not in visited:
                visited.add(id(node))
                for child in node._prev:
                    build(child)
                order.append(node)
        build(self)
        return order
