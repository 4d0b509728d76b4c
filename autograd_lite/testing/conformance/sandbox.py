"""Calling into an engine we do not trust: time limits, silenced prints, one-line errors.

The engine under test is arbitrary code: it may print, raise anything (even SystemExit),
loop forever or recurse without end. Every call into it goes through :func:`guarded`, which
turns all of that into an :class:`EngineError` carrying a one-line description.
"""

from __future__ import annotations

import contextlib
import io
import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TypeVar

from .words import plain_name

_T = TypeVar("_T")


class EngineError(Exception):
    """The engine raised (or hung) while we called it; ``str()`` is one line for the report."""

    lines: list[str]  # set by conformance.program: the program up to the line that failed

    def __init__(self, description: str, exception_type: str | None = None, exception: str = "") -> None:
        super().__init__(description)
        self.exception_type = exception_type
        self.exception = exception  # "ZeroDivisionError: float division by zero"


class _TimeUp(BaseException):
    """Raised by the alarm inside the engine; a BaseException so that an engine's
    ``except Exception`` does not swallow it."""


def describe(exception: BaseException, limit: int = 200) -> str:
    """``"ZeroDivisionError: float division by zero"`` on one line, even if ``str()`` of the
    exception itself raises."""
    try:
        message = str(exception)
    except BaseException:  # an engine's exception class with a broken __str__
        message = "<the exception's message could not be shown>"
    message = " ".join(message.split())
    if len(message) > limit:
        message = message[: limit - 3] + "..."
    name = plain_name(type(exception), "an exception of a class with an unprintable name")
    return f"{name}: {message}" if message else name


class Discard(io.TextIOBase):
    """A stdout that forgets what the engine prints (debug prints must not reach --json)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


def _alarm_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """Raise _TimeUp in this (main) thread after ``seconds``; restore any alarm that was set
    before (pytest-timeout uses SIGALRM too), minus the time we spent."""
    if seconds is None or not _alarm_available():
        yield
        return

    def time_up(signum: int, frame: FrameType | None) -> None:
        raise _TimeUp()

    previous_handler = signal.signal(signal.SIGALRM, time_up)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay > 0:
            remaining = max(previous_delay - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, previous_interval)


def guarded(call: Callable[[], _T], what: str, time_limit: float | None = None) -> _T:
    """``call()`` with the engine's prints discarded and, in the main thread on POSIX, a time
    limit; any exception becomes ``EngineError("<what> raised <Type>: <message>")``.
    KeyboardInterrupt (Ctrl-C) still stops the run."""
    try:
        with _alarm(time_limit), contextlib.redirect_stdout(Discard()):
            return call()
    except _TimeUp:
        raise EngineError(f"{what} did not finish within {time_limit:g} s (an endless loop?)", "timeout") from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit and GeneratorExit from an engine are its failures too
        raise EngineError(f"{what} raised {describe(error)}", type(error).__name__, describe(error)) from None


def to_float(number: object, what: str) -> float:
    """``float(number)`` for the engine's ``.data`` or ``.grad`` (a float, an int, a NumPy
    scalar...), or an EngineError saying what it was instead."""
    try:
        result = float(number)  # type: ignore[arg-type]  # whatever it is: float() says if it is no number
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        kind = plain_name(type(number), "object of a class with an unprintable name")
        raise EngineError(f"{what} is a {kind}, not a number ({describe(error)})", "not a number") from None
    return result
