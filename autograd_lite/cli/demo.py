"""``autograd-lite demo``: train the iris classifier and write a model, two graphs and curves.

The iris softmax classifier: 4 features -> 8 ReLU units -> 3 logits, softmax + cross-entropy,
Adam on mini-batches of 16, a seeded 80/20 split. About a second of training.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .checkpoints import prepare_folder, save
from .errors import FAILED, CommandError
from ..atomic import write_atomically
from .progress import epoch_printer

if TYPE_CHECKING:
    from autograd_lite.nn import MLP
    from autograd_lite.render.output import GraphDrawing

HELP = "train an iris classifier and write its model, a computation graph and training curves"
SHORT_FEATURES = ("sepal_len", "sepal_wid", "petal_len", "petal_wid")
PLOT_HINT = 'pip install "autograd-lite[plot]"'
NETWORK_COLLAPSE_DEPTH = 3  # mlp/layer/neuron: one box per neuron


def positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def add_parser(commands: Any) -> None:  # the subparsers action of the main parser
    parser = commands.add_parser("demo", help=HELP, description=HELP[0].upper() + HELP[1:] + ". "
                                 "Runs in a few seconds with no arguments.")
    parser.add_argument("--out", default="autograd-lite-demo", metavar="DIR",
                        help="output folder (default: ./autograd-lite-demo)")
    parser.add_argument("--epochs", type=positive_int, default=30, help="training epochs (default: 30)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the split, weights and shuffling (default: 0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograd_lite import nn

    folder = prepare_folder(args.out)
    X, y = nn.datasets.iris()
    X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=0.2, seed=args.seed)
    model = nn.MLP(4, [8, 3], activation="relu", seed=args.seed)
    optimizer = nn.Adam(model.parameters(), lr=0.02)
    print(f"Training {model} on iris: {len(X_train)} flowers to learn from, {len(X_test)} held out.")
    print("Loss: softmax + cross-entropy on the 3 outputs. Optimizer: Adam, lr 0.02, batches of 16.")
    history = nn.fit(model, X_train, y_train, nn.cross_entropy, optimizer, epochs=args.epochs, batch_size=16,
                     seed=args.seed, validation_data=(X_test, y_test), on_epoch_end=epoch_printer(args.epochs))
    train_accuracy = nn.accuracy(model, X_train, y_train)
    test_accuracy = nn.accuracy(model, X_test, y_test)
    print(f"Final accuracy: train {train_accuracy:.1%} ({round(train_accuracy * len(X_train))}/{len(X_train)}), "
          f"test {test_accuracy:.1%} ({round(test_accuracy * len(X_test))}/{len(X_test)})")

    written = [save(model, os.path.join(folder, "model.json"), {
        "features": list(nn.datasets.IRIS_FEATURES), "label": "species",
        "classes": list(nn.datasets.IRIS_CLASSES), "loss": "cross_entropy", "scaling": None})]
    try:
        written += _draw_one_example(model, X_test[0], y_test[0], folder)
        written += _write_curves(history, folder)
    except OSError as error:
        raise CommandError(f"cannot write into {folder}: {error.strerror or error}", FAILED) from None
    print("Wrote:")
    for path in written:
        print(f"  {path}")
    return 0


def _draw_one_example(model: MLP, features: Sequence[float], label: int, folder: str) -> list[str]:
    """Explain one test flower's loss in words and write its two pictures (see demo_graph)."""
    from autograd_lite import nn
    from autograd_lite import Value, draw_graph, explain

    from .demo_graph import OneExample, neighbourhood

    inputs = [Value(x, label=name) for x, name in zip(features, SHORT_FEATURES)]
    example = OneExample(model, inputs, label, nn.cross_entropy)
    print(f"\nOne test flower ({nn.datasets.IRIS_CLASSES[label]}), loss {example.loss.data:.4f}.")
    pictures = [("network", draw_graph(example.loss, parameters=model.parameters(),
                                       collapse_depth=NETWORK_COLLAPSE_DEPTH, edge_labels=False,
                                       max_terms=2))]
    k = example.chosen_unit()
    if k is None:
        print("Every hidden unit is dead for this flower (ReLU off, gradient 0), so no unit's "
              "paths to the loss are drawn; network.svg shows the whole network.")
    else:
        unit = example.hidden[k]
        print(_wrap(example.why(k)))
        print(f"h{k} feeds all 3 outputs, so its gradient is a sum over 3 paths:")
        print(explain(unit, example.loss, where=False))  # the next line says what each z is
        loss, parameters = neighbourhood(model, inputs, label, example, k, nn.cross_entropy)
        pictures.insert(0, ("graph", draw_graph(loss, parameters=parameters)))
    print("network.svg shows the whole network, one box per neuron: mlp/layer0/neuron<k> computes h<k>, "
          "mlp/layer1/neuron0..2 compute z_setosa, z_versicolor, z_virginica.")
    return [_save_picture(drawing, folder, name) for name, drawing in pictures]


def _wrap(text: str, width: int = 100) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _save_picture(drawing: GraphDrawing, folder: str, name: str) -> str:
    from autograd_lite.render import RenderError, RendererNotFoundError

    svg_path = os.path.join(folder, name + ".svg")
    try:
        return drawing.save(svg_path)
    except (RendererNotFoundError, RenderError) as error:
        dot_path = drawing.save(os.path.join(folder, name + ".dot"))
        print(f"\nNo SVG of {name}: {error}\nWrote the DOT text instead; with a renderer, "
              f"`dot -Tsvg {dot_path} -o {name}.svg` makes the picture.", file=sys.stderr)
        return dot_path


def _write_curves(history: dict[str, list[float]], folder: str) -> list[str]:
    rows = ["epoch,loss,accuracy,test_loss,test_accuracy"]
    for i, values in enumerate(zip(history["loss"], history["accuracy"], history["val_loss"],
                                   history["val_accuracy"])):
        rows.append(",".join([str(i + 1), *(repr(v) for v in values)]))
    csv_path = write_atomically(os.path.join(folder, "curve.csv"), "\n".join(rows) + "\n")
    try:
        import matplotlib
    except ImportError:
        print(f"\nmatplotlib is not installed, so the curves are in {csv_path} only. "
              f"For a picture: {PLOT_HINT}")
        return [csv_path]
    return [csv_path, _plot(history, os.path.join(folder, "curve.png"))]


def _plot(history: dict[str, list[float]], path: str) -> str:
    import matplotlib

    matplotlib.use("Agg")  # no window, works without a display
    from matplotlib import pyplot

    epochs = range(1, len(history["loss"]) + 1)
    figure, (loss_axes, accuracy_axes) = pyplot.subplots(1, 2, figsize=(9, 3.5))
    loss_axes.plot(epochs, history["loss"], label="train")
    loss_axes.plot(epochs, history["val_loss"], label="test")
    loss_axes.set(title="cross-entropy loss", xlabel="epoch")
    accuracy_axes.plot(epochs, history["accuracy"], label="train")
    accuracy_axes.plot(epochs, history["val_accuracy"], label="test")
    accuracy_axes.set(title="accuracy", xlabel="epoch", ylim=(0, 1.05))
    for axes in (loss_axes, accuracy_axes):
        axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    pyplot.close(figure)
    return write_atomically(path, buffer.getvalue())
