"""The conformance kit's probes and words: fixed fan-out probes catch a `=` in one op's
backward at once; `.value` and `.val` engines are checked, and a class without a number,
grad or backward is told exactly which; every failure says in one sentence what is wrong,
never "expected 0.0 or 0.0"; nothing an engine names reaches a counterexample's code; the
report does not depend on hash randomization."""

import csv
import math
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conformance_support import QUICK

from autograd_lite.testing.conformance import check, check_engine
from autograd_lite.testing.conformance.check import FAN_OUT, TWICE
from autograd_lite.testing.conformance.cli import main
from autograd_lite.testing.conformance.properties import BackwardTwice, Engine
from autograd_lite.testing.conformance.words import OVERWRITTEN, expected_text
from autograd_lite.testing.expression import Expression
from autograd_lite.testing.conformance.program import Program, choose_forms
from engines import iterative, log_assign, odd, value_attr

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
NO_CHAIN = QUICK._replace(chain_depths=())


def test_a_log_whose_backward_assigns_is_caught_by_the_fixed_probe_log_x_times_x(monkeypatch):
    started = time.monotonic()
    checked = check_engine(log_assign.Value, budget=NO_CHAIN)
    elapsed = time.monotonic() - started
    fan_out = checked.result(FAN_OUT)
    assert fan_out.status == "failed" and fan_out.diagnosis == OVERWRITTEN
    assert "overwritten instead of added" in str(checked).split(FAN_OUT)[1].splitlines()[1]
    # hand-derived: d/dx (log(x) * x) = log(x) + 1 at 0.7; the engine keeps only x * (1/x) = 1
    assert fan_out.counterexample.lines[1:3] == ("v1 = x0.log()", "y = v1 * x0")
    assert fan_out.counterexample.actual == {"x0.grad": 1.0}
    assert fan_out.counterexample.expected["x0.grad"] == pytest.approx(math.log(0.7) + 1.0)
    assert checked.result("a.log()").status == "passed"  # log alone is right
    assert elapsed < 60
    # found with no random search at all
    monkeypatch.setattr(check, "search", lambda strategy, judge, examples: None)
    assert check_engine(log_assign.Value, budget=NO_CHAIN).result(FAN_OUT).counterexample == fan_out.counterexample


@pytest.mark.parametrize("V", [value_attr.WithValue, value_attr.WithVal], ids=["value", "val"])
def test_an_engine_whose_number_is_value_or_val_is_checked_like_any_other(V):
    assert not hasattr(V(0.5), "data")
    checked = check_engine(V, budget=NO_CHAIN)
    assert checked.passed, str(checked)
    assert checked.not_provided == [] and checked.backward_twice == "accumulate"


def test_a_wrong_value_is_reported_under_the_engines_own_attribute_name():
    class WrongLog(value_attr.WithValue):
        def log(self):
            return self._unary(math.log(self.value) + 1.0, 1.0 / self.value)

    failure = check_engine(WrongLog, budget=NO_CHAIN).result("a.log()").counterexample
    assert failure.code.splitlines()[-1] == "# y.value is 1.0, expected 0.0"  # log(1) = 0


def test_a_class_without_number_grad_or_backward_is_told_exactly_what_is_missing():
    checked = check_engine(value_attr.Bare, budget=NO_CHAIN)
    assert [r.status for r in checked.results] == ["failed"]
    assert checked.failures[0].diagnosis.startswith(
        "Bare(0.5) has no attribute holding the number 0.5 (looked for .data, .value, .val, ._data, ._value; "
        "name yours with --data-attr NAME), no .grad and no .backward()")
    only_data = type("OnlyData", (), {"__init__": lambda self, x: setattr(self, "data", x)})
    assert check_engine(only_data, budget=NO_CHAIN).failures[0].diagnosis.startswith(
        "OnlyData(0.5) has no .grad and no .backward():")


def test_data_attr_names_the_number_the_kit_does_not_guess():
    assert not check_engine(value_attr.WithNumber, budget=NO_CHAIN).passed
    assert check_engine(value_attr.WithNumber, budget=NO_CHAIN, data_attr="number").passed
    with pytest.raises(ValueError, match="attribute name"):
        check_engine(value_attr.WithNumber, data_attr="no good")


def test_the_data_attr_option_reaches_the_check_and_a_bad_name_is_a_usage_error(capsys):
    assert main(["engines.value_attr:Bare", "--installed", "--data-attr", "amount"]) == 1
    out = capsys.readouterr().out
    assert "Bare(0.5) has no .grad and no .backward()" in out and "looked for" not in out
    with pytest.raises(SystemExit) as exit_:
        main(["engines.value_attr:Bare", "--installed", "--data-attr", "no good"])
    assert exit_.value.code == 2 and "is not an attribute name" in capsys.readouterr().err


def test_data_attr_reaches_every_submission_of_a_batch(tmp_path, capsys):
    """Two students whose engine keeps its number in .number: with --data-attr number both
    are graded like any correct engine; without it, neither has a .data to read."""
    source = (TESTS / "engines" / "iterative.py").read_text(encoding="utf-8").replace(".data", ".number")
    for student in ("ann", "ben"):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "engine.py").write_text(source, encoding="utf-8")
    graded = [tmp_path / "with.csv", tmp_path / "without.csv"]
    options = [["--data-attr", "number"], []]
    codes = [main(["--grade", str(tmp_path / "class"), "--engine", "engine:Value", "--csv", str(out), *more])
             for out, more in zip(graded, options)]
    capsys.readouterr()
    assert codes == [0, 1]
    with_attr, without = ([row for row in csv.DictReader(path.open(encoding="utf-8"))] for path in graded)
    assert [(row["name"], row["score"], row["passed"]) for row in with_attr] == [("ann", "100.0", "True"),
                                                                                ("ben", "100.0", "True")]
    assert all(row["passed"] == "False" for row in without)


