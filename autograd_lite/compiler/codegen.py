"""Code generation: a tape becomes straight-line Python (one function, or a chain of
bounded ones for a long tape: see :mod:`.segments`).

Each op's forward and local derivatives are the engine's own source text from
``rules.TABLE`` (never user text), with the input names replaced by the tape's variables.
The same text serves both dialects: "float" runs it with the rules' helpers, "numpy"
with NumPy twins of the helpers (see :mod:`.batch`), after ``a if c else b`` is rewritten
to ``_where(c, a, b)``.

The generated function is ``run(I, C)``: ``I`` the flat inputs, ``C`` the constants. It
returns ``(output, (d output / d input for each input))``.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, cast

from .. import rules
from ..rules import ZERO, Rule
from . import segments

if TYPE_CHECKING:
    from .trace import Tape


# The generated ``run(I, C)``: ``(output, gradients)`` of the inputs ``I``, with the constants ``C``.
Run = Callable[..., tuple[Any, tuple[Any, ...]]]


class Evaluate(Protocol):
    """What :func:`build` makes: ``(output, gradients)`` of the flat ``inputs`` (floats, or
    arrays in an array dialect)."""

    def __call__(self, inputs: Sequence[Any], check_nan: bool = True) -> tuple[Any, tuple[Any, ...]]: ...


_PLACEHOLDER = "__arg{}__"


class _Rename(ast.NodeTransformer):
    def __init__(self, names: list[str], dialect: str) -> None:
        self.names, self.dialect = names, dialect

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.names:
            return ast.Name(_PLACEHOLDER.format(self.names.index(node.id)), ast.Load())
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        self.generic_visit(node)
        if self.dialect == "float":
            return node
        return ast.Call(ast.Name("_where", ast.Load()), [node.test, node.body, node.orelse], [])


@lru_cache(maxsize=1024)
def template(source: str, names: tuple[str, ...], dialect: str) -> str:
    """``source`` as a format string: ``{0}``, ``{1}``... for ``names`` (inputs, then out)."""
    tree = _Rename(list(names), dialect).visit(ast.parse(source, mode="eval"))
    text = ast.unparse(ast.fix_missing_locations(tree)).replace("{", "{{").replace("}", "}}")
    for i in range(len(names)):
        text = text.replace(_PLACEHOLDER.format(i), "{%d}" % i)
    return f"({text})"


class Emitter:
    """Turns one node into forward and local-derivative expressions.

    How a node is written depends on the rule object it was made with, never on its name:
    a rule :func:`rules.compile_rule` made is written from the text it was made from
    (``rules.row_of``), any other (a custom op's) is called. Nothing a user wrote (an op's
    name, a label, a number's ``repr``) reaches the source: only engine-made names, the
    rules' own text and the constants array ``C``."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.constants: list[float] = []  # values the code reads as k0, k1, ... (exact, also inf and nan)
        self.rules: dict[str, Rule] = {}  # rules called directly: name -> Rule
        # Per rule (by id: the tape keeps its rules alive): its kind, and its row's text as templates.
        self.kinds: dict[int, str] = {}
        self.templates: dict[int, tuple[str, tuple[str, ...]]] = {}

    def constant(self, value: float) -> str:
        self.constants.append(exact_float(value))
        return f"k{len(self.constants) - 1}"

    def _rule_name(self, rule: Rule) -> str:
        name = f"R{len(self.rules)}"
        self.rules[name] = rule
        return name

    def kind(self, rule: Rule) -> str:
        """"table" for a rule made from a one-line row of rules.TABLE (constants included),
        "sum"/"dot" for the engine's own list ops, "list" for its other list ops
        (logsumexp, softmax), "custom" for any other rule (an ``autograd_lite.op``)."""
        kind = self.kinds.get(id(rule))
        if kind is None:
            row = rules.row_of(rule)
            kind = "custom" if row is None else "table" if row[1] != "*xs" else \
                row[0] if row[0] in ("sum", "dot") else "list"
            self.kinds[id(rule)] = kind
        return kind

    def _table(self, rule: Rule, args: Sequence[str], out: str) -> tuple[tuple[str, tuple[str, ...]], list[str]]:
        """The forward and local texts of the row ``rule`` was made from, as templates, and
        what fills them: ``args`` for the row's inputs, ``k`` names for its constants, then ``out``."""
        texts = self.templates.get(id(rule))
        if texts is None:
            row = cast("tuple[str, ...]", rules.row_of(rule))  # kind "table": made from a row
            names = (*row[1].split(), *row[2].split(), "out")
            texts = template(row[3], names, self.dialect), tuple(template(s, names, self.dialect) for s in row[4:])
            self.templates[id(rule)] = texts
        return texts, [*args, *[self.constant(value) for value in rule.param_values], out]

    def _list_rule(self, rule: Rule) -> str:
        """The array dialects' twin of an engine list op: ``_LIST_OP_RULES[op, *constants]``,
        ``op`` the row's own name (from rules.TABLE), the constants read from ``C``."""
        row = cast("tuple[str, ...]", rules.row_of(rule))
        return f"_LIST_OP_RULES[{', '.join([repr(row[0]), *map(self.constant, rule.param_values)])},]"

    def forward(self, rule: Rule, args: Sequence[str], out: str) -> str:
        kind = self.kind(rule)
        if kind == "table":
            (forward, _), values = self._table(rule, args, out)
            return forward.format(*values)
        if kind == "sum":
            return f"_sum(({', '.join(args)},))"
        if kind == "dot":
            half = len(args) // 2
            return f"_sum(({', '.join(f'{w} * {x}' for w, x in zip(args[:half], args[half:]))},))"
        if kind == "custom":  # the user's own functions of floats, called per element in batch mode
            function = f"{self._rule_name(rule)}.forward"
            return f"{function}({', '.join(args)})" if self.dialect == "float" else \
                f"_elementwise({function}, 0)({', '.join(args)})"
        if self.dialect != "float":
            return f"{self._list_rule(rule)}.forward({', '.join(args)})"
        return f"{self._rule_name(rule)}.forward({', '.join(args)})"

    def locals(self, rule: Rule, args: Sequence[str], out: str) -> tuple[str | None, list[str]]:
        """One expression per edge, or (prelude statement, expressions) for the rules called."""
        kind = self.kind(rule)
        if kind == "table":
            (_, locals_), values = self._table(rule, args, out)
            return None, [text.format(*values) for text in locals_]
        if kind == "sum":
            return None, ["1.0"] * len(args)
        if kind == "dot":
            half = len(args) // 2
            return None, [*args[half:], *args[:half]]
        local_name = f"L{out[1:]}"
        if kind == "custom":
            function = f"{self._rule_name(rule)}.local"
            call = function if self.dialect == "float" else f"_elementwise({function}, {len(args)})"
        else:
            call = f"{self._list_rule(rule)}.local" if self.dialect != "float" else f"{self._rule_name(rule)}.local"
        prelude = f"{local_name} = {call}({', '.join((*args, out))})"
        return prelude, [f"{local_name}[{j}]" for j in range(len(args))]


def exact_float(value: object) -> float:
    """``value`` (a constant's number) as an exact float, without running any method of a
    subclass (a float subclass's arithmetic or ``__repr__`` is user code); an int (softmax's
    index) becomes its float."""
    if type(value) is float:
        return value
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, int):
        return float(int.__index__(value))
    raise TypeError(f"compile: a constant of the traced graph is a {type(value).__name__}, not a float; "
                    "a Value's data must be a float")


