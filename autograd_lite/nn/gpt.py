"""``nn.GPT``: microgpt's architecture, exactly, as a Module; and ``nn.generate``.

For each position t with token id ``tok``::

    x = rmsnorm(wte[tok] + wpe[t])
    per layer:  x = x + attn(rmsnorm(x))                 # causal, KV-cached, no biases
                x = x + fc2(relu(fc1(rmsnorm(x))))        # fc1: n_embd -> 4 n_embd
    logits = lm_head(x)                                   # no final norm

``rmsnorm`` has no learnable scale (eps 1e-5), nothing has a bias. Weights start as
``random.gauss(0, 0.08)`` draws (microgpt's init, as we recall it: std 0.08 for every
matrix), matrix by matrix in the state dict's order and row by row, from
``random.Random(seed)`` or the ``rng`` given.

**State dict: microgpt's layout.** ``state_dict()`` is ``{"wte", "wpe", "lm_head",
"layer{i}.attn_wq", "layer{i}.attn_wk", "layer{i}.attn_wv", "layer{i}.attn_wo",
"layer{i}.mlp_fc1", "layer{i}.mlp_fc2"}``, each a matrix as a list of rows (row = output
unit); ``load_state_dict`` takes that layout with floats or Values (microgpt's own
``state_dict`` of Values loads as it is). ``named_parameters()`` names the module tree
instead: ``blocks.0.attn.wq.weight.2.5``; the order is the same.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from autograd_lite import Value, no_grad

from .attention import CausalSelfAttention, KVCache
from .base import Module, Tensor
from .inputs import integer, real
from .layers import Embedding, Linear, rmsnorm, token_id
from .losses import cross_entropy
from .module import _positive_int, _rng

EPS = 1e-5


class Block(Module):
    """One transformer layer: ``x + attn(rmsnorm(x))``, then ``x + fc2(relu(fc1(rmsnorm(x))))``."""

    def __init__(self, n_embd: int, n_head: int, *, std: float = 0.08, rng: random.Random | None = None) -> None:
        rng = _rng(None, rng)
        self.attn = CausalSelfAttention(n_embd, n_head, std=std, rng=rng)
        self.fc1 = Linear(n_embd, 4 * n_embd, bias=False, std=std, rng=rng)
        self.fc2 = Linear(4 * n_embd, n_embd, bias=False, std=std, rng=rng)

    def forward(self, x: tuple[Value, ...], cache: KVCache) -> tuple[Value, ...]:
        """The layer's output at the next position (no validation); extends ``cache``."""
        attended = self.attn.forward(tuple(rmsnorm(x, EPS)), cache)
        x = tuple(a + b for a, b in zip(attended, x))
        hidden = tuple(h.relu() for h in self.fc1.forward(tuple(rmsnorm(x, EPS))))
        return tuple(a + b for a, b in zip(self.fc2.forward(hidden), x))


