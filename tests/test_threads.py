"""Threads may share no_grad and scope objects, nn models, and graphs: every thread gets the
same answers it would get alone."""

import math
import sys
import threading

import pytest

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite import Value


@pytest.fixture(autouse=True)
def switch_threads_often():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def run_in_threads(count, work):
    errors, results = [], [None] * count

    def target(i):
        try:
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


@pytest.mark.parametrize("shared", [ag.no_grad(), ag.scope("shared"), ag.enable_grad()],
                         ids=["no_grad", "scope", "enable_grad"])
def test_one_mode_object_entered_by_interleaved_threads(shared):
    # Thread 0 enters, thread 1 enters, thread 0 leaves, thread 1 leaves: the order that
    # used to raise "Token ... created in a different Context" and leave the scope behind.
    entered, left = threading.Barrier(2), threading.Event()

    def work(i):
        with shared:
            entered.wait(5)
            if i == 1:
                left.wait(5)
            inside = (ag.is_grad_enabled(), Value(1.0).scope)
        if i == 0:
            left.set()
        return inside, (ag.is_grad_enabled(), Value(1.0).scope)

    results = run_in_threads(2, work)
    expected_inside = {"no_grad": (False, ""), "scope": (True, "shared"), "enable_grad": (True, "")}
    name = type(shared).__name__
    assert [r[0] for r in results] == [expected_inside[name]] * 2
    assert [r[1] for r in results] == [(True, "")] * 2  # nothing left behind


def test_nested_scopes_shared_between_many_threads_name_every_value_right():
    outer, inner = ag.scope("outer"), ag.scope("inner")

    def work(i):
        names = []
        for _ in range(200):
            with outer:
                with inner:
                    names.append(Value(i).scope)
                names.append(Value(i).scope)
            names.append(Value(i).scope)
        return names

    for names in run_in_threads(8, work):
        assert names == ["outer/inner", "outer", ""] * 200


def test_one_model_shared_between_threads_gives_each_the_same_output_and_summed_grads():
    model = nn.MLP(3, [8, 1], activation="tanh", seed=0)
    x = [0.5, -1.0, 2.0]

    def loss():
        return model(x) ** 2

    expected_output = loss().data
    model.zero_grad()
    loss().backward()
    single = [p.grad for p in model.parameters()]
    model.zero_grad()

    def work(i):
        outputs = []
        for _ in range(5):
            out = loss()
            outputs.append(out.data)
            out.backward()
        return outputs

    for outputs in run_in_threads(4, work):
        assert outputs == [expected_output] * 5
    total = [p.grad for p in model.parameters()]
    # 20 passes added the same gradient: a sum of 20 equal terms, in any order, is 20 g up
    # to rounding of the running sum.
    assert total == pytest.approx([20 * g for g in single], rel=1e-13, abs=1e-300)


def test_concurrent_gradients_on_graphs_that_share_leaves_are_each_right():
    x, y = Value(0.7), Value(-1.3)

    def work(i):
        a = i + 1.0
        answers = []
        for _ in range(50):
            f = (x * a).tanh() * y + x * x * a  # df/dx = a (1 - tanh^2(ax)) y + 2 a x, df/dy = tanh(ax)
            answers.append(ag.gradients(f, [x, y]))
        return a, answers

    for a, answers in run_in_threads(6, work):
        t = math.tanh(0.7 * a)
        expected = [a * (1 - t * t) * -1.3 + 2 * a * 0.7, t]
        for got in answers:
            assert got == pytest.approx(expected, rel=1e-13)
    assert (x.grad, y.grad) == (0.0, 0.0)  # gradients() never touches .grad


def test_concurrent_backward_on_graphs_that_share_leaves_accumulate_every_pass():
    x = Value(2.0)

    def work(i):
        for _ in range(100):
            (x * x * (i + 1.0)).backward()  # adds 2 x (i + 1) = 4 (i + 1)

    run_in_threads(4, work)
    assert x.grad == 100 * 4 * (1 + 2 + 3 + 4)
