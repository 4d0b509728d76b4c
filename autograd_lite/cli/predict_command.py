"""``autograd-lite predict MODEL.json DATA.csv``: predictions for each row of a CSV file,
streamed: rows are read, predicted and written a chunk at a time, so memory stays flat
whatever the file's size. ``--out`` is written to a temporary file that replaces the
target only when every row succeeded; it is checked first, and refused if it is the model
or the data file."""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from .checkpoints import check_writable, load, refuse_overwriting_inputs
from .csvdata import CsvTable, csv_writer, read_header
from .errors import FAILED, CommandError

if TYPE_CHECKING:
    from autograd_lite.nn import ScaledModel

    from .csvdata import Row

HELP = "predict with a saved model for each row of a CSV file"
CHUNK = 256  # rows predicted at once


def add_parser(commands: Any) -> None:  # the subparsers action of the main parser
    parser = commands.add_parser("predict", help=HELP, description=HELP[0].upper() + HELP[1:] + ". "
                                 "The CSV needs the model's feature columns (by name, in any order); "
                                 "a label column, if present, is used to report the accuracy.")
    parser.add_argument("model", metavar="MODEL.json", help="a checkpoint from `autograd-lite train --save`")
    parser.add_argument("data", metavar="DATA.csv", help="a CSV file with a header row")
    parser.add_argument("--out", metavar="PATH.csv", help="write the predictions here (default: print them)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.out:
        refuse_overwriting_inputs(args.out, {"the model": args.model, "the data": args.data}, "--out")
        check_writable(args.out, "--out")
    model = load(args.model)
    with _open_table(args.data, model) as table, _output(args.out) as stream:
        writer = csv_writer(stream)
        rows = _Rows(model)
        count = correct = 0
        for chunk in _chunked(table):
            if not count:  # the header once a row has been read: a file without rows prints nothing
                writer.writerow(rows.header)
            for (_, _, truth), (cells, predicted) in zip(chunk, rows.of([values for _, values, _ in chunk])):
                writer.writerow(cells)
                correct += truth is not None and predicted == truth
            count += len(chunk)
    if args.out:
        print(f"Wrote {count} predictions to {args.out}")
    if table.label is not None and model.loss != "mse" and model.classes:
        print(f"accuracy on {args.data}: {correct / count:.1%} ({correct}/{count})", file=sys.stderr)
    return 0


def _open_table(path: str, model: ScaledModel) -> CsvTable:
    """The CsvTable of ``path`` with the model's features (by name, or by position for a
    checkpoint saved by ``model.save``)."""
    if model.features is None:
        header = read_header(path)
        if len(header) not in (model.nin, model.nin + 1):
            raise CommandError(f"{path} has {len(header)} columns, but the model takes {model.nin} inputs "
                               "(plus, optionally, a label column last)")
        return CsvTable(path, label=header[-1] if len(header) > model.nin else None,
                        features=header[:model.nin], need_label=False)
    return CsvTable(path, label=model.label, features=model.features, need_label=False)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or a file written atomically at ``path`` (untouched if anything fails)."""
    if not path:
        yield sys.stdout
        return
    from ..atomic import open_atomically

    try:
        with open_atomically(path, "w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", FAILED) from None


def _chunked(table: Iterable[Row]) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for example in table:
        chunk.append(example)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Rows:
    """The header and, per example, the cells written and the predicted label, for the loss
    the model was trained with (the labels are ``model.label_of``'s, as ``nn`` gives them)."""

    names: list[Any]  # the class names, for several outputs
    header: list[str]

    def __init__(self, model: ScaledModel) -> None:
        self.model = model
        loss, classes = model.loss, model.classes
        outputs = model.nouts[-1] if hasattr(model, "nouts") else getattr(model, "nout", 1)
        if outputs > 1:
            self.names = classes or [str(i) for i in range(outputs)]
            self.header = ["prediction", *(f"p_{name}" for name in self.names)]
        elif loss == "mse" or not classes:
            self.header = ["prediction"]
        else:
            self.header = ["prediction", f"p_{classes[1]}" if loss == "bce" else "score"]

    def of(self, X: Sequence[Sequence[float]]) -> list[tuple[list[Any], Any]]:
        """[(cells, predicted label)] for the raw examples ``X``."""
        from autograd_lite.nn import predict

        return [self._row(output) for output in predict(self.model, X)]

    def _row(self, output: Any) -> tuple[list[Any], Any]:
        label = self.model.label_of(output)
        if isinstance(output, list):  # logits: softmax probabilities per class
            name = self.names[label] if isinstance(label, int) else label
            top = max(output)
            weights = [math.exp(z - top) for z in output]
            total = math.fsum(weights)
            return [name, *(f"{w / total:.6f}" for w in weights)], name
        if len(self.header) == 1:
            return [repr(label)], repr(label)
        return [label, f"{output:.6f}"], label
