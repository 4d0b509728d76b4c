"""The type aliases the annotations use, defined once.

``Number`` is what the API accepts where a plain number belongs. ``int`` and ``float`` are
what a type checker knows; at run time the API also takes other real numbers (NumPy
scalars, ``Fraction``, 0-d arrays). ``numpy.float64`` is a ``float`` to a type checker too;
for the other NumPy scalars pass ``float(x)`` if your checker complains. ``bool`` is an
``int`` to a type checker but is refused at run time, with a TypeError that says so.

``ValueLike`` is a Value or a number: what arithmetic and the ops take. ``FilePath`` is
what the functions that read or write a file take.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from .value import Value

Number: TypeAlias = Union[float, int]
ValueLike: TypeAlias = Union["Value", float, int]
FilePath: TypeAlias = Union[str, "os.PathLike[str]"]

__all__ = ["Number", "ValueLike", "FilePath"]
