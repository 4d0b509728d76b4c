"""The one exception the subcommands raise for a clean, traceback-free exit."""

from __future__ import annotations

USAGE = 2  # the input was rejected
FAILED = 1  # the input was fine but the computation failed


class CommandError(Exception):
    """A message for the user and the exit code to return."""

    def __init__(self, message: str, exit_code: int = USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
