"""Pickling and deep-copying Values: any depth, sharing kept, ops by reference.

``pickle`` and ``copy.deepcopy`` recurse into an object's state, so a Value whose state
held its parents would need one Python frame per node of depth: a 10**5-op chain would
raise RecursionError. Instead, the first Value reached in a graph carries, at the front of
its state, the list of every node it depends on, parents before children. Each of those
nodes is then pickled *shallowly* (its parents are already in the pickle's memo, so they
are references), and the recursion stays a few frames deep whatever the depth. Since the
memo is keyed by identity, everything pickled together keeps its sharing: a loss and the
model's parameters pickled in one call still form one graph, and backward through the copy
fills the copied parameters' grads.

An op is pickled by reference: a table row by its name (and constants), a custom op
(``autograd_lite.op``) by the module attribute that holds it, found when pickling, so it
must be defined at the top level of an importable module (or of ``__main__``). Otherwise
pickling raises :class:`pickle.PicklingError` naming the op.
"""

from __future__ import annotations

import importlib
import pickle
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any

from . import graph, rules

if TYPE_CHECKING:
    from .rules import Rule
    from .value import Value

_ZERO_MARK = None  # rules.ZERO is told apart by identity, which pickling a float would lose
_SPECIAL = {"IEEE_POW": rules.IEEE_POW, "MASKED_MUL": rules.MASKED_MUL}
_local = threading.local()  # .shallow: the nodes to pickle without their ancestors list


def _shallow() -> weakref.WeakSet[Value]:
    shallow: weakref.WeakSet[Value] | None = getattr(_local, "shallow", None)
    if shallow is None:
        shallow = _local.shallow = weakref.WeakSet()
    return shallow


class _Done:
    """Ends an ancestors list: reached once that list is pickled (or deep-copied), it takes
    the list's nodes off the shallow set, so a later, separate pickle of one of them is
    flat again."""

    def __init__(self, nodes: list[Value]) -> None:
        self.nodes = nodes

    def __reduce__(self) -> tuple[Any, ...]:
        shallow = _shallow()
        for node in self.nodes:
            shallow.discard(node)
        self.nodes = []
        return (_done, ())


def _done() -> None:
    """What an ancestors list's end marker loads as: nothing to keep."""


def reduce(node: Value) -> tuple[Any, ...]:
    """``Value.__reduce__``: (rebuild a bare node, its number; then its op and parents)."""
    args = (node.data, node.grad, node.label, node._scope)
    if not node._parents and node._rule is None:
        return (_leaf, args)
    shallow = _shallow()
    ancestors: list[Any] = []
    if node in shallow:  # inside another node's ancestors list: its parents come first
        shallow.discard(node)
    else:
        shallow.clear()  # only left over by a pickle that failed part way
        ancestors = [n for n in graph.topological_order(node)[:-1] if n._parents]
        shallow.update(ancestors)
        ancestors.append(_Done(list(ancestors)))
    local = tuple(_ZERO_MARK if d is rules.ZERO else d for d in node._local)
    return (_leaf, args, (ancestors, rule_reference(node._rule), node._parents, local))


def set_state(node: Value, state: tuple[Any, ...]) -> None:
    """``Value.__setstate__``: the op, parents and local derivatives (the ancestors list
    was only there to be rebuilt first)."""
    _ancestors, reference, parents, local = state
    node._rule = rule_from(reference) if reference is not None else None
    node._parents = tuple(parents)
    node._local = tuple(rules.ZERO if d is _ZERO_MARK else d for d in local)


def _leaf(data: float, grad: float, label: str, scope: str) -> Value:
    """A bare node (a leaf until ``set_state`` gives it its op and parents)."""
    from .value import Value

    node: Value = object.__new__(Value)
    node.data, node.grad, node.label, node._scope = data, grad, label, scope
    node._rule, node._epoch, node._parents, node._local = None, 0, (), ()
    return node


