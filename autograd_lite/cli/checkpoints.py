"""Checkpoints written by the command line: nn's JSON checkpoint plus a ``"cli"`` section
with what ``predict`` needs (feature names, class names, loss, input scaling). ``nn.load``
reads these files as an ``nn.ScaledModel``, which applies the scaling itself."""

from __future__ import annotations

import math
import os
import tempfile
from typing import TYPE_CHECKING, Any

from .errors import FAILED, USAGE, CommandError

if TYPE_CHECKING:
    from autograd_lite.nn import Module, ScaledModel


def save(model: Module, path: str, metadata: dict[str, Any]) -> str:
    """Write ``model`` and ``metadata`` (the ``"cli"`` section) to ``path`` atomically.
    A model with a NaN or infinite parameter is never written (CommandError, exit code 1),
    so a diverged run cannot replace a good checkpoint."""
    from autograd_lite import nn

    if not all_finite(model):
        raise CommandError(f"not saving {path}: the model has NaN or infinite parameters", FAILED)
    scaling = metadata.get("scaling") or {}
    scaled = nn.ScaledModel(model, scaling.get("mean"), scaling.get("std"), metadata.get("features"),
                            metadata.get("label"), metadata.get("classes"), metadata.get("loss"))
    try:
        scaled.save(path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", FAILED) from None
    return path


def all_finite(model: Module) -> bool:
    """True if every parameter of ``model`` is a finite number."""
    return all(math.isfinite(p.data) for p in model.parameters())


def load(path: str) -> ScaledModel:
    """A ``nn.ScaledModel`` from a checkpoint (one without a ``"cli"`` section, saved by
    ``model.save``, gets no scaling and no names). CommandError (exit code 2) for a missing,
    corrupt or malformed file, ``"cli"`` section included."""
    from autograd_lite import nn

    try:
        model = nn.load(path)
    except nn.CheckpointError as error:
        raise CommandError(str(error), USAGE) from None
    return model if isinstance(model, nn.ScaledModel) else nn.ScaledModel(model)


def check_writable(path: str, option: str = "--save") -> None:
    """CommandError (exit code 2) unless a file can be written at ``path``: its folder exists
    and accepts a new file, and ``path`` is not a folder. Checked before any work."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"{option} {path}: that is a folder; give a file name such as model.json")
    if not os.path.isdir(folder):
        raise CommandError(f"{option} {path}: the folder {os.path.dirname(path) or folder!r} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise CommandError(f"{option} {path}: cannot write in {folder!r}: {error.strerror or error}") from None


def prepare_folder(folder: str) -> str:
    """Create ``folder`` (and its parents) if needed; CommandError if it cannot be used."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CommandError(f"{folder!r} exists and is not a folder; choose another with --out")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create the folder {folder!r}: {error.strerror or error}") from None
    return folder
