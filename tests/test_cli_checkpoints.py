"""Checkpoints written by `autograd-lite train`: `nn.load` gives a model that applies the
stored input scaling, so the library and `autograd-lite predict` agree; a malformed "cli"
section is refused in one line; class names written to CSV cannot run as formulas."""

import copy
import csv
import json

import pytest

from autograd_lite import nn
from autograd_lite.cli.csvdata import spreadsheet_safe
from cli_support import call_cli, error_line, write_csv

IRIS_HEADER = ["sepal length", "sepal width", "petal length", "petal width", "species"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, raw rows, checkpoint dict): iris with species names, trained 10 epochs."""
    folder = tmp_path_factory.mktemp("trained")
    X, y = nn.datasets.iris()
    write_csv(folder / "flowers.csv", IRIS_HEADER, [[*x, nn.datasets.IRIS_CLASSES[t]] for x, t in zip(X, y)])
    result = call_cli("train", "--data", "flowers.csv", "--hidden", "6", "--epochs", "10", "--save", "model.json",
                      cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, [list(x) for x in X], json.loads((folder / "model.json").read_text())


def bare_network(folder, data):
    """The checkpoint's network alone (no "cli" section): it expects standardised inputs."""
    plain = {key: value for key, value in data.items() if key != "cli"}
    (folder / "plain.json").write_text(json.dumps(plain))
    return nn.load(folder / "plain.json")


def test_nn_load_applies_the_stored_scaling_so_nn_predict_is_right_on_raw_rows(trained):
    folder, rows, data = trained
    mean, std = data["cli"]["scaling"]["mean"], data["cli"]["scaling"]["std"]
    by_hand = [[(v - m) / s for v, m, s in zip(row, mean, std)] for row in rows]
    network = bare_network(folder, data)
    model = nn.load(folder / "model.json")
    assert isinstance(model, nn.ScaledModel) and model.nin == 4
    assert nn.predict(model, rows) == nn.predict(network, by_hand)
    # the scaling matters: the network given raw rows answers differently
    assert nn.predict(network, rows) != nn.predict(network, by_hand)


def test_the_library_gives_the_labels_autograd_lite_predict_writes(trained):
    folder, rows, _ = trained
    model = nn.load(folder / "model.json")
    result = call_cli("predict", "model.json", "flowers.csv", "--out", "predictions.csv", cwd=folder)
    assert result.returncode == 0, result.stderr
    with open(folder / "predictions.csv") as file:
        written = [row["prediction"] for row in csv.DictReader(file)]
    assert model.classes == list(nn.datasets.IRIS_CLASSES)
    assert model.labels(rows) == written
    argmax = [model.classes[max(range(3), key=out.__getitem__)] for out in nn.predict(model, rows)]
    assert argmax == written
    _, y = nn.datasets.iris()
    correct = sum(label == nn.datasets.IRIS_CLASSES[t] for label, t in zip(written, y))
    assert nn.accuracy(model, rows, y) == correct / 150
    assert f"({correct}/150)" in result.stderr


def test_a_scaled_model_saves_and_loads_with_its_scaling_and_names(trained, tmp_path):
    folder, rows, _ = trained
    model = nn.load(folder / "model.json")
    model.save(tmp_path / "again.json")
    again = nn.load(tmp_path / "again.json")
    assert (again.mean, again.std, again.features, again.classes, again.loss, again.label) == \
        (model.mean, model.std, model.features, model.classes, model.loss, model.label)
    assert nn.predict(again, rows) == nn.predict(model, rows)


def test_a_scaled_model_refuses_a_row_of_the_wrong_length():
    model = nn.ScaledModel(nn.MLP(2, [1], seed=0), [0.0, 1.0], [1.0, 2.0], features=["a", "b"])
    with pytest.raises(ValueError, match=r"expects 2 inputs \(a, b\), got 3"):
        model([1.0, 2.0, 3.0])


def test_a_plain_checkpoint_still_loads_as_the_bare_network(tmp_path):
    model = nn.MLP(3, [2], seed=0)
    model.save(tmp_path / "m.json")
    assert type(nn.load(tmp_path / "m.json")) is nn.MLP


# (what is done to the "cli" section, words the message must contain)
MALFORMED = [
    (lambda cli: cli.clear() or cli.update(text="[1, 2]"), "must be an object, not list"),
    (lambda cli: cli["scaling"].pop("std"), "invalid scaling \"std\""),
    (lambda cli: cli["scaling"]["std"].__setitem__(1, 0.0), "\"std\" that is not positive"),
    (lambda cli: cli["scaling"]["std"].__setitem__(0, -1.0), "\"std\" that is not positive"),
    (lambda cli: cli["scaling"]["mean"].pop(), "expected a list of 4 numbers"),
    (lambda cli: cli["scaling"]["mean"].__setitem__(2, "5.1"), "every entry must be a finite number"),
    (lambda cli: cli["scaling"]["mean"].__setitem__(2, True), "every entry must be a finite number"),
    (lambda cli: cli["scaling"]["std"].__setitem__(2, "INFINITY"), "every entry must be a finite number"),
    (lambda cli: cli.__setitem__("scaling", "standard"), "invalid \"scaling\""),
    (lambda cli: cli.__setitem__("classes", ["setosa"]), "expected a list of 3 distinct names"),
    (lambda cli: cli.__setitem__("classes", ["a", "b"]), "expected a list of 3 distinct names"),
    (lambda cli: cli.__setitem__("classes", ["a", "a", "b"]), "expected a list of 3 distinct names"),
    (lambda cli: cli.__setitem__("classes", [1, 2, 3]), "expected a list of 3 distinct names"),
    (lambda cli: cli.__setitem__("classes", "abc"), "expected a list of 3 distinct names"),
    (lambda cli: cli.pop("classes"), "no \"classes\" for a cross_entropy classifier"),
    (lambda cli: cli.__setitem__("features", ["a", "b"]), "expected a list of 4 distinct names"),
    (lambda cli: cli.__setitem__("features", {"a": 1}), "expected a list of 4 distinct names"),
    (lambda cli: cli.__setitem__("label", 7), "invalid \"label\""),
    (lambda cli: cli.__setitem__("loss", "l1"), "unknown \"loss\" 'l1'"),
    (lambda cli: cli.__setitem__("loss", {"a": []}), "unknown \"loss\""),
    (lambda cli: cli.__setitem__("loss", "mse"), "\"classes\" for a regression model"),
]


