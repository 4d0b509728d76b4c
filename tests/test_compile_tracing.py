"""Honest tracing: Python control flow on traced data cannot be captured by a trace, so
compile() refuses it while tracing, naming the problem; ops like relu and abs are fine."""

import autograd_lite as ag
import pytest
from autograd_lite import TracingError, Value


def branchy(x):
    if x > 0:  # data-dependent: the trace would keep only this call's branch
        return x * 2.0
    return -x


@pytest.mark.parametrize("read", [
    lambda x: x > 0, lambda x: x >= 0, lambda x: x < 0, lambda x: x <= 0, lambda x: 0 < x,
    lambda x: float(x), lambda x: (x * 2.0) > x.exp(),
])
def test_reading_traced_data_raises_a_tracing_error(read):
    with pytest.raises(TracingError, match="control flow depend on the inputs"):
        ag.compile(lambda x: x * float(bool(read(x))) + x)(1.0)


def test_the_error_names_the_comparison_and_the_op():
    with pytest.raises(TracingError, match=r"`>` on a traced Value \(made by 'tanh'"):
        ag.compile(lambda x: branchy(x.tanh()))(0.5)


def test_relu_and_abs_are_ops_not_branches():
    step = ag.compile(lambda x: x.relu() + abs(x))
    step(1.0)
    assert step(-2.0) == (2.0, (-1.0,))
    assert step(3.0) == (6.0, (2.0,))


def test_comparisons_on_values_that_do_not_depend_on_inputs_are_allowed():
    threshold = Value(0.5)
    step = ag.compile(lambda x: x * (2.0 if threshold > 0.0 else 3.0))
    assert step(1.0) == (2.0, (2.0,))


def test_comparisons_work_again_after_tracing_and_after_a_failed_trace():
    with pytest.raises(TracingError):
        ag.compile(branchy)(1.0)
    assert Value(1.0) > 0 and Value(2.0).item() == 2.0


def test_a_branch_can_be_made_static_so_each_value_gets_its_own_trace():
    step = ag.compile(lambda x, positive: x * 2.0 if positive else -x, static_argnums=(1,))
    assert step(3.0, True) == (6.0, (2.0,)) and step(3.0, False) == (-3.0, (-1.0,))
    assert step.traces == 2
