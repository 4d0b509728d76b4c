"""check_engine: detect the ops, search each property, collect the report."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, NamedTuple

from .deep_chain import chain_lines, importable_name
from .detection import Detection, core_attributes, detect
from .loading import source_of, target_for
from .program import FORMS, Form
from .properties import (BackwardTwice, Counterexample, Engine, Oracle, judge_gradient, one_op_programs, programs,
                         search)
from .probes import fan_out_probes, first_failure
from .report import FAILED, NOT_PROVIDED, PASSED, SKIPPED, Report, Result
from .sandbox import BudgetSpent, EngineError, EngineGone, Raised, TimeUp, guarded
from .session import Session, Target
from .words import one_line, plain_name


class Budget(NamedTuple):
    """How hard to search: examples per op and per property, graph size, time limits (s)."""

    op_examples: int = 40
    graph_examples: int = 200
    twice_examples: int = 100
    max_size: int = 6
    chain_depths: tuple[int, ...] = (10_000, 100_000)
    chain_time_limit: float = 30.0
    call_time_limit: float = 5.0
    total_time_limit: float = 120.0  # the whole check, deep chain included


DEFAULT = Budget()
THOROUGH = Budget(op_examples=400, graph_examples=3000, twice_examples=1000, max_size=10, chain_time_limit=120.0,
                  total_time_limit=900.0)
CORE = ("a + b", "a * b")
SHARED_ORACLE = Oracle()  # sympy's answers depend on the graph only: every check may reuse them
TREES = "random graphs without fan-out (trees)"
FAN_OUT = "fan-out: a node used twice or more (a + a, a * a, diamonds)"
TWICE = "a second backward() gives leaves exactly 2x (accumulate) or 1x (reset)"


def chain_name(depths: Sequence[int]) -> str:
    return "gradient through a chain " + " and ".join(f"{d:,}" for d in depths) + " ops deep"


def engine_name(V: Any) -> str:
    name = importable_name(V)
    return f"{name[0]}:{name[1]}" if name else plain_name(V)


def check_engine(engine: type | str, *, thorough: bool = False, name: str | None = None,
                 budget: Budget | None = None, path: str | None = None, installed: bool = False,
                 data_attr: str | None = None) -> Report:
    """Check a micrograd-style engine and return a :class:`Report`.

    ``engine`` is the Value class, or ``"module:Class"``: then it is found in the folder
    ``path`` (default: the current one), folders without ``__init__.py`` included, and a
    module found anywhere else is refused (an :class:`EngineLoadError` naming the file),
    unless ``installed=True``. The engine runs in a sandboxed process of its own: nothing
    it does changes this process or the verdicts (see docs/conformance.md).

    The class needs ``Value(x)``, ``.data``, ``.grad``, ``.backward()`` and ``+`` and ``*``
    between Values; every other op (``- / ** tanh exp log relu sigmoid sin cos sqrt``,
    unary minus, numbers on either side) is detected and checked if present.
    ``thorough=True`` searches about ten times longer. ``name`` is what the report calls
    the engine (default ``module:Class``). ``budget`` (a :class:`Budget`) overrides both
    presets. ``data_attr`` names the attribute that holds a node's number (default: the
    first of ``data``, ``value``, ``val``, ``_data``, ``_value`` that does). The default run
    is derandomized: the same engine gets the same report.
    """
    if not isinstance(engine, str) and not inspect.isclass(engine):
        raise TypeError(f"check_engine takes the engine's Value class or 'module:Class', got "
                        f"{type(engine).__name__} {engine!r}")
    if data_attr is not None and not (isinstance(data_attr, str) and data_attr.isidentifier()):
        raise ValueError(f"data_attr must be an attribute name such as 'value', got {data_attr!r}")
    budget = budget or (THOROUGH if thorough else DEFAULT)
    source: dict[str, str] | None
    if isinstance(engine, str):
        target, source = target_for(engine, path, installed)
        name = name or engine.strip()
    else:
        found = importable_name(engine)
        target = Target(*found) if found else Target(cls=engine)
        source = source_of(engine)
        name = name or engine_name(engine)
    with Session(target, budget.call_time_limit, budget.total_time_limit) as session:
        if isinstance(engine, str):  # a load failure is an EngineLoadError, as load_engine's
            from .loading import start_or_explain
            start_or_explain(session, engine)
        cls = plain_name(_Named(session.class_name) if isinstance(engine, str) else engine)
        report = _check(Engine(session.V, cls, budget.call_time_limit), one_line(name), budget, session, data_attr)
    report.source = source
    return report


class _Named:
    """Something whose ``__name__`` is the engine's class name, as the child reported it."""

    def __init__(self, name: object) -> None:
        self.__name__ = name


