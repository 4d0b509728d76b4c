"""Reading a table of examples from CSV, one row at a time: a header row, numeric feature
columns and a label column. Every problem is a CommandError naming the file, the line and
the column. Nothing here holds the whole file: callers keep what they need, compactly; and
no row is read past MAX_ROW_CHARS, so a file without line breaks (``/dev/zero``, one
300 MB line) is refused after a bounded read."""

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
MAX_ROW_CHARS = 1 << 20  # a row of more characters (a mebibyte of text) is not a table of numbers


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
            self._lines = _BoundedLines(self._file, path)
            self._reader = csv.reader(self._lines)
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
        if label is not None and label not in header:  # once each: linear
            if need_label:
                raise CommandError(f"{where}: no column named {label!r}; the columns are {', '.join(header)}")
            label = None
        elif label is None and need_label:
            label = header[-1]
        if features is None:
            features = [name for name in header if name != label]
            if not features:
                raise CommandError(f"{where}: there are no feature columns besides the label {label!r}")
        index = {name: i for i, name in enumerate(header)}
        missing = [name for name in features if name not in index]
        if missing:
            raise CommandError(f"{where}: missing the feature column(s) {', '.join(missing)}; "
                               f"the columns are {', '.join(header)}")
        self.features, self.label = list(features), label
        self._feature_index = [index[name] for name in features]
        self._label_index = index[label] if label is not None else None

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
            seen: set[str] = set()  # a set, not header[:i]: a wide header is linear, not quadratic
            for i, name in enumerate(header):
                if not name:
                    raise CommandError(f"{self.path}, line 1 (the header): column {i + 1} has no name")
                if name in seen:
                    raise CommandError(f"{self.path}, line 1 (the header): the column name {name!r} appears twice")
                seen.add(name)
            return header
        raise CommandError(f"{self.path} is empty; expected a header row, then one row per example")

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) for each row that is not blank; read errors as CommandError."""
        reader = self._reader
        try:
            for row in reader:
                self._lines.row_chars = 0
                if any(cell.strip() for cell in row):
                    yield reader.line_num, row
        except UnicodeDecodeError:
            raise CommandError(f"{self.path} is not UTF-8 text; is it a CSV file?") from None
        except csv.Error as error:
            raise CommandError(f"{self.path} is not valid CSV: {error}") from None
        except OSError as error:
            raise CommandError(f"cannot read {self.path}: {error.strerror or error}") from None


class _BoundedLines:
    """The lines of ``file`` for ``csv.reader``, each read with a bounded ``readline``:
    ``row_chars`` counts the characters of the row being read (a quoted field may span
    lines; the caller resets it after each row), and a row of more than MAX_ROW_CHARS is a
    CommandError once MAX_ROW_CHARS + 1 characters have been read, however long it is."""

    def __init__(self, file: TextIO, path: str) -> None:
        self._file, self._path = file, path
        self.row_chars = self._line = self._start = 0

    def __iter__(self) -> _BoundedLines:
        return self

    def __next__(self) -> str:
        line = self._file.readline(MAX_ROW_CHARS + 1 - self.row_chars)
        if not line:
            raise StopIteration
        self._line += 1
        if not self.row_chars:
            self._start = self._line  # where the row began: its quoted fields may span lines
        self.row_chars += len(line)
        if self.row_chars > MAX_ROW_CHARS:
            raise CommandError(f"{self._path}, line {self._start}: a row of more than {MAX_ROW_CHARS:,} characters "
                               "(no line break?); is it a CSV file with one example per line?")
        return line


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