class GPT(Module):
    """microgpt's GPT (see the module docstring). ``model(tokens)`` gives one list of
    ``vocab_size`` logits per position; ``model.loss(tokens)`` the mean next-token
    cross-entropy, predicting ``tokens[1:]`` from ``tokens[:-1]``."""

    def __init__(self, vocab_size: int, block_size: int, n_layer: int = 1, n_embd: int = 16, n_head: int = 4, *,
                 std: float = 0.08, seed: int | None = None, rng: random.Random | None = None) -> None:
        self.vocab_size = _positive_int(vocab_size, "vocab_size")
        self.block_size = _positive_int(block_size, "block_size")
        self.n_layer, self.n_embd = _positive_int(n_layer, "n_layer"), _positive_int(n_embd, "n_embd")
        self.n_head = _positive_int(n_head, "n_head")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head}): "
                             "each head takes n_embd / n_head of the embedding")
        rng = _rng(seed, rng)  # drawn in microgpt's order: wte, wpe, lm_head, then layer by layer
        self.wte = Embedding(vocab_size, n_embd, std=std, rng=rng)
        self.wpe = Embedding(block_size, n_embd, std=std, rng=rng)
        self.lm_head = Linear(n_embd, vocab_size, bias=False, std=std, rng=rng)
        self.blocks = [Block(n_embd, n_head, std=std, rng=rng) for _ in range(self.n_layer)]

    def named_tensors(self) -> list[tuple[str, Tensor]]:
        """microgpt's state-dict keys and matrices, in microgpt's order."""
        named: list[tuple[str, Tensor]] = [("wte", self.wte.weight), ("wpe", self.wpe.weight),
                                           ("lm_head", self.lm_head.weight)]
        for i, b in enumerate(self.blocks):
            named += [(f"layer{i}.attn_wq", b.attn.wq.weight), (f"layer{i}.attn_wk", b.attn.wk.weight),
                      (f"layer{i}.attn_wv", b.attn.wv.weight), (f"layer{i}.attn_wo", b.attn.wo.weight),
                      (f"layer{i}.mlp_fc1", b.fc1.weight), (f"layer{i}.mlp_fc2", b.fc2.weight)]
        return named

    def new_cache(self) -> list[KVCache]:
        """An empty KV cache per layer, for ``step``."""
        return [block.attn.new_cache() for block in self.blocks]

    def step(self, token: int, cache: list[KVCache]) -> list[Value]:
        """The logits at the next position, ``len(cache[0])``, for its input ``token``;
        extends every layer's cache by this position."""
        if not isinstance(cache, list) or len(cache) != self.n_layer or not all(isinstance(c, KVCache) for c in cache):
            raise TypeError("cache must be model.new_cache() (one KVCache per layer)")
        pos = len(cache[0])
        if pos >= self.block_size:
            raise ValueError(f"the cache already holds {pos} positions, the block_size; start a new cache")
        return self._step(token_id(token, self.vocab_size, "token id"), pos, cache)

    def _step(self, token: int, pos: int, cache: list[KVCache]) -> list[Value]:
        x = tuple(rmsnorm([t + p for t, p in zip(self.wte.weight[token], self.wpe.weight[pos])], EPS))
        for block, layer_cache in zip(self.blocks, cache):
            x = block.forward(x, layer_cache)
        return self.lm_head.forward(x)

    def _tokens(self, tokens: Sequence[int], most: int, what: str) -> list[int]:
        if isinstance(tokens, (str, bytes)) or not hasattr(tokens, "__len__"):
            raise TypeError(f"{what} must be a list of token ids (ints), got {type(tokens).__name__}")
        ids = [token_id(t, self.vocab_size, f"token id at position {i}") for i, t in enumerate(tokens)]
        if not ids:
            raise ValueError(f"{what} is empty; give at least one token id")
        if len(ids) > most:
            raise ValueError(f"{what} has {len(ids)} tokens but the model sees at most {most} "
                             f"(block_size {self.block_size}); slice it, e.g. tokens[:{most}]")
        return ids

    def __call__(self, tokens: Sequence[int]) -> list[list[Value]]:
        """One list of ``vocab_size`` logits per position (at most ``block_size`` tokens)."""
        ids = self._tokens(tokens, self.block_size, "tokens")
        cache = self.new_cache()
        return [self._step(t, pos, cache) for pos, t in enumerate(ids)]

    def loss(self, tokens: Sequence[int]) -> Value:
        """Mean cross-entropy of predicting ``tokens[t + 1]`` from ``tokens[:t + 1]``, over
        the ``len(tokens) - 1`` positions (at most ``block_size + 1`` tokens)."""
        ids = self._tokens(tokens, self.block_size + 1, "tokens")
        if len(ids) < 2:
            raise ValueError("loss needs at least 2 tokens: an input and the next token to predict")
        return cross_entropy(self(ids[:-1]), ids[1:])

    def config(self) -> dict[str, Any]:
        return {"type": "GPT", "vocab_size": self.vocab_size, "block_size": self.block_size,
                "n_layer": self.n_layer, "n_embd": self.n_embd, "n_head": self.n_head}

    def __repr__(self) -> str:
        return (f"GPT(vocab_size={self.vocab_size}, block_size={self.block_size}, n_layer={self.n_layer}, "
                f"n_embd={self.n_embd}, n_head={self.n_head}; {self.num_parameters} parameters)")


def generate(model: GPT, n: int, temperature: float = 1.0, seed: int | None = None, *,
             prompt: Sequence[int] | None = None, stop: int | None = None,
             rng: random.Random | None = None) -> list[int]:
    """Sample up to ``n`` token ids after ``prompt`` (default ``[vocab_size - 1]``, microgpt's
    BOS), as microgpt does: softmax of ``logits / temperature``, then
    ``rng.choices(range(vocab_size), weights=probs)``. Sampling ``stop`` ends it (``stop`` is
    not returned). Runs under ``no_grad``: it builds no graph and leaves no gradients."""
    if not isinstance(model, GPT):
        raise TypeError(f"generate expects an nn.GPT, got {type(model).__name__}")
    count = None if isinstance(n, bool) else integer(n)
    if count is None or count < 0:
        raise ValueError(f"n must be an int >= 0 (how many tokens to sample), got {n!r}")
    heat = real(temperature)
    if heat is None or not 0.0 < heat < math.inf:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    ids = model._tokens([model.vocab_size - 1] if prompt is None else prompt, model.block_size, "prompt")
    if stop is not None:
        stop = token_id(stop, model.vocab_size, "stop")
    if len(ids) + count - 1 > model.block_size:
        raise ValueError(f"a prompt of {len(ids)} tokens and n={count} need {len(ids) + count - 1} positions; "
                         f"block_size is {model.block_size}, so n can be at most {model.block_size - len(ids) + 1}")
    generator = _rng(seed, rng)
    out: list[int] = []
    with no_grad():
        cache = model.new_cache()
        for pos, t in enumerate(ids[:-1]):
            model._step(t, pos, cache)
        token = ids[-1]
        for pos in range(len(ids) - 1, len(ids) - 1 + count):
            scaled = [z.data / heat for z in model._step(token, pos, cache)]
            top = max(scaled)
            weights = [math.exp(s - top) for s in scaled]
            total = math.fsum(weights)
            token = generator.choices(range(model.vocab_size), weights=[w / total for w in weights])[0]
            if token == stop:
                break
            out.append(token)
    return out