def copy_node(node: Value) -> Value:
    """``copy.copy``: a new node with the same number, op and parents (gradients reach the
    same leaves through it)."""
    copied = _leaf(node.data, node.grad, node.label, node._scope)
    copied._rule, copied._parents, copied._local = node._rule, node._parents, node._local
    return copied


def deep_copy(node: Value, memo: dict[int, Any]) -> Value:
    """``copy.deepcopy``: the graph below ``node`` copied in one iterative walk (ops are
    shared: a rule is a row of the table). Nodes already in ``memo`` (copied earlier in the
    same deepcopy) are reused, so sharing is kept."""
    stack: list[tuple[Value, bool]] = [(node, False)]
    while stack:
        original, parents_done = stack.pop()
        if id(original) in memo:
            continue
        if original._parents and not parents_done:
            stack.append((original, True))
            stack.extend((parent, False) for parent in original._parents if id(parent) not in memo)
            continue
        copied = copy_node(original)
        copied._parents = tuple(memo[id(parent)] for parent in original._parents)
        memo[id(original)] = copied
    memo.setdefault(id(memo), []).append(node)  # as copy.deepcopy does: keep the original alive
    copied_root: Value = memo[id(node)]
    return copied_root


def rule_reference(rule: Rule | None) -> tuple[Any, ...] | None:
    """A picklable name for ``rule``: ("row", op, *constants), ("rules", attribute) or
    ("op", module, attribute) for a custom op; PicklingError if it has none."""
    if rule is None:
        return None
    if rules.RULES.get(rule.name) is rule:
        return ("row", rule.name)
    for attribute, special in _SPECIAL.items():
        if special is rule:
            return ("rules", attribute)
    if rule.forward_source:  # a row made with constants: x ** 3, leaky_relu(0.2), softmax[1]
        for op, row in rules.ROWS.items():
            if row[2] and row[3] == rule.forward_source:
                return ("row", op, *rule.param_values)  # ints stay ints: softmax[i] indexes
    return _custom_op_reference(rule)


def _custom_op_reference(rule: Rule) -> tuple[str, ...]:
    checks = getattr(rule.forward, "__self__", None)
    modules = [getattr(getattr(checks, role, None), "__module__", None) for role in ("user_forward", "user_local")]
    for module_name in dict.fromkeys([*modules, "__main__"]):
        module = sys.modules.get(module_name) if module_name else None
        for attribute, candidate in list(vars(module).items()) if module is not None else ():
            if getattr(candidate, "rule", None) is rule:
                return ("op", _importable_name(module_name or ""), attribute)
    raise pickle.PicklingError(
        f"cannot pickle a Value made by the custom op {rule.name!r}: a custom op is pickled by "
        f"reference, and this one is not a top-level name of an importable module. Define it at "
        f"module level ({rule.name.replace(' ', '_')} = autograd_lite.op({rule.name!r}, ...)) in a "
        f"module the loading process can import, or detach() the Values you pickle.")


def _importable_name(module_name: str) -> str:
    # multiprocessing's spawn runs the parent's main script as __mp_main__
    return "__main__" if module_name == "__mp_main__" else module_name


def rule_from(reference: tuple[Any, ...]) -> Rule:
    """The rule a :func:`rule_reference` names."""
    kind, *rest = reference
    if kind == "row":
        op, *constants = rest
        return rules.with_constants(op, *constants) if constants else rules.RULES[op]
    if kind == "rules":
        return _SPECIAL[rest[0]]
    module_name, attribute = rest
    try:
        module = importlib.import_module(module_name)
        if module_name == "__main__" and not hasattr(module, attribute) and "__mp_main__" in sys.modules:
            module = sys.modules["__mp_main__"]
        found: Rule = getattr(module, attribute).rule
    except (ImportError, AttributeError) as error:
        raise pickle.UnpicklingError(f"cannot load a Value made by the custom op {module_name}.{attribute}: "
                                     f"{error}; import or define that op before loading") from error
    return found
