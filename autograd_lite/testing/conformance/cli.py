"""``python -m autograd_lite.testing.conformance MODULE:CLASS`` (also ``autograd-lite conform``),
and ``--grade SUBMISSIONS`` for a class of them (:mod:`.grade`).

Exit codes: 0 the rubric's pass mark is met (:mod:`.rubric`; the report says what failed,
with code that shows it); 1 it is not; 2 the engine could not be loaded or the options were
wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .report import Report
    from .rubric import Rubric

HELP = "check any micrograd-style autodiff engine with property-based tests, or grade a class of them"
EPILOG = """\
examples:
  autograd-lite conform my_engine:Value                      # ./my_engine.py
  autograd-lite conform micrograd.engine:Value --path ~/alice
  autograd-lite conform micrograd.engine:Value --installed   # the installed package
  autograd-lite conform my_engine:Value --json=report.json
  autograd-lite conform --grade submissions/ --engine micrograd.engine:Value \\
      --rubric rubric.toml --csv grades.csv --json grades.json

The engine is a micrograd-style class: Value(x), .data, .grad, .backward(), + and *.
Other ops (- / ** tanh exp log relu sigmoid sin cos sqrt, unary minus, numbers on either
side) are detected and checked if present; missing ones are listed as "not provided".
Every gradient is compared with sympy's exact derivative. The search is derandomized:
the same engine gets the same report on every run. The engine runs in a sandboxed
process of its own; MODULE is looked for in --path only (default: this folder).

--grade grades every subfolder of SUBMISSIONS as one student's submission.

exit codes: 0 the rubric's pass mark is met (every submission's, with --grade); 1 it is
not; 2 the engine could not be loaded (a single check), or a bad option."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("engine", metavar="MODULE:CLASS", nargs="?",
                        help="the engine's Value class, e.g. micrograd.engine:Value or my_engine:Value")
    parser.add_argument("--path", metavar="DIR", help="the folder MODULE is in (default: the current folder)")
    parser.add_argument("--installed", action="store_true",
                        help="check MODULE wherever Python imports it from (an installed package)")
    parser.add_argument("--thorough", action="store_true", help="search about ten times longer")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="the report as JSON: on stdout, or written to PATH (--json=PATH)")
    parser.add_argument("--data-attr", metavar="NAME", type=_attribute_name,
                        help="the attribute that holds a node's number (default: data, value, val, ... found)")
    parser.add_argument("--rubric", metavar="FILE", help="a TOML or JSON rubric (default: see docs/grading.md)")
    parser.add_argument("--grade", metavar="SUBMISSIONS", help="grade every subfolder of SUBMISSIONS")
    parser.add_argument("--engine", dest="engine_option", metavar="MODULE:CLASS",
                        help="with --grade: the class each submission must provide")
    parser.add_argument("--jobs", type=int, metavar="N", help="with --grade: submissions at a time (default: CPUs)")
    parser.add_argument("--timeout", type=float, metavar="S", help="seconds per engine, all checks included "
                        "(default: 120; 60 with --grade)")
    parser.add_argument("--csv", metavar="PATH", help="with --grade: one row per submission, as CSV")


def _attribute_name(text: str) -> str:
    if not text.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not an attribute name (e.g. value)")
    return text


class LoadFailed(Exception):
    """The engine, or the kit's own dependencies, could not be loaded (exit code 2)."""


def _rubric(args: argparse.Namespace) -> Rubric:
    from .rubric import DEFAULT_RUBRIC, RubricError, load_rubric

    try:
        return load_rubric(args.rubric) if args.rubric else DEFAULT_RUBRIC
    except RubricError as error:
        raise LoadFailed(str(error)) from None


def report_for(args: argparse.Namespace) -> Report:
    """Check the engine in its sandbox; LoadFailed with a one-line message if it can't be."""
    try:
        from .check import DEFAULT, THOROUGH, check_engine
    except ImportError as error:  # hypothesis or sympy missing: their messages say what to install
        raise LoadFailed(str(error)) from None
    from .loading import EngineLoadError

    if not args.engine:
        raise LoadFailed("name the engine: MODULE:CLASS (e.g. my_engine:Value), or --grade SUBMISSIONS --engine ...")
    budget = THOROUGH if args.thorough else DEFAULT
    if args.timeout is not None:
        budget = budget._replace(total_time_limit=_positive(args.timeout, "--timeout"))
    try:
        return check_engine(args.engine, budget=budget, name=args.engine.strip(), path=args.path,
                            installed=args.installed, data_attr=getattr(args, "data_attr", None))
    except EngineLoadError as error:
        raise LoadFailed(str(error)) from None


