"""Writing checkpoints: ``save`` and the JSON a model becomes (``to_json``).

The file format is described in :mod:`autograd_lite.nn.checkpoint`, which reads it back.
This module imports no model class, so ``Module.save`` can use it without an import cycle.
"""

from __future__ import annotations

import json
import math
import reprlib
from typing import TYPE_CHECKING, Any, Protocol

from autograd_lite.atomic import write_atomically

if TYPE_CHECKING:
    from autograd_lite import Value
    from autograd_lite.aliases import FilePath

FORMAT = "autograd-lite-nn"
VERSION = 1
short = reprlib.Repr()
short.maxlevel, short.maxstring, short.maxother = 3, 60, 60


class Checkpointable(Protocol):
    """What saving needs of a model: every nn module has both (a Protocol, so this file
    imports no model class)."""

    def named_parameters(self) -> list[tuple[str, Value]]: ...
    def config(self) -> dict[str, Any]: ...


class CheckpointError(ValueError):
    """A checkpoint file is unreadable, corrupt, truncated, hostile or does not fit the
    model; or a model cannot be saved (a nan or inf parameter)."""


def to_json(model: Checkpointable) -> dict[str, Any]:
    """The checkpoint as a dict (see the module docstring); CheckpointError if a parameter
    is nan or inf."""
    named = model.named_parameters()
    bad = [(name, p.data) for name, p in named if not math.isfinite(p.data)]
    if bad:
        listed = ", ".join(f"{name} = {value!r}" for name, value in bad[:3])
        raise CheckpointError(f"cannot save a model with {len(bad)} non-finite parameter{'s' * (len(bad) > 1)} "
                              f"({listed}{', ...' if len(bad) > 3 else ''}): training has diverged; lower the "
                              "learning rate or restart from an earlier checkpoint. Nothing was written.")
    return {"format": FORMAT, "version": VERSION, "architecture": model.config(),
            "parameters": {name: repr(p.data) for name, p in named}}


def save(model: Checkpointable, path: FilePath) -> None:
    """Write ``model`` to ``path`` atomically; a model that cannot be saved leaves any
    existing file at ``path`` untouched."""
    write(to_json(model), path)


def write(data: dict[str, Any], path: FilePath) -> None:
    """Write the checkpoint dict ``data`` to ``path`` atomically (temporary file, fsync,
    rename); CheckpointError, and nothing written, if it holds nan or inf."""
    try:
        text = json.dumps(data, indent=1, allow_nan=False)
    except ValueError:  # a nan or inf in the architecture, e.g. ScaledSigmoid(c=inf)
        raise CheckpointError(f"cannot save a model whose architecture holds nan or inf: "
                              f"{short.repr(data['architecture'])}. Nothing was written.") from None
    write_atomically(path, text, fsync=True)
