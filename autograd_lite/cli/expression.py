"""Safe expressions for ``autograd-lite grad``: parsed with ``ast`` against a whitelist and
evaluated by walking the tree with Values. Nothing is ever passed to ``eval``.

Allowed: numbers, variable names, ``+ - * / **``, unary ``-`` and ``+``, parentheses, the
constants ``pi`` and ``e``, and calls of the engine's functions (``FUNCTIONS``, in
:mod:`.functions`) with positional arguments. Everything else (attributes, subscripts,
lambdas, comprehensions, keywords, strings, comparisons...) is rejected with
``ExpressionError`` naming it.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from .functions import FUNCTIONS, call, check_constants, number

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 64  # nesting levels of the syntax tree
MAX_EXPONENT = 1000  # |n| for a constant exponent x ** n
MAX_LITERAL = 1e300

if TYPE_CHECKING:
    from ..value import Value

CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
UNARY = {ast.USub: "-", ast.UAdd: "+"}
ALLOWED = ("numbers, variable names, + - * / **, unary minus, parentheses, pi, e and the functions "
           + ", ".join(FUNCTIONS))

_DESCRIPTIONS = {
    ast.Attribute: "attribute access (a.b)", ast.Subscript: "subscripts (a[i])",
    ast.Lambda: "lambdas", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.List: "lists",
    ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets", ast.Compare: "comparisons",
    ast.BoolOp: "and/or", ast.IfExp: "if-else expressions", ast.NamedExpr: "assignments (:=)",
    ast.JoinedStr: "strings", ast.Starred: "*arguments", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}


class ExpressionError(ValueError):
    """The expression is not allowed; the message says what and where."""


def parse(text: str) -> tuple[ast.Expression, list[str]]:
    """The checked ``ast.Expression`` of ``text``, and the variable names it uses in order
    of first appearance. ExpressionError for anything outside the whitelist."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty; give one such as \"tanh(x*w + b)\"")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise ExpressionError(f"not a valid expression: {error.msg}{where}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is nested too deeply") from None
    _check_depth(tree)
    names: list[str] = []
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if id(node) not in called:  # a call's function name is checked by _check_call
            _check_node(node, names)
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            _check_exponent(node.right)
    for node in ast.walk(tree):  # after the exponents: elu(x, 2**10**10) is about the exponent
        if isinstance(node, ast.Call):
            _check_constant_arguments(node)
    order: dict[str, None] = {}
    for node in _in_source_order(tree):
        if isinstance(node, ast.Name) and node.id in names:
            order.setdefault(node.id, None)
    return tree, list(order)


def _in_source_order(tree: ast.AST) -> list[Any]:  # Any: nodes with a position (typeshed gives AST none)
    nodes = [n for n in ast.walk(tree) if hasattr(n, "col_offset")]
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))


def _check_depth(tree: ast.AST) -> None:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _where(node: ast.AST) -> str:
    return f" at column {node.col_offset + 1}" if hasattr(node, "col_offset") else ""


def _check_node(node: ast.AST, names: list[str]) -> None:
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in BINARY or type(node) in UNARY:
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise ExpressionError(f"the operator {type(node.op).__name__}{_where(node)} is not allowed; "
                                  f"use {' '.join(BINARY.values())}")
        return
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            raise ExpressionError(f"the operator {type(node.op).__name__}{_where(node)} is not allowed; "
                                  "only unary - and + are")
        return
    if isinstance(node, ast.Constant):
        _check_literal(node)
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"the name {node.id!r}{_where(node)} is not allowed: names starting "
                                  "with '_' are reserved")
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id!r}{_where(node)} is a function; call it, as in "
                                  f"{FUNCTIONS[node.id].signature(node.id)}")
        if node.id not in CONSTANTS and node.id not in names:
            names.append(node.id)
        return
    if isinstance(node, ast.Call):
        _check_call(node)
        return
    what = _DESCRIPTIONS.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what}{_where(node)} not allowed; allowed are {ALLOWED}")


