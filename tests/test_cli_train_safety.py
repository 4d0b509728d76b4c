"""`autograd-lite train` never trains or saves a silently wrong model: a numeric target
is not taken for hundreds of classes, NaN/inf labels are refused, a diverged model is
never saved (nor replaces a good checkpoint), and --save is checked before training."""

import json
import math
import random

import pytest

from autograd_lite import nn
from autograd_lite.cli.checkpoints import save
from autograd_lite.cli.dataset import standardise
from autograd_lite.cli.errors import CommandError
from cli_support import call_cli, error_line, write_csv


def numeric_target(tmp_path, count=200, whole=False):
    """A regression CSV: y = 2a - b + noise, with ``count`` distinct values."""
    rng = random.Random(3)
    rows = []
    for i in range(count):
        a, b = rng.uniform(-2, 2), rng.uniform(-2, 2)
        rows.append([a, b, i if whole else 2 * a - b + rng.gauss(0, 0.1)])
    return write_csv(tmp_path / "target.csv", ["a", "b", "y"], rows)


def test_a_numeric_target_with_many_values_is_not_taken_for_classes(tmp_path):
    numeric_target(tmp_path)
    result = call_cli("train", "--data", "target.csv", "--epochs", "1", "--save", "m.json", cwd=tmp_path)
    assert result.returncode == 2
    line = error_line(result, "train")
    assert "'y' looks like a number to predict, not a class (200 distinct values" in line
    assert "use --loss mse for regression" in line
    assert "Training" not in result.stdout and not (tmp_path / "m.json").exists()


