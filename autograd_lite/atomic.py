"""Writing output files whole or not at all: a temporary file, then ``os.replace``."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import IO, Any, TypeVar

from .aliases import FilePath

_Path = TypeVar("_Path", bound=FilePath)  # the path comes back as given


def write_atomically(path: _Path, data: bytes | str, fsync: bool = False) -> _Path:
    """Write ``data`` (bytes or str) to ``path`` via a temporary file in the same folder, so
    ``path`` is never left half-written. ``fsync=True`` also flushes it to disk before the
    rename (for checkpoints). The file gets the usual permissions (0o666 less the umask;
    ``tempfile.mkstemp`` would make it readable by its owner only)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open_atomically(path, "wb", fsync=fsync) as file:
        file.write(data)
    return path


@contextlib.contextmanager
def open_atomically(path: FilePath, mode: str = "w", fsync: bool = False, **options: Any) -> Iterator[IO[Any]]:
    """A file to write ``path`` with, streaming: it is a temporary file in the same folder
    (opened with ``mode`` and ``options``, as ``open`` takes them) that replaces ``path``
    only when the ``with`` block ends normally. On any exception, Ctrl-C included, the
    temporary file is removed and ``path`` is untouched. The temporary file is created on
    entry, so an unwritable folder fails before any work."""
    folder, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, mode, **options) as file:
            yield file
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