def _check_literal(node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = "strings" if isinstance(value, (str, bytes)) else f"{type(value).__name__} literals"
        raise ExpressionError(f"{kind}{_where(node)} are not allowed; only real numbers are")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not abs(number) <= MAX_LITERAL:
        raise ExpressionError(f"the number{_where(node)} is too large (more than {MAX_LITERAL:g})")


def _check_call(node: ast.Call) -> None:
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name is None and type(node.func) in _DESCRIPTIONS:
        raise ExpressionError(f"calling {_DESCRIPTIONS[type(node.func)]}{_where(node)} is not allowed; "
                              f"allowed are {ALLOWED}")
    if name not in FUNCTIONS:
        shown = name if name else ast.unparse(node.func)
        raise ExpressionError(f"unknown function {shown!r}{_where(node)}; the functions are "
                              + ", ".join(FUNCTIONS))
    if node.keywords:
        raise ExpressionError(f"keyword arguments{_where(node)} are not allowed; pass {name}'s arguments "
                              "by position")
    function = FUNCTIONS[name]
    smallest, largest = function.arity()
    if not smallest <= len(node.args) <= largest:
        wanted = str(smallest) if smallest == largest else f"{smallest} or {largest}"
        raise ExpressionError(f"{name}{_where(node)} takes {wanted} argument(s), got {len(node.args)}; "
                              f"write {function.signature(name)}")
    for parameter, argument in zip(function.constants, node.args[function.operands:]):
        if _has_names(argument):
            raise ExpressionError(f"{name}'s {parameter}{_where(argument)} must be a number, not a variable "
                                  f"({ast.unparse(argument)}); write {function.signature(name)}")


def _check_constant_arguments(node: ast.Call) -> None:
    """A function's constant parameters must evaluate to numbers the op accepts."""
    name = cast(ast.Name, node.func).id  # parse() lets only calls of FUNCTIONS' names through
    function = FUNCTIONS[name]
    constants: list[float] = []
    for parameter, argument in zip(function.constants, node.args[function.operands:]):
        try:
            constants.append(number(_evaluate(argument, {})))
        except EvaluationError as error:  # its message names the sub-expression
            raise ExpressionError(f"{name}'s {parameter}{_where(argument)}: {error}") from None
        except (ArithmeticError, ValueError) as error:
            raise ExpressionError(f"{name}'s {parameter}{_where(argument)}, {ast.unparse(argument)}, "
                                  f"cannot be evaluated: {error}") from None
    try:
        check_constants(name, constants)
    except (ArithmeticError, ValueError) as error:
        raise ExpressionError(f"{ast.unparse(node)}{_where(node)}: {error}") from None


def _has_names(node: ast.AST) -> bool:
    """Whether ``node`` uses a variable (a function's name, as ``exp`` in ``exp(1)``, is none)."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return any(isinstance(n, ast.Name) and n.id not in CONSTANTS and id(n) not in called for n in ast.walk(node))


def _check_exponent(node: ast.expr) -> None:
    """A constant exponent must be at most MAX_EXPONENT in size (x**10**10 is refused)."""
    if _has_names(node):
        return
    try:
        value = _evaluate(node, {})
    except (ArithmeticError, ValueError):
        value = math.inf
    if not abs(number(value)) <= MAX_EXPONENT:
        raise ExpressionError(f"the exponent {ast.unparse(node)}{_where(node)} is too large; "
                              f"constant exponents must be at most {MAX_EXPONENT} in size")


def evaluate(tree: ast.AST, variables: Mapping[str, Value], sources: dict[Value, str] | None = None) -> Value | float:
    """The value of the checked ``tree`` with ``variables`` (name -> Value); constants are
    floats, so a constant sub-expression may give a float. EvaluationError names the
    sub-expression that failed. ``sources``, a dict, receives each Value made -> its text.

    A sub-expression written more than once (``tanh(x) * tanh(x)``) is evaluated once and
    its node used at each place, as a variable is: its gradient is then a sum over paths,
    as if it had been given a name."""
    body = tree.body if isinstance(tree, ast.Expression) else tree
    return _evaluate(body, variables, sources if sources is not None else {}, {})


class EvaluationError(ArithmeticError):
    """A function was evaluated outside its domain; the message names the sub-expression."""


def _evaluate(node: ast.AST, variables: Mapping[str, Value], sources: dict[Value, str] | None = None,
              seen: dict[str, Value | float] | None = None) -> Value | float:
    if seen is None:
        sources, seen = {}, {}
    sources = cast("dict[Value, str]", sources)  # given whenever seen is
    key = ast.dump(node)  # the same text up to spacing and parentheses: the same node
    if key in seen:
        return seen[key]
    result = _evaluate_node(node, variables, sources, seen)
    seen[key] = result
    if hasattr(result, "data") and result not in sources:
        sources[cast("Value", result)] = ast.unparse(node)
    return result


def _evaluate_node(node: ast.AST, variables: Mapping[str, Value], sources: dict[Value, str],
                   seen: dict[str, Value | float]) -> Value | float:
    if isinstance(node, ast.Constant):
        return float(cast(float, node.value))  # parse() lets only real numbers through
    if isinstance(node, ast.Name):
        return variables[node.id] if node.id in variables else CONSTANTS[node.id]
    try:
        if isinstance(node, ast.UnaryOp):
            operand = _evaluate(node.operand, variables, sources, seen)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left = _evaluate(node.left, variables, sources, seen)
            right = _evaluate(node.right, variables, sources, seen)
            return _binary(type(node.op), left, right)
        if isinstance(node, ast.Call):
            args = [_evaluate(arg, variables, sources, seen) for arg in node.args]
            return call(cast(ast.Name, node.func).id, args)
    except EvaluationError:
        raise
    except (ArithmeticError, ValueError) as error:
        raise EvaluationError(f"{ast.unparse(node)} cannot be evaluated: {error}") from None
    raise ExpressionError(f"unexpected {type(node).__name__}")  # parse() lets nothing else through


def _binary(op: type[ast.operator], left: Value | float, right: Value | float) -> Value | float:
    if op is ast.Add:
        return left + right
    if op is ast.Sub:
        return left - right
    if op is ast.Mult:
        return left * right
    if op is ast.Div:
        if not hasattr(left, "data") and not hasattr(right, "data") and right == 0:
            raise ZeroDivisionError("division by zero")
        return left / right
    return _power(left, right)


def _power(base: Value | float, exponent: Value | float) -> Value | float:
    if hasattr(base, "data") or hasattr(exponent, "data"):
        return base ** exponent
    try:
        result = math.pow(base, exponent)  # floats only: never a huge integer
    except ValueError:
        raise ValueError(f"{base!r} ** {exponent!r} is not a real number") from None
    return result
