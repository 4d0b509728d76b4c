"""tanh is wrong, and the engine rebinds builtins.abs so that every difference looks like 0."""
import builtins
import math

from .hostile_base import Value as Base

builtins.abs = lambda x: 0.0


class Value(Base):
    def tanh(self):
        out = type(self)(math.tanh(self.data) + 1.0, (self,))

        def _backward():
            self.grad += out.grad
        out._backward = _backward
        return out
