"""Hostile and damaged checkpoint files: each raises CheckpointError saying what is wrong,
without building what the file declares, and leaves a model given to load_into unchanged.
Models with nan or inf parameters are never saved."""

import json
import os
import tracemalloc

import pytest

from autograd_lite import nn


def checkpoint(architecture, parameters):
    return {"format": "autograd-lite-nn", "version": 1, "architecture": architecture, "parameters": parameters}


def write(tmp_path, content):
    path = tmp_path / "m.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def peak_bytes_of(call):
    """The peak memory Python allocated during ``call()`` (which must raise CheckpointError)."""
    tracemalloc.start()
    try:
        with pytest.raises(nn.CheckpointError) as caught:
            call()
        return tracemalloc.get_traced_memory()[1], str(caught.value)
    finally:
        tracemalloc.stop()


SMALL = {"type": "MLP", "nin": 1, "nouts": [1], "name": "mlp", "activations": [{"name": "linear"}]}
SMALL_PARAMETERS = {"layer0/neuron0/w0": "0.5", "layer0/neuron0/b": "-1.0"}


def test_a_small_file_declaring_a_huge_model_is_refused_before_anything_is_built(tmp_path):
    # 199 bytes that declared 10**12 weights took 89 s and 10.4 GB before this check.
    bomb = dict(SMALL, nouts=[10**6, 10**6], activations=[{"name": "relu"}, {"name": "linear"}])
    path = write(tmp_path, checkpoint(bomb, SMALL_PARAMETERS))
    peak, message = peak_bytes_of(lambda: nn.load(path))
    # 10**6 neurons x (1 weight + bias), then 10**6 neurons x (10**6 weights + bias)
    assert "declares 1,000,003,000,000 parameters (layer sizes 1 -> 1000000 -> 1000000) but stores 2" in message
    assert peak < 1_000_000  # by construction: nothing of the declared size was allocated


def test_a_file_larger_than_max_bytes_is_refused_after_reading_at_most_max_bytes(tmp_path):
    path = write(tmp_path, " " * 10_000_000 + json.dumps(checkpoint(SMALL, SMALL_PARAMETERS)))
    peak, message = peak_bytes_of(lambda: nn.load(path, max_bytes=1000))
    assert "larger than 1,000 bytes, the limit" in message and "max_bytes=" in message
    assert peak < 1_000_000
    assert nn.load(path, max_bytes=20_000_000).state_dict() == {"layer0/neuron0/w0": 0.5, "layer0/neuron0/b": -1.0}
    assert nn.checkpoint.MAX_BYTES == 64 * 2**20


@pytest.mark.parametrize("where", ["top", "architecture", "parameters"])
def test_deep_nesting_is_a_checkpoint_error_not_a_recursion_error(tmp_path, where):
    deep = "[" * 100_000 + "]" * 100_000
    text = json.dumps(checkpoint(SMALL, SMALL_PARAMETERS))
    text = {"top": f'{{"x": {deep}, ' + text[1:],
            "architecture": text.replace('"nouts": [1]', f'"nouts": {deep}'),
            "parameters": text.replace('"0.5"', deep)}[where]
    with pytest.raises(nn.CheckpointError, match="nested too deeply"):
        nn.load(write(tmp_path, text))


def test_moderate_nesting_inside_the_architecture_gives_a_short_message(tmp_path):
    nested = json.loads("[" * 900 + "]" * 900)
    path = write(tmp_path, checkpoint(dict(SMALL, activations=[nested]), SMALL_PARAMETERS))
    with pytest.raises(nn.CheckpointError, match="invalid activation description") as caught:
        nn.load(path)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("field", ["nin", "version", "parameter name"])
def test_a_5000_digit_integer_is_a_checkpoint_error_not_a_value_error(tmp_path, field):
    huge = "9" * 5000
    text = json.dumps(checkpoint(SMALL, SMALL_PARAMETERS))
    text = {"nin": text.replace('"nin": 1', f'"nin": {huge}'),
            "version": text.replace('"version": 1', f'"version": {huge}'),
            "parameter name": text.replace('"0.5"', huge)}[field]
    with pytest.raises(nn.CheckpointError, match="an integer of 5000 digits"):
        nn.load(write(tmp_path, text))


