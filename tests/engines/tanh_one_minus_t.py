"""Planted bug: tanh's derivative written ``1 - t`` instead of ``1 - t**2``."""

import math

from . import iterative


class Value(iterative.Value):
    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t)
