"""Tracing: run the function once on Values and flatten its graph into a tape.

The tape lists the nodes that depend on an input in topological order (the forward
pass), and the edges of the backward pass in the exact order the eager engine visits
them: :func:`autograd_lite.graph.propagate` pops nodes from a LIFO stack as their
consumer counts reach zero, and every parent's ``grad`` sums its contributions in that
order. Generating the same sequence of ``+=`` makes compiled gradients bitwise equal to
``backward()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..graph import topological_order
from ..mode import TRACER, enable_grad
from ..value import Value

# A tape's node: (kind, rule, parents, data). The rule is a Rule for an "op" node and None
# otherwise; parents are the input's flat position (an int) for an "input" node, else a
# tuple of node indices. The kind decides both, which a type checker cannot follow.
Node = tuple[str, Any, Any, float]


class TracingError(TypeError, RuntimeError):
    """The traced function did something a trace cannot capture.

    A TypeError, since reading a Value as a number (``float(x)``, ``math.exp(x)``) is one
    outside tracing too; and a RuntimeError, as it was before, for code that catches that."""


class Tracer:
    """Reports reads of a traced value's data (comparisons, float()) as errors."""

    def __init__(self, leaves: Iterable[Value]) -> None:
        self.leaves = set(map(id, leaves))

    def depends_on_leaves(self, node: Value) -> bool:
        seen: set[int] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self.leaves:
                return True
            for parent in current._parents:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        return False

    def read_data(self, what: str, *operands: object) -> None:
        for operand in operands:
            if isinstance(operand, Value) and self.depends_on_leaves(operand):
                # str.__repr__, not repr(): a custom op's name may be a str subclass with a repr of its own
                made_by = f"made by {str.__repr__(operand.op)}" if operand.op else "an input"
                if what == "detach()":
                    raise TracingError(
                        f"compile: `detach()` on a traced Value ({made_by}, data {operand.data!r}) would "
                        "become a constant holding this call's number, wrong for every later input. "
                        "Compute the detached part outside the compiled function and pass it in as an "
                        "argument (or a static argument).")
                raise TracingError(
                    f"compile: `{what}` on a traced Value ({made_by}, data {operand.data!r}) makes Python "
                    "control flow depend on the inputs, which a trace cannot capture: the compiled function "
                    "would replay this call's branch for every later input. Use an op instead (relu, abs, "
                    "leaky_relu, max via relu), or pass the deciding value as a static argument "
                    "(static_argnums) so each value gets its own trace.")


def run_traced(f: Callable[..., Any], args: Sequence[Any], leaves: Iterable[Value]) -> Any:
    """``f(*args)`` with recording on and data reads of ``leaves``' descendants refused."""
    token = TRACER.set(Tracer(leaves))
    try:
        with enable_grad():
            return f(*args)
    finally:
        TRACER.reset(token)


class Tape:
    """A traced graph, flattened.

    ``nodes`` is the topological order of everything the output depends on; each node is
    ``(kind, rule, parent_indices, data)`` with kind "input" (index into the flat
    inputs), "constant" (no dependence on inputs: ``data`` is reused) or "op".
    ``backward`` lists ``(node_index, [(edge_position, parent_index), ...])`` in the eager
    engine's order, keeping only edges into nodes that lead to an input in ``wrt`` (input
    positions); ``grad_nodes`` are those inputs' node indices.
    """

    def __init__(self, root: Value, inputs: Sequence[Value], wrt: Iterable[int]) -> None:
        order = topological_order(root)
        index = {id(node): i for i, node in enumerate(order)}
        input_position = {id(leaf): k for k, leaf in enumerate(inputs)}
        wanted = set(wrt)
        self.nodes: list[Node] = []
        varies: list[bool] = []
        needs_grad: list[bool] = []
        all_parents: list[tuple[int, ...]] = []
        for node in order:
            parents = tuple([index[id(p)] for p in node._parents])
            all_parents.append(parents)
            if id(node) in input_position:
                self.nodes.append(("input", None, input_position[id(node)], node.data))
                varies.append(True)
                needs_grad.append(input_position[id(node)] in wanted)
            elif parents and any([varies[p] for p in parents]):
                self.nodes.append(("op", node._rule, parents, node.data))
                varies.append(True)
                needs_grad.append(any([needs_grad[p] for p in parents]))
            else:
                self.nodes.append(("constant", None, (), node.data))
                varies.append(False)
                needs_grad.append(False)
        self.root = index[id(root)]
        self.grad_nodes = [index.get(id(inputs[k])) for k in sorted(wanted)]  # None: the output ignores it
        self.backward = _eager_backward_order(all_parents, needs_grad)


def _eager_backward_order(all_parents: Sequence[tuple[int, ...]],
                          needs_grad: Sequence[bool]) -> list[tuple[int, list[tuple[int, int]]]]:
    """The edges of graph.propagate's pass, in its order (a LIFO ready stack, counts of
    consumers per edge), keeping edges into nodes whose gradient is wanted."""
    pending = [0] * len(all_parents)
    for parents in all_parents:
        for p in parents:
            pending[p] += 1
    steps: list[tuple[int, list[tuple[int, int]]]] = []
    ready = [len(all_parents) - 1]
    while ready:
        i = ready.pop()
        edges: list[tuple[int, int]] = []
        for position, p in enumerate(all_parents[i]):
            if needs_grad[p]:
                edges.append((position, p))
            pending[p] -= 1
            if pending[p] == 0:
                ready.append(p)
        if edges:
            steps.append((i, edges))
    return steps
