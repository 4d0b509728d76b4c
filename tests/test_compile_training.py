"""Training through the compiled path: nn.fit(compile=True) and the micrograd demo give
the eager results (the demo bit for bit; fit up to float rounding, since it sums
per-example gradients where the batch graph sums paths through one node)."""

import importlib.util
import pathlib

from autograd_lite import nn
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "examples"


def example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_micrograd_demo_compiled_prints_the_eager_lines():
    eager_lines, compiled_lines = [], []
    eager_accuracy, _ = example("micrograd_demo").run(steps=3, log=eager_lines.append)
    compiled_accuracy, _ = example("micrograd_demo").run(steps=3, log=compiled_lines.append, compile=True)
    assert compiled_lines == eager_lines and compiled_accuracy == eager_accuracy


def test_iris_example_trains_the_same_compiled():
    X, y = nn.datasets.iris()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=0.2, seed=0)
    runs = []
    for compiled in (False, True):
        model = nn.MLP(4, [8, 3], activation="relu", seed=0)
        optimizer = nn.Adam(model.parameters(), lr=0.02)
        history = nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=4, batch_size=16,
                         seed=0, verbose=False, compile=compiled)
        runs.append((history, [p.data for p in model.parameters()], nn.accuracy(model, X_test, y_test)))
    (eager, eager_params, eager_test), (compiled, compiled_params, compiled_test) = runs
    assert compiled["loss"] == pytest.approx(eager["loss"], rel=1e-12)
    assert compiled["accuracy"] == eager["accuracy"] and compiled_test == eager_test
    assert compiled_params == pytest.approx(eager_params, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("loss, targets", [
    (nn.mse_loss, [0.5, -1.0, 2.0, 0.0]),
    (lambda p, t: nn.mse_loss(p, t, reduction="sum"), [0.5, -1.0, 2.0, 0.0]),
    (nn.hinge_loss, [1, -1, -1, 1]),
])
def test_fit_compiled_matches_eager_for_mean_and_sum_losses_with_l2(loss, targets):
    X = [[0.1, 0.2], [0.4, -0.3], [-0.5, 0.9], [1.0, 1.0]]
    results = []
    for compiled in (False, True):
        model = nn.MLP(2, [4, 1], activation="tanh", seed=2)
        history = nn.fit(model, X, targets, loss, nn.SGD(model.parameters(), lr=0.1), epochs=3, batch_size=2,
                         l2=1e-3, verbose=False, compile=compiled)
        results.append((history["loss"], [p.data for p in model.parameters()]))
    assert results[1][0] == pytest.approx(results[0][0], rel=1e-12)
    assert results[1][1] == pytest.approx(results[0][1], rel=1e-9, abs=1e-12)


def test_fit_compiled_refuses_a_loss_that_is_not_a_per_example_mean_or_sum():
    def max_loss(predictions, targets):  # the worst example's error: not a sum over examples
        terms = [(p - t) ** 2 for p, t in zip(predictions, targets)] if isinstance(predictions, list) else [(predictions - targets) ** 2]
        return terms[0] * 3.0 if len(terms) > 1 else terms[0]
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="mean or the sum of per-example losses"):
        nn.fit(model, [[0.1, 0.2], [0.3, 0.4]], [1.0, 2.0], max_loss, nn.SGD(model.parameters(), lr=0.1),
               verbose=False, compile=True)
