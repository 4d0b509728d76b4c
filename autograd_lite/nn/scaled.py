"""Models saved by ``autograd-lite train``: the network plus what it was trained with.

Such a checkpoint has a ``"cli"`` section next to the architecture and parameters::

    "cli": {"features": ["sepal length", ...], "label": "species", "loss": "cross_entropy",
            "classes": ["setosa", "versicolor", "virginica"],
            "scaling": {"mean": [5.84, ...], "std": [0.83, ...]}}

The network was trained on standardised inputs, ``(x - mean) / std``, so a bare network
given raw rows would silently answer wrongly. ``nn.load`` therefore returns a
``ScaledModel`` for such a file: calling it scales the raw inputs first, so ``nn.predict``,
``nn.accuracy`` and ``nn.fit`` all see the numbers the checkpoint was trained on, and
``model.labels(X)`` gives the class names ``autograd-lite predict`` writes. Every field of the
section is checked (types, lengths, finite numbers, ``std > 0``, enough classes for the
outputs) before the model is returned; a malformed section raises ``CheckpointError``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from autograd_lite import Value
from autograd_lite.aliases import FilePath, ValueLike

from .module import Module
from .saving import to_json, write

LOSSES = ("cross_entropy", "bce", "hinge", "mse")
THRESHOLDS: dict[str | None, float] = {"bce": 0.5, "hinge": 0.0}  # one output above this is the second class


class ScaledModel(Module):
    """A trained network that standardises its inputs with a stored mean and standard
    deviation and knows the names of its features and classes.

    ``model(x)`` takes a raw example (``len(features)`` numbers or Values), computes
    ``(x - mean) / std`` and runs the network on that. Parameters, ``config()`` and the
    attributes of the network (``nin``, ``activations``, ...) are the network's own.
    """

    def __init__(self, network: Module, mean: Iterable[float] | None = None, std: Iterable[float] | None = None,
                 features: Iterable[str] | None = None, label: str | None = None, classes: Iterable[str] | None = None,
                 loss: str | None = None) -> None:
        self.network = network
        self.mean = None if mean is None else [float(m) for m in mean]
        self.std = None if std is None else [float(s) for s in std]
        self.features = None if features is None else list(features)
        self.label = label
        self.classes = None if classes is None else list(classes)
        self.loss = loss
        check_metadata(self.metadata(), network, "ScaledModel")

    def __call__(self, x: Iterable[ValueLike]) -> Any:
        items = tuple(x)
        if self.mean is None:
            return self.network(items)
        if len(items) != len(self.mean):
            raise ValueError(f"the model expects {len(self.mean)} inputs"
                             f"{' (' + ', '.join(self.features) + ')' if self.features else ''}, got {len(items)}")
        return self.network([(v - m) / s for v, m, s in zip(items, self.mean, self.std or ())])

    def __getattr__(self, name: str) -> Any:  # nin, nouts, activations, layers, ...: the network's
        if name == "network":
            raise AttributeError(name)
        return getattr(self.network, name)

    def named_parameters(self) -> list[tuple[str, Value]]:
        return self.network.named_parameters()

    def config(self) -> dict[str, Any]:
        return self.network.config()

    def metadata(self) -> dict[str, Any]:
        """The checkpoint's ``"cli"`` section for this model."""
        scaling = None if self.mean is None else {"mean": list(self.mean), "std": list(self.std or ())}
        return {"features": self.features, "label": self.label, "classes": self.classes, "loss": self.loss,
                "scaling": scaling}

    def labels(self, X: Any) -> list[Any]:
        """The label ``autograd-lite predict`` gives each raw example in ``X``: a class name
        (argmax of the logits, or one output above 0.5 for bce and 0 for hinge), or the
        predicted number for a regression model (``loss == "mse"``) or one without classes."""
        from .metrics import predict

        return [self.label_of(output) for output in predict(self, X)]

    def label_of(self, output: float | list[float]) -> Any:
        """The label for one output of the network (a float, or a list of floats)."""
        if isinstance(output, list):
            best: int = max(range(len(output)), key=output.__getitem__)
            return self.classes[best] if self.classes else best
        if self.loss == "mse" or not self.classes:
            return output
        return self.classes[1] if output > THRESHOLDS.get(self.loss, 0.0) else self.classes[0]

    def save(self, path: FilePath) -> None:
        """Write the network and this model's ``"cli"`` section to ``path`` atomically."""
        data = to_json(self.network)
        data["cli"] = self.metadata()
        write(data, path)

    def __repr__(self) -> str:
        inputs = f"scaled inputs {', '.join(self.features)}" if self.features else "scaled inputs"
        classes = f"; classes {', '.join(map(str, self.classes))}" if self.classes else ""
        return f"ScaledModel({self.network!r}, {inputs}{classes})"


