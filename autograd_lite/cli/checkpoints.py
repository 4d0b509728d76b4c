"""Checkpoints written by the command line: nn's JSON checkpoint plus a ``"cli"`` section
with what ``predict`` needs (feature names, class names, loss, input scaling). ``nn.load``
reads these files as it reads any checkpoint: it ignores the extra section."""

import json
import os

from .errors import USAGE, CommandError
from ..atomic import write_atomically


def save(model, path, metadata):
    """Write ``model`` and ``metadata`` to ``path`` atomically (temporary file, rename)."""
    from nn.checkpoint import to_json

    data = to_json(model)
    data["cli"] = metadata
    try:
        write_atomically(path, json.dumps(data, indent=1))
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}", 1) from None
    return path


def load(path):
    """(model, metadata) from a checkpoint; metadata is {} for a checkpoint saved by
    ``model.save``. CommandError (exit code 2) for a missing or corrupt file."""
    import nn

    try:
        model = nn.load(path)
    except nn.CheckpointError as error:
        raise CommandError(str(error), USAGE) from None
    with open(path, encoding="utf-8") as file:
        metadata = json.load(file).get("cli") or {}
    if not isinstance(metadata, dict):
        raise CommandError(f"checkpoint {path!r} has an invalid \"cli\" section")
    return model, metadata


def prepare_folder(folder):
    """Create ``folder`` (and its parents) if needed; CommandError if it cannot be used."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CommandError(f"{folder!r} exists and is not a folder; choose another with --out")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create the folder {folder!r}: {error.strerror or error}") from None
    return folder