def _positive(value: float, option: str) -> float:
    if not value > 0 or value == float("inf"):
        raise LoadFailed(f"{option} must be a positive number of seconds, got {value:g}")
    return value


def render(report: Report, as_json: bool, rubric: Rubric | None = None) -> str:
    from .rubric import DEFAULT_RUBRIC, grade

    graded = grade(report, rubric or DEFAULT_RUBRIC)
    if as_json:
        data = dict(report.as_dict(), grade=graded._asdict())
        return json.dumps(data, indent=2, allow_nan=False)
    verdict = "met" if graded.passed else "NOT met: " + "; ".join(graded.problems)
    which = "the default rubric" if rubric is None or rubric == DEFAULT_RUBRIC else "the rubric"
    lines = [str(report), "", f"Score {graded.score:g} of 100 by {which}, pass mark "
             f"{(rubric or DEFAULT_RUBRIC).pass_mark:g} {verdict}"]
    if graded.warnings:
        lines.append("Warnings (weight 0 in the rubric, so not counted):")
        lines += [f"  {name}" for name in graded.warnings]
    return "\n".join(lines)


def passed(report: Report, rubric: Rubric | None = None) -> bool:
    from .rubric import DEFAULT_RUBRIC, grade

    return grade(report, rubric or DEFAULT_RUBRIC).passed


def write(text: str, stream: TextIO | None = None) -> None:
    """Print ``text`` even on a console that cannot encode some character of it."""
    stream = stream or sys.stdout
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write((text + "\n").encode(encoding, "backslashreplace").decode(encoding))
    stream.flush()


def run(args: argparse.Namespace) -> int:
    """The command, for both entry points: the exit code, or LoadFailed."""
    rubric = _rubric(args) if args.rubric else None
    if args.grade is not None:
        return run_grading(args, rubric)
    if args.csv or args.jobs is not None or args.engine_option:
        raise LoadFailed("--csv, --jobs and --engine go with --grade SUBMISSIONS")
    report = report_for(args)
    if args.json not in (None, "-"):
        from ...atomic import write_atomically

        write_atomically(args.json, render(report, True, rubric) + "\n")
        write(render(report, False, rubric))
    else:
        write(render(report, args.json == "-", rubric))
    return 0 if passed(report, rubric) else 1


def run_grading(args: argparse.Namespace, rubric: Rubric | None) -> int:
    from . import grade
    from .rubric import DEFAULT_RUBRIC

    rubric = rubric or DEFAULT_RUBRIC
    spec = args.engine_option or args.engine
    if not spec:
        raise LoadFailed("--grade needs --engine MODULE:CLASS: the class every submission provides")
    if not os.path.isdir(args.grade):
        raise LoadFailed(f"--grade {args.grade}: there is no such folder")
    if args.jobs is not None and args.jobs < 1:
        raise LoadFailed(f"--jobs must be 1 or more, got {args.jobs}")
    from .loading import EngineLoadError, _split

    try:
        _split(spec)
    except EngineLoadError as error:
        raise LoadFailed(str(error)) from None
    timeout = _positive(args.timeout, "--timeout") if args.timeout is not None else 60.0
    if not grade.submissions(args.grade):
        raise LoadFailed(f"--grade {args.grade}: no subfolders, so no submissions to grade")
    rows = grade.grade_all(args.grade, spec, rubric, args.jobs, timeout, data_attr=getattr(args, "data_attr", None))
    grade.write_outputs(rows, args.csv, None if args.json in (None, "-") else args.json)
    if args.json == "-":
        write(grade.to_json(rows))
    else:
        write(grade.table(rows) + "\n\n" + grade.summary(rows, rubric))
    return 0 if all(r.get("passed") for r in rows) else 1


def main(argv: list[str] | None = None, prog: str = "python -m autograd_lite.testing.conformance") -> int:
    """Run the command; return the exit code."""
    parser = argparse.ArgumentParser(prog=prog, description=HELP[0].upper() + HELP[1:] + ".", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except LoadFailed as error:
        write(f"{prog}: error: {error}", sys.stderr)
        return 2
    except OSError as error:  # an output file that cannot be written
        write(f"{prog}: error: {error}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        write(f"{prog}: interrupted", sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: the reader has gone, nothing to say
        return 1
