"""``autograd-lite train``: fit an MLP to a built-in data set or a CSV file, optionally save it."""

import argparse
import math

from .checkpoints import save
from .errors import CommandError
from .progress import epoch_printer

HELP = "train an MLP on iris, moons, circles or a CSV file and save it"
BUILT_IN = ("iris", "moons", "circles")
LOSSES = {
    "cross_entropy": "classification: one logit per class, softmax + cross-entropy",
    "bce": "two classes: one sigmoid output, binary cross-entropy",
    "hinge": "two classes: one score, max-margin loss (micrograd's)",
    "mse": "regression: one output, mean squared error; the label must be a number",
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")
DEFAULT_LR = {"sgd": 0.1, "adam": 0.01}
EPILOG = """\
examples:
  autograd-lite train --data moons --epochs 50 --save moons.json
  autograd-lite train --data flowers.csv --label species --hidden 8 --optimizer adam --save model.json
  autograd-lite predict model.json new_flowers.csv --out predictions.csv

A CSV file has a header row, numeric feature columns and a label column (the last, unless
--label names another). Features are standardised with the training set's mean and
standard deviation; the checkpoint stores them, with the class names, for predict.
losses:
""" + "\n".join(f"  {name:14s} {text}" for name, text in LOSSES.items())


def hidden_sizes(text):
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()] if text.strip() else []
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of layer sizes, e.g. 16,16") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def _number(kind, check, wanted):
    def parse(text):
        try:
            number = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}") from None
        if not check(number):
            raise argparse.ArgumentTypeError(f"{text!r} is not {wanted}")
        return number
    return parse


def add_parser(commands):
    parser = commands.add_parser("train", help=HELP, description=HELP[0].upper() + HELP[1:] + ".",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="iris", metavar="iris|moons|circles|PATH.csv",
                        help="a built-in data set or a CSV file (default: iris)")
    parser.add_argument("--label", metavar="COLUMN", help="the CSV's label column (default: the last)")
    parser.add_argument("--hidden", type=hidden_sizes, default=[16, 16], metavar="16,16",
                        help="hidden layer sizes (default: 16,16; '' for none)")
    parser.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="hidden activation (default: relu)")
    parser.add_argument("--loss", choices=LOSSES, default="cross_entropy", help="(default: cross_entropy)")
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


def load_data(source, label):
    """(feature names, X, label name, label texts) from a built-in name or a CSV path."""
    import nn

    if source in BUILT_IN:
        if label is not None:
            raise CommandError(f"--label is for CSV files; {source} has its labels built in")
        if source == "iris":
            X, y = nn.datasets.iris()
            return list(nn.datasets.IRIS_FEATURES), X, "species", [nn.datasets.IRIS_CLASSES[i] for i in y]
        X, y = getattr(nn.datasets, source)(200, seed=0)
        return ["x1", "x2"], X, "class", [str(i) for i in y]
    if not source.lower().endswith(".csv"):
        import os
        if not os.path.exists(source):
            raise CommandError(f"--data {source!r} is neither a built-in data set ({', '.join(BUILT_IN)}) "
                               "nor a CSV file")
    from .csvdata import read_table

    table = read_table(source, label)
    return table.features, table.X, table.label, table.labels


def class_order(labels):
    """The distinct labels, numerically sorted if all are numbers, else alphabetically."""
    distinct = set(labels)
    try:
        return sorted(distinct, key=float)
    except ValueError:
        return sorted(distinct)


def targets_for(loss, labels, label_name, source):
    """(targets for the loss, class names or None, number of outputs)."""
    if loss == "mse":
        try:
            return [float(t) for t in labels], None, 1
        except ValueError:
            bad = next(t for t in labels if not _is_float(t))
            raise CommandError(f"{source}: --loss mse needs numeric labels, but {label_name!r} has {bad!r}; "
                               "use --loss cross_entropy for classes") from None
    classes = class_order(labels)
    if len(classes) < 2:
        raise CommandError(f"{source}: the label {label_name!r} has only one class ({classes[0]!r}); need at least 2")
    index = {name: i for i, name in enumerate(classes)}
    y = [index[t] for t in labels]
    if loss == "cross_entropy":
        return y, classes, len(classes)
    if len(classes) != 2:
        raise CommandError(f"{source}: --loss {loss} is for two classes, but {label_name!r} has {len(classes)}: "
                           f"{', '.join(classes[:5])}; use --loss cross_entropy")
    return ([2 * t - 1 for t in y] if loss == "hinge" else y), classes, 1


def _is_float(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def standardise(X):
    """(mean, std) of each column; a constant column gets std 1."""
    columns = list(zip(*X))
    mean = [math.fsum(c) / len(c) for c in columns]
    std = [math.sqrt(math.fsum((v - m) ** 2 for v in c) / len(c)) or 1.0 for c, m in zip(columns, mean)]
    return mean, std


def scaled(X, scaling):
    if not scaling:
        return X
    return [[(v - m) / s for v, m, s in zip(row, scaling["mean"], scaling["std"])] for row in X]


def run(args):
    import nn

    features, X, label_name, labels = load_data(args.data, args.label)
    y, classes, n_outputs = targets_for(args.loss, labels, label_name, args.data)
    if args.test_fraction > 0:
        if len(X) < 2:
            raise CommandError("need at least 2 examples to hold some out; use --test-fraction 0")
        X_train, X_test, y_train, y_test = nn.train_test_split(X, y, test_fraction=args.test_fraction,
                                                               seed=args.seed)
    else:
        X_train, X_test, y_train, y_test = X, [], y, []
    mean, std = standardise(X_train)
    scaling = {"mean": mean, "std": std}
    X_train, X_test = scaled(X_train, scaling), scaled(X_test, scaling)

    output_activation = "sigmoid" if args.loss == "bce" else None
    model = nn.MLP(len(features), [*args.hidden, n_outputs], activation=args.activation,
                   output_activation=output_activation, seed=args.seed)
    loss = {"cross_entropy": nn.cross_entropy, "bce": nn.binary_cross_entropy, "hinge": nn.hinge_loss,
            "mse": nn.mse_loss}[args.loss]
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = (nn.Adam if args.optimizer == "adam" else nn.SGD)(model.parameters(), lr=lr)
    print(f"Training {model} on {args.data}: {len(X_train)} examples, {len(X_test)} held out; "
          f"loss {args.loss}, {args.optimizer} lr {lr:g}.")
    validation = (X_test, y_test) if X_test else None
    nn.fit(model, X_train, y_train, loss, optimizer, epochs=args.epochs, batch_size=args.batch_size or None,
           seed=args.seed, validation_data=validation, on_epoch_end=epoch_printer(args.epochs))
    print(_summary(model, loss, args.loss, X_train, y_train, X_test, y_test))
    if args.save:
        save(model, args.save, {"features": features, "label": label_name, "classes": classes,
                                "loss": args.loss, "scaling": scaling})
        print(f"Saved {args.save}; predict with: autograd-lite predict {args.save} DATA.csv")
    return 0


def _summary(model, loss, loss_name, X_train, y_train, X_test, y_test):
    import nn
    from nn.train import evaluate_loss

    parts = []
    for name, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        if not X:
            continue
        if loss_name == "mse":
            parts.append(f"{name} mean squared error {evaluate_loss(model, X, y, loss):.4g}")
        else:
            correct = round(nn.accuracy(model, X, y) * len(X))
            parts.append(f"{name} accuracy {correct / len(X):.1%} ({correct}/{len(X)})")
    return "Final: " + ", ".join(parts)
