"""`autograd-lite demo` end to end in a temporary folder: what it prints, what it writes,
and that it still succeeds without matplotlib or without a Graphviz renderer."""

import csv
import re
import xml.etree.ElementTree as ET

import pytest

import nn
from cli_support import run_cli

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", cwd=folder)
    return folder, result


def test_demo_succeeds_and_lists_the_files_it_wrote(demo):
    folder, result = demo
    assert result.returncode == 0, result.stderr
    out = folder / "autograd-lite-demo"
    for name in ("model.json", "graph.svg", "curve.csv"):
        assert (out / name).is_file()
        assert f"autograd-lite-demo/{name}" in result.stdout


def test_demo_shows_progress_when_not_on_a_terminal(demo):
    _, result = demo
    epochs = re.findall(r"epoch +(\d+)/30:", result.stdout)
    assert epochs[-1] == "30" and len(epochs) >= 3


def test_checkpoint_reproduces_the_printed_accuracies(demo):
    folder, result = demo
    printed = re.search(r"train \d+\.\d% \((\d+)/120\), test \d+\.\d% \((\d+)/30\)", result.stdout)
    model = nn.load(folder / "autograd-lite-demo" / "model.json")
    X, y = nn.datasets.iris()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=0.2, seed=0)
    assert round(nn.accuracy(model, X_train, y_train) * 120) == int(printed[1])
    assert round(nn.accuracy(model, X_test, y_test) * 30) == int(printed[2])
    assert int(printed[2]) >= 27  # the classifier learnt: at least 90% of unseen flowers


def test_graph_is_an_svg_of_one_examples_loss(demo):
    folder, _ = demo
    root = ET.parse(folder / "autograd-lite-demo" / "graph.svg").getroot()
    assert root.tag == f"{SVG}svg"
    words = {t.text for t in root.iter(f"{SVG}text")}
    assert {"loss", "petal_len", "z_setosa", "h0", "h7"} <= words
    assert "mlp/layer0" in words  # one cluster per layer


def test_printed_total_derivative_is_a_sum_over_the_three_outputs(demo):
    _, result = demo
    line = next(l for l in result.stdout.splitlines() if l.startswith("dloss/dh"))
    terms = re.findall(r"\(([−\-\d.e]+)\)\(([−\-\d.e]+)\)", line)
    assert len(terms) == 3
    products = sum(float(a.replace("−", "-")) * float(b.replace("−", "-")) for a, b in terms)
    total = float(line.rsplit("= ", 1)[1].replace("−", "-"))
    assert products == pytest.approx(total, rel=1e-3, abs=1e-4)


def test_curve_has_one_row_per_epoch(demo):
    folder, _ = demo
    with open(folder / "autograd-lite-demo" / "curve.csv") as file:
        rows = list(csv.DictReader(file))
    assert [int(r["epoch"]) for r in rows] == list(range(1, 31))
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
    assert all(0 <= float(r["test_accuracy"]) <= 1 for r in rows)


def test_without_matplotlib_it_says_how_to_get_the_plot(tmp_path):
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib blocked by the test')\n")
    result = run_cli("demo", "--epochs", "2", cwd=tmp_path, env={"PYTHONPATH_FIRST": str(tmp_path / "blocker")})
    assert result.returncode == 0, result.stderr
    assert 'pip install "autograd-lite[plot]"' in result.stdout
    assert (tmp_path / "autograd-lite-demo" / "curve.csv").is_file()
    assert not (tmp_path / "autograd-lite-demo" / "curve.png").exists()


def test_with_matplotlib_it_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    result = run_cli("demo", "--epochs", "2", "--out", "here", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "here" / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_a_renderer_it_writes_the_dot_text_and_succeeds(tmp_path):
    result = run_cli("demo", "--epochs", "2", "--out", "out", cwd=tmp_path,
                     env={"AUTOGRAD_LITE_DOT": str(tmp_path / "no-such-dot")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "graph.dot").read_text().startswith("digraph")
    assert not (tmp_path / "out" / "graph.svg").exists()
    assert "dot -Tsvg" in result.stderr and "graphviz-pure" in result.stderr


def test_out_must_be_a_folder(tmp_path):
    (tmp_path / "taken").write_text("a file")
    result = run_cli("demo", "--out", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert "'taken' exists and is not a folder" in result.stderr


def test_bad_epochs_exit_2(tmp_path):
    result = run_cli("demo", "--epochs", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert "must be at least 1" in result.stderr