def test_fractional_labels_are_a_number_to_predict_even_when_few(tmp_path):
    write_csv(tmp_path / "target.csv", ["a", "y"], [[i, [0.5, 1.5, 2.5][i % 3]] for i in range(30)])
    result = call_cli("train", "--data", "target.csv", "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 2 and "(3 distinct values such as 0.5, 1.5, 2.5)" in error_line(result, "train")


def test_the_same_target_trains_with_loss_mse(tmp_path):
    numeric_target(tmp_path)
    result = call_cli("train", "--data", "target.csv", "--loss", "mse", "--hidden", "", "--lr", "0.05",
                      "--epochs", "30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    final = float(result.stdout.split("test mean squared error ")[1].split()[0])
    assert final < 0.1  # y = 2a - b + noise of variance 0.01 is learnt by a linear model


def test_numbers_as_classes_are_fine_when_few_or_when_the_loss_is_given(tmp_path):
    write_csv(tmp_path / "digits.csv", ["a", "digit"], [[i, i % 10] for i in range(50)])
    assert call_cli("train", "--data", "digits.csv", "--epochs", "1", "--hidden", "2",
                    cwd=tmp_path).returncode == 0
    numeric_target(tmp_path, count=30, whole=True)
    assert call_cli("train", "--data", "target.csv", "--epochs", "1", "--hidden", "2",
                    cwd=tmp_path).returncode == 2
    given = call_cli("train", "--data", "target.csv", "--loss", "cross_entropy", "--epochs", "1", "--hidden", "2",
                     "--test-fraction", "0", cwd=tmp_path)
    assert given.returncode == 0 and "30 linear" in given.stdout


@pytest.mark.parametrize("loss, cell", [("mse", "nan"), ("mse", "inf"), ("mse", "-Infinity"),
                                        ("cross_entropy", "NaN"), ("bce", "inf")])
def test_nan_and_inf_labels_are_refused_naming_the_line(tmp_path, loss, cell):
    write_csv(tmp_path / "data.csv", ["a", "y"], [[1, 0], [2, 1], [3, cell], [4, 0]])
    result = call_cli("train", "--data", "data.csv", "--loss", loss, "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert f"data.csv, line 4: the label 'y' is '{cell}', not a finite number" in error_line(result, "train")


def test_an_infinite_feature_is_refused(tmp_path):
    write_csv(tmp_path / "data.csv", ["a", "y"], [[1, 0], ["-inf", 1]])
    result = call_cli("train", "--data", "data.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "line 3, column 'a': '-inf' is not a finite number" in error_line(result, "train")


def test_divergence_stops_with_a_message_and_keeps_the_good_checkpoint(tmp_path):
    numeric_target(tmp_path)
    good = call_cli("train", "--data", "target.csv", "--loss", "mse", "--epochs", "2", "--save", "m.json",
                    cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    before = (tmp_path / "m.json").read_bytes()
    result = call_cli("train", "--data", "target.csv", "--loss", "mse", "--optimizer", "sgd", "--lr", "1e6",
                      "--epochs", "50", "--save", "m.json", cwd=tmp_path)
    assert result.returncode == 1
    line = error_line(result, "train")
    assert "training diverged" in line and "nothing was saved" in line and "smaller --lr" in line
    assert "epoch  50/50" not in result.stdout  # it stopped at the first bad epoch
    assert (tmp_path / "m.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "target.csv"]


def test_a_model_with_a_nan_or_inf_parameter_is_never_saved(tmp_path):
    (tmp_path / "m.json").write_text("good")
    for bad in (math.nan, math.inf):
        model = nn.MLP(2, [1], seed=0)
        model.parameters()[1].data = bad
        with pytest.raises(CommandError, match="NaN or infinite parameters") as raised:
            save(model, tmp_path / "m.json", {"loss": "mse"})
        assert raised.value.exit_code == 1
    assert (tmp_path / "m.json").read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


@pytest.mark.parametrize("target, message", [
    ("no/such/folder/m.json", "the folder 'no/such/folder' does not exist"),
    ("here", "that is a folder"),
])
def test_save_is_checked_before_training(tmp_path, target, message):
    (tmp_path / "here").mkdir()
    result = call_cli("train", "--data", "moons", "--epochs", "1", "--save", target, cwd=tmp_path)
    assert result.returncode == 2
    assert message in error_line(result, "train")
    assert result.stdout == ""  # refused before loading or training anything


def test_standardise_matches_hand_values_even_where_squares_overflow():
    X = [[1e200, 2.0], [-1e200, 2.0], [3e200, 2.0]]
    mean, std = standardise(X, ["big", "constant"])
    assert mean[0] == pytest.approx(1e200, rel=1e-15) and std[0] == pytest.approx(1e200 * math.sqrt(8 / 3), rel=1e-15)
    assert (mean[1], std[1]) == (2.0, 1.0)  # a constant column gets std 1
    assert standardise([[1.0], [2.0], [4.0]], ["x"]) == ([7 / 3], [math.sqrt(((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2
                                                                            + (4 - 7 / 3) ** 2) / 3)])


def test_a_feature_too_large_to_standardise_is_refused(tmp_path):
    write_csv(tmp_path / "data.csv", ["a", "y"], [[1e305, 0], [-1e305, 1]])
    result = call_cli("train", "--data", "data.csv", "--epochs", "1", cwd=tmp_path)
    assert result.returncode == 2 and "the feature 'a' has values as large as 1e+305" in error_line(result, "train")


def test_the_saved_scaling_is_the_training_rows_mean_and_std(tmp_path):
    numeric_target(tmp_path, count=40)
    assert call_cli("train", "--data", "target.csv", "--loss", "mse", "--epochs", "1", "--test-fraction", "0",
                    "--save", "m.json", cwd=tmp_path).returncode == 0
    rows = [[float(v) for v in line.split(",")] for line in (tmp_path / "target.csv").read_text().split()[1:]]
    scaling = json.loads((tmp_path / "m.json").read_text())["cli"]["scaling"]
    for j in range(2):
        column = [row[j] for row in rows]
        mean = math.fsum(column) / len(column)
        assert scaling["mean"][j] == pytest.approx(mean, rel=1e-15)
        assert scaling["std"][j] == pytest.approx(math.sqrt(math.fsum((v - mean) ** 2 for v in column) / 40), rel=1e-15)