def generate(tape: Tape, dialect: str = "float", masked: bool = False, segment_lines: int | None = None
             ) -> tuple[Iterator[str], tuple[float, ...], dict[str, Rule]]:
    """The source of ``run(I, C)`` for ``tape`` (function definitions, from a generator),
    and the constants and rules it reads.

    ``masked``: each contribution ``local * adjoint`` whose local derivative is not a
    nonzero literal is written ``_masked(local, adjoint)``, which is nothing (0.0) when the
    local is a structural zero, even if the adjoint is nan or inf (the engine's rule; the
    float dialect only: batch mode computes such examples again in float mode).
    ``segment_lines``: split the body into functions of at most that many lines (see
    :mod:`.segments`); None means the module's default."""
    emit = Emitter(dialect)
    body: list[str] = []
    for i, (kind, rule, parents, data) in enumerate(tape.nodes):
        if kind == "input":
            body.append(f"v{i} = I[{parents}]")
        elif kind == "constant":
            body.append(f"v{i} = {emit.constant(data)}")
        else:
            body.append(f"v{i} = {emit.forward(rule, [f'v{p}' for p in parents], f'v{i}')}")
    # Each adjoint is one sum, written where its node leaves the eager engine's ready stack,
    # with its terms in the order the engine adds them: the same float operations, without
    # storing a partial sum per edge.
    terms: dict[int, list[str]] = {tape.root: ["1.0"]}
    for i, edges in tape.backward:
        body.extend(_sum_of(terms.pop(i), f"g{i}"))
        _, rule, parents, _ = tape.nodes[i]
        prelude, local_exprs = emit.locals(rule, [f"v{p}" for p in parents], f"v{i}")
        if prelude:
            body.append(prelude)
        for position, p in edges:
            terms.setdefault(p, []).append(_times(local_exprs[position], f"g{i}", masked))
    grads: list[str] = []
    for n in tape.grad_nodes:
        if n in terms:
            body.extend(_sum_of(terms.pop(n), f"g{n}"))
            grads.append(f"g{n}")
        else:
            grads.append("1.0" if n == tape.root else "0.0")
    body.append(f"return v{tape.root}, ({', '.join(grads)}{',' if grads else ''})")
    return segments.functions(body, len(emit.constants), segment_lines), tuple(emit.constants), emit.rules


