"""The properties, each a derandomized hypothesis search for a counterexample.

Every gradient is judged against sympy's exact derivative of the same graph
(:mod:`autograd_lite.testing.oracle`), which shares no code with any engine. A search
returns ``None`` or the smallest :class:`Counterexample` hypothesis could shrink to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from hypothesis import HealthCheck, Phase, Verbosity, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, NoSuchExample

from ..expression import OPS
from ..oracle import exact_gradient
from ..strategies import expressions
from .program import Program, choose_forms
from .sandbox import EngineError, guarded, to_float
from .words import NOT_RESET, COMPOSED, error_sentence, expected_text, fan_out_sentence, one_line, op_sentence, twice_sentence

if TYPE_CHECKING:
    from ..expression import Expression
    from .program import Form

Judge = Callable[[Any], "Counterexample | None"]

RTOL = 1e-7            # an engine's float rounding, relative to the gradient's scale
TWICE_RTOL = 1e-9      # 2x or 1x after a second backward(): the same sums again
MAX_NODE_MAGNITUDE = 100.0  # keeps e.g. a textbook tanh via math.exp(2*x) from overflowing
_POSITIVE_DOMAIN = {"log", "sqrt", "**"}


class Counterexample(NamedTuple):
    """Runnable ``lines`` and what they show: ``comments`` for the reader, ``actual`` and
    ``expected`` as ``{"x0.grad": number}``; ``error`` when the engine raised;
    ``diagnosis``, one sentence on what is wrong in the engine."""

    lines: tuple[str, ...]
    comments: tuple[str, ...]
    actual: dict[str, Any] = {}
    expected: dict[str, Any] = {}
    error: str | None = None
    diagnosis: str = ""

    @property
    def code(self) -> str:
        """The lines and the comments; each comment one printable line, whatever the engine said."""
        return "\n".join((*self.lines, *(one_line(comment) for comment in self.comments)))

    @property
    def op_count(self) -> int:
        """How many ops the code applies (a loop counts once)."""
        return sum(1 for line in self.lines if re.match(r"\s*(v\d+|y) = ", line) and not re.match(r"y = x\d+$", line))


class Engine(NamedTuple):
    """The class under test, the name its code is printed with (a plain identifier), the
    per-call time limit, and the attribute that holds a node's number (``data``, ``value``...)."""

    V: Any
    cls: str
    time_limit: float
    data: str = "data"


def search(strategy: Any, judge: Judge, examples: int) -> Counterexample | None:
    """The shrunk counterexample that ``judge`` (case -> Counterexample or None) finds
    among ``examples`` derandomized draws of ``strategy``, or None."""
    found: dict[Any, tuple[Any, Counterexample]] = {}

    def bad(case: Any) -> bool:
        outcome = judge(case)
        if outcome is not None:
            found[id(case)] = (case, outcome)
            found["last"] = (case, outcome)
        return outcome is not None

    # From hypothesis's own defaults, not the caller's profile: the same engine must get the
    # same report under pytest, in CI and from the command line.
    options = settings(settings.get_profile("default"), max_examples=examples, derandomize=True, database=None,
                       deadline=None, phases=list(Phase), suppress_health_check=list(HealthCheck),
                       verbosity=Verbosity.quiet)
    try:
        case = find(strategy, bad, settings=options)
    except NoSuchExample:
        return None
    except HypothesisException:  # e.g. an engine that fails only sometimes confuses shrinking
        return found["last"][1] if "last" in found else None
    return found[id(case)][1] if id(case) in found else found["last"][1]


def programs(ops: Sequence[str], usable: Iterable[str], max_size: int, sharing: float,
             n_leaves: tuple[int, int] = (1, 3), min_value: float = -3.0, max_value: float = 3.0) -> Any:
    """Programs over the Expression ``ops``, each instruction written in one of the
    ``usable`` forms (chosen by a drawn integer, so shrinking goes to the first form)."""
    graphs = expressions(ops=ops, n_leaves=n_leaves, max_size=max_size, sharing=sharing,
                         min_value=min_value, max_value=max_value)
    choices = st.lists(st.integers(0, 2), min_size=max_size, max_size=max_size)
    return st.tuples(graphs, choices).map(lambda pair: Program(pair[0], choose_forms(pair[0], usable, pair[1])))


