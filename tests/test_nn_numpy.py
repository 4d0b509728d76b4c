"""NumPy inputs work wherever numbers and lists do (targets, X, y, model inputs), wrong
shapes get errors naming both shapes, and nn still works without NumPy installed."""

import functools
import json
import subprocess
import sys

import pytest

from autograd_lite import nn
from autograd_lite import Value

np = pytest.importorskip("numpy")

X_LIST = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.2, 0.1], [0.9, 0.8], [0.1, 0.9], [0.8, 0.2]]
Y_LIST = [0, 0, 0, 1, 0, 1, 0, 0]


def trained(X, y, loss=nn.binary_cross_entropy_with_logits, outputs=1, **options):
    model = nn.MLP(2, [3, outputs], seed=0)
    history = nn.fit(model, X, y, loss, nn.SGD(model.parameters(), lr=0.3), epochs=3, batch_size=3,
                     verbose=False, **options)
    return history, model.state_dict()


@pytest.mark.parametrize("label", [np.int64(1), np.int32(1), np.uint8(1), np.float32(1.0), np.float64(1.0),
                                   np.array(1), np.array(1.0), np.array([1])])
def test_every_loss_takes_numpy_labels_as_the_number_they_hold(label):
    z = Value(0.3)
    assert nn.mse_loss(z, label).data == (0.3 - 1.0) ** 2
    assert nn.binary_cross_entropy(Value(0.25), label).data == nn.binary_cross_entropy(Value(0.25), 1).data
    assert nn.binary_cross_entropy_with_logits(z, label).data == nn.binary_cross_entropy_with_logits(z, 1).data
    assert nn.hinge_loss(z, label).data == 1.0 - 0.3


@pytest.mark.parametrize("index", [np.int64(2), np.int8(2), np.array(2), np.array([2])])
def test_cross_entropy_takes_numpy_class_indices(index):
    logits = [Value(0.1), Value(0.2), Value(0.7)]
    assert nn.cross_entropy(logits, index).data == nn.cross_entropy(logits, 2).data


def test_batches_of_numpy_targets_and_one_hot_rows():
    logits = [[Value(0.1), Value(0.2)], [Value(0.4), Value(-1.0)]]
    assert nn.cross_entropy(logits, np.array([1, 0])).data == nn.cross_entropy(logits, [1, 0]).data
    one_hot = np.eye(2)[[1, 0]]
    assert nn.cross_entropy(logits, one_hot).data == pytest.approx(nn.cross_entropy(logits, [1, 0]).data)
    scores = [Value(0.5), Value(-2.0)]
    assert nn.mse_loss(scores, np.array([1.0, 0.0])).data == pytest.approx((0.25 + 4.0) / 2)


def test_a_float_class_index_is_refused_with_the_conversion_to_make():
    with pytest.raises(ValueError, match=r"class index in 0\.\.1, got float 1\.0.*astype\(int\)"):
        nn.cross_entropy([Value(0.0), Value(1.0)], np.float64(1.0))


@pytest.mark.parametrize("label", [True, np.bool_(True), np.array(True)])
def test_bool_labels_are_a_clear_error(label):
    with pytest.raises(TypeError, match=r"bool True; convert labels with int"):
        nn.mse_loss(Value(1.0), label)
    with pytest.raises(ValueError, match="class index"):
        nn.cross_entropy([Value(0.0), Value(1.0)], label)


@pytest.mark.parametrize("label", [float("nan"), np.inf, np.float32("nan")])
def test_non_finite_labels_are_a_clear_error(label):
    with pytest.raises(ValueError, match="must be a finite number"):
        nn.mse_loss(Value(1.0), label)


def test_numpy_X_and_y_train_exactly_as_lists_do():
    expected = trained(X_LIST, Y_LIST)
    assert trained(np.array(X_LIST), np.array(Y_LIST)) == expected
    X32 = np.array(X_LIST, dtype=np.float32)                  # each number is its float32 rounding
    assert trained(X32, np.array(Y_LIST, dtype=np.int64)) == trained([[float(v) for v in row] for row in X32], Y_LIST)
    assert trained([np.array(row) for row in X_LIST], list(np.array(Y_LIST))) == expected


def test_a_y_of_shape_n_by_1_is_the_same_as_shape_n():
    expected = trained(X_LIST, Y_LIST)
    assert trained(np.array(X_LIST), np.array(Y_LIST).reshape(-1, 1)) == expected
    assert trained(X_LIST, [[t] for t in Y_LIST]) == expected
    regression = trained(X_LIST, [float(t) for t in Y_LIST], loss=nn.mse_loss)
    assert trained(X_LIST, np.array(Y_LIST, dtype=float).reshape(-1, 1), loss=nn.mse_loss) == regression


def test_one_hot_targets_train_like_class_indices_and_count_for_accuracy():
    y3 = [t + (i % 2) for i, t in enumerate(Y_LIST)]  # classes 0, 1, 2
    history, state = trained(X_LIST, y3, loss=nn.cross_entropy, outputs=3)
    history_1hot, state_1hot = trained(np.array(X_LIST), np.eye(3)[y3], loss=nn.cross_entropy, outputs=3)
    assert history_1hot["accuracy"] == history["accuracy"]
    assert history_1hot["loss"] == pytest.approx(history["loss"], rel=1e-12)
    assert all(state_1hot[k] == pytest.approx(v, rel=1e-9, abs=1e-12) for k, v in state.items())


