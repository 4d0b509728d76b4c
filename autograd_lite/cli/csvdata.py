"""Reading a table of examples from CSV: a header row, numeric feature columns and a label
column. Every problem is a CommandError naming the file, the line and the column."""

import csv
import math
from typing import NamedTuple

from .errors import CommandError


class Table(NamedTuple):
    features: list  # feature column names, in the order of the model's inputs
    X: list  # one list of floats per example
    label: object  # the label column's name, or None if the file has none
    labels: list  # the label cells as text (empty when label is None)
    lines: list  # the file line of each example, for messages


def read_table(path, label=None, features=None, need_label=True):
    """Read ``path``. The label column is ``label`` (default: the last column). Features are
    the columns named in ``features`` (default: every other column). With
    ``need_label=False`` a missing label column is fine (predict on unlabelled data)."""
    header, records = _records(path)
    where = f"{path}, line 1 (the header)"
    if label is not None and label not in header:
        if need_label:
            raise CommandError(f"{where}: no column named {label!r}; the columns are {', '.join(header)}")
        label = None
    elif label is None and need_label:
        label = header[-1]
    if features is None:
        features = [name for name in header if name != label]
        if not features:
            raise CommandError(f"{where}: there are no feature columns besides the label {label!r}")
    missing = [name for name in features if name not in header]
    if missing:
        raise CommandError(f"{where}: missing the feature column(s) {', '.join(missing)}; "
                           f"the columns are {', '.join(header)}")
    feature_index = [header.index(name) for name in features]
    label_index = header.index(label) if label is not None else None
    X, labels, lines = [], [], []
    for line, row in records:
        if len(row) != len(header):
            raise CommandError(f"{path}, line {line}: {len(row)} fields, but the header has {len(header)}")
        X.append([_number(row[i], path, line, header[i]) for i in feature_index])
        if label_index is not None:
            cell = row[label_index].strip()
            if not cell:
                raise CommandError(f"{path}, line {line}: the label {label!r} is empty")
            labels.append(cell)
        lines.append(line)
    return Table(list(features), X, label, labels, lines)


def read_header(path):
    """The column names of ``path`` (checked as read_table checks them)."""
    return _records(path)[0]


def _records(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder, not a CSV file") from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text; is it a CSV file?") from None
    except csv.Error as error:
        raise CommandError(f"{path} is not valid CSV: {error}") from None
    if not rows:
        raise CommandError(f"{path} is empty; expected a header row, then one row per example")
    (_, header), records = rows[0], rows[1:]
    header = [name.strip() for name in header]
    for i, name in enumerate(header):
        if not name:
            raise CommandError(f"{path}, line 1 (the header): column {i + 1} has no name")
        if name in header[:i]:
            raise CommandError(f"{path}, line 1 (the header): the column name {name!r} appears twice")
    if not records:
        raise CommandError(f"{path} has a header but no rows of data")
    return header, records


def _number(cell, path, line, column):
    try:
        number = float(cell)
    except ValueError:
        raise CommandError(f"{path}, line {line}, column {column!r}: {cell.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise CommandError(f"{path}, line {line}, column {column!r}: {cell.strip()!r} is not a finite number")
    return number


def format_rows(header, rows):
    """CSV text for a header and rows of cells."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
