"""Checkpoints: exact round trips, atomic writes, and clear errors that leave the model
unchanged."""

import json
import os

import pytest

from autograd_lite import nn


@pytest.fixture
def model():
    m = nn.MLP(3, [4, 2], activation=nn.LeakyReLU(0.1), output_activation="softmax", seed=0)
    m.set_parameters([0.1 + 0.2, 1e-300, -2.5e300, 1 / 3, 5e-324] + [i / 7 for i in range(len(m.parameters()) - 5)])
    return m


def test_round_trip_is_bit_exact_and_rebuilds_the_architecture(tmp_path, model):
    path = tmp_path / "model.json"
    model.save(path)
    loaded = nn.load(path)
    assert loaded.state_dict() == model.state_dict()
    assert loaded.config() == model.config()
    assert loaded([1.0, 2.0, 3.0])[1].data == model([1.0, 2.0, 3.0])[1].data


def test_trainable_scaled_sigmoid_round_trips(tmp_path):
    m = nn.MLP(2, [3, 1], activation=nn.ScaledSigmoid(2.0, 0.5, trainable=True), seed=1)
    m.layers[0].neurons[0]._named[-1][1].data = 0.123456789
    m.save(tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json").state_dict() == m.state_dict()


def test_the_file_is_plain_json_with_format_version_and_float_reprs(tmp_path, model):
    model.save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    assert data["format"] == "autograd-lite-nn" and data["version"] == 1
    assert data["architecture"]["nouts"] == [4, 2]
    assert data["parameters"]["layer0/neuron0/w0"] == "0.30000000000000004"


def test_save_replaces_atomically_and_leaves_no_temp_files(tmp_path, model, monkeypatch):
    path = tmp_path / "m.json"
    model.save(path)
    original = path.read_text()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.MLP(1, [1], seed=0).save(path)
    assert path.read_text() == original
    assert os.listdir(tmp_path) == ["m.json"]


def test_a_model_with_a_callable_activation_cannot_be_saved(tmp_path):
    m = nn.MLP(1, [2, 1], activation=lambda a: a * a)
    with pytest.raises(ValueError, match="callable and cannot be saved"):
        m.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def corrupt(text):
    data = json.loads(text)
    data["parameters"]["layer1/neuron1/b"] = "0.5x"
    return json.dumps(data)


def other_shape(text):
    data = json.loads(text)
    data["architecture"]["nouts"] = [5, 2]
    return json.dumps(data)


def missing_parameter(text):
    data = json.loads(text)
    del data["parameters"]["layer1/neuron1/b"]
    return json.dumps(data)


@pytest.mark.parametrize("damage, message", [
    (lambda text: text[: len(text) // 2], "not valid JSON"),
    (lambda text: "", "not valid JSON"),
    (lambda text: text.replace('"version": 1', '"version": 9'), "version 9"),
    (lambda text: text.replace("autograd-lite-nn", "something-else"), "not an autograd-lite nn checkpoint"),
    (corrupt, "'0.5x', not a float repr"),
    (other_shape, "different architecture"),
    (missing_parameter, "do not match"),
])
def test_damaged_files_raise_a_clear_error_and_leave_the_model_unchanged(tmp_path, model, damage, message):
    path = tmp_path / "m.json"
    model.save(path)
    path.write_text(damage(path.read_text()))
    target = nn.MLP(3, [4, 2], activation=nn.LeakyReLU(0.1), output_activation="softmax", seed=99)
    before = target.state_dict()
    with pytest.raises(nn.CheckpointError, match=message):
        nn.load_into(target, path)
    assert target.state_dict() == before


def test_load_into_a_matching_model_and_missing_file_error(tmp_path, model):
    model.save(tmp_path / "m.json")
    target = nn.MLP(3, [4, 2], activation=nn.LeakyReLU(0.1), output_activation="softmax", seed=99)
    nn.load_into(target, tmp_path / "m.json")
    assert target.state_dict() == model.state_dict()
    with pytest.raises(nn.CheckpointError, match="cannot read checkpoint"):
        nn.load(tmp_path / "absent.json")


def test_binary_garbage_is_a_clear_error(tmp_path):
    (tmp_path / "m.json").write_bytes(b"\x80\x04\x95pickle")
    with pytest.raises(nn.CheckpointError, match="not UTF-8"):
        nn.load(tmp_path / "m.json")


def test_parameter_order_in_the_file_does_not_matter(tmp_path, model):
    path = tmp_path / "m.json"
    model.save(path)
    data = json.loads(path.read_text())
    data["parameters"] = dict(reversed(list(data["parameters"].items())))
    path.write_text(json.dumps(data))
    assert nn.load(path).state_dict() == model.state_dict()


@pytest.mark.parametrize("make", [
    lambda: nn.Layer(3, 2, activation=nn.ScaledSigmoid(trainable=True), seed=1),   # 2 x (3 + 1 + 2) parameters
    lambda: nn.Layer(2, 3, activation="softmax", seed=0),
    lambda: nn.Neuron(4, activation="tanh", seed=2),
])
def test_layers_and_neurons_round_trip_too(tmp_path, make):
    model = make()
    model.save(tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert type(loaded) is type(model) and loaded.config() == model.config()
    assert loaded.state_dict() == model.state_dict()


@pytest.mark.parametrize("activation", ["softplus", "gelu", "silu", "elu", nn.ELU(0.5)])
def test_the_new_activations_by_name_compute_their_op_and_round_trip(tmp_path, activation):
    import math

    m = nn.MLP(2, [3, 1], activation=activation, seed=4)
    neuron = m.layers[0].neurons[0]
    *w, b = [p.data for p in neuron.parameters()]
    a = w[0] * 0.5 + w[1] * -1.5 + b
    alpha = 0.5 if isinstance(activation, nn.ELU) else 1.0
    expected = {"softplus": math.log1p(math.exp(a)), "gelu": a * 0.5 * math.erfc(-a / math.sqrt(2.0)),
                "silu": a / (1.0 + math.exp(-a)), "elu": a if a > 0 else alpha * math.expm1(a)}
    name = activation if isinstance(activation, str) else "elu"
    assert neuron([0.5, -1.5]).data == pytest.approx(expected[name], rel=1e-14)
    m.save(tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert loaded.config() == m.config()
    assert loaded([0.5, -1.5]).data == m([0.5, -1.5]).data


def test_elu_alpha_is_checked():
    with pytest.raises(ValueError, match="elu alpha must be a finite number"):
        nn.ELU(float("nan"))
    with pytest.raises(ValueError, match="elu alpha"):
        nn.ELU("1")