def _sum_of(terms: list[str], name: str, chunk: int = 64) -> list[str]:
    """Lines ``name = 0.0 + t1 + t2 + ...``, as graph.propagate adds them; long sums
    continue on new lines, since the compiler recurses once per term."""
    if terms == ["1.0"]:
        return [f"{name} = 1.0"]
    return [f"{name} = " + " + ".join(["0.0", *terms[:chunk]])] + [
        f"{name} = {name} + " + " + ".join(terms[k:k + chunk]) for k in range(chunk, len(terms), chunk)]


def _times(local: str, grad: str, masked: bool) -> str:
    # 1.0 * g is exactly g and -1.0 * g exactly -g in IEEE arithmetic, signs of zero included
    # (not the sign of a nan: -g flips it, -1.0 * g keeps the operand's on x86).
    if local == "(1.0)" or local == "1.0":
        return grad
    if local == "(-1.0)":
        return f"-{grad}"
    return f"_masked({local}, {grad})" if masked else f"{local} * {grad}"


def build(tape: Tape, namespace: Mapping[str, Any], dialect: str = "float", segment_lines: int | None = None
          ) -> Evaluate:
    """Compile ``tape`` into a function ``evaluate(inputs)`` with ``namespace`` as its globals.

    The plain generated code runs first. Zero-masking can only matter where a zero local
    derivative meets a nan or inf adjoint, and without the mask that product is nan and
    reaches at least one returned gradient (every edge kept leads to one, and x * nan is
    nan). So only when a gradient is nan does the masked version run (built on first use);
    otherwise both give the same bits, and the common case pays nothing for the mask."""
    run, constants = _compiled(tape, namespace, dialect, False, segment_lines)
    masked: list[tuple[Run, tuple[float, ...]]] = []
    nan_if_any_nan: Callable[[Any], Any] = namespace.get("_nan_if_any_nan", builtins.sum)

    def evaluate(inputs: Sequence[Any], check_nan: bool = True) -> tuple[Any, tuple[Any, ...]]:
        value, grads = run(inputs, constants)
        if check_nan:
            check = nan_if_any_nan(grads)
            if check != check:
                return evaluate_masked(inputs)
        return value, grads

    def evaluate_masked(inputs: Sequence[Any]) -> tuple[Any, tuple[Any, ...]]:
        if not masked:
            masked.append(_compiled(tape, namespace, dialect, True, segment_lines))
        masked_run, masked_constants = masked[0]
        return masked_run(inputs, masked_constants)

    return evaluate  # the sources are not kept: at 10**6 nodes they are hundreds of MB


def _compiled(tape: Tape, namespace: Mapping[str, Any], dialect: str, masked: bool, segment_lines: int | None
              ) -> tuple[Run, tuple[float, ...]]:
    """The generated ``run`` and the constants it takes."""
    sources, constants, called_rules = generate(tape, dialect, masked, segment_lines)
    scope = dict(namespace, _sum=builtins.sum, _elementwise=_elementwise, **called_rules)
    segments.define(sources, scope, f"<autograd_lite.compile {dialect}>")
    return scope["run"], constants


def float_namespace() -> dict[str, Any]:
    """The rules' helpers, under the names the table's source text uses, and the mask."""
    helpers = {name: value for name, value in vars(rules).items()
               if (name.startswith("_") and not name.startswith("__")) or name.isupper()}
    # The sum of the gradients is nan if one is (or, rarely, for inf - inf: then the masked
    # code runs for nothing); builtins.sum is one C call, cheaper than any test per gradient.
    return dict(helpers, _masked=_masked, _nan_if_any_nan=builtins.sum)


def _masked(local: Any, grad: Any) -> Any:
    """The chain rule's contribution ``local * grad``; nothing (0.0) when local is a
    structural zero (``rules.ZERO``: the op is flat there), as in graph.propagate."""
    return 0.0 if local is ZERO else local * grad



@lru_cache(maxsize=256)
def _elementwise(function: Callable[..., Any], n_outputs: int) -> Callable[..., Any]:
    """``function`` of floats applied element by element to NumPy arrays (a custom op's own
    forward (``n_outputs`` 0: one array), or its local rule returning ``n_outputs``
    derivatives (a tuple of arrays), in batch mode): one Python call per example, exact."""
    import numpy

    if n_outputs == 0:
        return numpy.vectorize(function, otypes=[float])
    if n_outputs == 1:
        vectorized = numpy.vectorize(lambda *args: function(*args)[0], otypes=[float])
        return lambda *args: (vectorized(*args),)
    return numpy.vectorize(function, otypes=[float] * n_outputs)
