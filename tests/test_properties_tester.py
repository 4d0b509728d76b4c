"""Testing the tester: plant a wrong derivative in one op (undone after the test by
monkeypatch) and check that the property suite catches it and shrinks the failure to a
small graph that points at the culprit.

Value methods for table ops are fused at import (see autograd_lite/value.py), so the
bugs are planted on the Value method, on the rule object the functions look up, or in the
backward pass itself.
"""

import math

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis.errors import NoSuchExample

from autograd_lite import Value, graph, rules
from autograd_lite.rules import Rule
from autograd_lite.testing import gradcheck
from autograd_lite.value import _unary
from autograd_lite.testing.expression import OPS
from autograd_lite.testing.strategies import expressions

import test_properties_oracles as oracle_suite

# derandomized: the search and the shrinking are the same on every run
SEARCH = settings(max_examples=2000, database=None, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))


def arguments_of(op, ex):
    """The float value of the first argument of every ``op`` node (computed with math)."""
    nodes = list(ex.inputs)
    for ins in ex.instructions:
        nodes.append(OPS[ins.op].on_floats([nodes[i] for i in ins.args], ins.param))
    return [nodes[ins.args[0]] for ins in ex.instructions if ins.op == op]


def disagrees_with_sympy(ex):
    try:
        oracle_suite.assert_matches_exact(ex)
    except AssertionError:
        return True
    return False


def fails_gradcheck(ex):
    """A mismatch at a point where the finite differences are accurate enough to judge."""
    report = gradcheck(ex, ex.inputs, atol=1e-5, rtol=1e-5, raise_exception=False)
    return not report.ok and report.conclusive


def wrong_tanh(self):
    """tanh whose derivative is 1 - tanh (should be 1 - tanh**2)."""
    return _unary(Rule("tanh", math.tanh, lambda x, out: (1.0 - out,)), self)


def wrong_sin_for_negative_inputs(self):
    """sin whose derivative is right for x >= 0 and has the wrong sign for x < 0."""
    return _unary(Rule("sin", math.sin, lambda x, out: (math.cos(x) if x >= 0 else -math.cos(x),)), self)


def overwriting_backward(root, gradient=1.0):
    """A backward pass that assigns instead of summing at fan-out: it forgets the total
    derivative and keeps only the last path's contribution."""
    order = graph.topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = gradient
    for node in reversed(order):
        for parent, local in zip(node._parents, node._local):
            parent.grad = local * node.grad


def test_the_correct_engine_passes_the_same_searches():
    # The searches below would be meaningless if they also "found" failures without a bug.
    with pytest.raises(NoSuchExample):
        find(expressions(), disagrees_with_sympy, settings=settings(SEARCH, max_examples=100))


def test_sympy_property_catches_a_wrong_tanh_derivative_and_shrinks_to_a_small_graph(monkeypatch):
    monkeypatch.setattr(Value, "tanh", wrong_tanh)
    smallest = find(expressions(), disagrees_with_sympy, settings=SEARCH)
    assert "tanh" in smallest.ops and smallest.size <= 3, smallest
    assert any(x != 0.0 for x in arguments_of("tanh", smallest))  # at 0 both formulas give 1


def test_the_suite_itself_fails_with_a_wrong_tanh(monkeypatch):
    monkeypatch.setattr(Value, "tanh", wrong_tanh)
    # no shrinking here: the find() tests show the shrinking, this shows the suite goes red
    no_shrink = settings(database=None, phases=[Phase.generate], max_examples=1000, derandomize=True)
    body = oracle_suite.test_gradient_equals_sympy_exact_derivative.hypothesis.inner_test
    property_test = no_shrink(given(oracle_suite.GRAPHS)(body))
    with pytest.raises(AssertionError, match="engine .*, sympy"):
        property_test()


def test_gradcheck_property_catches_a_bug_confined_to_negative_inputs(monkeypatch):
    monkeypatch.setattr(Value, "sin", wrong_sin_for_negative_inputs)
    smallest = find(expressions(), fails_gradcheck, settings=SEARCH)
    # 1-3 nodes when run alone, 4 after other searches in the same process (see test_strategies).
    assert "sin" in smallest.ops and smallest.size <= 4, smallest
    assert any(x < 0.0 for x in arguments_of("sin", smallest))


def test_a_wrong_list_op_rule_is_caught_and_shrunk(monkeypatch):
    # logsumexp's derivative is softmax; plant "all ones" (the derivative of sum) instead.
    monkeypatch.setattr(rules, "LOGSUMEXP", Rule("logsumexp", rules.LOGSUMEXP.forward,
                                                 lambda *xs_out: (1.0,) * (len(xs_out) - 1)))
    smallest = find(expressions(), fails_gradcheck, settings=SEARCH)
    assert "logsumexp" in smallest.ops and smallest.size <= 3, smallest


def test_forgetting_the_total_derivative_is_caught_on_a_minimal_fan_out(monkeypatch):
    monkeypatch.setattr(graph, "backward", overwriting_backward)
    smallest = find(expressions(), disagrees_with_sympy, settings=SEARCH)
    assert smallest.has_fan_out(), smallest  # the bug lives exactly where paths meet
    assert smallest.size <= 2, smallest
