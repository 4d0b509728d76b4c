"""The examples ``train`` learns from, held compactly: one ``array('d')`` per example (8
bytes a number, not a Python float and a list slot) and the targets in one array, so
memory grows with the numbers in the file, not with its text. Labels become targets for
the chosen loss here, with the checks that stop a silently wrong model: a numeric target
with many values is not a set of classes, and NaN/inf labels are refused."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

from .errors import CommandError

BUILT_IN = ("iris", "moons", "circles")
MAX_NUMERIC_CLASSES = 20  # more distinct numbers than this look like a quantity, not classes
MAX_CLASSES = 1000  # more distinct labels than this are an ID column or a quantity
MAX_FEATURE = 1e300  # larger values overflow when standardised


class Examples(NamedTuple):
    features: list[str]  # feature names, in the order of the model's inputs
    X: list[array[float]]  # one array('d') per example
    label: str  # the label column's name
    y: Any  # array('l') of class indices, or array('d') of numbers for mse
    classes: list[str] | None  # the class names in output order, or None for mse


def load_examples(source: str, label: str | None, loss: str, loss_given: bool) -> Examples:
    """Examples from a built-in data set name or a CSV path, with targets for ``loss``
    (``loss_given``: the user chose the loss, so numeric labels may be classes)."""
    if source in BUILT_IN:
        if label is not None:
            raise CommandError(f"--label is for CSV files; {source} has its labels built in")
        features, X, label, labels = _built_in(source)
        rows = ((i + 2, x, text) for i, (x, text) in enumerate(zip(X, labels)))
    elif not source.lower().endswith(".csv") and not _exists(source):
        raise CommandError(f"--data {source!r} is neither a built-in data set ({', '.join(BUILT_IN)}) nor a CSV file")
    else:
        return _from_csv(source, label, loss, loss_given)
    return _collect(source, features, label, rows, loss, loss_given)


def _from_csv(source: str, label: str | None, loss: str, loss_given: bool) -> Examples:
    from .csvdata import CsvTable

    with CsvTable(source, label) as table:
        return _collect(source, table.features, table.label, table, loss, loss_given)


def _collect(source: str, features: list[str], label: Any, rows: Iterable[tuple[int, Sequence[float], Any]], loss: str,
             loss_given: bool) -> Examples:
    X: list[array[float]] = []
    codes: dict[str, int] = {}
    y: Any = array("d") if loss == "mse" else array("l")
    for line, values, text in rows:
        X.append(array("d", values))
        number = _as_float(text)
        if number is not None and not math.isfinite(number):
            raise CommandError(f"{source}, line {line}: the label {label!r} is {text!r}, not a finite number; "
                               "fix or remove that row")
        if loss == "mse":
            if number is None:
                raise CommandError(f"{source}, line {line}: --loss mse needs numeric labels, but {label!r} has "
                                   f"{text!r}; use --loss cross_entropy for classes")
            y.append(number)
            continue
        code = codes.setdefault(text, len(codes))
        if len(codes) > MAX_CLASSES:
            raise CommandError(f"{source}: the label {label!r} has more than {MAX_CLASSES} distinct values; "
                               "if it is a number to predict, use --loss mse")
        y.append(code)
    if loss == "mse":
        return Examples(features, X, label, y, None)
    classes = _class_order(codes, source, label, loss, loss_given)
    position = [0] * len(codes)
    for index, name in enumerate(classes):
        position[codes[name]] = index
    for i, code in enumerate(y):
        y[i] = position[code]
    return Examples(features, X, label, y, classes)


def _class_order(codes: dict[str, int], source: str, label: str, loss: str, loss_given: bool) -> list[str]:
    """The class names, numerically sorted if all are numbers, else alphabetically; with
    the checks a classifier needs."""
    numbers = {name: _as_float(name) for name in codes}
    numeric = all(n is not None for n in numbers.values())
    values = cast("dict[str, float]", numbers)  # used only when numeric: then no None
    classes = sorted(codes, key=values.__getitem__) if numeric else sorted(codes)
    if len(classes) < 2:
        raise CommandError(f"{source}: the label {label!r} has only one class ({classes[0]!r}); need at least 2")
    whole = all(values[name] == int(values[name]) for name in classes) if numeric else True
    if numeric and not loss_given and (not whole or len(classes) > MAX_NUMERIC_CLASSES):
        some = ", ".join(classes[:: max(1, len(classes) // 4)][:4])
        raise CommandError(f"{source}: the label {label!r} looks like a number to predict, not a class "
                           f"({len(classes)} distinct values such as {some}); use --loss mse for regression, "
                           "or --loss cross_entropy to treat each value as a class")
    if loss in ("bce", "hinge") and len(classes) != 2:
        raise CommandError(f"{source}: --loss {loss} is for two classes, but {label!r} has {len(classes)}: "
                           f"{', '.join(classes[:5])}; use --loss cross_entropy")
    return classes


def targets(examples: Examples, loss: str) -> tuple[Any, int]:
    """(targets for ``loss``, number of model outputs)."""
    if loss == "mse":
        return examples.y, 1
    if loss == "cross_entropy":
        return examples.y, len(cast("list[str]", examples.classes))  # classes are set for a classifier
    return ([2 * t - 1 for t in examples.y] if loss == "hinge" else examples.y), 1


def standardise(X: Sequence[Sequence[float]], features: Sequence[str]) -> tuple[list[float], list[float]]:
    """(mean, std) of each column of the examples ``X``; a constant column gets std 1.
    Passes over the rows (no copy of the data) with exactly rounded sums (math.fsum); if a
    sum overflows, of values divided by the column's largest magnitude instead."""
    mean: list[float] = []
    std: list[float] = []
    for j, name in enumerate(features):
        largest = max(abs(row[j]) for row in X)
        if largest > MAX_FEATURE:
            raise CommandError(f"the feature {name!r} has values as large as {largest:g}; the largest that can be "
                               f"standardised is {MAX_FEATURE:g}: rescale that column")
        unit = 1.0
        while True:
            try:
                centre = math.fsum(row[j] / unit for row in X) / len(X)
                spread = math.sqrt(math.fsum((row[j] / unit - centre) ** 2 for row in X) / len(X))
                break
            except OverflowError:
                unit = largest
        mean.append(centre * unit)
        std.append(spread * unit if spread * unit > 0 else 1.0)
    return mean, std


def scale_in_place(X: Iterable[array[float]], mean: Sequence[float], std: Sequence[float]) -> None:
    """Replace each example's values by ``(x - mean) / std``, as ``nn.ScaledModel`` does."""
    for row in X:
        for j, (m, s) in enumerate(zip(mean, std)):
            row[j] = (row[j] - m) / s


def _built_in(name: str) -> tuple[list[str], list[list[float]], str, list[str]]:
    from autograd_lite import nn

    if name == "iris":
        X, y = nn.datasets.iris()
        return list(nn.datasets.IRIS_FEATURES), X, "species", [nn.datasets.IRIS_CLASSES[i] for i in y]
    X, y = getattr(nn.datasets, name)(200, seed=0)
    return ["x1", "x2"], X, "class", [str(i) for i in y]


def _as_float(text: Any) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)
