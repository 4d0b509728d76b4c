"""``autograd-lite conform MODULE:CLASS``: the conformance kit
(:mod:`autograd_lite.testing.conformance`) as a subcommand."""

from __future__ import annotations

import argparse
from typing import Any

from .errors import CommandError


def add_parser(commands: Any) -> None:  # the subparsers action of the main parser

    from ..testing.conformance.cli import EPILOG, HELP, add_arguments

    parser = commands.add_parser("conform", help=HELP, description=HELP[0].upper() + HELP[1:] + ".",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..testing.conformance.cli import LoadFailed
    from ..testing.conformance.cli import run as run_conform

    try:
        return run_conform(args)
    except LoadFailed as error:
        raise CommandError(str(error)) from None
