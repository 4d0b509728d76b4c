"""Helpers for the nn.to_torch/from_torch tests: compare an nn model with its PyTorch module.
Import it after ``pytest.importorskip("torch")``."""

import random
import struct

import torch

from autograd_lite import nn


def bits(numbers):
    return [struct.pack("<d", x) for x in numbers]


def close(got, expected, tolerance):
    return abs(got - expected) <= tolerance * max(1.0, abs(expected))


def randomise(model, seed):
    """Nonzero biases and per-neuron c, beta too, so every parameter's gradient is exercised."""
    rng = random.Random(seed)
    model.set_parameters([p.data + rng.uniform(-0.5, 0.5) for p in model.parameters()])
    return model


def torch_pairs(net):
    """[(Linear, activation module or None)] of an exported Sequential."""
    items, pairs = list(net), []
    for item in items:
        if isinstance(item, torch.nn.Linear):
            pairs.append([item, None])
        else:
            pairs[-1][1] = item
    return pairs


def in_our_order(net, of=lambda tensor: tensor):
    """The Sequential's parameters (or ``of`` each, e.g. its grad) as floats in nn's documented
    parameter order: per neuron its weights, its bias, then c and beta if trainable."""
    flat = []
    for linear, act in torch_pairs(net):
        extra = [of(act.c), of(act.beta)] if getattr(act, "trainable", False) else []
        for j in range(linear.out_features):
            flat += of(linear.weight)[j].tolist() + [of(linear.bias)[j].item()] + [e[j].item() for e in extra]
    return flat


def outputs_as_rows(model, X):
    """Our model's outputs, one row of floats per example (PyTorch's (batch, nout) layout)."""
    rows = []
    for x in X:
        out = model(x)
        rows.append([v.data for v in out] if isinstance(out, list) else [out.data])
    return rows


def check_against_torch(model, X, seed=0):
    """Outputs to 1e-12 and parameter gradients of a weighted sum of all outputs to 1e-10."""
    net = nn.to_torch(model)
    nout = len(outputs_as_rows(model, X[:1])[0])
    rng = random.Random(seed)
    R = [[rng.uniform(-1, 1) for _ in range(nout)] for _ in X]

    out = net(torch.tensor(X, dtype=torch.float64))
    (out * torch.tensor(R, dtype=torch.float64)).sum().backward()

    model.zero_grad()
    loss = 0.0
    for x, r in zip(X, R):
        y = model(x)
        for v, weight in zip(y if isinstance(y, list) else [y], r):
            loss = loss + v * weight
    loss.backward()

    ours_out = outputs_as_rows(model, X)
    for got_row, torch_row in zip(ours_out, out.tolist()):
        assert all(close(g, t, 1e-12) for g, t in zip(got_row, torch_row)), (got_row, torch_row)
    torch_grads = in_our_order(net, lambda p: p.grad)
    ours = [p.grad for p in model.parameters()]
    assert len(ours) == len(torch_grads)
    bad = [(name, g, t) for (name, _), g, t in zip(model.named_parameters(), ours, torch_grads)
           if not close(g, t, 1e-10)]
    assert not bad, bad[:5]


def batch(nin, n=6, seed=1, scale=3.0):
    rng = random.Random(seed)
    return [[rng.uniform(-scale, scale) for _ in range(nin)] for _ in range(n)]


def linear(nin, nout, **options):
    return torch.nn.Linear(nin, nout, dtype=torch.float64, **options)


def random_sequential(seed, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.GELU(), torch.nn.Linear(6, 6), torch.nn.Identity(),
                               torch.nn.Linear(6, 4), torch.nn.LeakyReLU(0.1), torch.nn.Linear(4, 2),
                               torch.nn.Softmax(dim=-1)).to(dtype)