@pytest.mark.parametrize("stored", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_parameters_are_refused_with_their_name(tmp_path, stored):
    path = write(tmp_path, checkpoint(SMALL, dict(SMALL_PARAMETERS, **{"layer0/neuron0/b": stored})))
    with pytest.raises(nn.CheckpointError, match=f"'layer0/neuron0/b' is {stored}; a checkpoint holds finite"):
        nn.load(path)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_constants_are_refused(tmp_path, constant):
    text = json.dumps(checkpoint(dict(SMALL, nin=1), SMALL_PARAMETERS)).replace('"nin": 1', f'"nin": {constant}')
    with pytest.raises(nn.CheckpointError, match=f"holds {constant}, which JSON does not allow"):
        nn.load(write(tmp_path, text))


@pytest.mark.parametrize("change, message", [
    ({"nin": "1"}, "nin must be a positive int, got '1'"),
    ({"nin": True}, "nin must be a positive int, got True"),
    ({"nin": 1.0}, "nin must be a positive int, got 1.0"),
    ({"nin": 0}, "nin must be a positive int, got 0"),
    ({"nouts": "1"}, "'nouts' must be a non-empty list"),
    ({"nouts": []}, "'nouts' must be a non-empty list"),
    ({"nouts": [-1]}, "each layer size in 'nouts' must be a positive int, got -1"),
    ({"activations": "linear"}, "'activations' must list one activation per layer"),
    ({"activations": [{"name": ["relu"]}]}, "invalid activation description"),
    ({"activations": [{"name": "leaky_relu", "slope": "x"}]}, "leaky_relu slope"),
    ({"name": 5}, "name must be a non-empty string"),
    ({"type": "Transformer"}, "unknown model type 'Transformer'"),
])
def test_wrong_types_in_the_architecture(tmp_path, change, message):
    with pytest.raises(nn.CheckpointError, match="invalid architecture: " + message.replace("(", r"\(")):
        nn.load(write(tmp_path, checkpoint(dict(SMALL, **change), SMALL_PARAMETERS)))


@pytest.mark.parametrize("content, message", [
    (checkpoint(SMALL, dict(SMALL_PARAMETERS, **{"layer0/neuron0/b": 0.5})), "is 0.5, not a float repr"),
    (checkpoint(SMALL, dict(SMALL_PARAMETERS, **{"layer0/neuron0/b": "1" * 40})), "not a float repr"),
    (checkpoint(SMALL, ["0.5", "-1.0"]), "no valid 'parameters' section"),
    (checkpoint([], SMALL_PARAMETERS), "no valid 'architecture' section"),
    (checkpoint(SMALL, {"layer0/neuron0/w0": "0.5", "x": "1.0"}), "unexpected \\[\"'x'\"\\]"),
    ([1, 2], "not an autograd-lite nn checkpoint"),
    (json.dumps(checkpoint(SMALL, SMALL_PARAMETERS))[:-20], "not valid JSON \\(truncated or corrupt\\?\\)"),
    (b'{"format": "autograd-lite-nn", "\xff\xfe": 1}', "not UTF-8 text"),
])
def test_damaged_or_wrongly_typed_files(tmp_path, content, message):
    with pytest.raises(nn.CheckpointError, match=message):
        nn.load(write(tmp_path, content))


def test_a_directory_is_not_a_checkpoint(tmp_path):
    with pytest.raises(nn.CheckpointError, match="is a directory, not a checkpoint file"):
        nn.load(tmp_path)


@pytest.mark.parametrize("content", [
    checkpoint(SMALL, dict(SMALL_PARAMETERS, **{"layer0/neuron0/b": "nan"})),
    checkpoint(dict(SMALL, nouts=[10**6]), SMALL_PARAMETERS),
    "[" * 100_000,
    b"\x80\x04",
])
def test_a_model_survives_a_failed_load_into(tmp_path, content):
    model = nn.MLP(1, [1], seed=3)
    before = model.state_dict()
    with pytest.raises(nn.CheckpointError):
        nn.load_into(model, write(tmp_path, content))
    assert model.state_dict() == before
    assert model([2.0]).data == 2.0 * before["layer0/neuron0/w0"] + before["layer0/neuron0/b"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_save_refuses_non_finite_parameters_and_leaves_the_old_file_untouched(tmp_path, bad):
    path = tmp_path / "model.json"
    model = nn.MLP(2, [3, 1], seed=0)
    model.save(path)
    good = path.read_bytes()
    model.layers[1].neurons[0].b.data = bad
    with pytest.raises(nn.CheckpointError, match=f"1 non-finite parameter \\(layer1/neuron0/b = {bad!r}\\).*"
                                                 "diverged.*Nothing was written"):
        model.save(path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["model.json"]


def test_save_refuses_an_activation_holding_inf(tmp_path):
    model = nn.MLP(1, [1], output_activation=nn.ScaledSigmoid(c=float("inf")), seed=0)
    with pytest.raises(nn.CheckpointError, match="architecture holds nan or inf"):
        model.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def test_integers_of_up_to_19_digits_are_read_and_longer_ones_refused(tmp_path):
    text = json.dumps(checkpoint(SMALL, SMALL_PARAMETERS))
    with pytest.raises(nn.CheckpointError, match="format version 9999999999999999999;"):
        nn.load(write(tmp_path, text.replace('"version": 1', '"version": ' + "9" * 19)))
    with pytest.raises(nn.CheckpointError, match="an integer of 20 digits"):
        nn.load(write(tmp_path, text.replace('"version": 1', '"version": -' + "9" * 20)))
