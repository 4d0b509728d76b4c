"""Checkpoints written by the command line: nn's JSON checkpoint plus a ``"cli"`` section
with what ``predict`` needs (feature names, class names, loss, input scaling). ``nn.load``
reads these files as an ``nn.ScaledModel``, which applies the scaling itself."""

import math
import os
import tempfile

from .errors import FAILED, USAGE, CommandError


def save(model, path, metadata):
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


def all_finite(model):
    """True if every parameter of ``model`` is a finite number."""
    return all(math.isfinite(p.data) for p in model.parameters())


def load(path):
    """A ``nn.ScaledModel`` from a checkpoint (one without a ``"cli"`` section, saved by
    ``model.save``, gets no scaling and no names). CommandError (exit code 2) for a missing,
    corrupt or malformed file, ``"cli"`` section included."""
    from autograd_lite import nn

    try:
        model = nn.load(path)
    except nn.CheckpointError as error:
        raise CommandError(str(error), USAGE) from None
    return model if isinstance(model, nn.ScaledModel) else nn.ScaledModel(model)


def check_writable(path, option="--save"):
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


def prepare_folder(folder):
    """Create ``folder`` (and its parents) if needed; CommandError if it cannot be used."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CommandError(f"{folder!r} exists and is not a folder; choose another with --out")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create the folder {folder!r}: {error.strerror or error}") from None
    return folder
