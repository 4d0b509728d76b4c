"""Checkpoints written by the command line: nn's JSON checkpoint plus a ``"cli"`` section
with what ``predict`` needs (feature names, class names, loss, input scaling). ``nn.load``
reads these files as an ``nn.ScaledModel``, which applies the scaling itself."""

from __future__ import annotations

import contextlib
import math
import os
import stat
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
    """CommandError (exit code 2) unless a save to ``path`` can succeed (see
    ``autograd_lite.atomic``): it is not a folder, a block device or a socket, its folder
    exists and accepts a new file, and an existing file there is writable. A stream
    (``/dev/null``, a FIFO) is fine: it is written in place. Checked before any work."""
    from autograd_lite.atomic import check_target

    try:
        target, existing = check_target(path)
        if existing is None or stat.S_ISREG(existing.st_mode):
            with tempfile.TemporaryFile(dir=os.path.dirname(target)):
                pass
    except OSError as error:
        raise CommandError(f"{option} {path}: {_reason(error)}") from None


def refuse_overwriting_inputs(path: str, inputs: dict[str, str], option: str) -> None:
    """CommandError (exit code 2) if ``path`` is the same file as one of ``inputs`` (what
    each is, e.g. "the model", to its path): by device and inode, so a symlink or a hard
    link to an input is caught too. Streams are not compared (``/dev/stdin`` in and
    ``/dev/stdout`` out may be the same terminal)."""
    try:
        written = os.stat(path)
    except OSError:
        return  # a new file (or one check_target will refuse) is nobody's input
    if not stat.S_ISREG(written.st_mode):
        return
    for what, other in inputs.items():
        with contextlib.suppress(OSError):
            if os.path.samestat(written, os.stat(other)):
                raise CommandError(f"{option} {path} is {what} ({other}); writing there would destroy it: "
                                   "choose another file")


def _reason(error: OSError) -> str:
    if isinstance(error, PermissionError) and "read-only" not in str(error.strerror):
        return f"cannot write there: {error.strerror}"
    return str(error.strerror or error)


def prepare_folder(folder: str) -> str:
    """Create ``folder`` (and its parents) if needed; CommandError if it cannot be used."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CommandError(f"{folder!r} exists and is not a folder; choose another with --out")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot create the folder {folder!r}: {error.strerror or error}") from None
    return folder
