"""What users pass in, as plain Python: NumPy arrays, NumPy scalars and 0-d arrays are
accepted wherever lists and numbers are.

NumPy is optional and never imported here: an array (or NumPy scalar) is anything with
``ndim`` and ``tolist``, and ``tolist()`` turns it into Python lists, ints and floats in one
C call. bool is refused where a number belongs (as the engine refuses it): a flag where a
label belongs is almost always a bug, and True/False labels are ambiguous between the 0/1
and -1/+1 conventions.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, TypeGuard


def plain(x: Any) -> Any:
    """``x`` with a NumPy array or scalar turned into Python lists and numbers; anything
    else unchanged."""
    return x.tolist() if hasattr(x, "ndim") and hasattr(x, "tolist") else x


def is_sequence(x: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(x, (list, tuple))


def shape(x: Any) -> tuple[int, ...] | str:
    """``x``'s shape for an error message: NumPy's ``shape``, or ``(n,)`` / ``(n, k)`` for
    a list (k the length of the first row), or the type's name for something else."""
    if hasattr(x, "shape") and hasattr(x, "ndim"):
        return tuple(x.shape)
    try:
        n = len(x)
    except TypeError:
        return type(x).__name__
    first = plain(x[0]) if n and is_sequence(x) else None
    return (n, len(first)) if is_sequence(first) else (n,)


def integer(n: object) -> int | None:
    """``n`` as an int if it is a Python or NumPy integer (bool excluded), else None."""
    n = plain(n)
    return int(n) if isinstance(n, numbers.Integral) and not isinstance(n, bool) else None


def real(x: object) -> float | None:
    """``x`` as a float if it is a Python or NumPy real number (bool excluded), else None."""
    x = plain(x)
    return float(x) if isinstance(x, numbers.Real) and not isinstance(x, bool) else None


def seed_value(seed: Any) -> Any:
    """A seed for ``random.Random``: a NumPy integer becomes its int (Random refuses it)."""
    return seed if integer(seed) is None else integer(seed)


def number(x: object, what: str) -> float:
    """``x`` as a finite float: an int, a float, any ``numbers.Real`` (NumPy scalars,
    Fraction), a 0-d array, or a one-element list or array of one (a row of a y of shape
    (n, 1)). TypeError for anything else, ValueError for nan and inf."""
    x = plain(x)
    if is_sequence(x) and len(x) == 1:
        x = plain(x[0])
    if isinstance(x, bool):
        raise TypeError(f"{what} must be a number, got the bool {x!r}; convert labels with int(...) "
                        "(NumPy: y.astype(int)) so 0/1 or -1/+1 is explicit")
    if not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {x!r}; remove or fix that example")
    return x


def class_index(t: Any, classes: int, what: str) -> int:
    """``t`` as an int class index in ``0..classes - 1`` (Python or NumPy integer, or a
    0-d array or one-element list of one); ValueError otherwise."""
    t = plain(t)
    if is_sequence(t) and len(t) == 1:
        t = plain(t[0])
    hint = ""
    if isinstance(t, float) and t.is_integer():
        hint = "; class indices are ints: convert the labels with int(...) (NumPy: y.astype(int))"
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or not 0 <= int(t) < classes:
        raise ValueError(f"{what} must be a class index in 0..{classes - 1}, got {type(t).__name__} {t!r}{hint}")
    return int(t)


def examples(X: Any, what: str = "X") -> list[Any]:
    """``X`` as a list of examples. A NumPy X must be 2-D (examples x features)."""
    if hasattr(X, "ndim") and hasattr(X, "tolist"):
        if X.ndim != 2:
            hint = "; for one feature use X.reshape(-1, 1)" if X.ndim == 1 else ""
            raise ValueError(f"{what} must be 2-D (one row per example), got shape {tuple(X.shape)}{hint}")
        rows: list[Any] = X.tolist()
        return rows
    try:
        return list(X)
    except TypeError:
        raise TypeError(f"{what} must be a list (or array) of examples, got {type(X).__name__}") from None


def targets(y: Any, what: str = "y") -> list[Any]:
    """``y`` as a list of targets (numbers, or rows for several outputs or one-hot)."""
    try:
        return list(plain(y))
    except TypeError:
        raise TypeError(f"{what} must be a list (or array) of targets, got {type(y).__name__}") from None


def paired(X: Any, y: Any, who: str) -> tuple[list[Any], list[Any]]:
    """(X, y) as lists of equal length, or a ValueError naming both shapes."""
    X_list, y_list = examples(X), targets(y)
    if len(X_list) != len(y_list):
        raise ValueError(f"{who}: X has {len(X_list)} examples but y has {len(y_list)} targets (X has shape "
                         f"{shape(X)}, y has shape {shape(y)}); give one target per example")
    return X_list, y_list
