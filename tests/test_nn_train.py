"""nn.fit: the three gradient-descent modes, history, callbacks, progress bar; accuracy
and predict."""

import functools
import io

import pytest

from autograd_lite import nn

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.2, 0.1], [0.9, 0.8], [0.1, 0.9], [0.8, 0.2]]
y = [0, 0, 0, 1, 0, 1, 0, 0]


def make():
    model = nn.MLP(2, [4, 1], output_activation="sigmoid", seed=0)
    return model, nn.SGD(model.parameters(), lr=0.5)


@pytest.mark.parametrize("batch_size, steps_per_epoch", [(None, 1), (1, 8), (3, 3)])
def test_batch_size_selects_batch_stochastic_or_mini_batch_steps(batch_size, steps_per_epoch):
    model, opt = make()
    history = nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=2, batch_size=batch_size, verbose=False)
    assert opt.steps == 2 * steps_per_epoch
    assert len(history["loss"]) == len(history["accuracy"]) == 2


def test_full_batch_epoch_loss_is_the_loss_before_the_step():
    model, opt = make()
    before = nn.binary_cross_entropy([model(x) for x in X], y).data
    history = nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=1, verbose=False)
    assert history["loss"][0] == pytest.approx(before)


def test_training_reduces_the_loss():
    model, opt = make()
    history = nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=40, batch_size=2, verbose=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_on_epoch_end_sees_each_epoch_and_can_stop_training():
    model, opt = make()
    seen = []

    def callback(epoch, logs):
        seen.append((epoch, sorted(logs)))
        return epoch == 2

    history = nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=10, verbose=False, on_epoch_end=callback)
    assert [epoch for epoch, _ in seen] == [0, 1, 2] and len(history["loss"]) == 3
    assert seen[0][1] == ["accuracy", "loss"]


def test_validation_data_adds_val_loss_and_val_accuracy():
    model, opt = make()
    history = nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=2, validation_data=(X[:4], y[:4]),
                     verbose=False)
    assert len(history["val_loss"]) == len(history["val_accuracy"]) == 2


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_when_verbose():
    model, opt = make()
    pipe, terminal, quiet = io.StringIO(), FakeTerminal(), FakeTerminal()
    nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=2, stream=pipe)
    nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=2, stream=terminal)
    nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=2, stream=quiet, verbose=False)
    assert pipe.getvalue() == "" and quiet.getvalue() == ""
    assert "epoch 2/2" in terminal.getvalue() and "loss" in terminal.getvalue()


def test_accuracy_with_hand_set_weights():
    model = nn.MLP(1, [1])  # linear: output = w x + b
    model.set_parameters([1.0, -0.5])
    assert nn.predict(model, [[0.0], [1.0]]) == [-0.5, 0.5]
    assert nn.accuracy(model, [[0.0], [1.0], [2.0], [0.2]], [0, 1, 0, 0]) == 0.75   # threshold 0
    assert nn.accuracy(model, [[0.0], [1.0]], [-1, 1]) == 1.0                       # -1/+1 labels
    three = nn.MLP(1, [3])
    three.set_parameters([0.0, 1.0, 2.0, 0.0, 1.0, 0.5])  # outputs 1, 2x, x + 0.5
    assert nn.accuracy(three, [[0.1], [3.0]], [0, 1]) == 1.0                      # argmax


def test_fit_rejects_mismatched_data():
    model, opt = make()
    with pytest.raises(ValueError, match="8 examples but y has 3 targets"):
        nn.fit(model, X, y[:3], nn.binary_cross_entropy, opt)
    with pytest.raises(ValueError, match="epochs"):
        nn.fit(model, X, y, nn.binary_cross_entropy, opt, epochs=0)


def test_fit_refuses_cross_entropy_on_a_softmax_output_which_would_apply_softmax_twice():
    model = nn.MLP(2, [3], output_activation="softmax", seed=0)
    with pytest.raises(ValueError, match="expects logits.*output_activation=None"):
        nn.fit(model, X, [0] * len(X), nn.cross_entropy, nn.SGD(model.parameters(), lr=0.1), verbose=False)


def linear_model(w, b):
    model = nn.MLP(1, [1])  # output = w x + b
    model.set_parameters([w, b])
    return model


def test_fit_with_mse_loss_reports_the_mean_squared_error_not_an_accuracy():
    model = linear_model(1.0, 0.0)                   # outputs 0, 1, 2 against targets 0, 0, 0
    opt = nn.SGD(model.parameters(), lr=0.01)
    history = nn.fit(model, [[0.0], [1.0], [2.0]], [0.0, 0.0, 0.0], nn.mse_loss, opt, epochs=2, verbose=False,
                     validation_data=([[3.0]], [1.0]))
    assert sorted(history) == ["loss", "mse", "val_loss", "val_mse"]
    assert history["mse"][0] == pytest.approx((0 + 1 + 4) / 3)  # the epoch's predictions, before its step
    w, b = (p.data for p in model.parameters())
    assert history["val_mse"][-1] == pytest.approx((3 * w + b - 1.0) ** 2)


def test_the_metric_follows_the_loss_and_can_be_chosen():
    half_mse = functools.partial(nn.mse_loss, half=True)
    assert nn.train.default_metric(half_mse) == "mse" and nn.train.default_metric(nn.hinge_loss) == "accuracy"
    model = linear_model(1.0, -0.5)
    history = nn.fit(model, [[0.0], [1.0]], [0, 1], nn.mse_loss, nn.SGD(model.parameters(), lr=1e-9), epochs=1,
                     metric="accuracy", verbose=False)
    assert sorted(history) == ["accuracy", "loss"]
    assert history["loss"] == [pytest.approx(0.25)] and history["accuracy"] == [1.0]  # outputs -0.5, 0.5
    model, opt = make()
    assert sorted(nn.fit(model, X, y, nn.binary_cross_entropy, opt, verbose=False)) == ["accuracy", "loss"]
    with pytest.raises(ValueError, match="metric must be one of 'accuracy', 'mse'"):
        nn.fit(model, X, y, nn.binary_cross_entropy, opt, metric="f1")


def test_mean_squared_error_over_every_output_number():
    two = nn.MLP(1, [2])
    two.set_parameters([1.0, 0.0, 2.0, 1.0])         # outputs x and 2x + 1
    assert nn.mean_squared_error(two, [[1.0], [0.0]], [[0.0, 3.0], [1.0, 1.0]]) == pytest.approx((1 + 0 + 1 + 0) / 4)
    with pytest.raises(ValueError, match="2 outputs per example but a target has 3 numbers"):
        nn.mean_squared_error(two, [[1.0]], [[0.0, 3.0, 1.0]])


def test_the_cli_progress_printer_formats_regression_logs_as_numbers(capsys, monkeypatch):
    from autograd_lite.cli import progress

    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: False, raising=False)
    report = progress.epoch_printer(1)
    report(0, {"loss": 0.5, "mse": 0.25, "val_loss": 0.125, "val_mse": 0.0625})
    assert "mse 0.2500" in capsys.readouterr().out