def test_evaluation_and_data_helpers_take_numpy():
    model = nn.MLP(1, [1])
    model.set_parameters(np.array([1.0, -0.5]))                       # output = x - 0.5
    X = np.array([[0.0], [1.0], [2.0], [0.2]])
    assert nn.predict(model, X) == [-0.5, 0.5, 1.5, -0.3]
    assert nn.accuracy(model, X, np.array([0, 1, 0, 0])) == 0.75      # threshold 0
    assert nn.mean_squared_error(model, X, np.zeros((4, 1))) == pytest.approx((0.25 + 0.25 + 2.25 + 0.09) / 4)
    assert model(np.array([np.float32(2.0)])).data == 1.5
    assert model([np.array(2.0)]).data == 1.5                          # a 0-d array as an input
    split = nn.train_test_split(np.array(X_LIST), np.array(Y_LIST), 0.25, seed=1)
    assert split == nn.train_test_split(X_LIST, Y_LIST, 0.25, seed=1)
    assert list(nn.batches(np.array(X_LIST), np.array(Y_LIST), 3, seed=2)) == list(nn.batches(X_LIST, Y_LIST, 3, seed=2))


def test_wrong_lengths_and_shapes_name_both_shapes():
    model = nn.MLP(2, [3, 1], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    X, y = np.array(X_LIST), np.array(Y_LIST)
    with pytest.raises(ValueError, match=r"8 examples but y has 7 targets \(X has shape \(8, 2\), y has shape \(7,\)\)"):
        nn.fit(model, X, y[:7], nn.mse_loss, opt)
    with pytest.raises(ValueError, match=r"X has shape \(8, 3\).*takes 2 inputs"):
        nn.fit(model, np.c_[X, X[:, :1]], y, nn.mse_loss, opt)
    with pytest.raises(ValueError, match=r"y has shape \(8, 2\).*has 1 output"):
        nn.fit(model, X, np.c_[y, y], nn.mse_loss, opt)
    with pytest.raises(ValueError, match=r"2-D.*shape \(8,\).*reshape\(-1, 1\)"):
        nn.fit(model, X[:, 0], y, nn.mse_loss, opt)
    with pytest.raises(ValueError, match=r"X has shape \(8, 2\), y has shape \(3,\)"):
        nn.accuracy(model, X, y[:3])
    with pytest.raises(ValueError, match=r"expects 2 inputs, got 3 \(input shape \(3,\)\)"):
        model(np.zeros(3))


@pytest.mark.parametrize("bad_at, loss", [(5, nn.binary_cross_entropy), (7, nn.hinge_loss), (6, nn.mse_loss)])
def test_a_bad_label_anywhere_stops_fit_before_the_first_step(bad_at, loss):
    y = np.array(Y_LIST, dtype=float) * 2 - 1 if loss is nn.hinge_loss else np.array(Y_LIST, dtype=float)
    y[bad_at] = 3.0 if loss is not nn.mse_loss else np.nan
    model = nn.MLP(2, [3, 1], output_activation="sigmoid", seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=f"target {bad_at} of y"):
        nn.fit(model, X_LIST, y, loss, nn.SGD(model.parameters(), lr=0.1), batch_size=1, verbose=False)
    assert model.state_dict() == before


def test_partial_losses_and_validation_data_are_checked_too():
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match="target 1 of y"):
        nn.fit(model, X_LIST, Y_LIST, nn.binary_cross_entropy_with_logits, nn.SGD(model.parameters(), lr=0.1),
               validation_data=(X_LIST[:2], [0, np.nan]), verbose=False)
    with pytest.raises(ValueError, match="target 0 of y"):
        nn.fit(model, X_LIST, [np.inf] + Y_LIST[1:], functools.partial(nn.mse_loss, half=True),
               nn.SGD(model.parameters(), lr=0.1), verbose=False)
    assert model.state_dict() == before


def test_nn_imports_and_trains_without_numpy():
    script = (
        "import sys; sys.modules['numpy'] = None\n"   # any 'import numpy' now raises ImportError
        "from autograd_lite import nn\n"
        "X, y = nn.datasets.moons(20, seed=0)\n"
        "model = nn.MLP(2, [3, 1], seed=0)\n"
        "history = nn.fit(model, X, y, nn.binary_cross_entropy_with_logits, nn.SGD(model.parameters(), lr=0.1),"
        " epochs=2, verbose=False)\n"
        "print(len(history['accuracy']), nn.accuracy(model, X, y) >= 0)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "True"]


def test_importing_nn_does_not_import_numpy():
    script = "import sys, nn; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_numpy_hyperparameters_work_as_the_python_numbers_they_hold(tmp_path):
    def run(i, f):
        model = nn.MLP(i(2), [i(3), i(1)], seed=i(4), activation=nn.LeakyReLU(f(0.25)),
                       output_activation=nn.ScaledSigmoid(f(2.0), f(0.5)))
        optimizer = nn.Adam(model.parameters(), lr=f(0.125), betas=(f(0.5), f(0.75)))
        X, y = nn.datasets.moons(i(20), seed=i(1))
        X_train, _, y_train, _ = nn.train_test_split(X, y, f(0.25), seed=i(2))
        history = nn.fit(model, X_train, y_train, nn.binary_cross_entropy, optimizer, epochs=i(2),
                         batch_size=i(5), seed=i(3), verbose=False)
        model.save(tmp_path / "m.json")                # config() must be plain JSON
        return history, model.state_dict(), json.loads((tmp_path / "m.json").read_text())["architecture"]

    assert run(np.int64, np.float32) == run(int, float)  # every float here is exact in float32
