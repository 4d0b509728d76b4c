"""nn.Linear, RMSNorm, LayerNorm, CausalSelfAttention and a whole nn.GPT, checked against
PyTorch float64 with the same weights: outputs, and the gradients of a random weighting of
the outputs with respect to every input and every parameter, to 1e-12. The PyTorch side is
written from the architecture's description (torch.nn.functional's linear, rms_norm,
layer_norm, scaled_dot_product_attention and cross_entropy), not from our code."""

import random

import pytest

torch = pytest.importorskip("torch", reason='PyTorch is not installed: pip install -e ".[torch]"')
F = torch.nn.functional

from autograd_lite import Value  # noqa: E402
from autograd_lite import nn  # noqa: E402

TOL = 1e-12


def t(rows):
    return torch.tensor(rows, dtype=torch.float64, requires_grad=True)


def floats(tensor):
    return [v.data for v in tensor] if isinstance(tensor[0], Value) else [floats(row) for row in tensor]


def grads(tensor):
    return [v.grad for v in tensor] if isinstance(tensor[0], Value) else [grads(row) for row in tensor]


def close(ours, theirs):
    assert torch.allclose(torch.tensor(ours, dtype=torch.float64), theirs.detach(), atol=TOL, rtol=0), \
        (ours, theirs)


def weighted(outputs, coefficients):
    """sum_i c_i * y_i, so every output's gradient is a distinct number."""
    return sum((o * c for o, c in zip(outputs, coefficients)), Value(0.0))


def inputs(n, seed):
    rng = random.Random(seed)
    return [Value(rng.uniform(-2, 2)) for _ in range(n)]


@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch_linear(bias):
    layer = nn.Linear(5, 3, bias=bias, seed=1)
    if bias:
        nn.init.uniform_(layer.bias, -1, 1, random.Random(2))
    x, c = inputs(5, 3), [0.3, -1.2, 2.0]
    weighted(layer(x), c).backward()
    w, xt = t(floats(layer.weight)), t(floats(x))
    b = t(floats(layer.bias)) if bias else None
    y = F.linear(xt, w, b)
    (y * torch.tensor(c, dtype=torch.float64)).sum().backward()
    close([v.data for v in layer(x)], y)
    close(grads(layer.weight), w.grad)
    close(grads(x), xt.grad)
    if bias:
        close(grads(layer.bias), b.grad)


@pytest.mark.parametrize("affine", [False, True])
def test_rmsnorm_matches_torch_rms_norm(affine):
    norm = nn.RMSNorm(6, eps=1e-5, elementwise_affine=affine)
    if affine:
        nn.init.uniform_(norm.weight, 0.5, 1.5, random.Random(0))
    x, c = inputs(6, 4), [1.0, -2.0, 0.5, 3.0, -0.7, 0.1]
    out = norm(x)
    weighted(out, c).backward()
    xt = t(floats(x))
    w = t(floats(norm.weight)) if affine else None
    y = F.rms_norm(xt, (6,), weight=w, eps=1e-5)
    (y * torch.tensor(c, dtype=torch.float64)).sum().backward()
    close([v.data for v in out], y)
    close(grads(x), xt.grad)
    if affine:
        close(grads(norm.weight), w.grad)


@pytest.mark.parametrize("affine", [True, False])
def test_layernorm_matches_torch_layer_norm(affine):
    norm = nn.LayerNorm(5, elementwise_affine=affine)
    if affine:
        nn.init.uniform_(norm.weight, 0.5, 1.5, random.Random(0))
        nn.init.uniform_(norm.bias, -1, 1, random.Random(1))
    x, c = inputs(5, 5), [1.0, -2.0, 0.5, 3.0, -0.7]
    out = norm(x)
    weighted(out, c).backward()
    xt = t(floats(x))
    w, b = (t(floats(norm.weight)), t(floats(norm.bias))) if affine else (None, None)
    y = F.layer_norm(xt, (5,), weight=w, bias=b, eps=1e-5)
    (y * torch.tensor(c, dtype=torch.float64)).sum().backward()
    close([v.data for v in out], y)
    close(grads(x), xt.grad)
    if affine:
        close(grads(norm.weight), w.grad)
        close(grads(norm.bias), b.grad)


