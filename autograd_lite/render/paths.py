"""Who consumes each node, and what each path contributes: the terms of the total derivative.

Backward gives every parent ``local * consumer.grad`` once per use and sums them. This module
lists those uses so that the picture and ``explain`` can show the sum instead of only its result.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ..graph import topological_order

if TYPE_CHECKING:
    from ..value import Value

_PREFIXES = ("v", "t", "n", "z", "node")  # for unlabelled values: v0, v1, ... unless a label is like v3
_OUTPUT_NAMES = ("L", "out", "output", "loss")  # for an unlabelled output
_INDEXED = re.compile(r"^(.*?)(\d+)$")  # a name that a generated one could equal: prefix + digits


class Use(NamedTuple):
    """One use of a node as an input: one path from the node towards the output."""

    consumer: Value  # the Value that took the node as an input
    slot: int  # position among the consumer's parents (a*a uses ``a`` in slots 0 and 1)
    local: float  # d consumer / d node for this slot

    @property
    def contribution(self) -> float:
        """This path's share of the node's grad: d consumer/d node x dL/d consumer."""
        return self.local * self.consumer.grad


class GraphIndex:
    """The graph under ``root``: nodes in topological order, their uses, their names.

    Built once per drawing or explanation; it holds Values only while the caller uses it.
    """

    def __init__(self, root: Value) -> None:
        self.root = root
        self.order: list[Value] = topological_order(root)
        self._position: dict[Value, int] | None = None
        self._uses: dict[Value, list[tuple[Value, int, float]]] | None = None
        self._generated: tuple[str, str] | None = None

    @property
    def position(self) -> dict[Value, int]:
        """node -> its index in ``order`` (built on first use: a refused big graph never needs it)."""
        if self._position is None:
            self._position = {node: i for i, node in enumerate(self.order)}
        return self._position

    def _raw_uses(self) -> dict[Value, list[tuple[Value, int, float]]]:
        # Plain tuples, built once: making 10^5 NamedTuples up front would double the cost.
        if self._uses is None:
            uses: dict[Value, list[tuple[Value, int, float]]] = {node: [] for node in self.order}
            for consumer in self.order:
                for slot, (parent, local) in enumerate(zip(consumer.parents, consumer.local_grads)):
                    uses[parent].append((consumer, slot, local))
            self._uses = uses
        return self._uses

    def uses_of(self, node: Value) -> list[Use]:
        """One :class:`Use` per time another node took ``node`` as an input."""
        return [Use(*use) for use in self._raw_uses()[node]]

    def __contains__(self, node: object) -> bool:
        return node in self.position

    def name(self, node: Value) -> str:
        """The node's label; else ``L`` for the output; else ``v<k>`` (its topological index).

        Generated names never equal a label in the graph: if the user labelled a value ``v1``
        (or ``L``), generated names take another prefix (``t1``, ``n1``, ...; ``out``, ...).
        """
        if node.label:
            return node.label
        prefix, output = self._generated_names()
        if node is self.root:
            return output
        return f"{prefix}{self.position[node]}"

    def _generated_names(self) -> tuple[str, str]:
        if self._generated is None:
            labels = {node.label for node in self.order if node.label}
            taken = {label for label in labels if _INDEXED.match(label)}
            prefixes = [*_PREFIXES, *(f"v{'_' * k}" for k in range(1, len(labels) + 2))]
            prefix = next(p for p in prefixes  # every label in taken matches _INDEXED
                          if not any(_INDEXED.match(t).group(1) == p for t in taken))  # type: ignore[union-attr]
            output = next(name for name in (*_OUTPUT_NAMES, *(f"L{'_' * k}" for k in range(1, len(labels) + 2)))
                          if name not in labels and not _INDEXED.match(name))
            self._generated = prefix, output
        return self._generated

    def fans_out(self, node: Value) -> bool:
        """True when the node is used more than once, so its grad is a sum of several paths."""
        return len(self._raw_uses()[node]) > 1
