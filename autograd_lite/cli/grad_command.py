"""``autograd-lite grad EXPR name=value ...``: value, gradients, graph and fan-out sums."""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import textwrap
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from .errors import FAILED, CommandError
from .functions import parameters, summary
from .practice_page import check_practice_path, check_practice_size, save_practice_page

if TYPE_CHECKING:
    from ..value import Value

HELP = "the value and gradients of an expression, its graph and its total-derivative sums"
_NO_BREAK = "\N{NO-BREAK SPACE}"  # keeps "clamp(x, lo, hi)" on one line
_FUNCTIONS = textwrap.fill(
    "Expressions use numbers, variables, + - * / **, unary minus, parentheses, pi, e and "
    f"the functions {summary(space=_NO_BREAK)}. The parameters {parameters()} must be "
    "numbers. Expressions are parsed, never evaluated as Python. A sub-expression written twice, "
    "as in tanh(x)*tanh(x), is one node used twice, so its gradient is a sum over paths (see --explain).",
    width=90, break_on_hyphens=False, break_long_words=False).replace(_NO_BREAK, " ")
EPILOG = f"""\
examples:
  autograd-lite grad "tanh(x*w + b)" x=0.5 w=-1 b=2
  autograd-lite grad "x*x + x" x=3 --explain
  autograd-lite grad "sigmoid(a*b) * log(a)" a=2 b=0.5 --svg graph.svg
  autograd-lite grad "x*y + x" x=2 y=3 --practice practice.html

{_FUNCTIONS}

An expression starting with "-" goes after "--":
  autograd-lite grad -- "-x*w" x=1 w=2

exit codes: 0 done; 1 a function was evaluated outside its domain (e.g. log of a
negative number) or the graph could not be rendered; 2 the expression or the variable
values were rejected."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def add_parser(commands: Any) -> None:  # the subparsers action of the main parser

    parser = commands.add_parser("grad", help=HELP, description=HELP[0].upper() + HELP[1:] + ".",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("expression", help='the expression, quoted, e.g. "tanh(x*w + b)"')
    parser.add_argument("values", nargs="*", metavar="name=value", help="a number for each variable")
    parser.add_argument("--svg", metavar="PATH",
                        help="write the computation graph: .svg, .png, .dot (the DOT text, no renderer "
                             "needed), or .pdf with the system Graphviz (graphviz-pure has no PDF)")
    parser.add_argument("--explain", action="store_true",
                        help="write out the total-derivative sum at every value used more than once")
    parser.add_argument("--practice", metavar="PATH",
                        help="write a practice page (.html): it asks you for every step of backward, "
                             "the contribution local x grad and the total at each fan-out, before showing it")
    parser.set_defaults(run=run)


def parse_values(pairs: Iterable[str]) -> dict[str, float]:
    """{name: float} from ``["x=0.5", ...]``; CommandError for a malformed or repeated pair."""
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not _NAME.match(name) or not text:
            raise CommandError(f"{pair!r} is not of the form name=value (e.g. x=0.5)")
        if name in values:
            raise CommandError(f"{name} is given twice")
        try:
            number = float(text)
        except ValueError:
            raise CommandError(f"the value of {name}, {text!r}, is not a number") from None
        if not math.isfinite(number):
            raise CommandError(f"the value of {name} must be a finite number, got {text!r}")
        values[name] = number
    return values


def run(args: argparse.Namespace) -> int:
    from .expression import CONSTANTS, ExpressionError, parse

    if args.svg:
        _check_graph_path(args.svg)  # a format the renderer lacks is refused before any work
    if args.practice:
        check_practice_path(args.practice)
    try:
        tree, names = parse(args.expression)
    except ExpressionError as error:
        raise CommandError(f"{error}") from None
    numbers = parse_values(args.values)
    clashes = [name for name in numbers if name in CONSTANTS]
    if clashes:
        raise CommandError(f"{clashes[0]} is a constant ({CONSTANTS[clashes[0]]!r}); "
                           "name the variable differently")
    missing = [name for name in names if name not in numbers]
    extra = [name for name in numbers if name not in names]
    if missing:
        raise CommandError(f"no value for {', '.join(missing)}; add " + " ".join(f"{n}=..." for n in missing))
    if extra:
        raise CommandError(f"{', '.join(extra)} given but not used in the expression "
                           f"(its variables: {', '.join(names) or 'none'})")

    output, variables, sources = _evaluate(tree, numbers)
    if args.practice:
        check_practice_size(output)
    output.backward()
    name = output.label
    print(f"{name} = {args.expression.strip()}")
    print(f"{name} = {output.data!r}")
    for variable, value in variables.items():
        print(f"d{name}/d{variable} = {value.grad!r}")
    if args.explain:
        _explain(output, sources)
    if args.svg:
        _save_graph(output, args.svg)
    if args.practice:
        save_practice_page(_evaluate(tree, numbers)[0], args.practice)  # a fresh graph: the page runs backward
    return 0


def _evaluate(tree: Any, numbers: dict[str, float]) -> tuple[Value, dict[str, Value], dict[Value, str]]:
    """The expression's output Value (labelled f), its variables and each node's source text."""
    from .expression import EvaluationError, evaluate
    from ..value import Value

    variables = {name: Value(numbers[name], label=name) for name in numbers}
    sources: dict[Value, str] = {}
    try:
        output = evaluate(tree, variables, sources)
    except EvaluationError as error:
        raise CommandError(str(error), FAILED) from None
    if not isinstance(output, Value):
        output = Value(output)
    if not output.parents and not output.label:
        output.label = "f"
    elif output.parents:
        output.label = "f" if "f" not in variables else "output"
    return output, variables, sources


def _explain(output: Value, sources: dict[Value, str]) -> None:
    from ..render import explain
    from ..render.paths import GraphIndex

    index = GraphIndex(output)
    fan_outs = [node for node in index.order if index.fans_out(node)]
    if not fan_outs:
        print("\nNo value is used more than once, so every gradient is a plain chain-rule product.")
        return
    print("\nTotal derivative at every value used more than once:")
    for node in fan_outs:
        print(explain(node, output, where=False))  # the legend below quotes the user's own text
    legend = [f"  {index.name(node)} = {sources[node]}" for node in index.order
              if node.parents and not node.label and node in sources]
    if legend:
        print("where")
        print("\n".join(legend))


def _check_graph_path(path: str) -> None:
    from ..render import check_save_path

    with _graph_errors(path):
        check_save_path(path)


def _save_graph(output: Value, path: str) -> None:
    from ..render import draw_graph

    drawing = draw_graph(output)
    with _graph_errors(path):
        drawing.save(path)
    print(f"\nwrote {path}")


@contextlib.contextmanager
def _graph_errors(path: str) -> Iterator[None]:
    """Saving the graph's failures as one-line CommandErrors."""
    from ..render.renderer import FormatNotSupportedError, RenderError, RendererNotFoundError

    try:
        yield
    except ValueError as error:
        raise CommandError(str(error)) from None
    except (RendererNotFoundError, RenderError) as error:
        what = "" if isinstance(error, FormatNotSupportedError) else f"could not render {path}: "
        raise CommandError(f"{what}{error}\n"
                           "(--svg graph.dot writes the DOT text, which needs no renderer)", FAILED) from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", FAILED) from None
