"""The engine runs in a sandboxed process of its own (tests/engines/hostile_*.py, one attack
each): whatever it does, the verdict, the exit code and the JSON are the kit's, the run ends
within its budget, and the caller's process is left as it was."""

import builtins
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograd_lite.testing.conformance import check_engine
from autograd_lite.testing.conformance.check import Budget
from autograd_lite.testing.conformance.report import FAILED, PASSED

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TINY = Budget(op_examples=3, graph_examples=5, twice_examples=3, max_size=3, chain_depths=(),
              call_time_limit=1.0, total_time_limit=40.0)


def checked(name, budget=TINY):
    started = time.monotonic()
    report = check_engine(f"engines.{name}:Value", budget=budget, installed=True)
    elapsed = time.monotonic() - started
    assert elapsed < budget.total_time_limit + 15, f"{name}: {elapsed:.0f} s"
    return report


def code_of(report, line):
    return report.result(line).counterexample.code


@pytest.mark.parametrize("name, op", [("hostile_bare_except", "a.tanh()"), ("hostile_long_c_call", "a.exp()"),
                                      ("hostile_sigalrm", "a.sin()")])
def test_an_op_that_cannot_be_interrupted_is_killed_after_the_call_limit_and_only_it_fails(name, op):
    report = checked(name)
    assert report.result(op).status == FAILED
    assert "did not finish within 1 s" in code_of(report, op)
    assert report.result("a + b").status == PASSED and report.result("a * b").status == PASSED
    assert {r.name for r in report.failures} == {op}


def test_a_value_whose_float_and_str_never_return_fails_and_the_run_ends():
    report = checked("hostile_looping_float", TINY._replace(total_time_limit=10.0))
    # the read of x0.data is stopped after its time limit: no number, so no Value, and nothing passes
    assert not report.passed and report.results[0].status == FAILED
    assert "no attribute holding the number 0.5" in str(report)
    assert not any(r.status == PASSED for r in report.results)


def test_a_string_data_is_not_a_number():
    report = checked("hostile_string_data")
    core = report.results[0]
    assert core.status == FAILED and not report.passed and len(report.results) == 1
    assert ".data is a str, not a number" in code_of(report, core.name)


def test_an_engine_that_exits_with_code_0_fails_and_never_passes():
    report = checked("hostile_exit")
    assert not report.passed
    assert "the engine's process ended during" in code_of(report, "a + b")
    assert "exit code 0" in code_of(report, "a + b")


def test_rebinding_builtins_in_the_engine_changes_neither_the_verdict_nor_the_caller():
    real_abs = builtins.abs
    report = checked("hostile_builtins")
    assert builtins.abs is real_abs
    assert report.result("a.tanh()").status == FAILED
    assert report.result("a + b").status == PASSED


def test_names_with_code_in_them_never_reach_the_counterexamples():
    os.environ.pop("INJECTED", None)
    report = checked("hostile_names")
    tanh, exp = code_of(report, "a.tanh()"), code_of(report, "a.exp()")
    assert tanh.splitlines()[0] == "x0 = Value(0.5)"
    assert "an exception with an unprintable class name" in tanh
    assert "returned a object, not a Value" in exp or "not a Value" in exp
    for code in (tanh, exp):
        assert "import os" not in code
    compile(tanh, "<counterexample>", "exec")  # plain code: the comment lines hold the names
    assert "INJECTED" not in os.environ


def test_check_engine_from_threads_leaves_stdout_and_the_recursion_limit_alone():
    stdout, limit = sys.stdout, sys.getrecursionlimit()
    reports = []
    workers = [threading.Thread(target=lambda: reports.append(checked("odd_noisy_alias"))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sys.stdout is stdout and sys.getrecursionlimit() == limit
    assert len(reports) == 2 and all(r.passed for r in reports)
    assert str(reports[0]) == str(reports[1])


def run_cli(*names):
    """Each engine's `python -m autograd_lite.testing.conformance --json` run, in parallel."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    command = [sys.executable, "-m", "autograd_lite.testing.conformance", "--installed", "--timeout", "60"]
    runs = {n: subprocess.Popen([*command, f"engines.{n}:Value", "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True) for n in names}
    started = time.monotonic()
    outcomes = {n: (*run.communicate(timeout=180), run.returncode) for n, run in runs.items()}
    return outcomes, time.monotonic() - started


def test_exit_fork_threads_and_writes_to_fd_1_change_neither_the_exit_code_nor_the_json():
    outcomes, elapsed = run_cli("hostile_exit", "hostile_fork", "hostile_thread", "hostile_write_fd")
    assert elapsed < 120
    for name, (out, err, code) in outcomes.items():
        data = json.loads(out)  # one report, valid JSON: nothing else reached stdout
        assert err == "" and data["engine"] == f"engines.{name}:Value"
        assert code == (0 if data["grade"]["passed"] else 1)
    assert outcomes["hostile_exit"][2] == 1 and not json.loads(outcomes["hostile_exit"][0])["passed"]
    for name in ("hostile_thread", "hostile_write_fd"):
        assert outcomes[name][2] == 0, outcomes[name][0]
    fork = json.loads(outcomes["hostile_fork"][0])
    assert fork["results"][0]["status"] == "passed"  # a + b: the fork was refused or harmless


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or not os.path.exists("/proc/self/stat"),
                    reason="needs Linux's CPU affinity and /proc")
def test_a_slow_correct_engine_passes_on_a_machine_busy_with_other_work():
    """Its tanh takes 0.25 CPU seconds against a 0.5 s call limit; two spinning processes on
    the same core give it a third of the core, about 0.75 s of wall time per call (the
    wall-clock backstop is 3 times the limit, 1.5 s)."""
    budget = Budget(op_examples=3, graph_examples=3, twice_examples=3, max_size=2, chain_depths=(),
                    call_time_limit=0.5, total_time_limit=120.0)
    before = os.sched_getaffinity(0)
    core = min(before)
    spin = "import os, time\nos.sched_setaffinity(0, {%d})\nwhile True: pass\n" % core
    spinners = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
    os.sched_setaffinity(0, {core})  # the kit, and the engine's process it starts, share that core
    try:
        started = time.monotonic()
        report = check_engine("engines.busy_tanh:Value", budget=budget, installed=True)
        elapsed = time.monotonic() - started
    finally:
        os.sched_setaffinity(0, before)
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    tanh = report.result("a.tanh()")
    assert tanh.status == PASSED, tanh.detail
    assert elapsed > 3 * budget.call_time_limit  # several calls, each longer than the limit in wall time
