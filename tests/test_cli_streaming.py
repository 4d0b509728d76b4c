"""`train` and `predict` on big CSV files: predict streams (its memory does not grow with
the file), train holds 8 bytes a number plus a small constant per example (not the text),
and a failure halfway through a file leaves the previous output untouched.
Peak RSS on 50-200 MB files is measured outside the test suite (see the report in
docs/cli.md); here tracemalloc counts the Python allocations."""

import csv
import random
import tracemalloc
from array import array

import pytest

from autograd_lite.cli.dataset import load_examples
from cli_support import call_cli, write_csv

HEADER = ["a", "b", "c", "d", "kind"]


def flowers(path, count, seed=0):
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        kind = rng.randrange(3)
        rows.append([round(rng.gauss(kind, 0.5), 4), round(rng.gauss(0, 1), 4), round(rng.gauss(2 * kind, 0.5), 4),
                     round(rng.gauss(0, 1), 4), ["red", "green", "blue"][kind]])
    return write_csv(path, HEADER, rows)


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("streaming")
    flowers(folder / "train.csv", 300)
    assert call_cli("train", "--data", "train.csv", "--hidden", "3", "--epochs", "2", "--save", "m.json",
                    cwd=folder).returncode == 0
    return folder


def predict_peak(folder, rows):
    """tracemalloc's peak while predicting ``rows`` rows into a file."""
    data = flowers(folder / f"new{rows}.csv", rows, seed=rows)
    tracemalloc.start()
    try:
        result = call_cli("predict", "m.json", data.name, "--out", f"p{rows}.csv", cwd=folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.returncode == 0, result.stderr
    assert sum(1 for _ in open(folder / f"p{rows}.csv")) == rows + 1
    return peak


def test_predict_memory_does_not_grow_with_the_file(model):
    small, large = predict_peak(model, 500), predict_peak(model, 3000)
    # holding the rows would add hundreds of bytes per row: 2500 rows more is > 1 MB
    assert large - small < 200_000, (small, large)


def test_a_bad_row_late_in_the_file_leaves_the_old_predictions_untouched(model):
    flowers(model / "late.csv", 2000)
    with open(model / "late.csv", "a", newline="") as file:
        csv.writer(file).writerow([1, 2, "three", 4, "red"])
    (model / "old.csv").write_text("previous predictions\n")
    result = call_cli("predict", "m.json", "late.csv", "--out", "old.csv", cwd=model)
    assert result.returncode == 2 and "late.csv, line 2002, column 'c': 'three' is not a number" in result.stderr
    assert (model / "old.csv").read_text() == "previous predictions\n"
    assert not [p.name for p in model.iterdir() if p.name.endswith(".tmp")]


def test_train_keeps_each_example_as_an_array_of_doubles(tmp_path):
    flowers(tmp_path / "data.csv", 50)
    examples = load_examples(str(tmp_path / "data.csv"), None, "cross_entropy", loss_given=False)
    assert all(type(row) is array and row.typecode == "d" and len(row) == 4 for row in examples.X)
    assert type(examples.y) is array and examples.classes == ["blue", "green", "red"]


def test_train_memory_is_a_small_multiple_of_the_numbers_not_of_the_text(tmp_path):
    count = 20_000
    flowers(tmp_path / "data.csv", count)
    tracemalloc.start()
    try:
        examples = load_examples(str(tmp_path / "data.csv"), None, "cross_entropy", loss_given=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(examples.X) == count
    numbers = count * 5 * 8  # 4 features and a target, 8 bytes each
    per_example = (peak - numbers) / count
    # beyond 8 bytes a number: one array header (64 bytes) and list slots, about 100 bytes;
    # holding the text as lists of str (as before) was about 650 bytes an example
    assert per_example < 150, per_example


def test_a_file_without_rows_prints_nothing_but_the_error(model):
    (model / "empty.csv").write_text(",".join(HEADER) + "\n")
    result = call_cli("predict", "m.json", "empty.csv", cwd=model)
    assert result.returncode == 2 and result.stdout == ""
    assert "empty.csv has a header but no rows of data" in result.stderr
