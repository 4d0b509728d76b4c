"""Writing output files the way ``cp`` does, but whole or not at all: a temporary file in
the target's folder, then ``os.replace``.

What every save in autograd-lite does with its target ``path``:

- a symbolic link is followed: the file it points to is written and the link stays (a
  dangling link gets the file it names, as ``cp`` makes it);
- an existing regular file is replaced atomically and keeps its permission bits (a 0600
  checkpoint stays 0600) and, where the user may set them, its owner and group; an existing
  file the user may not write to (read-only) is refused, as ``cp`` refuses it;
- a new file gets the usual mode, 0o666 less the umask;
- a stream, that is a character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named
  pipe), is written in place, as ``cp`` writes it: never replaced, and not atomically;
- a name for one of this process's open files (``/dev/stdout``, ``/dev/stderr``,
  ``/dev/fd/N``, ``/proc/self/fd/N``) is written through that open file, whatever it is: so
  ``--out /dev/stdout >> log.txt`` appends to log.txt, as a print would;
- anything else that is not a regular file (a folder, a block device, a socket, a link
  that loops) is refused with an ``OSError`` saying what it is, before any work.

A hard-linked file is replaced too: its other names keep the old contents.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from typing import IO, Any, TypeVar

from .aliases import FilePath

_Path = TypeVar("_Path", bound=FilePath)  # the path comes back as given


def write_atomically(path: _Path, data: bytes | str, fsync: bool = False) -> _Path:
    """Write ``data`` (bytes or str) to ``path`` as ``cp`` would (see the module docstring),
    via a temporary file in the same folder, so ``path`` is never left half-written.
    ``fsync=True`` also flushes it to disk before the rename (for checkpoints)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open_atomically(path, "wb", fsync=fsync) as file:
        file.write(data)
    return path


@contextlib.contextmanager
def open_atomically(path: FilePath, mode: str = "w", fsync: bool = False, **options: Any) -> Iterator[IO[Any]]:
    """A file to write ``path`` with, streaming: it is a temporary file in the target's
    folder (opened with ``mode`` and ``options``, as ``open`` takes them) that replaces the
    target only when the ``with`` block ends normally. On any exception, Ctrl-C included,
    the temporary file is removed and the target is untouched. Everything is checked and
    the temporary file created on entry, so a target that cannot be written fails before
    any work. A character device or FIFO is opened and written in place instead (see the
    module docstring)."""
    target, existing = check_target(path)
    descriptor = open_descriptor(path)
    if descriptor is not None and existing is not None:
        with os.fdopen(os.dup(descriptor), mode, **options) as stream:
            yield stream
        return
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with os.fdopen(os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0)), mode, **options) as stream:
            yield stream
        return
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    # An existing file's mode from the start (the umask can only narrow it), so its contents
    # are never more readable than the file they replace; the exact bits are set below.
    created = 0o666 if existing is None else stat.S_IMODE(existing.st_mode) & 0o777
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), created)
    except OSError as error:
        raise type(error)(error.errno, f"cannot create a file in the folder {folder!r}: {error.strerror}",
                          os.fspath(path)) from None
    try:
        with os.fdopen(handle, mode, **options) as file:
            if existing is not None:
                _keep_owner_and_mode(file.fileno(), temporary, existing)
            yield file
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise


_DESCRIPTOR = re.compile(r"/(?:dev/(stdout|stderr)|dev/fd/(\d+)|proc/self/fd/(\d+))\Z")


def open_descriptor(path: FilePath) -> int | None:
    """The file descriptor ``path`` names (1 for /dev/stdout, N for /dev/fd/N), or None."""
    found = _DESCRIPTOR.match(os.path.normpath(os.fspath(path))) if isinstance(os.fspath(path), str) else None
    if found is None:
        return None
    name, fd, proc_fd = found.groups()
    return {"stdout": 1, "stderr": 2}[name] if name else int(fd or proc_fd)


def check_target(path: FilePath) -> tuple[str, os.stat_result | None]:
    """(the file a save to ``path`` writes, its ``os.stat`` or None if it is new), or an
    ``OSError`` whose ``strerror`` says why ``path`` cannot be written (see the module
    docstring). Reads and creates nothing: callers use it to refuse a bad target early."""
    given = os.fspath(path)
    try:
        existing: os.stat_result | None = os.stat(given)  # the kernel follows links, /proc's fd links too
    except FileNotFoundError:
        existing = None  # a new file, or a dangling link to one
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "is a symbolic link that loops; give a file path", given) from None
        raise
    if existing is not None and open_descriptor(given) is not None:
        return given, existing  # one of this process's open files, written through its descriptor
    if existing is not None and not stat.S_ISREG(existing.st_mode) and _kind(existing.st_mode) is None:
        return given, existing  # a stream, opened by the name given (/dev/stdout may be a pipe)
    target = os.path.realpath(given)
    kind = None if existing is None else _kind(existing.st_mode)
    if kind == "a folder":
        raise IsADirectoryError(errno.EISDIR, "that is a folder; give a file name such as model.json",
                                given)
    if kind is not None:
        raise OSError(errno.EINVAL, f"is {kind}, not a regular file; refusing to write over it: give a file path",
                      given)
    if existing is None:
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            shown = folder if os.path.islink(given) else os.path.dirname(given)
            raise FileNotFoundError(errno.ENOENT, f"the folder {shown!r} does not exist", given)
    elif not os.access(given, os.W_OK):
        raise PermissionError(errno.EACCES, f"the file is read-only (mode {stat.S_IMODE(existing.st_mode):04o}); "
                              "make it writable or choose another path", given)
    return target, existing


def _kind(mode: int) -> str | None:
    """What a file of ``mode`` is, if it cannot be saved to; None for a regular file or a
    stream (which is written in place)."""
    if stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISBLK(mode):
        return "a block device (a disk)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _keep_owner_and_mode(handle: int, temporary: str, existing: os.stat_result) -> None:
    """Give the temporary file the owner, group and permission bits of the file it replaces:
    owner and group where this user may set them (root; the group if the user is in it),
    then the mode (after chown, which clears set-user-ID bits)."""
    if hasattr(os, "fchown"):
        for uid, gid in ((existing.st_uid, existing.st_gid), (-1, existing.st_gid)):
            try:
                os.fchown(handle, uid, gid)
                break
            except OSError:
                continue
    if hasattr(os, "fchmod"):
        os.fchmod(handle, stat.S_IMODE(existing.st_mode))
    else:  # Windows: only the read-only bit means anything
        os.chmod(temporary, stat.S_IMODE(existing.st_mode))
