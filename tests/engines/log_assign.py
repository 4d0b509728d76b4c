"""Planted bug: ``log``'s backward uses ``=`` instead of ``+=``. ``log`` alone is right, and
so is every graph in which a log's input is used nowhere else; ``x.log() * x`` is not."""

from . import iterative


class Value(iterative.Value):
    def log(self):
        import math

        out = type(self)(math.log(self.data), (self,))

        def _backward():
            self.grad = out.grad / self.data
        out._backward = _backward
        return out
