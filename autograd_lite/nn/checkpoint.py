"""Checkpoints: a model's architecture and parameters as JSON. Never pickle.

File layout (format version 1)::

    {"format": "autograd-lite-nn", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [16, 1], "name": "mlp",
                      "activations": [{"name": "relu"}, {"name": "linear"}]},
     "parameters": {"layer0/neuron0/w0": "0.123...", ...}}

Parameters are stored as ``repr(float)`` strings, which round-trip every finite float
exactly, in ``parameters()`` order. A model with a nan or inf parameter is refused at save
time (it has diverged; saving it would overwrite a good checkpoint with a useless one).
Saving writes a temporary file in the same directory and renames it over the target
(``os.replace``), so a crash never leaves a half-written checkpoint; links, permissions,
owners and targets that are not regular files are handled as ``cp`` would handle them (see
:mod:`autograd_lite.atomic`).

Any Module saves: the "parameters" section is ``named_parameters()`` (for a GPT,
``"blocks.0.attn.wq.weight.2.5"`` and so on), the architecture its ``config()``. ``nn.load``
rebuilds the built-in modules (Neuron, Layer, MLP, and the ones in ``nn.catalog``: Linear,
Embedding, RMSNorm, LayerNorm, CausalSelfAttention, GPT) from their constructor arguments.
A **user-defined** Module is never rebuilt (that would import and run code the file names):
its config is its class name and the shape of every state-dict entry, and
``nn.load_into(MyModel(...), path)`` loads the parameters into a model you build, after
checking that name and every shape match.

Loading trusts nothing in the file, and checks it before it builds or touches a model: the
file's size (at most ``max_bytes``, 64 MiB by default), UTF-8, JSON (nesting too deep for
the parser and integers of more than 19 digits are refused), the format and version, the
architecture's types, the number of parameters the architecture declares against the
number the file stores (so a tiny file cannot declare a huge model), every name and every
number (finite float reprs). Any problem raises ``CheckpointError`` saying what is wrong;
a model given to ``load_into`` is then unchanged.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import IO, Any, TypeVar

from autograd_lite.aliases import FilePath

from . import activations, catalog
from .module import MLP, Layer, Module, Neuron
from .saving import FORMAT, VERSION, short
from .saving import CheckpointError as CheckpointError, save as save, to_json as to_json  # this module's API too
from .scaled import check_same_preprocessing, with_stored_preprocessing

MAX_BYTES = 64 * 2**20  # ~1.5 million parameters; a pure-Python model that size is already slow
MAX_INT_DIGITS = 19     # layer sizes and versions are small; a 5,000-digit int is an attack or damage
_FLOAT = re.compile(r"-?(\d+(\.\d*)?(e[-+]?\d+)?|inf|nan)")
_FLOAT_REPR_MAX = 32    # repr(float) is at most 24 characters
_Model = TypeVar("_Model", bound=Module)


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise CheckpointError(f"holds an integer of {digits} digits (at most {MAX_INT_DIGITS} in a checkpoint)")
    return int(text)


def _read_at_most(file: IO[bytes], limit: int, chunk: int = 2**16) -> bytes:
    """Up to ``limit`` bytes, in chunks: ``file.read(limit)`` would allocate ``limit``
    bytes up front, even for a small file."""
    parts: list[bytes] = []
    total = 0
    while total < limit:
        part = file.read(min(chunk, limit - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _no_constant(name: str) -> Any:
    raise CheckpointError(f"holds {name}, which JSON does not allow and checkpoints never contain")


def read(path: FilePath, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """The checkpoint at ``path`` as a dict with valid "format", "version",
    "architecture" and "parameters" sections; CheckpointError otherwise. Reads at most
    ``max_bytes`` + 1 bytes, whatever the file claims to be."""
    if os.path.isdir(path):
        raise CheckpointError(f"checkpoint {str(path)!r} is a directory, not a checkpoint file")
    try:
        with open(path, "rb") as file:
            raw = _read_at_most(file, max_bytes + 1)
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint {str(path)!r}: {error.strerror or error}") from None
    if len(raw) > max_bytes:
        raise CheckpointError(f"checkpoint {str(path)!r} is larger than {max_bytes:,} bytes, the limit; "
                              "if you trust the file, pass a larger max_bytes= to nn.load")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CheckpointError(f"checkpoint {str(path)!r} is not UTF-8 text; is it a checkpoint file?") from None
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise CheckpointError(f"checkpoint {str(path)!r} is not valid JSON (truncated or corrupt?): {error}") from None
    except RecursionError:
        raise CheckpointError(f"checkpoint {str(path)!r} is nested too deeply to be a checkpoint") from None
    except CheckpointError as error:
        raise CheckpointError(f"checkpoint {str(path)!r} {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r} is not an autograd-lite nn checkpoint (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise CheckpointError(f"checkpoint {str(path)!r} has format version {short.repr(data.get('version'))}; "
                              f"this autograd-lite reads version {VERSION}")
    for key in ("architecture", "parameters"):
        if not isinstance(data.get(key), dict):
            raise CheckpointError(f"checkpoint {str(path)!r} has no valid {key!r} section")
    return data


def _state(data: dict[str, Any], path: FilePath) -> dict[str, float]:
    """{name: float} from the "parameters" section; every value a finite float repr."""
    state: dict[str, float] = {}
    for name, text in data["parameters"].items():
        if not isinstance(text, str) or len(text) > _FLOAT_REPR_MAX or not _FLOAT.fullmatch(text):
            raise CheckpointError(f"checkpoint {str(path)!r}: parameter {short.repr(name)} is {short.repr(text)}, "
                                  "not a float repr")
        value = float(text)
        if not math.isfinite(value):
            raise CheckpointError(f"checkpoint {str(path)!r}: parameter {short.repr(name)} is {text}; a checkpoint "
                                  "holds finite numbers only (was it written by a model that had diverged?)")
        state[name] = value
    return state


def _size(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {short.repr(n)}")
    return n


def _layers(architecture: dict[str, Any]) -> list[tuple[int, int, activations.Activation]]:
    """[(fan_in, fan_out, Activation), ...] from the architecture, checking every type,
    and building nothing but the activations (one small object per layer)."""
    kind = architecture.get("type")
    if kind == "MLP":
        nouts, specs = architecture.get("nouts"), architecture.get("activations")
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"'nouts' must be a non-empty list of layer sizes, got {short.repr(nouts)}")
        if not isinstance(specs, list) or len(specs) != len(nouts):
            raise ValueError(f"'activations' must list one activation per layer ({len(nouts)}), got {short.repr(specs)}")
        sizes = [_size(architecture.get("nin"), "nin")] + [_size(n, "each layer size in 'nouts'") for n in nouts]
    elif kind in ("Layer", "Neuron"):
        nout = _size(architecture.get("nout"), "nout") if kind == "Layer" else 1
        sizes, specs = [_size(architecture.get("nin"), "nin"), nout], [architecture.get("activation")]
    else:
        raise ValueError(f"unknown model type {short.repr(kind)}")
    acts = [activations.from_config(spec) for spec in specs]
    return list(zip(sizes, sizes[1:], acts))


def _declared_count(layers: list[tuple[int, int, activations.Activation]]) -> int:
    """How many parameters the layers declare: per neuron fan_in weights, a bias and the
    activation's own (a trainable scaled sigmoid has c and beta)."""
    return sum(fan_out * (fan_in + 1 + 2 * (getattr(act, "trainable", False) is True))
               for fan_in, fan_out, act in layers)


