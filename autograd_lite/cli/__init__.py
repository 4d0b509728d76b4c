"""The ``autograd-lite`` command line: ``demo``, ``grad``, ``train`` and ``predict``.

Exit codes: 0 success; 1 the command ran but a computation failed (a value outside a
function's domain, such as ``log(-1)``; no renderer for ``--svg``); 2 the input was
rejected (a bad option, expression, variable value, CSV file or checkpoint); 141 the
reader of the output went away (``| head -1``), as for any tool that SIGPIPE ends. Errors
are one or two plain lines on stderr, never a traceback, whatever the console's encoding.

Subcommands are imported only when run, so ``import autograd_lite`` never pays for them.
"""

from __future__ import annotations

import argparse
import sys

from .errors import CommandError

DESCRIPTION = ("A scalar reverse-mode autodiff engine that shows the total derivative. "
               "Start with `autograd-lite demo`.")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(prog="autograd-lite", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"autograd-lite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from . import conform_command, demo, grad_command, predict_command, train_command

    for module in (demo, grad_command, train_command, predict_command, conform_command):
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Any console encoding works and a reader that closes the pipe early ends the command
    quietly with exit code 141 (see ``console``).
    """
    from .console import run_guarded

    return run_guarded(lambda: _run(argv))


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.run(args) or 0
        return code
    except CommandError as error:
        print(f"autograd-lite {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"autograd-lite {args.command}: interrupted", file=sys.stderr)
        return 130
