"""``nn.GPT`` to and from PyTorch: ``to_torch(gpt)`` gives a ``TorchGPT``, ``from_torch`` reads one back.

``TorchGPT`` is microgpt's architecture as a ``torch.nn.Module`` in float64, on batches:
``module(tokens)`` takes token ids of shape ``(T,)`` or ``(batch, T)`` and gives logits of
shape ``(T, vocab_size)`` or ``(batch, T, vocab_size)``, every position attending to itself
and the positions before it (a causal mask, where nn.GPT uses a KV cache: the same sums).
``module.loss(tokens)`` is the mean next-token cross-entropy, as ``GPT.loss``. Its
parameters are ``wte``, ``wpe``, ``lm_head`` and per layer ``attn_wq``, ``attn_wk``,
``attn_wv``, ``attn_wo``, ``mlp_fc1``, ``mlp_fc2`` (in ``layers[i]``), each a matrix with
one row per output unit, as in ``GPT.state_dict()``: the copy is bitwise, both ways.

The class is made on first use (torch is optional); it is this module's attribute
``TorchGPT`` (a module ``__getattr__``), so ``torch.save`` and pickle find it.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .gpt import EPS, GPT
from .torch_hooks import refuse_hooks
from .torch_twins import require_torch

if TYPE_CHECKING:
    from torch import Tensor

_made: dict[str, type[Any]] = {}
_making = threading.Lock()
LAYER_KEYS = ("attn_wq", "attn_wk", "attn_wv", "attn_wo", "mlp_fc1", "mlp_fc2")


def gpt_class() -> type[Any]:
    """The ``TorchGPT`` class, made on first use (it subclasses ``torch.nn.Module``)."""
    with _making:
        if "TorchGPT" not in _made:
            _made["TorchGPT"] = _make_class(require_torch())
        return _made["TorchGPT"]


def _make_class(torch: ModuleType) -> type[Any]:
    F = torch.nn.functional

    def matrix(rows: int, cols: int) -> Any:
        return torch.nn.Parameter(torch.zeros(rows, cols, dtype=torch.float64))

    class Layer(torch.nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self, n_embd: int) -> None:
            super().__init__()
            for key in LAYER_KEYS[:4]:
                setattr(self, key, matrix(n_embd, n_embd))
            self.mlp_fc1, self.mlp_fc2 = matrix(4 * n_embd, n_embd), matrix(n_embd, 4 * n_embd)

    class TorchGPT(torch.nn.Module):  # type: ignore[misc, name-defined]
        """microgpt's GPT in PyTorch float64 (see ``autograd_lite.nn.torch_gpt``)."""

        def __init__(self, vocab_size: int, block_size: int, n_layer: int = 1, n_embd: int = 16,
                     n_head: int = 4) -> None:
            super().__init__()
            GPT(vocab_size, block_size, n_layer, n_embd, n_head, seed=0)  # the same checks of the sizes
            self.vocab_size, self.block_size, self.n_layer = vocab_size, block_size, n_layer
            self.n_embd, self.n_head = n_embd, n_head
            self.wte, self.wpe = matrix(vocab_size, n_embd), matrix(block_size, n_embd)
            self.lm_head = matrix(vocab_size, n_embd)
            self.layers = torch.nn.ModuleList([Layer(n_embd) for _ in range(n_layer)])

        def forward(self, tokens: Tensor) -> Tensor:
            single = tokens.dim() == 1
            ids = tokens.unsqueeze(0) if single else tokens
            if ids.dim() != 2 or ids.shape[1] > self.block_size or ids.dtype not in (torch.int64, torch.int32):
                raise ValueError(f"tokens must be integer ids of shape (T,) or (batch, T), T <= block_size "
                                 f"{self.block_size}; got {tuple(tokens.shape)} {tokens.dtype}")
            batch, T = ids.shape
            heads, head_dim = self.n_head, self.n_embd // self.n_head
            x = rms(self.wte[ids] + self.wpe[:T])
            causal = torch.ones(T, T, dtype=torch.bool).tril()
            for layer in self.layers:
                h = rms(x)
                q, k, v = (F.linear(h, w).view(batch, T, heads, head_dim).transpose(1, 2)
                           for w in (layer.attn_wq, layer.attn_wk, layer.attn_wv))
                scores = (q @ k.transpose(-1, -2) / head_dim ** 0.5).masked_fill(~causal, float("-inf"))
                attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, T, self.n_embd)
                x = x + F.linear(attended, layer.attn_wo)
                x = x + F.linear(F.linear(rms(x), layer.mlp_fc1).relu(), layer.mlp_fc2)
            logits = F.linear(x, self.lm_head)
            return cast("Tensor", logits[0] if single else logits)

        def loss(self, tokens: Tensor) -> Tensor:
            """Mean cross-entropy of each next token, over the ``T - 1`` positions."""
            logits = self(tokens[..., :-1])
            return cast("Tensor", F.cross_entropy(logits.reshape(-1, self.vocab_size), tokens[..., 1:].reshape(-1)))

        def extra_repr(self) -> str:
            return (f"vocab_size={self.vocab_size}, block_size={self.block_size}, n_layer={self.n_layer}, "
                    f"n_embd={self.n_embd}, n_head={self.n_head}")

    def rms(x: Tensor) -> Tensor:
        return x * (x.pow(2).mean(-1, keepdim=True) + EPS) ** -0.5

    TorchGPT.__module__, TorchGPT.__qualname__ = __name__, "TorchGPT"
    Layer.__module__, Layer.__qualname__ = __name__, "TorchGPTLayer"
    _made["TorchGPTLayer"] = Layer
    return TorchGPT


def gpt_to_torch(model: GPT) -> Any:
    """A ``TorchGPT`` holding bitwise ``model``'s weights (an independent copy)."""
    torch = require_torch()
    module = gpt_class()(model.vocab_size, model.block_size, model.n_layer, model.n_embd, model.n_head)
    state = model.state_dict()
    with torch.no_grad():
        for name, tensor in _parameters(module):
            tensor.copy_(torch.tensor(state[name], dtype=torch.float64))
    return module


def gpt_from_torch(module: Any) -> GPT:
    """An ``nn.GPT`` with bitwise ``module``'s weights (a ``TorchGPT``); hooks are refused."""
    torch = require_torch()
    refuse_hooks(torch, module)
    model = GPT(module.vocab_size, module.block_size, module.n_layer, module.n_embd, module.n_head, seed=0)
    state: dict[str, Any] = {}
    for name, tensor in _parameters(module):
        values = tensor.detach().cpu()
        if values.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
            raise TypeError(f"from_torch: {name} is {values.dtype}; a float dtype converts exactly, this does not")
        state[name] = values.to(torch.float64).tolist()
    model.load_state_dict(state)
    return model


def _parameters(module: Any) -> list[tuple[str, Any]]:
    """(GPT state-dict key, the module's Parameter), in the state dict's order."""
    named = [("wte", module.wte), ("wpe", module.wpe), ("lm_head", module.lm_head)]
    for i, layer in enumerate(module.layers):
        named += [(f"layer{i}.{key}", getattr(layer, key)) for key in LAYER_KEYS]
    return named


def __getattr__(name: str) -> type[Any]:
    if name == "TorchGPT":
        return gpt_class()
    if name == "TorchGPTLayer":
        gpt_class()
        return _made["TorchGPTLayer"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
