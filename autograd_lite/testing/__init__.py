"""Tools for testing gradients: :func:`gradcheck` (finite differences), and, with the
optional hypothesis extra, strategies for random expression graphs in
:mod:`autograd_lite.testing.strategies`.

>>> from autograd_lite.testing import gradcheck
>>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2]).ok
True
"""

from .expression import ALL_OPS, Expression, Instruction
from .gradcheck import GradcheckError, GradcheckReport, gradcheck

__all__ = ["gradcheck", "GradcheckError", "GradcheckReport", "Expression", "Instruction", "ALL_OPS"]
