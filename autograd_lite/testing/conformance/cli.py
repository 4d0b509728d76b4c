"""``python -m autograd_lite.testing.conformance MODULE:CLASS`` (also ``autograd-lite conform``).

Exit codes: 0 every provided op and property holds; 1 something failed (the report says
what, with code that shows it); 2 the engine could not be loaded or the options were wrong.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .report import Report

HELP = "check any micrograd-style autodiff engine with property-based tests"
EPILOG = """\
examples:
  autograd-lite conform micrograd.engine:Value
  autograd-lite conform my_engine:Value --json > report.json

The engine is a micrograd-style class: Value(x), .data, .grad, .backward(), + and *.
Other ops (- / ** tanh exp log relu sigmoid sin cos sqrt, unary minus, numbers on either
side) are detected and checked if present; missing ones are listed as "not provided".
Every gradient is compared with sympy's exact derivative. The search is derandomized:
the same engine gets the same report on every run.

exit codes: 0 everything the engine provides is right; 1 something failed; 2 the engine
could not be loaded, or a bad option."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("engine", metavar="MODULE:CLASS",
                        help="the engine's Value class, e.g. micrograd.engine:Value or my_engine:Value")
    parser.add_argument("--thorough", action="store_true", help="search about ten times longer")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--data-attr", metavar="NAME", type=_attribute_name,
                        help="the attribute that holds a node's number (default: data, value, val, ... found)")


def _attribute_name(text: str) -> str:
    if not text.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not an attribute name (e.g. value)")
    return text


class LoadFailed(Exception):
    """The engine, or the kit's own dependencies, could not be loaded (exit code 2)."""


def report_for(args: argparse.Namespace) -> Report:
    """Load the engine and check it; LoadFailed with a one-line message if it can't be."""
    try:
        from .check import check_engine
    except ImportError as error:  # hypothesis or sympy missing: their messages say what to install
        raise LoadFailed(str(error)) from None
    from .loading import EngineLoadError, load_engine

    try:
        engine = load_engine(args.engine)
    except EngineLoadError as error:
        raise LoadFailed(str(error)) from None
    return check_engine(engine, thorough=args.thorough, name=args.engine.strip(),
                        data_attr=getattr(args, "data_attr", None))


def render(report: Report, as_json: bool) -> str:
    return report.to_json() if as_json else str(report)


def write(text: str, stream: TextIO | None = None) -> None:
    """Print ``text`` even on a console that cannot encode some character of it."""
    stream = stream or sys.stdout
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write((text + "\n").encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def main(argv: list[str] | None = None, prog: str = "python -m autograd_lite.testing.conformance") -> int:
    """Run the command; return the exit code."""
    parser = argparse.ArgumentParser(prog=prog, description=HELP[0].upper() + HELP[1:] + ".", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        report = report_for(args)
        write(render(report, args.json))
    except LoadFailed as error:
        write(f"{prog}: error: {error}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        write(f"{prog}: interrupted", sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: the reader has gone, nothing to say
        return 1
    return 0 if report.passed else 1
