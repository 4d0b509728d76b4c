"""The built-in modules ``nn.load`` rebuilds from a checkpoint's architecture section.

Each entry checks the architecture's fields, says how many parameters they declare (so a
small file cannot make ``nn.load`` build a huge model: the count is compared with the
parameters stored before anything is built) and builds the module. Nothing here imports or
runs code named by the file: a user-defined class (``"user_defined": true``) is not in the
catalog, and is loaded with ``nn.load_into(MyModel(...), path)`` into a model you build.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .attention import CausalSelfAttention
from .base import Module
from .gpt import GPT
from .layers import Embedding, LayerNorm, Linear, RMSNorm
from .saving import short


def _size(architecture: dict[str, Any], key: str) -> int:
    n = architecture.get(key)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{key!r} must be a positive int, got {short.repr(n)}")
    return n


def _flag(architecture: dict[str, Any], key: str) -> bool:
    flag = architecture.get(key)
    if not isinstance(flag, bool):
        raise ValueError(f"{key!r} must be true or false, got {short.repr(flag)}")
    return flag


def _eps(architecture: dict[str, Any]) -> float:
    eps = architecture.get("eps")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < float("inf"):
        raise ValueError(f"'eps' must be a finite number > 0, got {short.repr(eps)}")
    return float(eps)


def _linear(a: dict[str, Any]) -> tuple[int, Callable[[], Module]]:
    nin, nout, bias = _size(a, "nin"), _size(a, "nout"), _flag(a, "bias")
    return nout * (nin + bias), lambda: Linear(nin, nout, bias=bias)


def _embedding(a: dict[str, Any]) -> tuple[int, Callable[[], Module]]:
    num, dim = _size(a, "num"), _size(a, "dim")
    return num * dim, lambda: Embedding(num, dim)


def _rmsnorm(a: dict[str, Any]) -> tuple[int, Callable[[], Module]]:
    dim, eps, affine = _size(a, "dim"), _eps(a), _flag(a, "elementwise_affine")
    return dim * affine, lambda: RMSNorm(dim, eps, affine)


def _layernorm(a: dict[str, Any]) -> tuple[int, Callable[[], Module]]:
    dim, eps, affine = _size(a, "dim"), _eps(a), _flag(a, "elementwise_affine")
    return 2 * dim * affine, lambda: LayerNorm(dim, eps, affine)


def _attention(a: dict[str, Any]) -> tuple[int, Callable[[], Module]]:
    n_embd, n_head = _size(a, "n_embd"), _size(a, "n_head")
    return 4 * n_embd * n_embd, lambda: CausalSelfAttention(n_embd, n_head)


def _gpt(a: dict[str, Any]) -> tuple[int, Callable[[], Module]]:
    vocab, block, layers = _size(a, "vocab_size"), _size(a, "block_size"), _size(a, "n_layer")
    n_embd, n_head = _size(a, "n_embd"), _size(a, "n_head")
    count = (2 * vocab + block) * n_embd + layers * 12 * n_embd * n_embd
    return count, lambda: GPT(vocab, block, layers, n_embd, n_head)


CATALOG: dict[str, Callable[[dict[str, Any]], tuple[int, Callable[[], Module]]]] = {
    "Linear": _linear, "Embedding": _embedding, "RMSNorm": _rmsnorm, "LayerNorm": _layernorm,
    "CausalSelfAttention": _attention, "GPT": _gpt,
}


def declared(architecture: dict[str, Any]) -> tuple[int, Callable[[], Module]] | None:
    """(parameter count, builder) for a catalogued type; None for a type not in the
    catalog; ValueError for a catalogued type with bad fields or a user-defined module."""
    kind = architecture.get("type")
    if architecture.get("user_defined") is True:
        raise ValueError(f"it holds a user-defined module ({short.repr(kind)}), which nn.load cannot rebuild "
                         "(that would run code the file names); build the model yourself and call "
                         "nn.load_into(model, path)")
    entry = CATALOG.get(kind) if isinstance(kind, str) else None
    return None if entry is None else entry(architecture)
