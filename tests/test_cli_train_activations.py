"""`autograd-lite train --activation` offers every hidden activation that nn has by name,
and the choice reaches the model, its checkpoint and `predict`."""

import re
from pathlib import Path

import pytest

from autograd_lite import nn
from autograd_lite.cli.train_command import ACTIVATIONS
from autograd_lite.nn.activations import NAMED
from cli_support import call_cli, write_csv

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
NOT_ON_THE_COMMAND_LINE = {
    "softmax": "normalises a whole layer: an output activation (the loss chooses it), not a hidden one",
    "scaled_sigmoid": "needs its c and beta, which train has no options for; use nn.MLP in Python",
}


def test_every_named_hidden_activation_is_a_choice():
    assert set(ACTIVATIONS) == set(NAMED) - set(NOT_ON_THE_COMMAND_LINE)


def test_the_docs_list_the_choices():
    row = next(line for line in DOCS.read_text(encoding="utf-8").splitlines() if line.startswith("| `--activation`"))
    assert re.findall(r"`([a-z_]+)`", row.split("|")[3]) == list(ACTIVATIONS)


@pytest.mark.parametrize("activation", ["gelu", "silu", "elu", "softplus"])
def test_a_new_activation_trains_saves_and_predicts(tmp_path, activation):
    X, y = nn.datasets.moons()
    data = write_csv(tmp_path / "moons.csv", ["x1", "x2", "label"], [[*x, t] for x, t in zip(X, y)])
    result = call_cli("train", "--data", data, "--hidden", "4", "--epochs", "2", "--activation", activation,
                      "--save", tmp_path / "m.json")
    assert result.returncode == 0, result.stderr
    hidden = nn.load(tmp_path / "m.json").network.layers[0]
    assert [type(neuron.activation).name for neuron in hidden.neurons] == [activation] * 4
    predicted = call_cli("predict", tmp_path / "m.json", data)
    assert predicted.returncode == 0, predicted.stderr
    assert len(predicted.stdout.splitlines()) == 1 + len(X)
