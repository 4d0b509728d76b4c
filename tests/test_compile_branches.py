"""compile never silently disagrees with eager: every loss and activation of ``nn``, traced
at one point, then run on both sides of each of its branches, gives eager's numbers there
(eager is the oracle; hand-derived values where they are easy)."""

import math

import autograd_lite as ag
from autograd_lite import nn
import pytest
from autograd_lite import TracingError, Value

from compile_support import bits

EPS = 1e-7  # binary_cross_entropy's clamp


def eager(f, xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, tuple(leaf.grad for leaf in leaves)


def assert_same(compiled, expected):
    assert bits(compiled[0]) == bits(expected[0])
    assert list(map(bits, compiled[1])) == list(map(bits, expected[1]))


def softmax_layer():
    layer = nn.Layer(2, 3, activation="softmax", seed=0)
    return lambda a, b: layer([a, b])[0]


# name -> (function of Values, point traced at, points run at: each side of every branch)
CASES = {
    "linear": (lambda x: nn.activations.Linear().apply(x) * 1.0, [0.5], [[-2.0], [0.0], [3.0]]),
    "relu": (nn.activations.ReLU().apply, [0.5], [[-2.0], [0.0], [3.0]]),
    "leaky_relu": (nn.activations.LeakyReLU(0.1).apply, [0.5], [[-2.0], [0.0], [3.0]]),
    "tanh": (nn.activations.Tanh().apply, [0.5], [[-30.0], [0.0], [30.0]]),
    "sigmoid": (nn.activations.Sigmoid().apply, [0.5], [[-800.0], [-1.0], [0.0], [1.0], [800.0]]),
    "scaled_sigmoid": (lambda x: nn.activations.ScaledSigmoid(2.0, 3.0).bind()[0](x), [0.5],
                       [[-300.0], [-1.0], [0.0], [1.0], [300.0]]),
    "trainable_scaled_sigmoid": (lambda x: nn.activations.ScaledSigmoid(2.0, 3.0, trainable=True).bind()[0](x),
                                 [0.5], [[-300.0], [-1.0], [1.0], [300.0]]),
    "softplus": (nn.activations.Softplus().apply, [0.5], [[-800.0], [-1.0], [0.0], [1.0], [800.0]]),
    "gelu": (nn.activations.GELU().apply, [0.5], [[-40.0], [-1.0], [0.0], [1.0], [40.0]]),
    "silu": (nn.activations.SiLU().apply, [0.5], [[-800.0], [-1.0], [0.0], [1.0], [800.0]]),
    "elu": (nn.activations.ELU(0.5).apply, [0.5], [[-800.0], [-1.0], [0.0], [3.0]]),
    "softmax": (softmax_layer(), [0.5, -0.5], [[-40.0, 40.0], [0.0, 0.0], [40.0, -40.0], [3.0, 1.0]]),
    "mse_loss": (lambda p: nn.mse_loss(p, 1.5), [0.0], [[-2.0], [1.5], [4.0]]),
    "mse_loss_half": (lambda p: nn.mse_loss(p, 1.5, half=True), [0.0], [[-2.0], [1.5], [4.0]]),
    "binary_cross_entropy_of_sigmoid": (
        lambda z: nn.binary_cross_entropy(z.sigmoid(), 1.0), [0.0],
        [[-800.0], [-40.0], [-16.2], [-16.0], [-1.0], [0.0], [15.0], [17.0], [40.0]]),
    "binary_cross_entropy_of_probability": (
        lambda p: nn.binary_cross_entropy(p, 0.25), [0.5],
        [[0.0], [1e-9], [EPS], [0.3], [1.0 - EPS], [1.0 - 1e-9], [1.0]]),
    "binary_cross_entropy_batch": (
        lambda p, q: nn.binary_cross_entropy([p, q], [1.0, 0.0]), [0.5, 0.5],
        [[0.0, 1.0], [1.0, 0.0], [0.2, 0.7], [1e-12, 0.3]]),
    "binary_cross_entropy_with_logits": (
        lambda z: nn.binary_cross_entropy_with_logits(z, 1.0), [0.5], [[-800.0], [-2.0], [0.0], [2.0], [800.0]]),
    "cross_entropy": (lambda a, b: nn.cross_entropy([a, b, 0.0], 1), [0.5, -0.5],
                      [[3.0, -1.0], [-1.0, 3.0], [-5.0, -6.0], [0.0, 0.0], [-700.0, 700.0]]),
    "cross_entropy_soft_targets": (lambda a, b: nn.cross_entropy([a, b], [0.25, 0.75]), [0.5, -0.5],
                                   [[3.0, -1.0], [-1.0, 3.0], [0.0, 0.0]]),
    "hinge_loss_positive": (lambda s: nn.hinge_loss(s, 1.0), [0.0], [[-2.0], [0.5], [1.0], [3.0]]),
    "hinge_loss_negative": (lambda s: nn.hinge_loss(s, -1.0), [0.0], [[-3.0], [-1.0], [-0.5], [2.0]]),
    "l2_penalty": (lambda a, b: nn.l2_penalty([a, b], 0.5), [0.5, -0.5], [[-2.0, 3.0], [0.0, 0.0]]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_once_and_run_on_both_sides_of_every_branch_agrees_with_eager(name):
    f, traced_at, points = CASES[name]
    step = ag.compile(f)
    step(*traced_at)
    for point in points:
        assert_same(step(*point), eager(f, point))
    assert step.traces == 1


def test_the_loss_and_activation_cases_cover_all_of_nn():
    covered = " ".join(CASES)
    for name in [*nn.activations.NAMED, *nn.losses.__all__]:
        assert name in covered, f"{name} has no branch test"


def test_binary_cross_entropy_traced_inside_the_clamp_gives_the_clamped_loss_outside_it():
    # The case: traced at z = 0, run at z = -40 gave (40.0, -1.0) by replaying the
    # unclamped branch. By hand: p = sigmoid(-40) < eps, so L = -log(eps), and the gradient
    # passes straight through the clamp: dL/dz = -(1 / eps) * p * (1 - p).
    step = ag.compile(lambda z: nn.binary_cross_entropy(z.sigmoid(), 1.0))
    step(0.0)
    value, (dz,) = step(-40.0)
    p = 1.0 / (1.0 + math.exp(40.0))
    assert value == pytest.approx(-math.log(EPS), rel=1e-15)
    assert dz == pytest.approx(-p * (1.0 - p) / EPS, rel=1e-12)


def test_binary_cross_entropy_batch_mode_also_clamps_per_example():
    np = pytest.importorskip("numpy")
    step = ag.compile(lambda z: nn.binary_cross_entropy(z.sigmoid(), 1.0))
    values, (dz,) = step.batch(np.array([-40.0, 0.0]), reduce=None)
    assert values.tolist() == pytest.approx([-math.log(EPS), math.log(2.0)], rel=1e-12)
    assert dz.tolist() == pytest.approx([eager(lambda z: nn.binary_cross_entropy(z.sigmoid(), 1.0), [-40.0])[1][0],
                                         -0.5], rel=1e-9)


@pytest.mark.parametrize("eps", [-1e-3, 0.5, 2.0, math.nan, True, "0.1"])
def test_binary_cross_entropy_rejects_an_eps_that_is_not_a_clamp(eps):
    with pytest.raises(ValueError, match=r"eps must be a number in \[0, 0.5\)"):
        nn.binary_cross_entropy(Value(0.5), 1.0, eps=eps)


def test_hand_derived_values_at_the_branches():
    relu = ag.compile(nn.activations.ReLU().apply)
    relu(1.0)
    assert relu(-2.0) == (0.0, (0.0,)) and relu(3.0) == (3.0, (1.0,))
    leaky = ag.compile(nn.activations.LeakyReLU(0.1).apply)
    leaky(1.0)
    assert leaky(-2.0) == (-0.2, (0.1,)) and leaky(3.0) == (3.0, (1.0,))
    hinge = ag.compile(lambda s: nn.hinge_loss(s, 1.0))
    hinge(0.0)  # L = max(0, 1 - s): 1 - s and -1 inside the margin, 0 and 0 outside
    assert hinge(0.25) == (0.75, (-1.0,)) and hinge(2.0) == (0.0, (0.0,))


def test_reading_a_traced_value_as_a_number_is_a_tracing_error_and_a_type_error():
    with pytest.raises(TracingError, match=r"`float\(\)` on a traced Value") as caught:
        ag.compile(lambda x: x * math.exp(x))(0.5)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, RuntimeError)
