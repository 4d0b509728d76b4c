"""`autograd-lite train` and `predict`: round trips through a checkpoint and a CSV file,
and every malformed input with its exit code and a message naming the problem."""

import csv
import json
import random

import pytest

from autograd_lite import nn
from cli_support import call_cli, run_cli, write_csv

IRIS_HEADER = ["sepal length", "sepal width", "petal length", "petal width", "species"]


@pytest.fixture
def flowers(tmp_path):
    """Iris with the species written as names, as a user's CSV file would have them."""
    X, y = nn.datasets.iris()
    return write_csv(tmp_path / "flowers.csv", IRIS_HEADER,
                     [[*x, nn.datasets.IRIS_CLASSES[t]] for x, t in zip(X, y)])


def read_predictions(path):
    with open(path) as file:
        return list(csv.DictReader(file))


def test_train_then_predict_round_trip_on_a_csv(tmp_path, flowers):
    trained = run_cli("train", "--data", "flowers.csv", "--hidden", "8", "--epochs", "20",
                      "--save", "model.json", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "Saved model.json" in trained.stdout
    assert nn.load(tmp_path / "model.json").nin == 4  # an nn checkpoint (nn.load gives an nn.ScaledModel)
    predicted = run_cli("predict", "model.json", "flowers.csv", "--out", "preds.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    rows = read_predictions(tmp_path / "preds.csv")
    truth = [row[-1] for row in list(csv.reader(open(flowers)))[1:]]
    assert len(rows) == 150
    assert list(rows[0]) == ["prediction", "p_setosa", "p_versicolor", "p_virginica"]
    for row in rows:
        assert sum(float(row[f"p_{c}"]) for c in nn.datasets.IRIS_CLASSES) == pytest.approx(1, abs=1e-5)
        assert row["prediction"] == max(nn.datasets.IRIS_CLASSES, key=lambda c: float(row[f"p_{c}"]))
    correct = sum(row["prediction"] == t for row, t in zip(rows, truth))
    assert correct >= 135  # 90%: it learnt the flowers
    assert f"({correct}/150)" in predicted.stderr


def test_predict_prints_to_stdout_without_out(tmp_path, flowers):
    assert call_cli("train", "--data", flowers, "--hidden", "4", "--epochs", "2", "--save",
                    tmp_path / "m.json").returncode == 0
    result = call_cli("predict", tmp_path / "m.json", flowers)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "prediction,p_setosa,p_versicolor,p_virginica" and len(lines) == 151


def test_predict_needs_only_the_feature_columns_in_any_order(tmp_path, flowers):
    assert call_cli("train", "--data", flowers, "--hidden", "4", "--epochs", "2", "--save",
                    tmp_path / "m.json").returncode == 0
    rows = list(csv.reader(open(flowers)))[1:]
    shuffled = write_csv(tmp_path / "new.csv", IRIS_HEADER[3::-1], [row[3::-1] for row in rows])
    both = call_cli("predict", tmp_path / "m.json", flowers).stdout
    assert call_cli("predict", tmp_path / "m.json", shuffled).stdout == both


def test_regression_learns_a_linear_function(tmp_path):
    rng = random.Random(1)
    points = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(60)]
    write_csv(tmp_path / "line.csv", ["a", "b", "y"], [[a, b, 2 * a - b + 1] for a, b in points])
    trained = call_cli("train", "--data", "line.csv", "--loss", "mse", "--hidden", "", "--lr", "0.05",
                       "--epochs", "60", "--save", "line.json", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    write_csv(tmp_path / "new.csv", ["a", "b"], [[0.5, -1.0], [-1.5, 0.25]])
    result = call_cli("predict", "line.json", "new.csv", cwd=tmp_path)
    predictions = [float(line) for line in result.stdout.splitlines()[1:]]
    assert predictions == pytest.approx([2 * 0.5 + 1.0 + 1, 2 * -1.5 - 0.25 + 1], abs=0.05)


@pytest.mark.parametrize("loss, column", [("bce", "p_1"), ("hinge", "score"), ("cross_entropy", "p_1")])
def test_two_class_losses_on_moons(tmp_path, loss, column):
    trained = call_cli("train", "--data", "moons", "--loss", loss, "--hidden", "8", "--epochs", "5",
                       "--optimizer", "sgd", "--save", "m.json", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    X, y = nn.datasets.moons(200, seed=0)
    write_csv(tmp_path / "moons.csv", ["x1", "x2", "class"], [[*x, t] for x, t in zip(X, y)])
    result = call_cli("predict", "m.json", "moons.csv", cwd=tmp_path)
    assert result.returncode == 0
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert {row["prediction"] for row in rows} <= {"0", "1"} and column in rows[0]
    correct = sum(row["prediction"] == str(t) for row, t in zip(rows, y))
    assert correct >= 150  # 75% after 5 epochs: better than chance


def test_a_checkpoint_saved_by_model_save_predicts_by_column_position(tmp_path, flowers):
    model = nn.MLP(4, [3], seed=0)
    model.save(tmp_path / "plain.json")
    result = call_cli("predict", tmp_path / "plain.json", flowers)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "prediction,p_0,p_1,p_2"
    (tmp_path / "five.csv").write_text("a,b,c,d,e,f\n1,2,3,4,5,6\n")
    result = call_cli("predict", tmp_path / "plain.json", tmp_path / "five.csv")
    assert result.returncode == 2
    assert "has 6 columns, but the model takes 4 inputs (plus, optionally, a label column last)" in result.stderr


def test_full_batch_and_no_test_set(tmp_path):
    result = call_cli("train", "--data", "circles", "--batch-size", "0", "--test-fraction", "0",
                      "--hidden", "4", "--epochs", "3")
    assert result.returncode == 0, result.stderr
    assert "200 examples, 0 held out" in result.stdout and "test accuracy" not in result.stdout


# (file text, message); the message must name the line where it applies
BAD_CSV = [
    ("", "is empty; expected a header row"),
    ("\n\n", "is empty"),
    ("a,b,label\n", "has a header but no rows of data"),
    ("a,b,label\n1,2,x\n3,4\n", "line 3: 2 fields, but the header has 3"),
    ("a,b,label\n1,2,x\n3,4,y,5\n", "line 3: 4 fields, but the header has 3"),
    ("a,b,label\n1,2,x\n3,four,y\n", "line 3, column 'b': 'four' is not a number"),
    ("a,b,label\n1,nan,x\n3,4,y\n", "line 2, column 'b': 'nan' is not a finite number"),
    ("a,b,label\n1,2,\n3,4,y\n", "line 2: the label 'label' is empty"),
    ("a,a,label\n1,2,x\n", "line 1 (the header): the column name 'a' appears twice"),
    ("a,,label\n1,2,x\n", "line 1 (the header): column 2 has no name"),
    ("label\nx\ny\n", "no feature columns besides the label"),
    ("a,label\n1,x\n2,x\n", "has only one class ('x'); need at least 2"),
]


@pytest.mark.parametrize("text, message", BAD_CSV, ids=[m for _, m in BAD_CSV])
def test_malformed_csv_exits_2_naming_the_line(tmp_path, text, message):
    (tmp_path / "bad.csv").write_text(text)
    result = call_cli("train", "--data", "bad.csv", "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad.csv" in result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("autograd-lite train: error: ") and "Traceback" not in result.stderr


def test_the_error_names_the_file_and_line_through_the_real_entry_point(tmp_path):
    (tmp_path / "bad.csv").write_text("a,b,label\n1,2,x\n3,four,y\n")
    result = run_cli("train", "--data", "bad.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "autograd-lite train: error: bad.csv, line 3, column 'b': 'four' is not a number\n"


def test_not_utf8(tmp_path):
    (tmp_path / "bad.csv").write_bytes(b"a,label\n\xff\xfe,1\n")
    result = call_cli("train", "--data", "bad.csv", cwd=tmp_path)
    assert result.returncode == 2 and "is not UTF-8 text" in result.stderr


BAD_TRAIN_ARGS = [
    (["--data", "nope"], "'nope' is neither a built-in data set (iris, moons, circles) nor a CSV file"),
    (["--data", "missing.csv"], "missing.csv: no such file"),
    (["--data", "iris", "--label", "x"], "--label is for CSV files"),
    (["--data", "DATA", "--label", "colour"], "no column named 'colour'; the columns are a, b, label"),
    (["--data", "DATA", "--loss", "mse"], "--loss mse needs numeric labels, but 'label' has"),
    (["--data", "iris", "--loss", "hinge"], "--loss hinge is for two classes, but 'species' has 3"),
    (["--hidden", "16,x"], "is not a comma-separated list of layer sizes"),
    (["--hidden", "16,0"], "layer sizes must be at least 1"),
    (["--lr", "-1"], "'-1' is not a positive number"),
    (["--epochs", "0"], "'0' is not a whole number >= 1"),
    (["--batch-size", "-3"], "is not a whole number >= 0"),
    (["--test-fraction", "1"], "'1' is not a number in [0, 1)"),
    (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
    (["--activation", "swish"], "invalid choice: 'swish'"),
]


@pytest.mark.parametrize("args, message", BAD_TRAIN_ARGS, ids=[" ".join(a) for a, _ in BAD_TRAIN_ARGS])
def test_bad_train_arguments_exit_2(tmp_path, args, message):
    write_csv(tmp_path / "data.csv", ["a", "b", "label"], [[1, 2, "x"], [3, 4, "y"], [5, 6, "x"]])
    args = [str(tmp_path / "data.csv") if a == "DATA" else a for a in args]
    result = call_cli("train", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.fixture
def small_model(tmp_path):
    write_csv(tmp_path / "data.csv", ["a", "b", "label"], [[1, 2, "x"], [3, 4, "y"], [5, 6, "x"], [0, 1, "y"]])
    assert call_cli("train", "--data", "data.csv", "--hidden", "2", "--epochs", "1", "--save", "m.json",
                    cwd=tmp_path).returncode == 0
    return tmp_path


def test_predict_with_a_missing_feature_column(small_model):
    write_csv(small_model / "new.csv", ["a", "c"], [[1, 2]])
    result = call_cli("predict", "m.json", "new.csv", cwd=small_model)
    assert result.returncode == 2
    assert "new.csv, line 1 (the header): missing the feature column(s) b; the columns are a, c" in result.stderr


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not valid JSON"),
    ('{"format": "something else"}', "is not an autograd-lite nn checkpoint"),
    (None, "cannot read checkpoint"),
])
def test_predict_with_a_bad_checkpoint(small_model, content, message):
    if content is not None:
        (small_model / "bad.json").write_text(content)
    result = call_cli("predict", "bad.json", "data.csv", cwd=small_model)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_predict_into_a_missing_folder_is_refused_up_front_and_leaves_nothing(small_model):
    result = call_cli("predict", "m.json", "data.csv", "--out", "no/such/folder/p.csv", cwd=small_model)
    assert result.returncode == 2  # checked before any work, as train checks --save
    assert "--out no/such/folder/p.csv: the folder 'no/such/folder' does not exist" in result.stderr
    assert sorted(p.name for p in small_model.iterdir()) == ["data.csv", "m.json"]


def test_saving_leaves_no_temporary_files(small_model):
    data = json.loads((small_model / "m.json").read_text())
    assert data["cli"]["classes"] == ["x", "y"] and data["cli"]["features"] == ["a", "b"]
    assert sorted(p.name for p in small_model.iterdir()) == ["data.csv", "m.json"]
