"""``autograd-lite predict MODEL.json DATA.csv``: predictions for each row of a CSV file."""

import math
import sys

from .checkpoints import load
from .csvdata import format_rows, read_header, read_table
from .errors import CommandError
from ..atomic import write_atomically

HELP = "predict with a saved model for each row of a CSV file"


def add_parser(commands):
    parser = commands.add_parser("predict", help=HELP, description=HELP[0].upper() + HELP[1:] + ". "
                                 "The CSV needs the model's feature columns (by name, in any order); "
                                 "a label column, if present, is used to report the accuracy.")
    parser.add_argument("model", metavar="MODEL.json", help="a checkpoint from `autograd-lite train --save`")
    parser.add_argument("data", metavar="DATA.csv", help="a CSV file with a header row")
    parser.add_argument("--out", metavar="PATH.csv", help="write the predictions here (default: print them)")
    parser.set_defaults(run=run)


def run(args):
    from nn import predict

    from .train_command import scaled

    model, metadata = load(args.model)
    features = metadata.get("features")
    if features is None:  # a checkpoint saved by model.save(): columns by position
        header = read_header(args.data)
        if len(header) not in (model.nin, model.nin + 1):
            raise CommandError(f"{args.data} has {len(header)} columns, but the model takes {model.nin} inputs "
                               "(plus, optionally, a label column last)")
        table = read_table(args.data, label=header[-1] if len(header) > model.nin else None,
                           features=header[:model.nin], need_label=False)
    else:
        table = read_table(args.data, label=metadata.get("label"), features=features, need_label=False)
    if len(table.features) != model.nin:
        raise CommandError(f"{args.data} has {len(table.features)} feature columns, but the model takes "
                           f"{model.nin} inputs")
    outputs = predict(model, scaled(table.X, metadata.get("scaling")))
    header, rows, predicted = _rows(outputs, metadata)
    text = format_rows(header, rows)
    if args.out:
        try:
            write_atomically(args.out, text)
        except OSError as error:
            raise CommandError(f"cannot write {args.out}: {error.strerror or error}", 1) from None
        print(f"Wrote {len(rows)} predictions to {args.out}")
    else:
        sys.stdout.write(text)
    if table.labels and metadata.get("loss") != "mse" and metadata.get("classes"):
        correct = sum(p == t for p, t in zip(predicted, table.labels))
        print(f"accuracy on {args.data}: {correct / len(rows):.1%} ({correct}/{len(rows)})", file=sys.stderr)
    return 0


def _rows(outputs, metadata):
    """(header, rows, predicted labels) for the loss the model was trained with."""
    loss, classes = metadata.get("loss"), metadata.get("classes")
    if loss == "mse" or (not classes and not isinstance(outputs[0], list)):
        return ["prediction"], [[repr(o)] for o in outputs], [repr(o) for o in outputs]
    if isinstance(outputs[0], list):  # logits: softmax probabilities per class
        names = classes or [str(i) for i in range(len(outputs[0]))]
        rows, predicted = [], []
        for logits in outputs:
            top = max(logits)
            weights = [math.exp(z - top) for z in logits]
            total = math.fsum(weights)
            best = max(range(len(logits)), key=logits.__getitem__)
            predicted.append(names[best])
            rows.append([names[best], *(f"{w / total:.6f}" for w in weights)])
        return ["prediction", *(f"p_{name}" for name in names)], rows, predicted
    threshold = 0.5 if loss == "bce" else 0.0
    predicted = [classes[1] if o > threshold else classes[0] for o in outputs]
    column = f"p_{classes[1]}" if loss == "bce" else "score"
    return ["prediction", column], [[p, f"{o:.6f}"] for p, o in zip(predicted, outputs)], predicted
