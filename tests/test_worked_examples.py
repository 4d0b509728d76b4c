"""The worked examples in docs/examples/ run and reach the figures their tutorials report.
Oracles: the tutorials' formulas evaluated in plain floats, and hand-applied
delta-rule updates."""

import importlib.util
import math
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "examples"


def example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


# --- softmax and activations --------------------------------------------------------

def test_softmax_of_0_3_and_0_6():
    s, _ = example("softmax_and_activations").softmax_jacobian([0.3, 0.6])
    assert s == pytest.approx([0.4256, 0.5744], abs=5e-5)
    assert s[0] == pytest.approx(1 / (1 + math.exp(0.3)))  # e^0.3 / (e^0.3 + e^0.6)


def test_softmax_jacobian_from_backward_is_s_times_identity_minus_s_transpose():
    logits = [0.3, 0.6, -1.2, 2.0]
    s, jacobian = example("softmax_and_activations").softmax_jacobian(logits)
    exps = [math.exp(a) for a in logits]
    probs = [e / sum(exps) for e in exps]
    for i in range(4):
        assert jacobian[i] == pytest.approx([probs[i] * ((i == j) - probs[j]) for j in range(4)], abs=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
@pytest.mark.parametrize("a", [-2.3, -0.4, 0.6, 3.1])
def test_each_activation_derivative_is_the_tutorials_formula(name, a):
    module = example("softmax_and_activations")
    out, grad = module.activation_derivative(name, a)
    assert grad == pytest.approx(module.TUTORIAL_FORMULAS[name](a, out), rel=1e-12)


def test_tanh_is_2_sigmoid_2a_minus_1_and_scaled_sigmoid_derivative():
    module = example("softmax_and_activations")
    for a in (-1.0, 0.25, 2.0):
        assert module.activation_derivative("tanh", a)[0] == pytest.approx(2 * sigmoid(2 * a) - 1)
    from autograd_lite import nn
    out, grad = module.activation_derivative(nn.ScaledSigmoid(c=2.0, beta=3.0), 0.2)
    s = sigmoid(0.6)
    assert out == pytest.approx(2 * s) and grad == pytest.approx(2 * 3 * s * (1 - s))


# --- one step of backprop, three modes ------------------------------------------------

def test_one_step_matches_the_delta_rule_applied_by_hand():
    module = example("one_step_of_backprop")
    before, after, deltas = module.one_step(alpha=0.5, x=(1.0, 0.0), y=1.0)
    W = [[list(row) for row in module.WEIGHTS[i]] for i in (0, 2, 4)]
    B = [list(module.WEIGHTS[i]) for i in (1, 3, 5)]

    def forward(x):
        activations = [list(x)]
        for Wl, bl in zip(W, B):
            activations.append([sigmoid(sum(w * a for w, a in zip(row, activations[-1])) + b) for row, b in zip(Wl, bl)])
        return activations

    acts = forward([1.0, 0.0])
    delta = [acts[-1][0] - 1.0]  # sigmoid output + log loss: o - y
    updates = []
    for layer in (2, 1, 0):
        updates.append((layer, delta, acts[layer]))
        if layer:  # the delta rule: f'(z) times the weighted sum of the next deltas
            delta = [acts[layer][i] * (1 - acts[layer][i]) * sum(W[layer][j][i] * delta[j] for j in range(len(delta)))
                     for i in range(len(acts[layer]))]
    for layer, d, a in updates:
        for j in range(len(d)):
            W[layer][j] = [w - 0.5 * d[j] * ai for w, ai in zip(W[layer][j], a)]
            B[layer][j] -= 0.5 * d[j]
    assert before == pytest.approx(acts[-1][0])
    assert after == pytest.approx(forward([1.0, 0.0])[-1][0], rel=1e-12)
    assert after > before
    assert deltas[0] < deltas[1] < deltas[2]  # vanishing towards the input


def test_batch_stochastic_and_mini_batch_all_converge():
    histories = example("one_step_of_backprop").three_modes(epochs=30)
    for mode, history in histories.items():
        assert history["loss"][-1] < 0.1 and history["loss"][-1] < 0.2 * history["loss"][0], mode
        assert history["accuracy"][-1] >= 0.95, mode


# --- the make_classification network ---------------------------------------------------

def test_make_classification_network_reaches_95_percent_without_diverging():
    history, final_accuracy = example("make_classification_network").run(epochs=150)
    losses = history["loss"]
    assert final_accuracy >= 0.95
    assert all(math.isfinite(loss) for loss in losses)
    assert max(losses[len(losses) // 2:]) < 0.25 * losses[0]   # no blow-up late in training
    assert min(history["accuracy"][-25:]) >= 0.95               # and no collapse


# --- the iris softmax classifier --------------------------------------------------------

def test_iris_test_accuracy_at_least_95_percent():
    history, test_accuracy = example("iris_softmax_classifier").run(epochs=30, seed=0)
    assert test_accuracy >= 0.95
    assert history["loss"][-1] < history["loss"][0]


# --- micrograd's demo -------------------------------------------------------------------

def test_micrograd_demo_reaches_100_percent_training_accuracy():
    accuracy, _ = example("micrograd_demo").run(steps=100, log=lambda line: None)
    assert accuracy == 1.0
