"""Reading a table of examples from CSV, one row at a time: a header row, numeric feature
columns and a label column. Every problem is a CommandError naming the file, the line and
the column. Nothing here holds the whole file: callers keep what they need, compactly."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, TextIO

Row = tuple[int, list[float], "str | None"]  # (line number, feature values, label text)

from .errors import CommandError

SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class CsvTable:
    """The examples of a CSV file, read lazily. ``features`` are the feature column names
    (in the model's input order), ``label`` the label column's name or None.

    Use as a context manager; iterating yields ``(line, values, label_text)`` per example,
    where ``values`` is a list of finite floats and ``label_text`` the stripped label cell
    (None without a label column). The label column is ``label`` (default: the last);
    features are the columns named in ``features`` (default: every other column). With
    ``need_label=False`` a missing label column is fine (predict on unlabelled data)."""

    def __init__(self, path: str, label: str | None = None, features: Sequence[str] | None = None,
                 need_label: bool = True) -> None:
        self.path = path
        self._file = _open(path)
        try:
            self._reader = csv.reader(self._file)
            self.header = self._read_header()
            self._choose_columns(label, features, need_label)
        except BaseException:
            self._file.close()
            raise

    def __enter__(self) -> CsvTable:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()

    def _choose_columns(self, label: str | None, features: Sequence[str] | None, need_label: bool) -> None:
        header, where = self.header, f"{self.path}, line 1 (the header)"
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
        self.features, self.label = list(features), label
        self._feature_index = [header.index(name) for name in features]
        self._label_index = header.index(label) if label is not None else None

    def __iter__(self) -> Iterator[Row]:
        path, width, count = self.path, len(self.header), 0
        for line, row in self._rows():
            if len(row) != width:
                raise CommandError(f"{path}, line {line}: {len(row)} fields, but the header has {width}")
            values = [_number(row[i], path, line, self.header[i]) for i in self._feature_index]
            label_text: str | None = None
            if self._label_index is not None:
                label_text = row[self._label_index].strip()
                if not label_text:
                    raise CommandError(f"{path}, line {line}: the label {self.label!r} is empty")
            count += 1
            yield line, values, label_text
        if not count:
            raise CommandError(f"{path} has a header but no rows of data")

    def _read_header(self) -> list[str]:
        for _, cells in self._rows():
            header = [name.strip() for name in cells]
            for i, name in enumerate(header):
                if not name:
                    raise CommandError(f"{self.path}, line 1 (the header): column {i + 1} has no name")
                if name in header[:i]:
                    raise CommandError(f"{self.path}, line 1 (the header): the column name {name!r} appears twice")
            return header
        raise CommandError(f"{self.path} is empty; expected a header row, then one row per example")

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for each row that is not blank; read errors as CommandError."""
        reader = self._reader
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except UnicodeDecodeError:
            raise CommandError(f"{self.path} is not UTF-8 text; is it a CSV file?") from None
        except csv.Error as error:
            raise CommandError(f"{self.path} is not valid CSV: {error}") from None
        except OSError as error:
            raise CommandError(f"cannot read {self.path}: {error.strerror or error}") from None


def read_header(path: str) -> list[str]:
    """The column names of ``path`` (checked as CsvTable checks them)."""
    with CsvTable(path, need_label=False, features=[]) as table:
        return table.header


def _open(path: str) -> TextIO:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder, not a CSV file") from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None


def _number(cell: str, path: str, line: int, column: str) -> float:
    try:
        number = float(cell)
    except ValueError:
        raise CommandError(f"{path}, line {line}, column {column!r}: {cell.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise CommandError(f"{path}, line {line}, column {column!r}: {cell.strip()!r} is not a finite number")
    return number


def spreadsheet_safe(cell: object) -> str:
    """``cell`` with a leading ``'`` if a spreadsheet would run it as a formula: text that
    starts with = + - @ tab or a line break and is not a plain number (OWASP's advice
    against CSV injection). Numbers such as -1.5 are left as they are."""
    text = str(cell)
    if text.startswith(SPREADSHEET_TRIGGERS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_writer(stream: IO[str]) -> _SafeWriter:
    """A csv.writer on ``stream`` whose ``writerow`` makes every cell spreadsheet-safe."""
    return _SafeWriter(csv.writer(stream, lineterminator="\n"))


class _SafeWriter:
    def __init__(self, writer: Any) -> None:  # a csv.writer
        self._writer = writer

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
