"""Planted bug whose symptom depends on hash randomization: ``=`` where ``+=`` belongs in
``+`` and ``*``, and the parents kept in a set of nodes that hash by a string, so which
contribution survives depends on PYTHONHASHSEED."""

from . import iterative


class Value(iterative.Value):
    def __init__(self, data, _children=()):
        super().__init__(data, _children)
        self._prev = set(_children)

    def __hash__(self):
        return hash(f"node {self.data!r} {len(self._prev)}")

    def __eq__(self, other):
        return self is other

    def __add__(self, other):
        other = self._lift(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._lift(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out