def torch_attention(x, wq, wk, wv, wo, n_head):
    """(T, C) -> (T, C): causal multi-head attention by PyTorch's own kernel."""
    T, C = x.shape
    split = lambda m: m.view(T, n_head, C // n_head).transpose(0, 1)  # (H, T, hd)  # noqa: E731
    q, k, v = split(x @ wq.T), split(x @ wk.T), split(x @ wv.T)
    heads = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return heads.transpose(0, 1).reshape(T, C) @ wo.T


def test_causal_self_attention_matches_torch_sdpa():
    attn = nn.CausalSelfAttention(8, 2, std=0.5, seed=3)
    rng = random.Random(7)
    xs = [[Value(rng.uniform(-1, 1)) for _ in range(8)] for _ in range(5)]
    c = [[rng.uniform(-1, 1) for _ in range(8)] for _ in range(5)]
    out = attn(xs)
    sum((weighted(o, ci) for o, ci in zip(out, c)), Value(0.0)).backward()
    xt = t(floats(xs))
    ws = [t(floats(m.weight)) for m in (attn.wq, attn.wk, attn.wv, attn.wo)]
    y = torch_attention(xt, *ws, n_head=2)
    (y * torch.tensor(c, dtype=torch.float64)).sum().backward()
    close(floats(out), y)
    close(grads(xs), xt.grad)
    for module, w in zip((attn.wq, attn.wk, attn.wv, attn.wo), ws):
        close(grads(module.weight), w.grad)


def test_the_kv_cache_gives_the_same_outputs_one_position_at_a_time():
    attn = nn.CausalSelfAttention(4, 2, seed=0)
    rng = random.Random(1)
    xs = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(3)]
    cache = attn.new_cache()
    stepped = [[v.data for v in attn.step(x, cache)] for x in xs]
    assert len(cache) == 3
    ws = [torch.tensor(floats(m.weight), dtype=torch.float64) for m in (attn.wq, attn.wk, attn.wv, attn.wo)]
    close(stepped, torch_attention(torch.tensor(xs, dtype=torch.float64), *ws, n_head=2))


def torch_gpt_loss(sd, tokens, n_layer, n_head):
    """microgpt's architecture from the issue's description, in PyTorch."""
    inp, target = tokens[:-1], tokens[1:]
    rms = lambda x: F.rms_norm(x, (x.shape[-1],), eps=1e-5)  # noqa: E731
    x = rms(sd["wte"][inp] + sd["wpe"][: len(inp)])
    for i in range(n_layer):
        x = x + torch_attention(rms(x), sd[f"layer{i}.attn_wq"], sd[f"layer{i}.attn_wk"],
                                sd[f"layer{i}.attn_wv"], sd[f"layer{i}.attn_wo"], n_head)
        x = x + F.relu(rms(x) @ sd[f"layer{i}.mlp_fc1"].T) @ sd[f"layer{i}.mlp_fc2"].T
    logits = x @ sd["lm_head"].T
    return F.cross_entropy(logits, torch.tensor(target))


@pytest.mark.parametrize("n_layer, n_embd, n_head, tokens", [
    (1, 16, 4, [9, 0, 3, 5, 2, 8, 9]),
    (2, 8, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9]),  # block_size 8: the longest sequence the model takes
])
def test_a_whole_gpt_forward_and_backward_matches_torch(n_layer, n_embd, n_head, tokens):
    model = nn.GPT(10, 8, n_layer=n_layer, n_embd=n_embd, n_head=n_head, std=0.3, seed=11)
    loss = model.loss(tokens)
    loss.backward()
    sd = {name: t(rows) for name, rows in model.state_dict().items()}
    theirs = torch_gpt_loss(sd, tokens, n_layer, n_head)
    theirs.backward()
    assert abs(loss.data - theirs.item()) <= TOL
    for name, tensor in model.named_tensors():
        close(grads(tensor), sd[name].grad)


def test_gpt_logits_per_position_match_torch():
    model = nn.GPT(6, 4, n_embd=4, n_head=2, std=0.5, seed=2)
    tokens = [5, 1, 0, 3]
    ours = [[v.data for v in row] for row in model(tokens)]
    sd = {name: torch.tensor(rows, dtype=torch.float64) for name, rows in model.state_dict().items()}
    rms = lambda x: F.rms_norm(x, (4,), eps=1e-5)  # noqa: E731
    x = rms(sd["wte"][tokens] + sd["wpe"][:4])
    x = x + torch_attention(rms(x), sd["layer0.attn_wq"], sd["layer0.attn_wk"], sd["layer0.attn_wv"],
                            sd["layer0.attn_wo"], 2)
    x = x + F.relu(rms(x) @ sd["layer0.mlp_fc1"].T) @ sd["layer0.mlp_fc2"].T
    close(ours, x @ sd["lm_head"].T)
