"""Losses: values from their formulas, gradients from sympy and the delta rule's output deltas,
stability at extreme inputs, one example or a batch."""

import math

import pytest
import sympy

from autograd_lite import Value
from autograd_lite import nn


def values(*numbers):
    return [Value(x) for x in numbers]


def test_mse_mean_and_the_half_convention():
    p = values(1.0, 2.0, 4.0)
    assert nn.mse_loss(p, [0.0, 2.0, 2.0]).data == pytest.approx((1 + 0 + 4) / 3)
    assert nn.mse_loss(p, [0.0, 2.0, 2.0], half=True).data == pytest.approx((1 + 0 + 4) / 6)
    assert nn.mse_loss(p, [0.0, 2.0, 2.0], reduction="sum").data == pytest.approx(5.0)


def test_mse_half_gradient_has_no_factor_two():
    p = values(1.0, 3.0)
    nn.mse_loss(p, [0.0, 1.0], half=True).backward()
    assert [v.grad for v in p] == pytest.approx([(1.0 - 0.0) / 2, (3.0 - 1.0) / 2])  # (1/N)(p - y)


def test_mse_accepts_a_scalar_and_a_batch_of_vectors():
    assert nn.mse_loss(Value(3.0), 1.0).data == 4.0
    batch = [values(1.0, 0.0), values(0.0, 0.0)]
    assert nn.mse_loss(batch, [[0.0, 0.0], [0.0, 2.0]]).data == pytest.approx((1 + 4) / 4)


def test_binary_cross_entropy_matches_formula_and_sigmoid_delta():
    z = Value(0.7)
    p = z.sigmoid()
    loss = nn.binary_cross_entropy(p, 1.0)
    loss.backward()
    s = 1 / (1 + math.exp(-0.7))
    assert loss.data == pytest.approx(-math.log(s))
    assert z.grad == pytest.approx(s - 1.0)  # the delta rule: sigmoid output with log loss gives o - y


def test_binary_cross_entropy_clamps_saturated_probabilities_and_keeps_a_gradient():
    p = Value(0.0)
    loss = nn.binary_cross_entropy(p, 1.0)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(1e-7))
    assert p.grad == pytest.approx(-1 / 1e-7)  # straight through the clamp
    assert nn.binary_cross_entropy(Value(1.0), 1.0).data == pytest.approx(-math.log(1 - 1e-7), abs=1e-12)


def test_binary_cross_entropy_with_logits_matches_sympy_and_is_stable():
    z_sym, y_sym = sympy.symbols("z y")
    p = 1 / (1 + sympy.exp(-z_sym))
    loss_sym = -(y_sym * sympy.log(p) + (1 - y_sym) * sympy.log(1 - p))
    dloss = sympy.diff(loss_sym, z_sym)
    for z0, y0 in [(0.0, 1.0), (2.5, 0.0), (-3.0, 1.0), (0.3, 0.25)]:
        z = Value(z0)
        loss = nn.binary_cross_entropy_with_logits(z, y0)
        loss.backward()
        assert loss.data == pytest.approx(float(loss_sym.subs({z_sym: z0, y_sym: y0})), rel=1e-12)
        assert z.grad == pytest.approx(float(dloss.subs({z_sym: z0, y_sym: y0})), rel=1e-12, abs=1e-15)
    far = Value(1000.0)
    loss = nn.binary_cross_entropy_with_logits(far, 0.0)
    loss.backward()
    assert loss.data == pytest.approx(1000.0) and far.grad == pytest.approx(1.0)


def test_cross_entropy_is_minus_log_softmax_of_the_target():
    logits = values(1.0, 2.0, 0.5)
    loss = nn.cross_entropy(logits, 1)
    loss.backward()
    exps = [math.exp(v) for v in (1.0, 2.0, 0.5)]
    softmax = [e / sum(exps) for e in exps]
    assert loss.data == pytest.approx(-math.log(softmax[1]))
    assert [v.grad for v in logits] == pytest.approx([softmax[0], softmax[1] - 1, softmax[2]])  # s - y


def test_one_examples_loss_has_no_multiply_by_one_nodes():
    """One example's loss is its own term: cross-entropy is logsumexp(z) - z_t, and nothing
    else (no x1.0 for the sum of one term, no x1.0 for the mean over one example)."""
    from autograd_lite import topological_order

    logits = values(1.0, 2.0, 0.5)
    loss = nn.cross_entropy(logits, 1)
    assert loss.op == "-" and loss.parents[1] is logits[1]
    assert [node.op for node in topological_order(loss) if node.parents] == ["logsumexp", "-"]
    for single in (nn.mse_loss(Value(3.0), 1.0), nn.hinge_loss(Value(0.5), -1),
                   nn.binary_cross_entropy_with_logits(Value(0.5), 0.25)):
        assert all(node.op != "*" or 1.0 not in [p.data for p in node.parents]
                   for node in topological_order(single))


def test_cross_entropy_with_one_hot_target_equals_index_target():
    a = nn.cross_entropy(values(0.2, -1.0, 3.0), [0.0, 0.0, 1.0]).data
    assert a == pytest.approx(nn.cross_entropy(values(0.2, -1.0, 3.0), 2).data)


def test_cross_entropy_does_not_overflow_on_large_logits():
    assert nn.cross_entropy(values(1000.0, 0.0), 1).data == pytest.approx(1000.0)


def test_cross_entropy_batch_is_the_mean():
    batch = [values(1.0, 0.0), values(0.0, 1.0)]
    single = nn.cross_entropy(values(1.0, 0.0), 0).data
    assert nn.cross_entropy(batch, [0, 1]).data == pytest.approx(single)
    assert nn.cross_entropy(batch, [0, 1], reduction="sum").data == pytest.approx(2 * single)


def test_the_activation_tutorials_cross_entropy_example_in_log10():
    # target [1, 0], output [0.9, 0.1]: -log10(0.9) ~ 0.046
    logits = values(math.log(0.9), math.log(0.1))
    assert nn.cross_entropy(logits, [1.0, 0.0]).data / math.log(10) == pytest.approx(0.0458, abs=1e-4)


def test_hinge_loss_is_micrograds_max_margin():
    scores = values(2.0, 0.5, -0.5)
    loss = nn.hinge_loss(scores, [1, 1, 1])
    loss.backward()
    assert loss.data == pytest.approx((0 + 0.5 + 1.5) / 3)
    assert [s.grad for s in scores] == pytest.approx([0.0, -1 / 3, -1 / 3])


def test_bad_targets_are_clear_errors():
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge_loss(Value(1.0), 0)
    with pytest.raises(ValueError, match="class index in 0..1"):
        nn.cross_entropy(values(1.0, 2.0), 2)
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        nn.binary_cross_entropy(Value(0.5), 2.0)
    with pytest.raises(ValueError, match="3 predictions"):
        nn.mse_loss(values(1.0, 2.0, 3.0), [1.0, 2.0])
    with pytest.raises(ValueError, match="reduction"):
        nn.mse_loss(Value(1.0), 1.0, reduction="max")


def test_l2_penalty_is_strength_times_sum_of_squares():
    params = values(1.0, -2.0)
    penalty = nn.l2_penalty(params, 1e-4)
    penalty.backward()
    assert penalty.data == pytest.approx(5e-4)
    assert [p.grad for p in params] == pytest.approx([2e-4, -4e-4])
