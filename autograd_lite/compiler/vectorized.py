"""Generated code for the array dialects, with a network's layers as matrix products.

The units of :func:`.layers.plan` become code: a node as in :mod:`.codegen` (the same
rule text through the same :class:`~.codegen.Emitter`), a :class:`~.layers.Layer` as
``M = W @ X`` with ``W`` gathered from the shared inputs ``P``, an
:class:`~.layers.Elementwise` group as its rule's text applied to the whole matrix of its
source group. Row ``r`` of a group is read as ``M[r]`` where a single node needs it.
A group's matrix is always 2-d: (rows, batch), or (rows, 1) where it is the same for
every example, so that any two broadcast together.

The forward pass serves both dialects ("numpy" and "torch": PyTorch differentiates it
itself). The backward pass (NumPy) visits the units in reverse; the adjoint of a group is
a matrix ``G``, and the shared inputs' gradients are summed over the batch as they are
made (``G @ X.T`` for a layer's weights): they go into the vector ``GP`` in the order of
the shared inputs. The argument inputs' gradients stay one per example. The generated
function is ``run(I, C, P, B)`` (``B``: the batch size) returning
``(value, (per-example gradients of the differentiated arguments), GP)``; its sums are
in another order than the eager engine's, so results agree to rounding, not bitwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from ..rules import Rule
from .codegen import Emitter, _sum_of, _times
from .layers import Layer, Plan

if TYPE_CHECKING:
    from .trace import Tape

# Where a layer's matrix X gets its rows: (first row of X, group or None, rows or node).
Layout = list[tuple[int, int | None, int]]


class _Writer:
    def __init__(self, tape: Tape, plan: Plan, dialect: str, shared_start: int,
                 called: Callable[[Rule], str | None] | None = None) -> None:
        self.tape, self.plan, self.shared_start, self.called = tape, plan, shared_start, called
        self.emit = Emitter(dialect)
        self.lines: list[str] = []
        self.aliased: set[int] = set()
        self.unread: dict[int, str] = {}
        self.indices: dict[str, list[list[int]]] = {}  # name -> nested lists of shared positions
        self.layouts: dict[int, Layout | None] = {}  # layer -> [(first row of X, group or None, node or rows), ...]

    def name(self, node: int) -> str:
        """The variable of ``node``; an input, or a row of a group, is read on its first use
        (a parameter that only a layer's matrix reads is never read alone)."""
        if node in self.unread:
            self.lines.append(f"v{node} = {self.unread.pop(node)}")
        if node in self.plan.row_of and node not in self.aliased:
            g, r = self.plan.row_of[node]
            self.lines.append(f"v{node} = M{g}[{r}]")
            self.aliased.add(node)
        return f"v{node}"

    def shared(self, node: int) -> bool:
        kind, _, position, _ = self.tape.nodes[node]
        return kind == "input" and position >= self.shared_start

    def forward(self) -> None:
        for unit in self.plan.units:
            if isinstance(unit, int):
                kind, rule, parents, data = self.tape.nodes[unit]
                if kind == "input":
                    self.unread[unit] = f"I[{parents}]"
                    continue
                if kind == "constant":
                    expression = self.emit.constant(data)
                else:
                    expression = self.forward_of(rule, [self.name(p) for p in parents], f"v{unit}")
                self.lines.append(f"v{unit} = {expression}")
                continue
            g = unit[1]
            group = self.plan.groups[g]
            if isinstance(group, Layer):
                self.indices[f"IW{g}"] = [[k - self.shared_start for k in row] for row in group.weights]
                x = self.rows(g, group.inputs)
                self.lines += [f"W{g} = P[IW{g}]", f"X{g} = {x}", f"M{g} = _matmul(W{g}, X{g})"]
            else:
                self.lines.append(f"M{g} = {self.forward_of(group.rule, [f'M{group.source}'], f'M{g}')}")

    def forward_of(self, rule: Rule, args: Sequence[str], out: str) -> str:
        """The rule's forward text, or a call of the function ``called(rule)`` names."""
        name = self.called(rule) if self.called else None
        return f"{name}({', '.join(args)})" if name else self.emit.forward(rule, args, out)

    def rows(self, g: int, nodes: Sequence[int]) -> str:
        """The expression of the matrix whose rows are ``nodes``' values: runs of a group's
        rows as a block, other nodes as single rows, all the shared inputs as a gather."""
        if all(self.shared(node) for node in nodes):
            self.indices[f"IX{g}"] = [[self.tape.nodes[node][2] - self.shared_start] for node in nodes]
            self.layouts[g] = None
            return f"P[IX{g}]"
        layout: Layout = []
        parts: list[tuple[str, str]] = []
        k = 0
        r: Any  # the row, an int where the group h is not None
        while k < len(nodes):
            h, r = self.plan.row_of.get(nodes[k], (None, None))
            length = 1
            if h is not None:
                members = self.plan.groups[h].members
                while k + length < len(nodes) and r + length < len(members) and nodes[k + length] == members[r + length]:
                    length += 1
            if h is not None and r == 0 and length == len(self.plan.groups[h].members):
                layout.append((k, h, length))
                parts.append((f"M{h}", "True"))
            else:
                for j in range(k, k + length):
                    layout.append((j, None, nodes[j]))
                    parts.append((self.name(nodes[j]), "False"))
            k += length
        self.layouts[g] = layout
        if len(parts) == 1 and parts[0][1] == "True":
            return parts[0][0]
        return f"_rows(({', '.join(p for p, _ in parts)},), ({', '.join(b for _, b in parts)},))"

    def backward(self, n_shared: int) -> list[str]:
        tape, plan = self.tape, self.plan
        edges_of = dict(tape.backward)
        terms: dict[int, list[str]] = {tape.root: ["1.0"]}
        blocks: dict[int, list[str]] = {}
        self.lines.append(f"GP = _zeros({n_shared})")
        for unit in reversed(plan.units):
            if isinstance(unit, int):
                if unit not in edges_of or unit not in terms:
                    continue
                self.lines.extend(_sum_of(terms.pop(unit), f"g{unit}"))
                _, rule, parents, _ = tape.nodes[unit]
                prelude, local_exprs = self.emit.locals(rule, [self.name(p) for p in parents], f"v{unit}")
                if prelude:
                    self.lines.append(prelude)
                for position, p in edges_of[unit]:
                    terms.setdefault(p, []).append(_times(local_exprs[position], f"g{unit}", False))
                continue
            g = unit[1]
            group = plan.groups[g]
            row_terms = [terms.pop(m, None) for m in group.members]
            matrices = blocks.pop(g, [])
            if not matrices and not any(row_terms):
                continue
            if any(row_terms):
                rows = ", ".join(f"({' + '.join(['0.0', *t])})" if t else "0.0" for t in row_terms)
                matrices.append(f"_rows(({rows},), ({', '.join(['False'] * len(row_terms))},))")
            self.lines.append(f"G{g} = {' + '.join(matrices)}")
            wanted = {position for position, _ in edges_of.get(group.members[0], ())}
            if not isinstance(group, Layer):
                if wanted:
                    prelude, (local,) = self.emit.locals(group.rule, [f"M{group.source}"], f"M{g}")
                    blocks.setdefault(group.source, []).append(_times(local, f"G{g}", False))
                continue
            self.layer_backward(g, group, wanted, terms, blocks)
        return self.final_gradients(terms, n_shared)

    def layer_backward(self, g: int, group: Layer, wanted: set[int], terms: dict[int, list[str]],
                       blocks: dict[int, list[str]]) -> None:
        weights = [k for row in self.indices[f"IW{g}"] for k in row]
        add = "_add_at" if len(set(weights)) < len(weights) else "_add"
        self.lines.append(f"{add}(GP, IW{g}, _outer_bsum(G{g}, X{g}, B))")
        half = len(group.inputs)
        wanted_inputs = {position - half for position in wanted if position >= half}
        if not wanted_inputs:
            return
        if self.layouts[g] is None:
            inputs = [k for (k,) in self.indices[f"IX{g}"]]
            add = "_add_at" if len(set(inputs)) < len(inputs) else "_add"
            self.lines.append(f"{add}(GP, IX{g}[:, 0], _bsum_rows(_matmul(W{g}.T, G{g}), B))")
            return
        self.lines.append(f"GX{g} = _matmul(W{g}.T, G{g})")
        for first, h, node_or_length in cast("Layout", self.layouts[g]):  # not None: returned above
            if h is not None:
                blocks.setdefault(h, []).append(f"GX{g}[{first}:{first + node_or_length}]")
            elif first in wanted_inputs:
                terms.setdefault(node_or_length, []).append(f"GX{g}[{first}]")

    def final_gradients(self, terms: dict[int, list[str]], n_shared: int) -> list[str]:
        """The arguments' gradients (per example); the shared inputs' are added into GP.
        The shared inputs are the last ``n_shared`` of the differentiated ones."""
        grads: list[str] = []
        n_args = len(self.tape.grad_nodes) - n_shared
        for k, n in enumerate(self.tape.grad_nodes):
            total = None
            if n is not None and n in terms:
                self.lines.extend(_sum_of(terms.pop(n), f"g{n}"))
                total = f"g{n}"
            if k < n_args:
                grads.append(total or "0.0")
            elif total:
                self.lines.append(f"GP[{k - n_args}] += _bsum({total}, B)")
        return grads


def generate(tape: Tape, plan: Plan, dialect: str, shared_start: int, n_shared: int, backward: bool = True,
             called: Callable[[Rule], str | None] | None = None
             ) -> tuple[list[str], tuple[float, ...], dict[str, list[list[int]]], dict[str, Rule]]:
    """The body of ``run(I, C, P, B)`` (lines), its constants, the index lists it reads
    (name -> nested lists of positions in ``P``, for the dialect to make into arrays), and
    the rules it calls by name (custom ops). ``called(rule)``: the name of a function to
    call for the rule's forward value instead of its text, or None."""
    writer = _Writer(tape, plan, dialect, shared_start, called)
    writer.forward()
    root = writer.name(tape.root)
    if backward:
        grads = writer.backward(n_shared)
        writer.lines.append(f"return {root}, ({', '.join(grads)}{',' if grads else ''}), GP")
    else:
        writer.lines.append(f"return {root}")
    return writer.lines, tuple(writer.emit.constants), writer.indices, writer.emit.rules


def ungrouped(tape: Tape) -> Plan:
    """The plan with every node its own unit, in tape order (no layer to group)."""
    return Plan(list(range(len(tape.nodes))), [], {})


def source(lines: list[str], n_constants: int) -> str:
    """``run(I, C, P, B)`` as one function."""
    head = [f"{', '.join(f'k{j}' for j in range(n_constants))}, = C"] if n_constants else []
    return "def run(I, C, P, B):\n" + "".join(f"    {line}\n" for line in head + lines)