def _check(engine: Engine, name: str, budget: Budget, session: Session, data_attr: str | None) -> Report:
    ValueClass = engine.V
    data, core_error = core_attributes(ValueClass, engine.cls, engine.time_limit, data_attr)
    if core_error is not None:
        lines = (f"x0 = {engine.cls}(0.5)",)
        return Report(name, [Result(f"{engine.cls}(x) with .{data_attr or 'data'}, .grad and .backward()", "op",
                                    FAILED, counterexample=Counterexample(lines, (f"# {core_error}",),
                                                                          error=core_error, diagnosis=core_error))])
    engine = engine._replace(data=data)
    oracle = SHARED_ORACLE
    results = [_check_op(engine, form, detection, budget, oracle, session)
               for form, detection in zip(FORMS, detect(ValueClass, engine.cls, engine.time_limit, data).values())]
    usable = {r.name for r in results if r.status == PASSED}
    properties, mode = _check_properties(engine, usable, budget, oracle, session)
    return Report(name, results + properties, mode)


def _out_of_time(name: str, kind: str, session: Session) -> Result | None:
    if not session.expired:
        return None
    why = f"not checked: the check's time budget of {session.total_limit:g} s ran out"
    return Result(name, kind, FAILED, counterexample=Counterexample((), (f"# {why}",), error=why))


def _check_op(engine: Engine, form: Form, detection: Detection, budget: Budget, oracle: Oracle,
              session: Session) -> Result:
    late = _out_of_time(form.name, "op", session)
    if late is not None:
        return late
    if detection.status == NOT_PROVIDED and form.name not in CORE:
        return Result(form.name, "op", NOT_PROVIDED, detection.reason)
    if detection.status != "provided":
        reason = detection.reason if form.name not in CORE else f"required, but {detection.reason}"
        return Result(form.name, "op", FAILED, counterexample=Counterexample(
            detection.lines, (f"# {reason}",), error=detection.reason))
    found = search(one_op_programs(form), judge_gradient(engine, oracle), budget.op_examples)
    return Result(form.name, "op", PASSED if found is None else FAILED, counterexample=found)


def _check_properties(engine: Engine, usable: set[str], budget: Budget, oracle: Oracle,
                      session: Session) -> tuple[list[Result], str | None]:
    results: list[Result] = []
    mode: str | None = None
    if not set(CORE) <= usable:
        why = "needs a + b and a * b to pass first"
        results += [Result(TREES, "property", SKIPPED, why), Result(FAN_OUT, "property", SKIPPED, why),
                    Result(TWICE, "property", SKIPPED, why)]
    else:
        # an op whose only usable form cannot write every param (a / n: 1/3) is left out
        ops = sorted({form.op for form in FORMS if form.name in usable and form.fits is None})
        size = budget.max_size
        for title, sharing, fan_out in ((TREES, 0.0, False), (FAN_OUT, 0.6, True)):
            late = _out_of_time(title, "property", session)
            if late is not None:
                results.append(late)
                continue
            judge = judge_gradient(engine, oracle, fan_out)
            # fan-out: fixed probes (f(x) * x, f(x) + f(x), x op x) first, then the random search
            found = (first_failure(fan_out_probes(usable), judge) if fan_out else None) or search(
                programs(ops, usable, size, sharing), judge, budget.graph_examples)
            results.append(Result(title, "property", PASSED if found is None else FAILED, counterexample=found))
        late = _out_of_time(TWICE, "property", session)
        twice = BackwardTwice(engine)
        found = late.counterexample if late else search(programs(ops, usable, min(size, 5), 0.3), twice,
                                                        budget.twice_examples)
        mode = twice.mode if found is None else None
        detail = {"accumulate": "(it accumulates)", "reset": "(it resets)"}.get(mode or "", "")
        results.append(Result(TWICE, "property", PASSED if found is None else FAILED, detail, found))
    if budget.chain_depths:
        title = chain_name(budget.chain_depths)
        results.append(_out_of_time(title, "property", session) or _check_chain(engine, usable, budget, session))
    return results, mode


def run_chain(session: Session, depth: int, lifted: bool, time_limit: float) -> dict[str, Any]:
    """``{"grad": x0.grad}`` or ``{"error": one line}``, from the engine's process."""
    try:
        return {"grad": session.chain(depth, lifted, time_limit)}
    except Raised as error:
        return {"error": f"{error.where} raised {error}"}
    except TimeUp:
        return {"error": f"no result within {time_limit:g} s (the process was stopped)"}
    except (BudgetSpent, EngineGone) as error:
        return {"error": str(error)}


def _check_chain(engine: Engine, usable: set[str], budget: Budget, session: Session) -> Result:
    title = chain_name(budget.chain_depths)
    lifted = "a + n" not in usable
    for depth in budget.chain_depths:
        outcome = run_chain(session, depth, lifted, budget.chain_time_limit)
        lines = tuple(chain_lines(engine.cls, depth, lifted))
        if "error" in outcome:
            comment = f"# {outcome['error']}"
            if "RecursionError" in comment:
                comment += " (Python's default limit is 1000 frames: sort the graph without recursion)"
            return Result(title, "property", FAILED, counterexample=Counterexample(lines, (comment,),
                                                                                   error=outcome["error"]))
        if outcome["grad"] != 1.0:
            comment = f"# x0.grad is {outcome['grad']!r}, expected 1.0"
            return Result(title, "property", FAILED, counterexample=Counterexample(
                lines, (comment,), {"x0.grad": outcome["grad"]}, {"x0.grad": 1.0}))
    return Result(title, "property", PASSED)