def with_stored_preprocessing(network: Module, data: dict[str, Any], path: FilePath) -> Module:
    """``nn.load``'s last step: ``network`` itself for a plain checkpoint, a ScaledModel for
    one with a ``"cli"`` section (checked first; ValueError saying what is wrong)."""
    metadata = data.get("cli")
    if metadata is None:
        return network
    check_metadata(metadata, network, f"checkpoint {str(path)!r}")
    scaling = metadata.get("scaling") or {}
    return ScaledModel(network, scaling.get("mean"), scaling.get("std"), metadata.get("features"),
                       metadata.get("label"), metadata.get("classes"), metadata.get("loss"))


def check_same_preprocessing(model: Module, data: dict[str, Any], path: FilePath) -> None:
    """``nn.load_into``'s check: ValueError unless ``model`` scales its inputs exactly as
    the checkpoint says (a bare network takes a checkpoint without scaling only)."""
    stored = with_stored_preprocessing(model.network if isinstance(model, ScaledModel) else model, data, path)
    ours = model.metadata() if isinstance(model, ScaledModel) else None
    theirs = stored.metadata() if isinstance(stored, ScaledModel) else None
    if (ours or {}).get("scaling") != (theirs or {}).get("scaling") or \
            (ours and theirs and ours["classes"] != theirs["classes"]):
        raise ValueError(f"checkpoint {str(path)!r} stores a different input scaling or class names than the model; "
                         "use nn.load(path) for a model that applies the checkpoint's own")


def check_metadata(metadata: Any, network: Module, where: str) -> None:
    """ValueError naming the first problem with a ``"cli"`` section for ``network``."""
    def fail(problem: str) -> NoReturn:
        raise ValueError(f"{where}: the \"cli\" section {problem}")

    if not isinstance(metadata, dict):
        fail(f"must be an object, not {type(metadata).__name__}")
    nin, nout = _inputs_and_outputs(network)
    features = metadata.get("features")
    if features is not None and not _strings(features, nin):
        fail(f"has invalid \"features\": expected a list of {nin} distinct names")
    label = metadata.get("label")
    if label is not None and not isinstance(label, str):
        fail("has an invalid \"label\": expected a column name")
    loss = metadata.get("loss")
    if loss is not None and loss not in LOSSES:
        fail(f"has an unknown \"loss\" {str(loss)[:40]!r}; expected one of {', '.join(LOSSES)}")
    classes = metadata.get("classes")
    if classes is not None:
        wanted = 2 if (nout == 1 and loss != "mse") else nout
        if loss == "mse":
            fail("has \"classes\" for a regression model (loss mse)")
        if not _strings(classes, wanted) or wanted < 2:
            fail(f"has invalid \"classes\": the model has {nout} output(s), so expected a list of "
                 f"{max(wanted, 2)} distinct names")
    elif loss in ("bce", "hinge", "cross_entropy"):
        fail(f"has no \"classes\" for a {loss} classifier")
    scaling = metadata.get("scaling")
    if scaling is None:
        return
    if not isinstance(scaling, dict):
        fail("has an invalid \"scaling\": expected {\"mean\": [...], \"std\": [...]}")
    for key in ("mean", "std"):
        numbers = scaling.get(key)
        if not isinstance(numbers, list) or len(numbers) != nin:
            fail(f"has an invalid scaling \"{key}\": expected a list of {nin} numbers, one per input")
        if not all(_finite(n) for n in numbers):
            fail(f"has an invalid scaling \"{key}\": every entry must be a finite number")
    if not all(s > 0 for s in scaling["std"]):
        fail("has a scaling \"std\" that is not positive (each must be > 0)")


def _inputs_and_outputs(network: Module) -> tuple[int, int]:
    config = network.config()
    outputs = config["nouts"][-1] if "nouts" in config else config.get("nout", 1)
    return config["nin"], outputs


def _strings(items: object, count: int) -> bool:
    return (isinstance(items, list) and len(items) == count and all(isinstance(s, str) for s in items)
            and len(set(items)) == count)


def _finite(number: object) -> bool:
    # compared before any conversion: float() of a 5,000-digit int raises OverflowError
    return (not isinstance(number, bool) and isinstance(number, (int, float))
            and abs(number) <= sys.float_info.max)
