"""``jvp`` and ``vjp``: the Jacobian times a vector, from either side, without forming the
Jacobian (the semantics of ``torch.func.jvp`` and ``torch.func.vjp``).

``vjp`` is reverse mode: one backward pass from the outputs, seeded with the cotangent.

``jvp`` is forward mode by dual numbers over the recorded graph. ``f`` runs once, recording
its graph as usual; then one pass in topological order gives each node its tangent,
``sum(local * tangent(parent))``, from the local derivatives every node already stores (the
same floats ``backward()`` uses, with the same rule that a structural zero masks). That is
O(nodes) time and one float per node that depends on the inputs, and it builds no extra
graph. Given Values (inside another transform) the locals come from each op's rule evaluated
on Values, as ``gradients(create_graph=True)`` does, so the tangents can be differentiated
again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from . import pytree
from .transforms import pull, split, trace
from .operators import sum as sum_of
from .mode import enable_grad
from .rules import ZERO
from .value import Value

if TYPE_CHECKING:
    from .rules import Rule


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """``(f(*primals), pullback)``. ``pullback(cotangent)`` returns a tuple with one entry per
    primal, each shaped like it: the cotangent (shaped like the output) times the Jacobian.

    Primals and the output may be pytrees (nested lists, tuples and dicts of numbers). The
    pullback can be called many times; it keeps ``f``'s graph alive while it exists.
    """
    with enable_grad():
        output, inputs, treedefs, nested = trace(f, primals, range(len(primals)), "vjp")
    out_leaves, out_treedef = pytree.flatten(output, "vjp: the output")
    value = output if nested else pytree.unflatten(out_treedef, map(_data, out_leaves))

    def pullback(cotangent: Any) -> tuple[Any, ...]:
        seeds, treedef = pytree.flatten(cotangent, "vjp: the cotangent")
        if treedef != out_treedef:
            raise ValueError(f"vjp: the cotangent must have the output's structure {pytree.describe(out_treedef)}, "
                             f"got {pytree.describe(treedef)}")
        symbolic = nested or any(isinstance(seed, Value) for seed in seeds)
        with enable_grad():
            pairs = [(leaf, seed) for leaf, seed in zip(out_leaves, seeds) if isinstance(leaf, Value)]
            flat: list[Any]
            if not pairs:
                flat = [Value(0.0) if symbolic else 0.0 for _ in inputs]
            elif len(pairs) == 1:
                flat = pull(*pairs[0], inputs, symbolic)
            else:  # one backward pass from sum(seed * output), as a multi-output backward is
                flat = pull(sum_of(seed * leaf for leaf, seed in pairs), 1.0, inputs, symbolic)
        return tuple(split(flat, treedefs))

    return value, pullback


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(f(*primals), tangent_out)``: the output, and the Jacobian of ``f`` at ``primals``
    times ``tangents``, shaped like the output.

    ``primals`` and ``tangents`` are tuples with one entry per positional argument of ``f``;
    each tangent has its primal's structure (a number for a number, a dict for a dict).
    """
    primals, tangents = _arguments(primals, "primals"), _arguments(tangents, "tangents")
    seeds: list[Any]
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primals but {len(tangents)} tangents; give one tangent per primal")
    with enable_grad():
        output, inputs, treedefs, nested = trace(f, primals, range(len(primals)), "jvp")
        seeds = []
        for i, (tangent, treedef) in enumerate(zip(tangents, treedefs)):
            leaves, tangent_treedef = pytree.flatten(tangent, f"jvp: tangent {i}")
            if tangent_treedef != treedef:
                raise ValueError(f"jvp: tangent {i} must have the structure of primal {i}, "
                                 f"{pytree.describe(treedef)}, got {pytree.describe(tangent_treedef)}")
            seeds.extend(leaves)
        symbolic = nested or any(isinstance(seed, Value) for seed in seeds)
        out_leaves, out_treedef = pytree.flatten(output, "jvp: the output")
        tangent_of = push(out_leaves, inputs, seeds, symbolic)
    zero: Value | float = Value(0.0) if symbolic else 0.0
    tangent_out = [tangent_of.get(leaf, zero) if isinstance(leaf, Value) else zero for leaf in out_leaves]
    if symbolic:
        tangent_out = [t if isinstance(t, Value) else Value(t) for t in tangent_out]
    value = output if nested else pytree.unflatten(out_treedef, map(_data, out_leaves))
    return value, pytree.unflatten(out_treedef, tangent_out)


def push(roots: Iterable[Any], inputs: Sequence[Value], seeds: Sequence[Any], symbolic: bool) -> dict[Value, Any]:
    """Forward mode: a dict from each node between ``inputs`` and ``roots`` to d node / d
    inputs · seeds. A node that does not depend on the inputs is absent (its tangent is 0)."""
    tangent_of: dict[Value, Any] = dict(zip(inputs, seeds))
    for node in _topological_order(roots, inputs):
        parents = node.parents
        if not any(parent in tangent_of for parent in parents):
            continue
        flats = node.local_grads
        locals_ = _symbolic_locals(node) if symbolic else flats
        total: Any = None
        for parent, local, flat in zip(parents, locals_, flats):
            if flat is ZERO or parent not in tangent_of:  # a structural zero masks, as in backward
                continue
            term = local * tangent_of[parent]
            total = term if total is None else total + term
        if total is not None:
            tangent_of[node] = total
    return tangent_of


def _symbolic_locals(node: Value) -> tuple[Value, ...]:
    # The local derivatives as Values: the same call graph.propagate makes when symbolic.
    locals_: tuple[Value, ...] = cast("Rule", node._rule).local(*node._parents, node)  # a node with parents has a rule
    return locals_


def _topological_order(roots: Iterable[Any], inputs: Iterable[Value]) -> list[Value]:
    """The nodes above ``inputs`` that ``roots`` depend on, each after its parents
    (iterative: any depth works). The inputs and what lies below them are not visited."""
    order: list[Value] = []
    seen = set(inputs)
    for root in roots:
        if not isinstance(root, Value) or root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _arguments(xs: object, name: str) -> tuple[Any, ...]:
    if isinstance(xs, (tuple, list)) and not hasattr(type(xs), "_fields"):
        return tuple(xs)
    raise TypeError(f"jvp: {name} must be a tuple with one entry per positional argument of f, "
                    f"got {type(xs).__name__}; for one argument write ({name[:-1]},)")


def _data(leaf: Any) -> Any:
    return leaf.data if isinstance(leaf, Value) else leaf
