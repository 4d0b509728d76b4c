"""Checkpoints: a model's architecture and parameters as JSON. Never pickle.

File layout (format version 1)::

    {"format": "autograd-lite-nn", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 1], "name": "mlp",
                      "activations": [{"name": "relu"}, {"name": "linear"}]},
     "parameters": {"layer0/neuron0/w0": "0.123...", ...}}

Parameters are stored as ``repr(float)`` strings, which round-trip every float exactly
(nan and inf included), in ``parameters()`` order. Saving writes a temporary file in the
same directory and renames it over the target (``os.replace``), so a crash never leaves a
half-written checkpoint. Loading checks everything (format, version, architecture, every
name, every number) before it builds or touches a model.
"""

import json
import re

from autograd_lite.atomic import write_atomically

from . import activations
from .module import MLP, Layer, Neuron
from .scaled import check_same_preprocessing, with_stored_preprocessing

FORMAT = "autograd-lite-nn"
VERSION = 1
_FLOAT = re.compile(r"-?(\d+(\.\d*)?(e[-+]?\d+)?|inf|nan)")


class CheckpointError(ValueError):
    """A checkpoint file is unreadable, corrupt, truncated or does not fit the model."""


def to_json(model):
    """The checkpoint as a dict (see the module docstring)."""
    return {"format": FORMAT, "version": VERSION, "architecture": model.config(),
            "parameters": {name: repr(p.data) for name, p in model.named_parameters()}}


def save(model, path):
    """Write ``model`` to ``path`` atomically."""
    write_atomically(path, json.dumps(to_json(model), indent=1), fsync=True)


def _read(path):
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint {path!r}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"checkpoint {path!r} is not UTF-8 text; is it a checkpoint file?") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckpointError(f"checkpoint {path!r} is not valid JSON (truncated or corrupt?): {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path!r} is not an autograd-lite nn checkpoint (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise CheckpointError(f"checkpoint {path!r} has format version {data.get('version')!r}; "
                              f"this autograd-lite reads version {VERSION}")
    for key, kind in (("architecture", dict), ("parameters", dict)):
        if not isinstance(data.get(key), kind):
            raise CheckpointError(f"checkpoint {path!r} has no valid {key!r} section")
    return data


def _state(data, path):
    state = {}
    for name, text in data["parameters"].items():
        if not isinstance(text, str) or not _FLOAT.fullmatch(text):
            raise CheckpointError(f"checkpoint {path!r}: parameter {name!r} is {text!r}, not a float repr")
        state[name] = float(text)
    return state


def _build(architecture, path):
    """A fresh model from the architecture, or CheckpointError."""
    try:
        kind = architecture.get("type")
        acts = [activations.from_config(a) for a in architecture.get("activations", [architecture.get("activation")])]
        if kind == "MLP":
            return MLP(architecture["nin"], architecture["nouts"], activation=acts[:-1],
                       output_activation=acts[-1], name=architecture.get("name", "mlp"))
        if kind == "Layer":
            return Layer(architecture["nin"], architecture["nout"], activation=acts[0])
        if kind == "Neuron":
            return Neuron(architecture["nin"], activation=acts[0])
        raise ValueError(f"unknown model type {kind!r}")
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"checkpoint {path!r} has an invalid architecture: {error}") from None


def _check_names(model, state, path):
    expected = [name for name, _ in model.named_parameters()]
    if set(state) != set(expected) or len(state) != len(expected):
        missing = [n for n in expected if n not in state][:3]
        extra = [n for n in state if n not in set(expected)][:3]
        raise CheckpointError(f"checkpoint {path!r} parameters do not match the architecture "
                              f"({len(state)} stored, {len(expected)} expected; missing {missing}, unexpected {extra})")


def load(path):
    """A new model rebuilt from the checkpoint at ``path``. A checkpoint written by
    ``autograd-lite train`` comes back as an ``nn.ScaledModel``, which applies the stored
    input scaling itself (see ``nn.scaled``)."""
    data = _read(path)
    model = _build(data["architecture"], path)
    state = _state(data, path)
    _check_names(model, state, path)
    model.load_state_dict(state)
    try:
        return with_stored_preprocessing(model, data, path)
    except ValueError as error:
        raise CheckpointError(str(error)) from None


def load_into(model, path):
    """Load the checkpoint's parameters into an existing ``model`` with the same
    architecture. Everything is checked first: on any error the model is unchanged."""
    data = _read(path)
    try:
        ours = model.config()
    except ValueError:
        ours = None
    if ours != data["architecture"]:
        raise CheckpointError(f"checkpoint {path!r} holds a different architecture: "
                              f"{data['architecture']!r}, but the model is {ours!r}")
    state = _state(data, path)
    _check_names(model, state, path)
    try:
        check_same_preprocessing(model, data, path)
    except ValueError as error:
        raise CheckpointError(str(error)) from None
    model.load_state_dict(state)
    return model

