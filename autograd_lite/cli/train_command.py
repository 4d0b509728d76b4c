"""``autograd-lite train``: fit an MLP to a built-in data set or a CSV file, optionally save it."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .checkpoints import all_finite, check_writable, refuse_overwriting_inputs, save
from .errors import FAILED, CommandError
from .progress import epoch_printer

if TYPE_CHECKING:
    from autograd_lite.nn import Module
    from autograd_lite.value import Value

    Loss = Callable[[Any, Any], Value]

_Number = TypeVar("_Number", int, float)

HELP = "train an MLP on iris, moons, circles or a CSV file and save it"
LOSSES = {
    "cross_entropy": "classification: one logit per class, softmax + cross-entropy",
    "bce": "two classes: one sigmoid output, binary cross-entropy",
    "hinge": "two classes: one score, max-margin loss (micrograd's)",
    "mse": "regression: one output, mean squared error; the label must be a number",
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "silu", "elu", "softplus", "linear")
DEFAULT_LR = {"sgd": 0.1, "adam": 0.01}
EPILOG = """\
examples:
  autograd-lite train --data moons --epochs 50 --save moons.json
  autograd-lite train --data flowers.csv --label species --hidden 8 --optimizer adam --save model.json
  autograd-lite predict model.json new_flowers.csv --out predictions.csv

A CSV file has a header row, numeric feature columns and a label column (the last, unless
--label names another). Features are standardised with the training set's mean and
standard deviation; the checkpoint stores them, with the class names, for predict (and
nn.load applies them). A numeric label with more than 20 values or a fractional one is a
quantity, not classes: it is refused unless --loss is given (--loss mse for regression).
Training that diverges (NaN or inf) stops and saves nothing.
losses:
""" + "\n".join(f"  {name:14s} {text}" for name, text in LOSSES.items())


def hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()] if text.strip() else []
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of layer sizes, e.g. 16,16") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    between = parameter_count(sizes)  # the inputs and outputs add more, once the data is read
    if between > _max_parameters():
        raise argparse.ArgumentTypeError(f"{text!r} makes {between:,} parameters between the hidden layers alone, "
                                         f"{_too_many()}")
    return sizes


def parameter_count(sizes: Sequence[int]) -> int:
    """The number of parameters of an MLP whose layers have ``sizes`` (the first is the
    number of inputs): each layer's weights and biases."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def _max_parameters() -> int:
    from autograd_lite.nn.export import MAX_PARAMETERS  # the limit nn.from_torch has

    return MAX_PARAMETERS


def _too_many() -> str:
    return (f"more than {_max_parameters():,}, the limit: each is a Python Value (about 350 bytes, and arithmetic "
            "one number at a time), far too many to build or train; use smaller layers")


def _number(kind: Callable[[str], _Number], check: Callable[[_Number], bool],
            wanted: str) -> Callable[[str], _Number]:
    def parse(text: str) -> _Number:
        try:
            number = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}") from None
        if not check(number):
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}")
        return number
    return parse


