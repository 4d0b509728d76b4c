"""Writing to whatever the output is: a console whose encoding lacks the notation, or a pipe
whose reader has gone away.

* Text the encoding cannot hold (``·``, ``∂`` and ``−`` on an ASCII or cp1252 console, a
  non-ASCII class name, the lone surrogates of an undecodable argument) is written as ASCII
  notation (``*``, ``d``, ``-``) or as a backslash escape, never a UnicodeEncodeError.
* When the reader of stdout or stderr closes early (``autograd-lite demo | head -1``) the
  command stops at its next write and exits with 141 (128 + SIGPIPE, what a shell reports
  for a tool that SIGPIPE ended), with no traceback: the recipe of the Python docs' note on
  SIGPIPE. Files are written atomically, so one that was being written is simply not there.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

ERRORS = "autograd_lite.ascii_notation"  # the name the codec error handler is registered under
BROKEN_PIPE_EXIT = 128 + getattr(signal, "SIGPIPE", 13)

ASCII_NOTATION = {
    "\u00b7": "*",  # · multiplication dot
    "\u00d7": "x",  # ×
    "\u2212": "-",  # − minus sign
    "\u2013": "-", "\u2014": "--",  # – —
    "\u2202": "D",  # ∂ partial derivative: not "d", which explain uses for the total
    "\u2207": "grad ",  # ∇
    "\u2211": "sum ",  # ∑
    "\u221a": "sqrt",  # √
    "\u2248": "~=", "\u2260": "!=", "\u2264": "<=", "\u2265": ">=",
    "\u2192": "->", "\u2190": "<-",
    "\u2026": "...",
    "\u00b2": "^2", "\u00b3": "^3", "\u00b9": "^1", "\u207b": "^-",  # ² ³ ¹ ⁻
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
}


def ascii_notation(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each character the encoding lacks becomes its ASCII notation
    from ``ASCII_NOTATION``, or else a backslash escape (``\\u03b8``)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    replaced = "".join(ASCII_NOTATION.get(char) or char.encode("ascii", "backslashreplace").decode("ascii")
                       for char in text)
    return replaced, error.end


codecs.register_error(ERRORS, ascii_notation)


@contextlib.contextmanager
def tolerant_output() -> Iterator[None]:
    """Inside, sys.stdout and sys.stderr write any text (see ``ascii_notation``); their
    previous error handlers are restored afterwards."""
    changed: list[tuple[Any, str]] = []
    for stream in (sys.stdout, sys.stderr):
        previous = getattr(stream, "errors", None)
        if previous is None or previous == ERRORS or not hasattr(stream, "reconfigure"):
            continue  # a StringIO, or already set up
        try:
            stream.reconfigure(errors=ERRORS)
        except (OSError, ValueError, io.UnsupportedOperation):
            continue
        changed.append((stream, previous))
    try:
        yield
    finally:
        for stream, previous in changed:
            with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors=previous)


def exit_code_after_broken_pipe() -> int:
    """After a BrokenPipeError: point each stream whose reader is gone at os.devnull (so the
    interpreter's last flush at exit cannot fail and print a traceback), return 141."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                fd = stream.fileno()
            except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
                continue
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
    return BROKEN_PIPE_EXIT


def run_guarded(command: Callable[[], int]) -> int:
    """``command()``'s exit code, with any text writable and a closed pipe a quiet exit."""
    with tolerant_output():
        try:
            try:
                return command()
            finally:
                for stream in (sys.stdout, sys.stderr):  # a pipe's EPIPE surfaces here, not at exit
                    if stream is not None:  # None when the command was started with >&-
                        stream.flush()
        except BrokenPipeError:
            return exit_code_after_broken_pipe()
