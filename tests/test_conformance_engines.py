"""The conformance kit on its validation set (default, derandomized runs):

* autograd-lite's own Value and a correct iterative engine pass everything;
* micrograd 0.1.0 from PyPI: its gradients pass, the deep chain and the second backward()
  fail, and the ops it lacks are "not provided";
* five planted-bug engines (tests/engines/) are each caught, on the line of the bug only, with
  a counterexample of at most 3 ops whose printed code, run against the engine, shows the
  wrong number; the expected number is right (a correct engine computes it).
"""

import math

import pytest
from conformance_support import engine, report, run_code

from autograd_lite.testing.conformance.check import FAN_OUT, TREES, TWICE, chain_name
from autograd_lite.testing.conformance.words import MIXED, NOT_RESET, OVERWRITTEN, RECURSIVE

CHAIN = chain_name((10_000, 100_000))
ALL_LINES = 28  # 24 op forms and 4 properties
CORRECT = engine("engines.iterative:Value")


@pytest.mark.parametrize("spec", ["autograd_lite:Value", "engines.iterative:Value"])
def test_a_correct_engine_passes_every_line_and_its_leaves_accumulate(spec):
    checked = report(spec)
    assert checked.passed, str(checked)
    assert [r.status for r in checked.results] == ["passed"] * ALL_LINES
    assert checked.not_provided == []
    assert checked.backward_twice == "accumulate"


def test_micrograd_gradients_pass_but_deep_chains_and_a_second_backward_fail():
    checked = report("micrograd.engine:Value")
    assert not checked.passed
    assert {r.name for r in checked.failures} == {TWICE, CHAIN}
    assert checked.not_provided == ["a ** b", "a.tanh()", "a.exp()", "a.log()", "a.sigmoid()", "a.sin()",
                                    "a.cos()", "a.sqrt()", "n ** a"]
    for name in ("a + b", "a * b", "a - b", "a / b", "-a", "a ** n", "a.relu()", "n - a", "n / a", TREES, FAN_OUT):
        assert checked.result(name).status == "passed"
    assert "RecursionError" in checked.result(CHAIN).counterexample.error
    assert checked.backward_twice is None
    assert "only supporting int/float powers" in checked.result("a ** b").detail


def test_micrograd_second_backward_counterexample_reproduces_and_the_readme_gives_1852():
    from micrograd.engine import Value

    failure = checked_failure("micrograd.engine:Value", TWICE)
    assert failure.op_count <= 3
    assert_reproduces(failure, Value)
    # micrograd's README expression: 138.8338 after one backward() (the README's own number),
    # and a second backward() gives neither 2x nor 1x of it.
    a, b = Value(-4.0), Value(2.0)
    c, d = a + b, a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    g.backward()
    assert a.grad == pytest.approx(1852.2653, abs=1e-4)


PLANTED = [
    ("engines.assign_not_accumulate:Value", {FAN_OUT, TWICE}, FAN_OUT),
    ("engines.tanh_one_minus_t:Value", {"a.tanh()"}, "a.tanh()"),
    ("engines.wrong_power:Value", {"a ** n", "a / b", "n / a"}, "a ** n"),  # its / is x * y**-1
    ("engines.rsub_sign:Value", {"n - a"}, "n - a"),
    ("engines.recursive_sort:Value", {CHAIN}, CHAIN),
]

DIAGNOSES = {
    "engines.assign_not_accumulate:Value": {FAN_OUT: OVERWRITTEN, TWICE: MIXED},
    "engines.tanh_one_minus_t:Value": {"a.tanh()": "the local derivative in a.tanh()'s backward is wrong"},
    "engines.wrong_power:Value": {"a ** n": "the local derivative in a ** n's backward is wrong",
                                  "a / b": "the local derivative in a / b's backward is wrong for its second operand",
                                  "n / a": "the local derivative in n / a's backward is wrong"},
    "engines.rsub_sign:Value": {"n - a": "n - a computes the wrong value"},
    "engines.recursive_sort:Value": {CHAIN: RECURSIVE},
    "engines.log_assign:Value": {FAN_OUT: OVERWRITTEN},  # its second backward() line: see the report
    "micrograd.engine:Value": {TWICE: NOT_RESET, CHAIN: RECURSIVE},
}


@pytest.mark.parametrize("spec", DIAGNOSES, ids=[s.split(".")[-1].split(":")[0] for s in DIAGNOSES])
def test_each_failure_says_in_one_sentence_what_is_wrong_in_the_engine(spec):
    checked = report(spec)
    assert {name: checked.result(name).diagnosis for name in DIAGNOSES[spec]} == DIAGNOSES[spec]
    for r in checked.failures:  # printed right under the failed line
        shown = str(checked).splitlines()
        assert shown[shown.index(f"  failed        {r.name}") + 1].strip() == r.diagnosis


@pytest.mark.parametrize("spec, failing, bug", PLANTED, ids=[p[0].split(".")[1].split(":")[0] for p in PLANTED])
def test_a_planted_bug_fails_its_own_lines_only_with_a_small_counterexample(spec, failing, bug):
    checked = report(spec)
    assert {r.name for r in checked.failures} == failing, str(checked)
    assert checked.failures and not checked.passed
    assert checked.result(bug).counterexample.op_count <= 3


@pytest.mark.parametrize("spec, bug", [(s, b) for s, _, b in PLANTED if b != CHAIN])
def test_the_printed_counterexample_runs_and_shows_the_wrong_gradient(spec, bug):
    assert_reproduces(checked_failure(spec, bug), engine(spec))


def test_the_deep_chain_counterexample_runs_into_the_recursion_limit():
    failure = checked_failure("engines.recursive_sort:Value", CHAIN)
    assert "for _ in range(10000):" in failure.code
    with pytest.raises(RecursionError):
        run_code(failure.code, engine("engines.recursive_sort:Value"))
    run_code(failure.code, CORRECT)  # the same code is fine on an iterative engine


def checked_failure(spec, name):
    result = report(spec).result(name)
    assert result.status == "failed"
    return result.counterexample


def assert_reproduces(counterexample, V):
    """Run the printed code on the engine: every number it names is the engine's (actual),
    and a correct engine computes the expected one instead."""
    assert counterexample.actual, counterexample.code
    buggy, right = run_code(counterexample.code, V), run_code(counterexample.code, CORRECT)
    for where, actual in counterexample.actual.items():
        node, attribute = where.split(".")
        assert getattr(buggy[node], attribute) == actual
        expected = counterexample.expected[where]
        if isinstance(expected, list):  # the second backward(): accumulate (2x) or reset (1x)
            assert getattr(right[node], attribute) == pytest.approx(expected[0])
            assert all(not math.isclose(actual, e, rel_tol=1e-9) for e in expected)
        else:
            assert getattr(right[node], attribute) == pytest.approx(expected, rel=1e-9, abs=1e-12)
            assert not math.isclose(actual, expected, rel_tol=1e-6)
