"""Causal multi-head self-attention over lists of Values, with a KV cache.

For each position, ``q = Wq x``, ``k = Wk x``, ``v = Wv x`` (no biases); each of the
``n_head`` heads takes its ``head_dim = n_embd / n_head`` slice of them, scores every
position so far with ``q_h . k_h(t) / sqrt(head_dim)`` (one dot node per score), takes the
softmax over those scores, and outputs ``sum_t w_t v_h(t)`` (one dot node per output); the
heads' outputs, concatenated, go through ``Wo``. This is microgpt's attention exactly.

The **KV cache** holds the keys and values of the positions seen so far, per head: calling
``attn.step(x, cache)`` for positions 0, 1, 2, ... appends to it, so a sequence costs one
new key and value per position, as in generation. ``attn(xs)`` runs a whole sequence with a
fresh cache and returns one output vector per position.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

from autograd_lite import Value, softmax
from autograd_lite.aliases import ValueLike
from autograd_lite.extend import builtin

from .base import Module
from .layers import Linear, vector
from .module import _positive_int, _rng

_dot = builtin("dot").apply


class KVCache:
    """One attention layer's keys and values so far: ``keys[h][t]`` is head ``h``'s key at
    position ``t`` (a tuple of ``head_dim`` Values); ``len(cache)`` is the positions cached."""

    def __init__(self, n_head: int) -> None:
        self.keys: list[list[tuple[Value, ...]]] = [[] for _ in range(n_head)]
        self.values: list[list[tuple[Value, ...]]] = [[] for _ in range(n_head)]

    def __len__(self) -> int:
        return len(self.keys[0]) if self.keys else 0

    def __repr__(self) -> str:
        return f"KVCache({len(self.keys)} heads, {len(self)} positions)"


class CausalSelfAttention(Module):
    """Multi-head causal self-attention (see the module docstring): ``wq``, ``wk``, ``wv``
    and ``wo`` are ``nn.Linear(n_embd, n_embd, bias=False)``."""

    def __init__(self, n_embd: int, n_head: int, *, std: float = 0.08, seed: int | None = None,
                 rng: random.Random | None = None) -> None:
        self.n_embd, self.n_head = _positive_int(n_embd, "n_embd"), _positive_int(n_head, "n_head")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}): "
                             "each head takes n_embd / n_head of the embedding")
        self.head_dim = self.n_embd // self.n_head
        rng = _rng(seed, rng)
        self.wq = Linear(n_embd, n_embd, bias=False, std=std, rng=rng)
        self.wk = Linear(n_embd, n_embd, bias=False, std=std, rng=rng)
        self.wv = Linear(n_embd, n_embd, bias=False, std=std, rng=rng)
        self.wo = Linear(n_embd, n_embd, bias=False, std=std, rng=rng)
        self._scale = 1.0 / math.sqrt(self.head_dim)

    def new_cache(self) -> KVCache:
        """An empty KV cache for this layer."""
        return KVCache(self.n_head)

    def forward(self, x: tuple[Value, ...], cache: KVCache) -> list[Value]:
        """The output at the next position for ``n_embd`` checked Values (no validation);
        appends this position's keys and values to ``cache``."""
        q, k, v = self.wq.forward(x), self.wk.forward(x), self.wv.forward(x)
        hd = self.head_dim
        out: list[Value] = []
        for h in range(self.n_head):
            lo, hi = h * hd, (h + 1) * hd
            q_h = tuple(q[lo:hi])
            keys, values = cache.keys[h], cache.values[h]
            keys.append(tuple(k[lo:hi]))
            values.append(tuple(v[lo:hi]))
            weights = tuple(softmax([_dot(q_h + k_t) * self._scale for k_t in keys]))
            out.extend(_dot(weights + tuple(v_t[j] for v_t in values)) for j in range(hd))
        return self.wo.forward(tuple(out))

    def step(self, x: Iterable[ValueLike], cache: KVCache) -> list[Value]:
        """The output at the next position (``len(cache)``) for one input vector, attending
        to it and every cached position; appends its key and value to ``cache``."""
        if not isinstance(cache, KVCache) or len(cache.keys) != self.n_head:
            raise TypeError(f"cache must be this layer's KVCache (attn.new_cache()), got {cache!r:.60}")
        return self.forward(vector(x, self.n_embd, "CausalSelfAttention"), cache)

    def __call__(self, xs: Sequence[Iterable[ValueLike]]) -> list[list[Value]]:
        """One output vector per position of the sequence ``xs`` (a list of vectors)."""
        if isinstance(xs, (str, bytes)) or not hasattr(xs, "__len__") or not len(xs):
            raise ValueError("CausalSelfAttention expects a non-empty list of vectors, one per position")
        cache = self.new_cache()
        return [self.forward(vector(x, self.n_embd, f"CausalSelfAttention position {t}"), cache)
                for t, x in enumerate(xs)]

    def config(self) -> dict[str, Any]:
        return {"type": "CausalSelfAttention", "n_embd": self.n_embd, "n_head": self.n_head}

    def __repr__(self) -> str:
        return f"CausalSelfAttention(n_embd={self.n_embd}, n_head={self.n_head})"
