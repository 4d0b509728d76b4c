"""Calling into an engine we do not trust: time limits and one-line errors.

The engine under test is arbitrary code: it may print, raise anything (even SystemExit),
loop forever, recurse without end, exit or fork. It runs in its own process
(:mod:`.session`); every call into it goes through :func:`guarded`, which turns what the
engine did there (the exceptions below) into an :class:`EngineError` carrying one line.
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


class TimeUp(BaseException):
    """A call ran past its time limit; a BaseException so that no ``except Exception``
    between here and the kit swallows it."""


_TimeUp = TimeUp
# Time limits count CPU seconds, the engine's and the kit's, so a loaded machine changes no
# verdict; a wall-clock limit this many times as long stops an engine that sleeps.
WALL_SLACK = 3.0


class BudgetSpent(BaseException):
    """The whole check's time budget ran out."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the check's time budget of {seconds:g} s ran out")


class EngineGone(BaseException):
    """The engine's process ended (or broke the kit's channel) during a call."""


class Raised(Exception):
    """The engine raised, in its process: its exception's class name (a plain identifier)
    and one-line message; ``where`` for the deep chain."""

    def __init__(self, type_name: str, message: str, where: str = "") -> None:
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name, self.message, self.where = type_name, message, where


class RaisedAttributeError(Raised, AttributeError):
    """The engine raised AttributeError: ``hasattr`` says False, as it would in-process."""


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
    """``call()`` with, in the main thread on POSIX, a time limit; any exception becomes
    ``EngineError("<what> raised <Type>: <message>")``. KeyboardInterrupt (Ctrl-C) still
    stops the run. (Calls into a sandboxed engine carry their own time limit too.)"""
    try:  # the alarm is wall-clock: the backstop (calls into the sandbox count CPU time)
        with _alarm(None if time_limit is None else time_limit * WALL_SLACK):
            return call()
    except TimeUp:
        shown = f"{time_limit:g} s" if time_limit is not None else "its time limit"
        raise EngineError(f"{what} did not finish within {shown} (an endless loop?)", "timeout") from None
    except BudgetSpent as error:
        raise EngineError(f"{what} was stopped: {error}", "budget") from None
    except EngineGone as error:
        raise EngineError(f"{what}: {error}", "died") from None
    except Raised as error:
        raise EngineError(f"{what} raised {error}", error.type_name, str(error)) from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit and GeneratorExit from an engine are its failures too
        raise EngineError(f"{what} raised {describe(error)}", type(error).__name__, describe(error)) from None


def to_float(number: object, what: str) -> float:
    """``number`` (the engine's ``.data`` or ``.grad``) as a float if it is a real number (a
    float, an int, a NumPy scalar...), else an EngineError saying what it was instead. A
    str such as ``"0.5"`` or a bool is not a number."""
    if type(number) in (int, float):
        return float(number)  # type: ignore[arg-type]  # an int or a float, checked
    if isinstance(number, (str, bytes, bool)):
        raise EngineError(f"{what} is a {type(number).__name__}, not a number", "not a number")
    try:
        result = float(number)  # type: ignore[arg-type]  # a Remote: the child checks and converts
    except Raised as error:
        raise EngineError(f"{what} {error.message}" if error.message.startswith("is a ")
                          else f"{what} is not a number ({error})", "not a number") from None
    except (TimeUp, BudgetSpent, EngineGone) as error:
        raise EngineError(f"{what}: {error or 'no answer within the time limit'}", "not a number") from None
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        kind = plain_name(type(number), "object of a class with an unprintable name")
        raise EngineError(f"{what} is a {kind}, not a number ({describe(error)})", "not a number") from None
    return result
