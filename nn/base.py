"""The Module base class: parameters, gradients, state dicts and checkpoints, shared by
Neuron, Layer and MLP (see ``nn.module`` for the parameter order)."""

import numbers

from .inputs import plain


class Module:
    """Base class: parameters, gradients, state dicts and checkpoints."""

    def named_parameters(self):
        """[(name, Value), ...] in the documented parameter order."""
        return []

    def parameters(self):
        """The trainable Values, in the documented order (see the module docstring)."""
        return [p for _, p in self.named_parameters()]

    @property
    def num_parameters(self):
        return len(self.named_parameters())

    def zero_grad(self):
        """Set every parameter's ``grad`` to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self):
        """{name: float} in parameter order; a copy, so later training does not change it."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Set every parameter from ``{name: number}``. All names and values are checked
        first: on any error nothing is changed."""
        named = self.named_parameters()
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict expects a dict of name -> number, got {type(state).__name__}")
        missing = [name for name, _ in named if name not in state]
        unexpected = sorted(set(state) - {name for name, _ in named})
        if missing or unexpected:
            raise ValueError(f"state dict does not match this {type(self).__name__}: "
                             f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
                             f"unexpected {unexpected[:5]}{'...' if len(unexpected) > 5 else ''}")
        values = [_checked_number(state[name], name) for name, _ in named]
        for (_, p), value in zip(named, values):
            p.data = value

    def set_parameters(self, values):
        """Set all parameters from a flat list of numbers in ``parameters()`` order
        (for worked examples); nothing changes if the length or a value is wrong."""
        named = self.named_parameters()
        values = list(values)
        if len(values) != len(named):
            raise ValueError(f"set_parameters expects {len(named)} numbers, got {len(values)}")
        self.load_state_dict({name: value for (name, _), value in zip(named, values)})

    def save(self, path):
        """Write a JSON checkpoint atomically (see ``nn.checkpoint``)."""
        from .checkpoint import save
        save(self, path)


def _checked_number(value, name):
    value = plain(value)  # a NumPy scalar or 0-d array: its Python number
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"parameter {name!r} must be a number, got {type(value).__name__} {value!r}")
    return float(value)
