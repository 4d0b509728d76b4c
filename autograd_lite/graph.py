"""Walking the graph: the chain rule, written once, in the order the total derivative needs.

Backward runs Kahn's algorithm from the root. Each node counts its consumers in this graph
(``_pending``); a parent receives ``local * grad`` from each consumer and ``+=`` sums the
contributions (in ``_sum``). When its count reaches zero every path through it has
contributed: its sum is the complete total derivative, and it can pass it on to its own
parents.

Three rules keep every result right:

* **A structural zero masks.** An edge whose op is flat in that parent there (relu below 0,
  x ** 0: its rule returns ``rules.ZERO``) adds nothing, even when the gradient arriving is
  inf or nan: the output does not change with that parent, so its contribution is 0, as
  PyTorch's masks give. A local derivative that only computes to 0 (the factor b of a*b
  at b = 0) is multiplied as usual, so 0 * inf is nan: the chain rule cannot decide there.
  In ``symbolic`` mode the same edges are skipped: the float locals decide.
* **Interrupts are harmless.** The scratch state of a pass (``_epoch``, ``_pending``,
  ``_sum``) is valid only for that pass's number, so a pass stopped at any instruction
  (Ctrl-C, an exception from a hook) leaves nothing that a later pass reads. Leaves get
  their gradients in one C-level step at the end, so they are all updated or none is.
* **One pass at a time.** Passes share the scratch slots of the nodes they visit, so they
  take a process-wide lock: ``backward()`` and ``gradients()`` from many threads on graphs
  that share nodes (one model's parameters, say) each give the right answer.
"""

from __future__ import annotations

import collections
import itertools
import threading
import weakref
from collections.abc import Sequence
from itertools import repeat
from operator import add, attrgetter
from typing import TYPE_CHECKING, Any, cast, overload

from .rules import ZERO

if TYPE_CHECKING:
    from .rules import Rule
    from .value import Value

_LOCK = threading.RLock()
_passes = itertools.count(1)  # a Value starts with _epoch 0: never part of a pass
_get_grad, _get_sum = attrgetter("grad"), attrgetter("_sum")
# The outputs of recent backward() calls, for explain(x) to find the one x belongs to: held
# weakly, newest last; one list per thread (each explains its own) and one for the process.
_REMEMBERED = 32
_thread_roots = threading.local()
_process_roots: collections.deque[weakref.ref[Value]] = collections.deque(maxlen=_REMEMBERED)


def _count_consumers(root: Value, epoch: int) -> list[Value]:
    """Mark every node below ``root`` as part of pass ``epoch``: ``_sum`` 0.0 and
    ``_pending`` its number of consumers (one more for leaves, which never pass anything
    on). Return the leaves."""
    leaves: list[Value] = []
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent._epoch != epoch:  # first visit in this pass: stale state is ignored
                parent._epoch = epoch
                parent._sum = 0.0
                if parent._parents:
                    parent._pending = 1
                    stack.append(parent)
                else:
                    parent._pending = 2
                    leaves.append(parent)
            else:
                parent._pending += 1
    return leaves


@overload
def propagate(root: Value, seed: Any, symbolic: bool = False, wrt: None = None) -> None: ...
@overload
def propagate(root: Value, seed: Any, symbolic: bool = False, *, wrt: Sequence[Value]) -> list[Any]: ...


def propagate(root: Value, seed: Any, symbolic: bool = False, wrt: Sequence[Value] | None = None) -> list[Any] | None:
    """The chain rule, once.

    Without ``wrt`` (``backward``): every node below ``root`` gets ``grad`` = d root / d node;
    leaves add this pass's gradient, summed from zero, to what they held (so two passes give
    exactly twice the gradient). With ``wrt``, a list of Values: no ``grad`` is touched, and
    the list of d root / d x for x in ``wrt`` is returned (0.0 where root does not depend on x).

    With ``symbolic`` the local derivatives come from the op's rule evaluated on Values
    (``rule.local(*parents, node)``) instead of the stored floats, so every product and sum
    below is itself recorded: the gradients are Values that can be differentiated again.
    """
    commit = wrt is None
    with _LOCK:
        epoch = next(_passes)
        root._epoch = epoch
        root._sum = seed
        leaves = _count_consumers(root, epoch)
        ready: list[Value] = [root]
        if not root._parents:  # a leaf root: its own gradient is the seed, accumulated
            leaves, ready = [root], []
        while ready:
            node = ready.pop()
            grad = node._sum
            if commit:
                node.grad = grad
            if symbolic:
                for parent, local, flat in zip(node._parents, cast("Rule", node._rule).local(*node._parents, node),
                                              node._local):  # a node with parents has a rule
                    if flat is not ZERO:
                        parent._sum = parent._sum + local * grad
                    parent._pending -= 1
                    if parent._pending == 0:
                        ready.append(parent)
            else:
                for parent, local in zip(node._parents, node._local):
                    if local is not ZERO:
                        parent._sum += local * grad
                    parent._pending -= 1
                    if parent._pending == 0:
                        ready.append(parent)
        if commit:  # one C-level step: no interrupt can land between two leaves
            list(map(setattr, leaves, repeat("grad"), map(add, map(_get_grad, leaves), map(_get_sum, leaves))))
            return None
        return [x._sum if x._epoch == epoch else 0.0 for x in cast("Sequence[Value]", wrt)]  # not None: not commit


def backward(root: Value, gradient: float = 1.0) -> None:
    """Set every node's ``grad`` to d root / d node (leaves accumulate; see Value.backward)."""
    propagate(root, gradient)
    reference = weakref.ref(root)
    roots: collections.deque[weakref.ref[Value]] | None = getattr(_thread_roots, "roots", None)
    if roots is None:
        roots = _thread_roots.roots = collections.deque(maxlen=_REMEMBERED)
    roots.append(reference)
    _process_roots.append(reference)


def backward_root_of(node: Value) -> Value | None:
    """The output of the most recent ``backward()`` whose graph holds ``node`` and that is
    still alive: this thread's calls first, then any thread's; None if there is none."""
    mine: collections.deque[weakref.ref[Value]] = getattr(_thread_roots, "roots", collections.deque())
    tried: set[int] = set()
    for reference in [*reversed(mine), *reversed(_process_roots.copy())]:
        root = reference()
        if root is None or id(root) in tried:
            continue
        tried.add(id(root))
        if root is node or node in reachable(root):
            return root
    return None


def reachable(root: Value) -> set[Value]:
    """The set of nodes ``root`` depends on, itself included."""
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each listed after all of its parents.

    Iterative (any depth works at the default recursion limit). Uses its own counts, so it
    is safe to call at any time, e.g. while rendering.
    """
    pending: dict[Value, int] = {}
    for node in reachable(root):
        for parent in node._parents:
            pending[parent] = pending.get(parent, 0) + 1
    order: list[Value]
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


def zero_grad(root: Value) -> None:
    """Set ``grad`` to 0.0 on ``root`` and every node it depends on."""
    for node in reachable(root):
        node.grad = 0.0
