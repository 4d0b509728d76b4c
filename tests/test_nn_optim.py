"""Optimizers: each update rule checked against the rule written out by hand."""

import math

import pytest

from autograd_lite import Value
from autograd_lite import nn


def param(data, grad):
    p = Value(data)
    p.grad = grad
    return p


def test_sgd_step_is_w_minus_lr_grad():
    p = param(1.0, 0.5)
    nn.SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(1.0 - 0.1 * 0.5)


def test_sgd_momentum_and_weight_decay_follow_pytorchs_rule():
    p = param(1.0, 0.5)
    opt = nn.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    opt.step()
    v1 = 0.5 + 0.01 * 1.0
    assert p.data == pytest.approx(1.0 - 0.1 * v1)
    after_one = p.data
    p.grad = 0.2
    opt.step()
    v2 = 0.9 * v1 + 0.2 + 0.01 * after_one
    assert p.data == pytest.approx(after_one - 0.1 * v2)


def test_learning_rate_schedule_is_called_with_the_step_number():
    seen = []
    p = param(0.0, 1.0)

    def schedule(k):
        seen.append(k)
        return 1.0 - 0.9 * k / 100

    opt = nn.SGD([p], lr=schedule)
    for _ in range(3):
        opt.step()
    assert seen == [0, 1, 2]
    assert p.data == pytest.approx(-(1.0 + 0.991 + 0.982))
    assert nn.linear_decay(1.0, 0.1, 100)(50) == pytest.approx(1.0 - 0.9 * 50 / 100)


def test_adam_first_two_steps_by_hand():
    p = param(1.0, 0.5)
    opt = nn.Adam([p], lr=0.01)
    opt.step()
    # t = 1: m_hat = g and v_hat = g**2, so the step is lr * g / (|g| + eps) ~ lr
    assert p.data == pytest.approx(1.0 - 0.01 * 0.5 / (0.5 + 1e-8))
    first = p.data
    p.grad = -0.25
    opt.step()
    m = 0.9 * (0.1 * 0.5) + 0.1 * -0.25
    v = 0.999 * (0.001 * 0.25) + 0.001 * 0.0625
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    assert p.data == pytest.approx(first - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8))


def test_zero_grad_clears_the_parameters_grads():
    ps = [param(1.0, 3.0), param(2.0, -1.0)]
    nn.Adam(ps).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


@pytest.mark.parametrize("make, message", [
    (lambda p: nn.SGD([], lr=0.1), "no parameters"),
    (lambda p: nn.SGD([p, p], lr=0.1), "same parameter twice"),
    (lambda p: nn.SGD([1.0], lr=0.1), "must be Values"),
    (lambda p: nn.SGD([p], lr=-1), "lr must be a positive number"),
    (lambda p: nn.SGD([p], lr=0.1, momentum=1.5), "momentum"),
    (lambda p: nn.Adam([p], betas=(0.9,)), "betas"),
])
def test_bad_optimizer_arguments_are_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make(Value(1.0))


def test_a_schedule_returning_a_non_number_is_an_error_and_leaves_parameters_alone():
    p = param(1.0, 1.0)
    with pytest.raises(ValueError, match="schedule returned None at step 0"):
        nn.SGD([p], lr=lambda k: None).step()
    assert p.data == 1.0


def test_linear_decay_reaches_end_at_steps_and_stays_there():
    schedule = nn.linear_decay(1.0, 0.1, 100)
    # 1.0 - 0.9 k / 100 up to k = 100, then 0.1 for ever (it used to go on to -1.7 at 300)
    assert [schedule(k) for k in (0, 50, 100)] == pytest.approx([1.0, 0.55, 0.1])
    assert [schedule(k) for k in (101, 300, 10**9)] == [0.1, 0.1, 0.1]
    p = param(0.0, 1.0)
    opt = nn.SGD([p], lr=schedule)
    opt.steps = 300
    assert opt.current_lr() == 0.1
    opt.step()
    assert p.data == pytest.approx(-0.1)
    warmup = nn.linear_decay(0.0, 1.0, 4)  # rising is fine too
    assert [warmup(k) for k in (0, 2, 4, 9)] == pytest.approx([0.0, 0.5, 1.0, 1.0])


@pytest.mark.parametrize("args, message", [
    ((1.0, 0.1, 0), "steps must be a finite number > 0"),
    ((1.0, 0.1, -5), "steps must be a finite number > 0"),
    ((1.0, 0.1, math.nan), "steps must be a finite number > 0"),
    ((1.0, 0.1, math.inf), "steps must be a finite number > 0"),
    ((1.0, 0.1, "100"), "steps must be a finite number > 0"),
    ((-1.0, 0.1, 100), "start must be a number in"),
    ((math.nan, 0.1, 100), "start must be a number in"),
    ((math.inf, 0.1, 100), "start must be a number in"),
    ((1.0, -0.5, 100), "end must be a number in"),
    ((1.0, math.nan, 100), "end must be a number in"),
    ((0.0, 0.0, 100), "learning rate of 0 throughout"),
])
def test_linear_decay_refuses_bad_arguments_when_built(args, message):
    with pytest.raises(ValueError, match=message):
        nn.linear_decay(*args)


@pytest.mark.parametrize("returned", [-0.17, -math.inf, math.inf, math.nan])
def test_a_schedule_returning_a_negative_or_non_finite_rate_raises_and_leaves_parameters_alone(returned):
    for make in (nn.SGD, nn.Adam):
        p = param(1.0, 1.0)
        opt = make([p], lr=lambda k: returned)
        with pytest.raises(ValueError, match=r"schedule returned .* at step 0; it must return a finite number >= 0"):
            opt.step()
        assert p.data == 1.0 and opt.steps == 0


def test_a_schedule_may_return_zero():
    p = param(1.0, 1.0)
    nn.SGD([p], lr=lambda k: 0.0).step()
    assert p.data == 1.0


def test_an_lr_assigned_after_construction_is_checked_too():
    p = param(1.0, 1.0)
    opt = nn.SGD([p], lr=0.1)
    opt.lr = -0.5
    with pytest.raises(ValueError, match=r"the optimizer's lr is -0.5; it must be a finite number >= 0"):
        opt.step()
    assert p.data == 1.0