@pytest.mark.parametrize("alternatives, shown", [
    ([(0.0, "accumulate"), (0.0, "reset")], "expected 0.0 (accumulate or reset)"),
    ([(-0.0, "accumulate"), (0.0, "reset")], "expected -0.0 (accumulate or reset)"),
    ([(math.nan, "accumulate"), (math.nan, "reset")], "expected nan (accumulate or reset)"),
    ([(2.0, "accumulate"), (1.0, "reset")], "expected 2.0 (accumulate) or 1.0 (reset)"),
])
def test_equal_expected_values_are_said_once(alternatives, shown):
    assert expected_text(alternatives) == shown


def test_a_second_backward_that_moves_a_zero_gradient_never_says_expected_0_or_0():
    engine = Engine(iterative.Value, "Value", 5.0)
    graph = Expression([1.0], [("relu", (0,))])
    comment = BackwardTwice(engine)._failure(Program(graph, choose_forms(graph, ["a.relu()"])),
                                             ["x0 = Value(1.0)"], 0, [0.0], [1.0], None).comments[0]
    assert comment == "# x0.grad is 1.0 after the second y.backward(): expected 0.0 (accumulate or reset)"
    assert not re.search(r"expected (\S+) \(\w+\) or \1 ", comment)


# -- nothing the engine names reaches the code

MARKER_CODE = "import pathlib; pathlib.Path({marker!r}).write_text('ran')"


def hostile_engine(marker):
    payload = "\n" + MARKER_CODE.format(marker=str(marker)) + "\n"

    class Meta(type):
        def __repr__(cls):
            return payload

    class Odd:
        pass

    class Raises(Exception):
        pass

    Odd.__name__ = Odd.__qualname__ = "Odd" + payload
    Raises.__name__ = Raises.__qualname__ = "Raises" + payload

    class Hostile(iterative.Value, metaclass=Meta):
        def __repr__(self):
            return payload

        def exp(self):
            raise Raises("exp is broken")  # a message is shown (on one line): the next test

        def sin(self):
            return Odd()

    Hostile.__name__ = Hostile.__qualname__ = "Value" + payload
    return Hostile, payload


def test_names_reprs_and_type_names_with_code_in_them_never_reach_a_counterexample(tmp_path):
    marker = tmp_path / "injected"
    V, payload = hostile_engine(marker)
    checked = check_engine(V, budget=NO_CHAIN)
    assert {r.name for r in checked.failures} == {"a.exp()", "a.sin()", "a ** b", "n ** a"}, str(checked)
    code_text = MARKER_CODE.format(marker=str(marker))
    for text in (str(checked), checked.to_json()):
        assert code_text not in text and "pathlib" not in text
    for failure in checked.failures:
        code = failure.counterexample.code
        assert failure.counterexample.lines[0].startswith("x0 = Value(")  # a plain identifier
        script = "import sys\nsys.path.insert(0, sys.argv[1])\nfrom engines.iterative import Value\n" + code
        run = subprocess.run([sys.executable, "-c", script, str(TESTS)], capture_output=True, text=True,
                             cwd=tmp_path, timeout=60)
        assert run.returncode == 0, run.stderr
    assert not marker.exists()


def test_a_comment_is_one_line_whatever_the_exception_message_holds():
    class Raises(iterative.Value):
        def exp(self):
            raise ValueError("line one\x00\u2028import os\rline two")

    code = check_engine(Raises, budget=NO_CHAIN).result("a.exp()").counterexample.code
    assert len(code.splitlines()) == len(code.split("\n")) == 3
    compile(code, "<counterexample>", "exec")  # no NUL byte, no line break inside the comment


# -- the same report, whatever the hash seed

def test_an_engine_that_walks_a_set_of_string_hashed_nodes_gets_the_same_report_under_any_hash_seed():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    probe = textwrap.dedent("""\
        from engines.set_order import Value
        x = Value(0.5)
        y = x * 2.0 + x * 3.0
        y.backward()
        print(x.grad)
        """)
    seeds = [str(seed) for seed in range(8)]
    grads = {subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            env=dict(env, PYTHONHASHSEED=seed)).stdout for seed in seeds}
    assert len(grads) > 1, "the engine should depend on the hash seed, or this test shows nothing"
    script = textwrap.dedent("""\
        from conformance_support import QUICK
        from autograd_lite.testing.conformance import check_engine
        from engines.set_order import Value
        print(check_engine(Value, budget=QUICK._replace(chain_depths=())).to_json())
        """)
    reports = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                              env=dict(env, PYTHONHASHSEED=seed)) for seed in ("1", "2")]
    assert all(r.returncode == 0 for r in reports), reports[0].stderr
    assert reports[0].stdout == reports[1].stdout
    assert '"passed": false' in reports[0].stdout


def test_an_engine_named_by_module_gets_the_same_report_under_any_hash_seed_of_the_kit(tmp_path):
    """The engine's process always starts with PYTHONHASHSEED=0, whatever the kit's is."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    command = [sys.executable, "-m", "autograd_lite.testing.conformance", "engines.set_order:Value", "--installed",
               "--json"]
    outputs = [subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                              env=dict(env, PYTHONHASHSEED=seed)).stdout for seed in ("1", "2")]
    assert outputs[0] and outputs[0] == outputs[1]
