"""Recording backward as a list of steps, in the engine's order, with a caption for each.

The order is the engine's (``autograd_lite.graph``): Kahn's algorithm from the root. Every
node counts its consumers (one per use: ``a * a`` uses ``a`` twice); a stack of ready nodes
starts with the root; the node popped gives each parent, in the order of its ``parents``,
``local * grad`` and counts the parent down; a parent whose count reaches zero has heard from
every consumer, so its grad is complete and it is pushed. A contribution whose local
derivative is a structural zero (``rules.ZERO``: the op is flat there) contributes nothing,
but still counts down, as in graph.propagate.

The recorder runs that algorithm on its own dicts, from the public ``parents`` and
``local_grads``, and sums with the same ``+=`` in the same order, so its running sums are
the engine's, bit for bit (tests/test_render_steps.py checks this against ``backward()``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ...rules import ZERO
from ..labels import join_terms, printable

if TYPE_CHECKING:
    from ...value import Value
    from ..paths import GraphIndex


class Step(NamedTuple):
    """One step of backward: the seed (``consumer is None``) or one ``parent.grad += local * grad``."""

    receiver: int  # position of the node whose grad changes, in the GraphIndex order
    consumer: int | None  # position of the node passing its grad on; None for the seed
    slot: int | None  # which of the consumer's inputs the receiver is; None for the seed
    local: float  # d consumer / d receiver (the seed itself for the seed step)
    incoming: float  # the consumer's complete grad (the seed for the seed step)
    masked: bool  # a structural zero (the op is flat there): this use contributes nothing
    terms: tuple[float, ...]  # the receiver's contributions so far, in order (masked ones left out)
    total: float  # the receiver's running sum after this step
    complete: bool  # every use of the receiver has now contributed
    caption: str


def record_steps(index: GraphIndex, seed: float, fmt: Callable[[float], str]) -> list[Step]:
    """The steps of ``backward(root, seed)`` on the graph of ``index`` (a GraphIndex)."""
    position = index.position
    pending = {node: 0 for node in index.order}
    for node in index.order:
        for parent in node.parents:
            pending[parent] += 1
    root = index.root
    total: dict[Value, float] = {root: 0.0 + seed}
    terms: dict[Value, tuple[float, ...]] = {root: (seed,)}
    names = Namer(index)
    steps = [Step(position[root], None, None, seed, seed, False, (seed,), total[root], True,
                  printable(names.seed_caption(seed, fmt)))]
    ready = [root]
    while ready:
        node = ready.pop()
        grad = total.get(node, 0.0)  # 0 when every use was masked
        for slot, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            pending[parent] -= 1
            masked = local is ZERO
            if not masked:
                total[parent] = total.get(parent, 0.0) + local * grad
                terms[parent] = terms.get(parent, ()) + (local * grad,)
            complete = pending[parent] == 0
            if complete:
                ready.append(parent)
            step = Step(position[parent], position[node], slot, local, grad, masked,
                        terms.get(parent, ()), total.get(parent, 0.0), complete, "")
            steps.append(step._replace(caption=printable(names.caption(step, parent, node, pending[parent], fmt))))
    return steps


def short(x: float) -> str:
    """Numbers in captions: at most 6 significant digits, no trailing zeros (``6``, ``0.5``)."""
    return format(x, ".6g")


class Namer:
    """Captions in words, with the names ``draw_graph`` and ``explain`` use."""

    def __init__(self, index: GraphIndex) -> None:
        self.index = index
        self.out = index.name(index.root)

    def seed_caption(self, seed: float, fmt: Callable[[float], str]) -> str:
        out = self.out
        inputs = len(self.index.root.parents)
        passes = (f" It is complete, so it passes its grad on to its {inputs} input"
                  f"{'s' if inputs != 1 else ''}." if inputs else "")
        return f"{out} is the output: backward() starts with {out}.grad = {short(seed)} (the seed).{passes}"

    def caption(self, step: Step, parent: Value, node: Value, waiting: int, fmt: Callable[[float], str]) -> str:
        receiver, consumer = self.index.name(parent), self.index.name(node)
        local = f"\u2202{consumer}/\u2202{receiver} = {short(step.local)}"
        if step.masked:
            text = (f"{receiver} receives nothing from {consumer}: {local}, so this use "
                    f"contributes nothing (whatever {consumer}.grad is).")
        else:
            text = (f"{receiver} receives {fmt(step.local * step.incoming)} from {consumer} "
                    f"({local} times {consumer}.grad = {short(step.incoming)}).")
        if not step.complete:
            more = f"{waiting} more use{'s' if waiting != 1 else ''}"
            return f"{text} {receiver} waits for {more}; running sum {short(step.total)}."
        uses = len(self.index.uses_of(parent))
        done = f"d{self.out}/d{receiver} = {short(step.total)}"
        if len(step.terms) > 1:
            done = f"d{self.out}/d{receiver} = {join_terms(step.terms, short, 6)} = {short(step.total)}"
        heard = f"all {uses} uses have contributed" if uses > 1 else "its only use has contributed"
        if not parent.parents and not parent.label:
            heard += f"; it is the constant {short(parent.data)}, whose grad nothing uses"
        return f"{text} {receiver} is complete ({heard}): {done}."
