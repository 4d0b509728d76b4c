"""``Module``, the base class of every model: attribute registration, parameters and state dicts.

**Registration, as in PyTorch.** In a subclass, an attribute whose value is a Value, a
Module, or a list, tuple or dict of them (nested as deep as you like) is *registered* when it
is assigned, in assignment order; assigning it again keeps its place, assigning something
else or ``del`` unregisters it. Attributes whose name starts with ``_`` are private and never
registered (keep caches there). An empty list is registered too, and what is appended later
counts: registered attributes are read when ``parameters()`` is called, not copied.

**Entries and names.** A registered attribute is walked depth first:

- a Value, or a list/tuple of Values (or of such lists: a matrix is a list of rows), is one
  *tensor*, an entry of the state dict under the attribute's dotted name (``"wq.weight"``);
- a Module contributes its own entries, prefixed by its name (``"attn.wq.weight"``);
- a list or tuple holding Modules contributes each item under its index, a dict each value
  under its key (``"blocks.0.attn.wq.weight"``).

``named_parameters()`` lists every scalar Value of every tensor with its index path appended
(``"blocks.0.attn.wq.weight.2.5"``: row 2, column 5), in that order; ``parameters()`` is the
same Values without names; ``state_dict()`` is ``{name: float, or nested lists of floats}``.
A class that defines ``named_parameters`` itself (``Neuron``, ``Layer``, ``MLP``, and any model
written before registration existed) keeps exactly the names and order it lists, one scalar
per entry.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Union

from autograd_lite import Value
from autograd_lite.aliases import FilePath

from .inputs import plain
from .saving import save

Tensor = Union[Value, Sequence["Tensor"]]  # a Value, or nested lists of Values


def _is_tensor(x: object) -> bool:
    """A Value, or a non-empty list/tuple whose items are all tensors (no Module, no dict)."""
    if type(x) is Value:
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(_is_tensor(item) for item in x)
    return False


def _holds_state(x: object) -> bool:
    """Whether assigning ``x`` to a public attribute registers it."""
    if isinstance(x, (Value, Module)):
        return True
    if isinstance(x, (list, tuple)):
        return all(_holds_state(item) for item in x)
    if isinstance(x, dict):
        return all(isinstance(k, str) for k in x) and all(_holds_state(v) for v in x.values())
    return False


def _walk(name: str, x: object, owner: Module) -> Iterator[tuple[str, Any]]:
    """(name, tensor or Module) pairs for the registered value ``x``, depth first."""
    if _is_tensor(x):
        yield name, x
    elif isinstance(x, Module):
        yield name, x
    elif isinstance(x, (list, tuple)):
        for i, item in enumerate(x):
            yield from _walk(f"{name}.{i}", item, owner)
    elif isinstance(x, dict):
        for key, item in x.items():
            if not isinstance(key, str):
                raise TypeError(f"{type(owner).__name__}.{name} is a dict with the key {key!r}; "
                                "a registered dict needs str keys (they become parameter names)")
            yield from _walk(f"{name}.{key}", item, owner)
    else:
        raise TypeError(f"{type(owner).__name__}.{name} holds a {type(x).__name__} ({x!r:.60}) among its "
                        "Values/Modules; keep other things in a separate (or _private) attribute")


def flatten(name: str, tensor: Tensor) -> Iterator[tuple[str, Value]]:
    """The scalar Values of a tensor with their index paths: ``("w.0.1", Value)``, ..."""
    if isinstance(tensor, Value):
        yield name, tensor
    else:
        for i, item in enumerate(tensor):
            yield from flatten(f"{name}.{i}" if name else str(i), item)


def tensor_shape(tensor: Any) -> Any:
    """A tensor's (or a state-dict value's) shape: () for a scalar, a tuple of lengths when
    it is rectangular (``(16, 4)``), else ``[length, [each item's shape]]`` (ragged nesting,
    described exactly)."""
    if isinstance(tensor, (list, tuple)):
        inner = [tensor_shape(item) for item in tensor]
        if inner and all(s == inner[0] for s in inner):
            return (len(tensor), *inner[0]) if isinstance(inner[0], tuple) else [len(tensor), inner]
        return [len(tensor), inner]
    return ()


def _to_floats(tensor: Tensor) -> Any:
    return tensor.data if isinstance(tensor, Value) else [_to_floats(item) for item in tensor]


def _number(value: object, name: str) -> float:
    """A state-dict number: int, float, NumPy scalar, or a Value of this or another engine
    (microgpt's: anything with a numeric ``.data``), which gives its data; not a bool."""
    if isinstance(value, Value):
        value = value.data
    elif not isinstance(value, numbers.Number) and isinstance(getattr(value, "data", None), numbers.Real):
        value = getattr(value, "data")  # another engine's Value
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"state dict entry {name!r} holds {type(value).__name__} {value!r:.40}; "
                        "expected a number or a Value (anything with a numeric .data)")
    return float(value)  # nan and inf load as they are: a state dict round-trips what it holds


def _pairs(name: str, tensor: Tensor, given: object, mis_shaped: list[str]) -> list[tuple[Value, float]]:
    """(parameter, new value) pairs, checking that ``given`` has the tensor's shape."""
    if isinstance(tensor, Value):
        if isinstance(given, (list, tuple)):
            mis_shaped.append(f"{name} (expected a number, got a list of {len(given)})")
            return []
        return [(tensor, _number(given, name))]
    given = plain(given)  # a NumPy array becomes nested lists
    if not isinstance(given, (list, tuple)) or len(given) != len(tensor):
        got = f"length {len(given)}" if isinstance(given, (list, tuple)) else type(given).__name__
        mis_shaped.append(f"{name} (expected shape {tensor_shape(tensor)}, got {got})")
        return []
    return [pair for i, (t, g) in enumerate(zip(tensor, given)) for pair in _pairs(f"{name}[{i}]", t, g, mis_shaped)]


class Module:
    """Base class: registered attributes, parameters, gradients, state dicts and checkpoints."""

    if TYPE_CHECKING:  # what every model has, declared for type checkers only (no runtime change)
        def __call__(self, x: Any) -> Any:
            """The model's output for one example; subclasses say what it is."""

    def __setattr__(self, name: str, value: Any) -> None:
        registered = self.__dict__.get("_registered")
        if registered is None:
            registered = {}
            object.__setattr__(self, "_registered", registered)
        if not name.startswith("_") and _holds_state(value):
            registered.setdefault(name, None)  # a dict as an ordered set: reassigning keeps the place
        else:
            registered.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__.get("_registered", {}).pop(name, None)
        object.__delattr__(self, name)

    def _children(self) -> Iterator[tuple[str, Any]]:
        """(name, tensor or Module) for every registered attribute, depth first."""
        for attr in list(self.__dict__.get("_registered", ())):
            yield from _walk(attr, self.__dict__[attr], self)

    def _lists_own_parameters(self) -> bool:
        return type(self).named_parameters is not Module.named_parameters

    def named_tensors(self) -> list[tuple[str, Tensor]]:
        """The state dict's entries as live Values: ``[(name, Value or nested list), ...]``."""
        if self._lists_own_parameters():
            return list(self.named_parameters())
        named: list[tuple[str, Tensor]] = []
        for name, item in self._children():
            if isinstance(item, Module):
                named.extend((f"{name}.{sub}", t) for sub, t in item.named_tensors())
            else:
                named.append((name, item))
        return named

    def named_parameters(self) -> list[tuple[str, Value]]:
        """[(name, Value), ...]: every scalar parameter, in registration order, depth first."""
        named: list[tuple[str, Value]] = []
        for name, item in self._children():
            if isinstance(item, Module):
                named.extend((f"{name}.{sub}", p) for sub, p in item.named_parameters())
            else:
                named.extend(flatten(name, item))
        return named

    def parameters(self) -> list[Value]:
        """The trainable Values, in ``named_parameters()`` order."""
        return [p for _, p in self.named_parameters()]

    def named_modules(self) -> list[tuple[str, Module]]:
        """[("", self), (name, submodule), ...], depth first in registration order."""
        found: list[tuple[str, Module]] = [("", self)]
        for name, item in self._children():
            if isinstance(item, Module):
                found.extend((f"{name}.{sub}" if sub else name, m) for sub, m in item.named_modules())
        return found

    def modules(self) -> list[Module]:
        """This module and every submodule, depth first in registration order."""
        return [m for _, m in self.named_modules()]

    @property
    def num_parameters(self) -> int:
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """``{name: float or nested lists of floats}`` in ``named_tensors()`` order; a copy,
        so later training does not change it."""
        return {name: _to_floats(t) for name, t in self.named_tensors()}

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Set the parameters from ``{name: number or nested lists}`` (numbers may be Values).
        Everything is checked first and nothing changes on any error: with ``strict`` (the
        default) every entry must be present and no other; every given entry must have its
        tensor's shape and hold numbers (nan and inf load as they are)."""
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict expects a dict of name -> numbers, got {type(state).__name__}")
        named = self.named_tensors()
        missing = [name for name, _ in named if name not in state] if strict else []
        unexpected = [str(k) for k in state if k not in {name for name, _ in named}] if strict else []
        mis_shaped: list[str] = []
        pairs = [pair for name, t in named if name in state for pair in _pairs(name, t, state[name], mis_shaped)]
        if missing or unexpected or mis_shaped:
            parts = [f"{label} {_listed(items)}" for label, items in
                     (("missing", missing), ("unexpected", unexpected), ("mis-shaped", mis_shaped)) if items]
            raise ValueError(f"state dict does not match this {type(self).__name__}: {'; '.join(parts)}. "
                             "Nothing was changed; state_dict() shows the expected names and shapes")
        for p, value in pairs:
            p.data = value

    def load_parameters(self, values: dict[str, Any]) -> None:
        """Set every parameter from ``{named_parameters() name: number}`` (what a checkpoint
        stores); all names and values are checked first, nothing changes on error."""
        named = self.named_parameters()
        missing = [name for name, _ in named if name not in values]
        unexpected = sorted(set(values) - {name for name, _ in named})
        if missing or unexpected:
            raise ValueError(f"parameters do not match this {type(self).__name__}: missing {_listed(missing)}, "
                             f"unexpected {_listed(unexpected)}")
        checked = [_number(values[name], name) for name, _ in named]
        for (_, p), value in zip(named, checked):
            p.data = value

    def set_parameters(self, values: Iterable[float]) -> None:
        """Set all parameters from a flat list of numbers in ``parameters()`` order
        (for worked examples); nothing changes if the length or a value is wrong."""
        named = self.named_parameters()
        values = list(values)
        if len(values) != len(named):
            raise ValueError(f"set_parameters expects {len(named)} numbers, got {len(values)}")
        self.load_parameters({name: value for (name, _), value in zip(named, values)})

    def config(self) -> dict[str, Any]:
        """The architecture as JSON (what ``save`` writes). The built-in modules give their
        constructor arguments, which ``nn.load`` rebuilds them from; a user class gives its
        name and the shape of every entry: load such a checkpoint with
        ``nn.load_into(MyModel(...), path)``."""
        return {"type": type(self).__qualname__, "user_defined": True,
                "shapes": {name: _json_shape(tensor_shape(t)) for name, t in self.named_tensors()}}

    def save(self, path: FilePath) -> None:
        """Write a JSON checkpoint atomically (see ``nn.checkpoint``)."""
        save(self, path)


def _json_shape(shape: Any) -> Any:
    return [_json_shape(s) for s in shape] if isinstance(shape, (list, tuple)) else shape


def _listed(items: list[str], limit: int = 5) -> str:
    return f"{items[:limit]}{f' and {len(items) - limit} more' if len(items) > limit else ''}"