@pytest.mark.parametrize("change, message", MALFORMED, ids=[m for _, m in MALFORMED])
def test_a_malformed_cli_section_is_refused_in_one_line(trained, tmp_path, change, message):
    folder, _, data = trained
    data = copy.deepcopy(data)
    change(data["cli"])
    if "text" in data["cli"]:
        data["cli"] = json.loads(data["cli"]["text"])
    (tmp_path / "bad.json").write_text(json.dumps(data).replace('"INFINITY"', "1e999"))  # JSON's float inf
    with pytest.raises(nn.CheckpointError, match="the \"cli\" section"):
        nn.load(tmp_path / "bad.json")
    result = call_cli("predict", tmp_path / "bad.json", folder / "flowers.csv")
    assert result.returncode == 2
    assert message in error_line(result, "predict")
    assert result.stdout == ""


@pytest.mark.parametrize("text", ["[1e999]", "[NaN]", "[-Infinity]", "[" + "9" * 400 + "]"],
                         ids=["1e999", "NaN", "-Infinity", "400 digits"])
def test_a_scaling_that_is_not_a_finite_float_is_refused_in_one_line(trained, tmp_path, text):
    folder, _, data = trained
    (tmp_path / "bad.json").write_text(json.dumps(data).replace('"std": [', '"std": ' + text[:-1] + ", ", 1))
    with pytest.raises(nn.CheckpointError):
        nn.load(tmp_path / "bad.json")
    result = call_cli("predict", tmp_path / "bad.json", folder / "flowers.csv")
    assert result.returncode == 2
    error_line(result, "predict")


@pytest.mark.parametrize("cell, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\r=1", "'\r=1"),
    ("-1", "-1"), ("-1.5e-3", "-1.5e-3"), ("+2", "+2"), ("setosa", "setosa"), ("a=b", "a=b"), ("", ""),
])
def test_spreadsheet_safe_cells(cell, safe):
    assert spreadsheet_safe(cell) == safe


def test_class_names_in_predictions_cannot_run_as_spreadsheet_formulas(tmp_path):
    hostile = ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+2", "-2+3"]
    rows = [[i, (i * 7) % 5, hostile[i % 4]] for i in range(40)]
    write_csv(tmp_path / "data.csv", ["a", "b", "kind"], rows)
    assert call_cli("train", "--data", "data.csv", "--hidden", "4", "--epochs", "3", "--save", "m.json",
                    cwd=tmp_path).returncode == 0
    for out in (["--out", "p.csv"], []):
        result = call_cli("predict", "m.json", "data.csv", *out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        text = (tmp_path / "p.csv").read_text() if out else result.stdout
        cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
        assert {cell for cell in cells if cell[:1] in "=+-@"} == set()
        assert {cell[1:] for cell in cells if cell.startswith("'")} <= set(hostile)
        assert any(cell.startswith("'") for cell in cells)  # some prediction was a hostile name


def test_load_into_refuses_a_model_that_would_ignore_the_stored_scaling(trained, tmp_path):
    folder, rows, data = trained
    bare = nn.MLP(4, [6, 3], seed=1)
    before = bare.state_dict()
    with pytest.raises(nn.CheckpointError, match=r"different input scaling.*use nn.load\(path\)"):
        nn.load_into(bare, folder / "model.json")
    assert bare.state_dict() == before
    scaled = nn.load(folder / "model.json")
    target = nn.ScaledModel(nn.MLP(4, [6, 3], seed=1), scaled.mean, scaled.std, scaled.features,
                            scaled.label, scaled.classes, scaled.loss)
    nn.load_into(target, folder / "model.json")
    assert nn.predict(target, rows) == nn.predict(scaled, rows)


@pytest.mark.parametrize("loss", ["bce", "hinge"])
def test_two_class_checkpoints_give_the_same_labels_in_python_and_on_the_command_line(tmp_path, loss):
    X, y = nn.datasets.moons(120, noise=0.2, seed=4)
    names = ["left", "right"]
    write_csv(tmp_path / "moons.csv", ["x1", "x2", "side"], [[*x, names[t]] for x, t in zip(X, y)])
    assert call_cli("train", "--data", "moons.csv", "--loss", loss, "--hidden", "6", "--epochs", "8",
                    "--save", "m.json", cwd=tmp_path).returncode == 0
    written = [row["prediction"] for row in csv.DictReader(call_cli("predict", "m.json", "moons.csv",
                                                                    cwd=tmp_path).stdout.splitlines())]
    model = nn.load(tmp_path / "m.json")
    assert model.labels(X) == written
    threshold = 0.5 if loss == "bce" else 0.0  # a sigmoid's probability, or a hinge score's sign
    assert [names[out > threshold] for out in nn.predict(model, X)] == written
    assert 0 < written.count("left") < 120  # both classes occur, so the threshold was tested
