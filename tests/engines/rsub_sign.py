"""Planted bug: ``__rsub__`` with the sign flipped, so ``2 - x`` computes ``x - 2``."""

from . import iterative


class Value(iterative.Value):
    def __rsub__(self, other):
        return self - other
