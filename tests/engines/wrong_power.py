"""Planted bug: the derivative of ``x ** n`` written ``n * x ** n`` (the ``- 1`` forgotten)."""

from . import iterative


class Value(iterative.Value):
    def __pow__(self, other):
        if isinstance(other, iterative.Value):
            return super().__pow__(other)
        return self._unary(self.data ** other, other * self.data ** other)
