"""A tape pass for the array dialects: a network's layers as matrix products.

An ``nn`` layer of m neurons over n inputs traces to m ``dot`` nodes that share their input
half: neuron j is ``dot([w_j1..w_jn, b_j], [x_1..x_n, 1.0])``. When the weights are shared
inputs (the parameters, one number for the whole batch), the m nodes are one matrix
product ``W @ X``: a :class:`Layer`. The same one-input op applied to every row of a
layer (its activation), or of such a row group, is one array op: an :class:`Elementwise`
group. Everything else stays one node.

:func:`plan` returns the units (a node index, a Layer or an Elementwise) in an order in
which each unit comes after everything it reads, or None when the tape has no layer (or
grouping would make a unit read itself).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, NamedTuple, cast

from .. import rules
from ..rules import Rule
from .codegen import Emitter

if TYPE_CHECKING:
    from .trace import Tape


class Layer(NamedTuple):
    members: tuple[int, ...]  # the dot nodes, one per row
    weights: tuple[tuple[int, ...], ...]  # per member, the input positions of its n weights (all shared)
    inputs: tuple[int, ...]   # the n nodes every member reads


class Elementwise(NamedTuple):
    members: tuple[int, ...]  # one node per row of the source group
    rule: Rule
    source: int     # the index of the group it reads, in ``Plan.groups``


Unit = int | tuple[str, int]  # a node index, or ("group", g)


class Plan(NamedTuple):
    units: list[Unit]     # node indices and group indices (as ("group", g)), in dependency order
    groups: list[Layer | Elementwise]  # by index
    row_of: dict[int, tuple[int, int]]  # member node -> (group index, row)


def plan(tape: Tape, shared: Iterable[int]) -> Plan | None:
    """The grouped units of ``tape``, or None; ``shared``: the input positions that are one
    number for the whole batch (the parameters)."""
    groups: list[Layer | Elementwise] = []
    row_of: dict[int, tuple[int, int]] = {}
    for group in _layers(tape, set(shared)):
        groups.append(group)
        row_of.update({node: (len(groups) - 1, r) for r, node in enumerate(group.members)})
    if not groups:
        return None
    unary: dict[int, dict[int, int]] = {}  # parent -> {id(rule): the first one-input node applying rule to parent}
    for i, (kind, rule, parents, _) in enumerate(tape.nodes):
        if kind == "op" and len(parents) == 1 and i not in row_of:
            unary.setdefault(parents[0], {}).setdefault(id(rule), i)
    g = 0
    while g < len(groups):  # each new group may be the source of another
        members = groups[g].members
        for rule_id, first in list(unary.get(members[0], {}).items()):
            rule = tape.nodes[first][1]
            row = [unary.get(m, {}).get(rule_id) for m in members]
            if None in row or any(node in row_of for node in row) or not _array_op(rule):
                continue
            nodes = cast("list[int]", row)  # no None in it (checked above), which mypy cannot see
            groups.append(Elementwise(tuple(nodes), rule, g))
            row_of.update({node: (len(groups) - 1, r) for r, node in enumerate(nodes)})
        g += 1
    units = _ordered(tape, groups, row_of)
    return None if units is None else Plan(units, groups, row_of)


def _layers(tape: Tape, shared: Collection[int]) -> list[Layer]:
    by_inputs: dict[tuple[int, ...], list[tuple[int, tuple[int, ...]]]] = {}
    for i, (kind, rule, parents, _) in enumerate(tape.nodes):
        if kind != "op" or rule is not rules.DOT or len(parents) < 2:
            continue
        half = len(parents) // 2
        weights = parents[:half]
        if all(tape.nodes[w][0] == "input" and tape.nodes[w][2] in shared for w in weights):
            by_inputs.setdefault(parents[half:], []).append((i, tuple(tape.nodes[w][2] for w in weights)))
    return [Layer(tuple(i for i, _ in rows), tuple(w for _, w in rows), inputs)
            for inputs, rows in by_inputs.items()]


def _array_op(rule: Rule) -> bool:
    """True if the rule's generated code works on arrays of any shape: a table row (or a
    power or leaky_relu), not a rule over lists and not one called as a whole."""
    if rule is rules.SUM or rule is rules.DOT:
        return False
    emit = Emitter("numpy")
    forward = emit.forward(rule, ["x"], "out")
    prelude, _ = emit.locals(rule, ["x"], "out")
    return prelude is None and "_LIST_OP_RULES" not in forward and not emit.rules


def _ordered(tape: Tape, groups: list[Layer | Elementwise], row_of: dict[int, tuple[int, int]]) -> list[Unit] | None:
    """Kahn's algorithm over the units, the earliest first; None if the units form a cycle."""
    unit_of: dict[int, Unit] = {node: ("group", g) for node, (g, _) in row_of.items()}
    key: Callable[[Unit], int] = (  # noqa: E731
        lambda unit: unit if isinstance(unit, int) else groups[unit[1]].members[0])
    reads: dict[Unit, set[Unit]] = {}
    for i, (_, _, parents, _) in enumerate(tape.nodes):
        unit = unit_of.get(i, i)
        if tape.nodes[i][0] == "op":
            reads.setdefault(unit, set()).update(unit_of.get(p, p) for p in parents)
        else:
            reads.setdefault(unit, set())
    readers: dict[Unit, list[Unit]] = {}
    pending: dict[Unit, int] = {}
    for unit, sources in reads.items():
        if unit in sources:
            return None
        pending[unit] = len(sources)
        for source in sources:
            readers.setdefault(source, []).append(unit)
    ready = [(key(u), u) for u, n in pending.items() if n == 0]
    heapq.heapify(ready)
    order: list[Unit] = []
    while ready:
        _, unit = heapq.heappop(ready)
        order.append(unit)
        for reader in readers.get(unit, ()):
            pending[reader] -= 1
            if pending[reader] == 0:
                heapq.heappush(ready, (key(reader), reader))
    return order if len(order) == len(pending) else None