def one_op_programs(form: Form) -> Any:
    """The op alone on its own leaves (one per operand), inside its domain."""
    arity = cast(int, OPS[form.op].arity)  # every form's op takes a fixed number of operands
    low = 0.1 if form.op in _POSITIVE_DOMAIN else -3.0
    graphs = expressions(ops=[form.op], n_leaves=arity, max_size=1, sharing=0.0, min_value=low, max_value=3.0)
    fits = form.fits
    if fits is not None:
        graphs = graphs.filter(lambda ex: all(fits(ins.param) for ins in ex.instructions))
    return graphs.map(lambda ex: Program(ex, [form] * ex.size))


class Oracle:
    """sympy's exact value and gradient, cached (shrinking revisits graphs).

    sympy can take minutes, and gigabytes, on a rare graph (nested powers of powers); after
    ``time_limit`` seconds that graph is not judged rather than stalling the kit."""

    def __init__(self, time_limit: float = 10.0) -> None:
        self.cache: dict[Any, tuple[float, list[float]] | None] = {}
        self.time_limit = time_limit

    def __call__(self, expression: Expression) -> tuple[float, list[float]] | None:
        key = (tuple(expression.inputs), expression.instructions)
        if key not in self.cache:
            try:
                value, gradient = guarded(lambda: exact_gradient(expression), "sympy", self.time_limit)
                finite = all(math.isfinite(x) for x in (value, *gradient))
                self.cache[key] = (value, gradient) if finite else None
            except EngineError:  # an oracle problem is ours: the example is not judged
                self.cache[key] = None
        return self.cache[key]


def _node_values(expression: Expression) -> list[float]:
    values = list(expression.inputs)
    for ins in expression.instructions:
        values.append(float(OPS[ins.op].on_floats([values[i] for i in ins.args], ins.param)))
    return values


def _close(actual: float, expected: float, scale: float, rtol: float) -> bool:
    return math.isfinite(actual) and abs(actual - expected) <= rtol * (abs(expected) + scale)


def _raised(lines: Iterable[str], error: EngineError) -> Counterexample:
    return Counterexample(tuple(lines), (f"# {error}",), error=str(error), diagnosis=error_sentence(str(error)))


def judge_gradient(engine: Engine, oracle: Oracle, fan_out: bool | None = None) -> Judge:
    """A judge: the program's value and every leaf's gradient must match sympy. With
    ``fan_out`` True (False) only graphs with (without) a node used twice are judged."""

    data = engine.data

    def sentence(wrong: dict[str, tuple[float, float]], program: Program) -> str:
        ex = program.expression
        if fan_out is None:  # the op alone
            return op_sentence(program.forms[0].name, wrong, ex.instructions[0].args)
        if not fan_out or "y.data" in wrong:
            return COMPOSED
        return fan_out_sentence(ex, {int(name[1:].split(".")[0]): got for name, (got, _) in wrong.items()})

    def judge(program: Program) -> Counterexample | None:
        ex = program.expression
        if fan_out is not None and ex.has_fan_out() != fan_out:
            return None
        if any(abs(v) > MAX_NODE_MAGNITUDE for v in _node_values(ex)):
            return None
        exact = oracle(ex)
        if exact is None:
            return None
        expected_value, expected_grads = exact
        lines = program.lines(engine.cls)
        try:
            leaves, out = program.run(engine.V, engine.cls, engine.time_limit)
            value = to_float(guarded(lambda: getattr(out, data), f"y.{data}", engine.time_limit), f"y.{data}")
        except EngineError as error:
            return _raised(getattr(error, "lines", lines), error)
        if not _close(value, expected_value, 1.0, RTOL):
            return Counterexample(tuple(lines), (f"# y.{data} is {value!r}, expected {expected_value!r}",),
                                  {f"y.{data}": value}, {f"y.{data}": expected_value},
                                  diagnosis=sentence({"y.data": (value, expected_value)}, program))
        lines = [*lines, "y.backward()"]
        try:
            guarded(out.backward, "y.backward()", engine.time_limit)
            grads = [to_float(guarded(lambda: leaf.grad, f"x{i}.grad", engine.time_limit), f"x{i}.grad")
                     for i, leaf in enumerate(leaves)]
        except EngineError as error:
            return _raised(lines, error)
        scale = 1.0 + max(abs(g) for g in expected_grads)
        wrong = [i for i, (got, want) in enumerate(zip(grads, expected_grads)) if not _close(got, want, scale, RTOL)]
        if not wrong:
            return None
        return Counterexample(
            tuple(lines), tuple(f"# x{i}.grad is {grads[i]!r}, expected {expected_grads[i]!r}" for i in wrong),
            {f"x{i}.grad": grads[i] for i in wrong}, {f"x{i}.grad": expected_grads[i] for i in wrong},
            diagnosis=sentence({f"x{i}.grad": (grads[i], expected_grads[i]) for i in wrong}, program))

    return judge


