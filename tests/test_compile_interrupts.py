"""A Ctrl-C during a compiled call with ``params`` leaves every parameter's gradient as it
was or fully updated, never some of them, as ``backward()`` guarantees (see
tests/test_backward_interrupts.py)."""

import signal
import sys
import threading
import time

import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.compiler as compiler
from autograd_lite import Value

BEFORE, X = 0.5, 1.0  # each p.grad starts at 0.5; d(x * sum(p)) / dp = x = 1.0


def wide_step(n):
    params = [Value(0.001 * i) for i in range(n)]
    step = ag.compile(lambda x: ag.sum(params) * x, params=params, argnums=())
    step(X)  # traced here, so that the timed calls run the generated code only
    return params, step


def updated(params):
    """How many gradients hold one more call's contribution; every other must be untouched."""
    grads = np.array([p.grad for p in params])
    assert np.all((grads == BEFORE) | (grads == BEFORE + X))
    return int(np.sum(grads == BEFORE + X))


def interrupted_after(delay, run):
    """Run ``run()`` with Python's own Ctrl-C handler fired by a timer after ``delay``
    seconds; None if the KeyboardInterrupt came during ``run``, else how long ``run`` took."""
    old = signal.signal(signal.SIGALRM, signal.default_int_handler)
    finished = None
    try:
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, delay)
        run()
        finished = time.perf_counter() - start
        time.sleep(0.05)  # a timer that fires after run() is caught here, not by the test
    except KeyboardInterrupt:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return finished


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread() or sys.platform == "win32",
                    reason="needs SIGALRM, delivered to the main thread")
@pytest.mark.parametrize("mode, n, tries", [("float", 20_000, 60), ("batch", 2_000, 20)])  # batch: slower per call
def test_a_ctrl_c_at_any_moment_of_a_compiled_step_updates_all_gradients_or_none(mode, n, tries):
    params, step = wide_step(n)
    call = (lambda: step(X)) if mode == "float" else (lambda: step.batch(np.array([X, X]), reduce="mean"))
    # A shared machine makes one call's length vary, so the delays follow the shortest call seen
    # so far, and the test tries until ``tries`` calls were really interrupted (at most 10 times
    # as many attempts): every interrupted call is one more check of all-or-nothing.
    shortest = timed(call)
    interrupts = attempts = 0
    while interrupts < tries and attempts < 10 * tries:
        fraction = (attempts * 0.618033988749895) % 1.0  # spread over the call, never repeating
        for p in params:
            p.grad = BEFORE
        took = interrupted_after(1e-6 + shortest * fraction, call)
        if took is None:
            interrupts += 1
        else:
            shortest = min(shortest, took)
        attempts += 1
        count = updated(params)
        assert count in (0, n), f"a Ctrl-C at {fraction:.0%} of the call updated {count} of {n} gradients"
    assert interrupts == tries, f"only {interrupts} of {attempts} timers interrupted the call"
    for p in params:  # and the step still works
        p.grad = BEFORE
    call()
    assert updated(params) == n


def timed(run):
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def interrupted_at(instruction, run):
    """Run ``run()`` with KeyboardInterrupt raised at its ``instruction``-th bytecode in the
    compiler's Python code or its generated code; True if it was raised."""
    count = 0
    folder = compiler.__file__.rsplit("__init__.py", 1)[0]

    def trace_opcodes(frame, event, arg):
        nonlocal count
        if event == "opcode":
            count += 1
            if count == instruction:
                raise KeyboardInterrupt
        return trace_opcodes

    def trace_calls(frame, event, arg):
        name = frame.f_code.co_filename
        if not (name.startswith(folder) or name.startswith("<autograd_lite.compile")):
            return None
        frame.f_trace_opcodes = True
        return trace_opcodes

    sys.settrace(trace_calls)
    try:
        run()
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(None)
    return False


@pytest.mark.parametrize("mode", ["float", "batch"])
def test_an_interrupt_at_every_instruction_of_a_compiled_step_updates_all_gradients_or_none(mode):
    w, b = Value(2.0), Value(-1.0)
    step = ag.compile(lambda x: (w * x + b).tanh() * w, params=[w, b], argnums=())
    call = (lambda: step(0.5)) if mode == "float" else (lambda: step.batch(np.array([0.5, 0.5])))
    call()
    # by hand: u = w x + b = 0 at x = 0.5, f = tanh(u) w; df/dw = (1 - tanh²u) x w + tanh u, df/db = w
    one_call = (1.0 * 0.5 * 2.0 + 0.0, 2.0)
    instruction = 0
    while True:
        instruction += 1
        w.grad, b.grad = 0.25, -0.5
        stopped = interrupted_at(instruction, call)
        assert (w.grad, b.grad) in [(0.25, -0.5), (0.25 + one_call[0], -0.5 + one_call[1])], instruction
        if not stopped:
            break
    assert instruction > 30  # the trace really walked through the call
