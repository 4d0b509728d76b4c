"""The kit against engines that misbehave (tests/engines/odd.py): whatever the engine does,
the kit finishes, blames the right op with the engine's own exception, and says "not
provided" only for ops that are absent or refused."""

import pytest
from conformance_support import QUICK, run_code

from autograd_lite.testing.conformance import check_engine
from autograd_lite.testing.conformance.check import Budget, chain_name
from autograd_lite.testing.conformance.report import FAILED
from engines import odd, recursive_sort


def check(V, budget=QUICK):
    checked = check_engine(V, budget=budget)
    assert "Traceback" not in str(checked)
    return checked


def failed_lines(checked):
    return {r.name: r.counterexample for r in checked.failures}


def test_a_first_lecture_engine_passes_with_everything_else_not_provided():
    checked = check(odd.OnlyAddAndMultiply)
    assert checked.passed
    assert "a.tanh()" in checked.not_provided and "n + a" in checked.not_provided
    assert checked.result("a.tanh()").detail == "no method tanh"
    # Value + 2.0 raises AttributeError ('float' has no .data): the engine does not take numbers
    assert "AttributeError" in checked.result("a + n").detail
    assert len(checked.not_provided) == 22


def test_an_op_that_exists_but_computes_the_wrong_value_fails_and_is_not_called_missing():
    checked = check(odd.WrongExp)
    assert checked.result("a.exp()").status == FAILED
    counterexample = checked.result("a.exp()").counterexample
    assert counterexample.code.splitlines()[-1] == "# y.data is 2.0, expected 1.0"
    assert run_code(counterexample.code, odd.WrongExp, "WrongExp")["y"].data == 2.0


@pytest.mark.parametrize("V, op, shown", [
    (odd.ExpRaises, "a.exp()", "# x0.exp() raised ZeroDivisionError: exp is broken"),
    (odd.CosExits, "a.cos()", "# x0.cos() raised SystemExit: cos calls sys.exit"),
    (odd.LogRaisesBadMessage, "a.log()", "# x0.log() raised BadMessage: <the exception's message could not be shown>"),
    (odd.RsubReturnsFloat, "n - a", "# 2.0 - x0 returned a float, not a RsubReturnsFloat (no .data, .grad and .backward)"),
    (odd.AttributesRaise, "a.tanh()", "# AttributesRaise(0.5).tanh raised RuntimeError: no attributes for you"),
])
def test_an_engine_that_raises_inside_an_op_is_reported_with_the_op_and_its_exception(V, op, shown):
    checked = check(V)
    assert checked.result(op).status == FAILED
    assert checked.result(op).counterexample.code.splitlines()[-1] == shown
    assert checked.result("a + b").status == "passed"  # the rest is still checked


def test_an_op_that_hangs_is_stopped_and_reported():
    checked = check(odd.SinHangs, QUICK._replace(call_time_limit=0.5))
    assert failed_lines(checked).keys() == {"a.sin()"}
    assert "x0.sin() did not finish within 0.5 s" in checked.result("a.sin()").counterexample.code


def test_a_nan_gradient_fails_and_the_json_report_stays_valid_json():
    import json

    checked = check(odd.NanGradient)
    assert failed_lines(checked).keys() == {"a.sqrt()"}
    data = json.loads(checked.to_json())
    sqrt = next(r for r in data["results"] if r["name"] == "a.sqrt()")
    assert sqrt["counterexample"]["actual"] == {"x0.grad": "nan"}


def test_a_deep_chain_that_never_finishes_is_killed_after_the_time_limit():
    checked = check(odd.BackwardHangsOnBigGraphs, QUICK._replace(chain_time_limit=3.0))
    name = chain_name(QUICK.chain_depths)
    assert failed_lines(checked).keys() == {name}
    assert checked.result(name).counterexample.error == "no result within 3 s (the process was stopped)"


def test_a_class_defined_in_a_function_gets_its_deep_chain_checked_in_a_fork():
    class LocalRecursive(recursive_sort.Value):
        pass

    checked = check(LocalRecursive, Budget(op_examples=2, graph_examples=2, twice_examples=2, chain_depths=(2_000,)))
    assert "RecursionError" in checked.result(chain_name((2_000,))).counterexample.error


def test_a_constructor_that_raises_is_one_failed_line():
    checked = check(odd.ConstructorRaises)
    assert [r.status for r in checked.results] == [FAILED]
    assert checked.failures[0].counterexample.error == "ConstructorRaises(0.5) raised ValueError: no Values today"


def test_prints_inside_the_engine_do_not_reach_stdout(capsys):
    assert check(odd.Noisy).passed
    assert capsys.readouterr().out == ""


def test_not_a_class_is_a_type_error():
    with pytest.raises(TypeError, match="takes the engine's Value class"):
        check_engine(lambda x: x)


def test_the_default_run_is_derandomized_the_same_report_twice():
    budget = QUICK._replace(op_examples=10, graph_examples=30, chain_depths=())
    first, second = (check_engine(odd.WrongExp, budget=budget) for _ in range(2))
    assert str(first) == str(second)
    assert first.result("a.exp()").status == FAILED and first.not_provided == []


def test_a_time_limit_inside_the_kit_leaves_an_alarm_set_by_the_caller_running():
    """pytest-timeout (and a caller's own code) may use SIGALRM too."""
    import signal

    from autograd_lite.testing.conformance.sandbox import EngineError, guarded

    fired = []

    def callers_handler(*args):
        fired.append(True)

    previous = signal.signal(signal.SIGALRM, callers_handler)
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        with pytest.raises(EngineError, match="did not finish within 0.2 s"):
            guarded(lambda: odd.SinHangs(0.5).sin(), "x0.sin()", 0.2)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < remaining <= 30.0
        assert signal.getsignal(signal.SIGALRM) is callers_handler and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_an_op_that_recurses_forever_is_a_recursion_error_even_under_a_raised_limit():
    import sys

    original = sys.getrecursionlimit()
    sys.setrecursionlimit(200_000)  # enough to overflow the C stack if the kit kept it
    try:
        checked = check(odd.NegRecursesForever)
        assert sys.getrecursionlimit() == 200_000
    finally:
        sys.setrecursionlimit(original)
    assert checked.result("-a").counterexample.error.startswith("-x0 raised RecursionError")


def test_a_graph_sympy_cannot_finish_in_time_is_not_judged(monkeypatch):
    import time

    from autograd_lite.testing.conformance import properties

    def stuck(expression):
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(properties, "exact_gradient", stuck)
    oracle = properties.Oracle(time_limit=0.2)
    from autograd_lite.testing.expression import Expression

    assert oracle(Expression([0.5], [("tanh", (0,))])) is None