class BackwardTwice:
    """A judge for a second ``y.backward()``: every leaf's gradient must become exactly 2x
    (it accumulates) or exactly 1x (it resets) what the first call gave, the same way on
    every graph. ``mode`` is the behaviour seen: "accumulate", "reset" or None."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.mode: str | None = None

    def __call__(self, program: Program) -> Counterexample | None:
        engine = self.engine
        if program.expression.size == 0:  # y = x0: the output is a leaf, nothing to propagate
            return None
        if any(abs(v) > MAX_NODE_MAGNITUDE for v in _node_values(program.expression)):
            return None
        lines = [*program.lines(engine.cls), "y.backward()"]
        try:
            leaves, out = program.run(engine.V, engine.cls, engine.time_limit)
            guarded(out.backward, "y.backward()", engine.time_limit)
            first = self._grads(leaves)
            lines.append("y.backward()")
            guarded(out.backward, "the second y.backward()", engine.time_limit)
            second = self._grads(leaves)
        except EngineError as error:
            return _raised(lines, error)
        modes = [self._mode(g1, g2) for g1, g2 in zip(first, second)]
        if None in modes:
            return self._failure(program, lines, modes.index(None), first, second, None)
        definite = [(i, m) for i, m in enumerate(modes) if m != "either"]
        mode = self.mode or (definite[0][1] if definite else None)
        for i, m in definite:
            if m != mode:
                return self._failure(program, lines, i, first, second, mode)
        self.mode = mode
        return None

    def _failure(self, program: Program, lines: Sequence[str], i: int, first: Sequence[float],
                 second: Sequence[float], other_mode: str | None) -> Counterexample:
        comment = f"# x{i}.grad is {second[i]!r} after the second y.backward(): "
        if other_mode is None:
            comment += expected_text([(2 * first[i], "accumulate"), (first[i], "reset")])
            diagnosis = twice_sentence(program.expression, second, mixed=False)
            if diagnosis != NOT_RESET and self._keeps_intermediate_grads():
                diagnosis = NOT_RESET
        else:  # 2x or 1x here, but the other one elsewhere
            expected = 2 * first[i] if other_mode == "accumulate" else first[i]
            comment += f"expected {expected!r} ({other_mode}, as on other graphs)"
            diagnosis = twice_sentence(program.expression, second, mixed=True)
        return Counterexample(tuple(lines), (comment,), {f"x{i}.grad": second[i]},
                              {f"x{i}.grad": [2 * first[i], first[i]]}, diagnosis=diagnosis)

    def _keeps_intermediate_grads(self) -> bool:
        """Whether the engine, on a graph of ``+`` and ``*`` between Values only (where no
        engine builds hidden nodes), does what keeping the intermediate grads predicts. The
        failing graph itself may hide nodes (micrograd's ``a - b`` is ``a + (-b)``)."""
        from ..expression import Expression, Instruction

        graph = Expression([1.5, -0.5], [Instruction("*", (0, 1)), Instruction("+", (2, 0)), Instruction("*", (3, 2))])
        probe = Program(graph, choose_forms(graph, ["a + b", "a * b"]))
        try:
            leaves, out = probe.run(self.engine.V, self.engine.cls, self.engine.time_limit)
            guarded(out.backward, "y.backward()", self.engine.time_limit)
            guarded(out.backward, "y.backward()", self.engine.time_limit)
            second = self._grads(leaves)
        except EngineError:
            return False
        return twice_sentence(probe.expression, second, mixed=False) == NOT_RESET

    def _grads(self, leaves: Sequence[Any]) -> list[float]:
        engine = self.engine
        return [to_float(guarded(lambda: leaf.grad, f"x{i}.grad", engine.time_limit), f"x{i}.grad")
                for i, leaf in enumerate(leaves)]

    @staticmethod
    def _mode(first: float, second: float) -> str | None:
        if first == 0.0 and second == 0.0:
            return "either"
        if _close(second, 2.0 * first, 0.0, TWICE_RTOL):
            return "accumulate"
        if _close(second, first, 0.0, TWICE_RTOL):
            return "reset"
        return None