def add_parser(commands: Any) -> None:  # the subparsers action of the main parser
    parser = commands.add_parser("train", help=HELP, description=HELP[0].upper() + HELP[1:] + ".",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="iris", metavar="iris|moons|circles|PATH.csv",
                        help="a built-in data set or a CSV file (default: iris)")
    parser.add_argument("--label", metavar="COLUMN", help="the CSV's label column (default: the last)")
    parser.add_argument("--hidden", type=hidden_sizes, default=[16, 16], metavar="16,16",
                        help="hidden layer sizes (default: 16,16; '' for none)")
    parser.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="hidden activation (default: relu)")
    parser.add_argument("--loss", choices=LOSSES, help="(default: cross_entropy; a label with many numeric "
                        "values is refused unless the loss is given)")
    parser.add_argument("--optimizer", choices=DEFAULT_LR, default="adam", help="(default: adam)")
    parser.add_argument("--lr", type=_number(float, lambda x: math.isfinite(x) and x > 0, "a positive number"),
                        help="learning rate (default: 0.01 for adam, 0.1 for sgd)")
    parser.add_argument("--epochs", type=_number(int, lambda n: n >= 1, "a whole number >= 1"), default=50,
                        help="(default: 50)")
    parser.add_argument("--batch-size", type=_number(int, lambda n: n >= 0, "a whole number >= 0"), default=16,
                        help="examples per step; 0 for the full batch (default: 16)")
    parser.add_argument("--test-fraction", type=_number(float, lambda x: 0 <= x < 1, "a number in [0, 1)"),
                        default=0.2, help="share held out for testing; 0 for none (default: 0.2)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the split, weights and order (default: 0)")
    parser.add_argument("--save", metavar="PATH.json", help="write the trained model here (JSON checkpoint)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograd_lite import nn

    from .dataset import BUILT_IN, load_examples, scale_in_place, standardise, targets

    if args.save:
        if args.data not in BUILT_IN:
            refuse_overwriting_inputs(args.save, {"the data": args.data}, "--save")
        check_writable(args.save)
    loss_name = args.loss or "cross_entropy"
    examples = load_examples(args.data, args.label, loss_name, loss_given=args.loss is not None)
    y, n_outputs = targets(examples, loss_name)
    X = examples.X
    if args.test_fraction > 0:
        if len(X) < 2:
            raise CommandError("need at least 2 examples to hold some out; use --test-fraction 0")
        X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=args.test_fraction,
                                                               seed=args.seed)
    else:
        X_train, X_test, y_train, y_test = X, [], list(y), []
    mean, std = standardise(X_train, examples.features)
    scale_in_place(X, mean, std)  # the held-out rows too: each example is one array, scaled once

    sizes = [len(examples.features), *args.hidden, n_outputs]
    if parameter_count(sizes) > _max_parameters():
        raise CommandError(f"a model with {sizes[0]:,} inputs, hidden layers {','.join(map(str, args.hidden)) or 'none'} "
                           f"and {n_outputs} outputs has {parameter_count(sizes):,} parameters, {_too_many()}")
    output_activation = "sigmoid" if loss_name == "bce" else None
    model = nn.MLP(len(examples.features), [*args.hidden, n_outputs], activation=args.activation,
                   output_activation=output_activation, seed=args.seed)
    losses: dict[str, Loss] = {"cross_entropy": nn.cross_entropy, "bce": nn.binary_cross_entropy,
                               "hinge": nn.hinge_loss, "mse": nn.mse_loss}
    loss = losses[loss_name]
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = (nn.Adam if args.optimizer == "adam" else nn.SGD)(model.parameters(), lr=lr)
    print(f"Training {model} on {args.data}: {len(X_train)} examples, {len(X_test)} held out; "
          f"loss {loss_name}, {args.optimizer} lr {lr:g}.")
    watch = DivergenceWatch(model, loss, loss_name, (X_test, y_test), epoch_printer(args.epochs))
    try:
        nn.fit(model, X_train, y_train, loss, optimizer, epochs=args.epochs, batch_size=args.batch_size or None,
               seed=args.seed, on_epoch_end=watch)
    except (ArithmeticError, ValueError) as error:  # an overflow inside the loss or an activation
        watch.diverged = f"{type(error).__name__}: {error}"
    if watch.diverged or not all_finite(model):
        raise CommandError(f"training diverged ({watch.diverged or 'a parameter became NaN or infinite'}); "
                           f"nothing was saved. Try a smaller --lr (now {lr:g})", FAILED)
    print(_summary(model, loss, loss_name, X_train, y_train, X_test, y_test))
    if args.save:
        save(model, args.save, {"features": examples.features, "label": examples.label, "classes": examples.classes,
                                "loss": loss_name, "scaling": {"mean": mean, "std": std}})
        print(f"Saved {args.save}; predict with: autograd-lite predict {args.save} DATA.csv")
    return 0


class DivergenceWatch:
    """``fit``'s ``on_epoch_end``: adds the held-out loss and accuracy (computed in chunks,
    so memory stays flat), prints progress, and stops training as soon as the loss or a
    parameter is NaN or infinite (``diverged`` then says where)."""

    def __init__(self, model: Module, loss: Loss, loss_name: str, held_out: tuple[list[Any], list[Any]],
                 printer: Callable[[int, dict[str, float]], None] | None) -> None:
        self.model, self.loss, self.loss_name, self.held_out, self.printer = model, loss, loss_name, held_out, printer
        self.diverged: str | None = None

    def __call__(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.held_out[0]:
            X, y = self.held_out
            logs["val_loss"] = chunked_loss(self.model, X, y, self.loss)
            if self.loss_name != "mse":
                logs["val_accuracy"] = chunked_accuracy(self.model, X, y)
        if self.loss_name == "mse":
            logs.pop("accuracy", None)
        if self.printer is not None:
            self.printer(epoch, logs)
        if not (math.isfinite(logs["loss"]) and all_finite(self.model)):
            self.diverged = f"the loss is {logs['loss']:g} after epoch {epoch + 1}"
            return True
        return False


CHUNK = 1024  # examples evaluated at once: a bounded graph, whatever the data's size


def _chunks(X: Sequence[Any], y: Sequence[Any]) -> Iterator[tuple[Sequence[Any], Sequence[Any]]]:
    for start in range(0, len(X), CHUNK):
        yield X[start:start + CHUNK], y[start:start + CHUNK]


def chunked_loss(model: Module, X: Sequence[Any], y: Sequence[Any], loss: Loss) -> float:
    """The mean loss over (X, y), evaluated CHUNK examples at a time."""
    from autograd_lite.nn.metrics import evaluate_loss

    return math.fsum(evaluate_loss(model, Xc, yc, loss) * len(Xc) for Xc, yc in _chunks(X, y)) / len(X)


def chunked_accuracy(model: Module, X: Sequence[Any], y: Sequence[Any]) -> float:
    """nn.accuracy over (X, y), CHUNK examples at a time."""
    from autograd_lite import nn

    return math.fsum(nn.accuracy(model, Xc, yc) * len(Xc) for Xc, yc in _chunks(X, y)) / len(X)


def _summary(model: Module, loss: Loss, loss_name: str, X_train: Sequence[Any], y_train: Sequence[Any],
             X_test: Sequence[Any], y_test: Sequence[Any]) -> str:
    parts: list[str] = []
    for name, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        if not X:
            continue
        if loss_name == "mse":
            parts.append(f"{name} mean squared error {chunked_loss(model, X, y, loss):.4g}")
        else:
            correct = round(chunked_accuracy(model, X, y) * len(X))
            parts.append(f"{name} accuracy {correct / len(X):.1%} ({correct}/{len(X)})")
    return "Final: " + ", ".join(parts)