def _build(architecture: dict[str, Any], state: dict[str, float], path: FilePath) -> Module:
    """A fresh model from the architecture, built only once the architecture's declared
    size matches the parameters stored; CheckpointError otherwise."""
    try:
        built = catalog.declared(architecture)  # Linear, ..., GPT; None for Neuron, Layer, MLP
    except ValueError as error:
        raise CheckpointError(f"checkpoint {str(path)!r}: {error}") from None
    if built is not None:
        count, build = built
        if count != len(state):
            raise CheckpointError(f"checkpoint {str(path)!r} declares {count:,} parameters "
                                  f"({short.repr(architecture)}) but stores {len(state):,}; the file is damaged "
                                  "or not what it claims")
        try:
            return build()
        except (TypeError, ValueError) as error:
            raise CheckpointError(f"checkpoint {str(path)!r} has an invalid architecture: {error}") from None
    try:
        layers = _layers(architecture)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"checkpoint {str(path)!r} has an invalid architecture: {error}") from None
    declared = _declared_count(layers)
    if declared != len(state):
        shape = " -> ".join(str(n) for n in [layers[0][0]] + [out for _, out, _ in layers][:8])
        raise CheckpointError(f"checkpoint {str(path)!r} declares {declared:,} parameters (layer sizes {shape}"
                              f"{' ...' if len(layers) > 8 else ''}) but stores {len(state):,}; the file is damaged "
                              "or not what it claims")
    acts = [act for _, _, act in layers]
    kind, nin = architecture["type"], layers[0][0]
    try:
        if kind == "MLP":
            return MLP(nin, [out for _, out, _ in layers], activation=acts[:-1], output_activation=acts[-1],
                       name=architecture.get("name", "mlp"))
        if kind == "Layer":
            return Layer(nin, layers[0][1], activation=acts[0])
        return Neuron(nin, activation=acts[0])
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"checkpoint {str(path)!r} has an invalid architecture: {error}") from None


def _check_names(model: Module, state: dict[str, float], path: FilePath) -> None:
    expected = [name for name, _ in model.named_parameters()]
    if set(state) != set(expected) or len(state) != len(expected):
        missing = [n for n in expected if n not in state][:3]
        extra = [short.repr(n) for n in state if n not in set(expected)][:3]
        raise CheckpointError(f"checkpoint {str(path)!r} parameters do not match the architecture "
                              f"({len(state)} stored, {len(expected)} expected; missing {missing}, unexpected {extra})")


def load(path: FilePath, max_bytes: int = MAX_BYTES) -> Module:
    """A new model rebuilt from the checkpoint at ``path`` (see the module docstring for
    what is checked first); ``max_bytes`` bounds the file's size. A checkpoint written by
    ``autograd-lite train`` comes back as an ``nn.ScaledModel``, which applies the stored
    input scaling itself (see ``nn.scaled``)."""
    data = read(path, max_bytes)
    state = _state(data, path)
    model = _build(data["architecture"], state, path)
    _check_names(model, state, path)
    model.load_parameters(state)
    try:
        return with_stored_preprocessing(model, data, path)
    except ValueError as error:
        raise CheckpointError(str(error)) from None


def load_into(model: _Model, path: FilePath, max_bytes: int = MAX_BYTES) -> _Model:
    """Load the checkpoint's parameters into an existing ``model`` with the same
    architecture. Everything is checked first: on any error the model is unchanged."""
    data = read(path, max_bytes)
    try:
        ours = model.config()
    except ValueError:
        ours = None
    if ours != data["architecture"]:
        raise CheckpointError(f"checkpoint {str(path)!r} holds a different architecture: "
                              f"{short.repr(data['architecture'])}, but the model is {ours!r}")
    state = _state(data, path)
    _check_names(model, state, path)
    try:
        check_same_preprocessing(model, data, path)
    except ValueError as error:
        raise CheckpointError(str(error)) from None
    model.load_parameters(state)
    return model
