"""`autograd-lite demo` end to end in a temporary folder: what it prints, what it writes,
and that it still succeeds without matplotlib or without a Graphviz renderer."""

import csv
import re
import xml.etree.ElementTree as ET

import pytest

from autograd_lite import nn
from autograd_lite.cli.demo import SHORT_FEATURES
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
    for name in ("model.json", "graph.svg", "network.svg", "curve.csv"):
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
    for name in ("graph", "network"):
        assert (tmp_path / "out" / f"{name}.dot").read_text().startswith("digraph")
        assert not (tmp_path / "out" / f"{name}.svg").exists()
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


def svg_size_in_points(path):
    root = ET.parse(path).getroot()
    return [float(root.get(side).removesuffix("pt")) for side in ("width", "height")]


def test_graph_is_the_readable_neighbourhood_of_the_unit_it_names(demo):
    folder, result = demo
    path = folder / "autograd-lite-demo" / "graph.svg"
    root = ET.parse(path).getroot()
    nodes = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(nodes) <= 60
    assert max(svg_size_in_points(path)) <= 2000  # the whole graph drawn was 2643 x 7243 pt
    k = re.search(r"Hidden unit h(\d) is drawn in graph.svg", result.stdout)[1]
    words = {t.text for t in root.iter(f"{SVG}text")}
    assert {"loss", *SHORT_FEATURES, "z_setosa", "z_versicolor", "z_virginica", f"h{k}"} <= words
    assert not {f"h{i}" for i in range(8)} - {f"h{k}"} & words  # no other hidden unit drawn
    assert f"hidden unit h{k}" in words  # the unit's cluster: its weights and bias


def test_the_unit_drawn_is_live_and_the_most_sensitive_one(demo):
    """Recomputed from the saved model and the first test flower, independently of the demo."""
    folder, result = demo
    model = nn.load(folder / "autograd-lite-demo" / "model.json")
    X, y = nn.datasets.iris()
    _, X_test, _, y_test = nn.train_test_split(X, y, test_fraction=0.2, seed=0)
    hidden = model.layers[0](X_test[0])
    loss = nn.cross_entropy(model.layers[1](hidden), y_test[0])
    loss.backward()
    live = [i for i, h in enumerate(hidden) if h.data > 0 and h.grad != 0]
    k = int(re.search(r"Hidden unit h(\d) is drawn in graph.svg. It is live", result.stdout)[1])
    assert k == max(live, key=lambda i: abs(hidden[i].grad))
    assert f"(h{k} = {hidden[k].data:.4f} > 0)" in result.stdout
    dead = [i for i, h in enumerate(hidden) if i not in live]
    if dead:
        assert "Dead for this flower" in result.stdout and f"h{dead[0]}" in result.stdout


def test_network_picture_collapses_each_neuron_into_one_box(demo):
    folder, result = demo
    path = folder / "autograd-lite-demo" / "network.svg"
    assert max(svg_size_in_points(path)) <= 2000
    words = {" ".join((t.text or "").split()) for t in ET.parse(path).getroot().iter(f"{SVG}text")}
    assert {f"mlp/layer0/neuron{i}" for i in range(8)} | {f"mlp/layer1/neuron{i}" for i in range(3)} <= words
    assert {"loss", *SHORT_FEATURES} <= words
    assert "autograd-lite-demo/network.svg" in result.stdout


def test_every_number_in_the_neighbourhood_is_the_networks_own():
    """The small graph rebuilt around one unit gives the same loss and the same gradients as
    backward through the whole network, for the unit's weights and the weights out of it."""
    from autograd_lite import Value
    from autograd_lite.cli.demo_graph import OneExample, neighbourhood

    model = nn.MLP(4, [8, 3], activation="relu", seed=1)
    features = [5.1, 3.5, 1.4, 0.2]
    example = OneExample(model, [Value(x) for x in features], 2, nn.cross_entropy)
    k = example.chosen_unit()
    loss, parameters = neighbourhood(model, [Value(x) for x in features], 2, example, k, nn.cross_entropy)
    assert loss.data == pytest.approx(example.loss.data, rel=1e-12)
    neuron = model.layers[0].neurons[k]
    expected = [w.grad for w in neuron.w] + [neuron.b.grad] + [n.w[k].grad for n in model.layers[1].neurons]
    assert [p.grad for p in parameters] == pytest.approx(expected, rel=1e-9)
    assert any(g != 0 for g in expected)
