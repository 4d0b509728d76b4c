"""The building blocks' initialisation, graph size and refusals; nn.init; and sampling as
microgpt samples. (Their arithmetic against PyTorch: test_nn_blocks_torch.py.)"""

import math
import random

import pytest

from autograd_lite import Value, topological_order
from autograd_lite import nn


def test_weights_are_gaussian_draws_row_by_row_and_biases_zero():
    layer = nn.Linear(3, 2, seed=9)
    rng = random.Random(9)
    assert layer.state_dict() == {"weight": [[rng.gauss(0, 0.08) for _ in range(3)] for _ in range(2)],
                                  "bias": [0.0, 0.0]}
    rng = random.Random(1)
    assert nn.Embedding(2, 2, std=0.5, seed=1).state_dict()["weight"] == [[rng.gauss(0, 0.5) for _ in range(2)]
                                                                           for _ in range(2)]


def test_norm_scales_start_at_one_and_shifts_at_zero():
    assert nn.RMSNorm(3, elementwise_affine=True).state_dict() == {"weight": [1.0, 1.0, 1.0]}
    assert nn.RMSNorm(3).state_dict() == {}
    assert nn.LayerNorm(2).state_dict() == {"weight": [1.0, 1.0], "bias": [0.0, 0.0]}


def test_each_linear_output_is_one_dot_node():
    layer = nn.Linear(4, 3, seed=0)
    outputs = layer([Value(1.0), 2.0, 3.0, 4.0])
    assert all(o.op == "dot" and len(o.parents) == 2 * 5 for o in outputs)
    loss = outputs[0] + outputs[1] + outputs[2]
    made = [v for v in topological_order(loss) if v.parents]
    assert [v.op for v in made].count("dot") == 3


def test_embedding_returns_the_rows_own_values():
    emb = nn.Embedding(3, 2, seed=0)
    row = emb(1)
    assert row[0] is emb.weight[1][0] and row is not emb.weight[1]


@pytest.mark.parametrize("call, error, match", [
    (lambda: nn.Linear(0, 2), ValueError, "nin must be a positive int"),
    (lambda: nn.Linear(2, 2, bias=1), TypeError, "bias must be True or False"),
    (lambda: nn.Linear(2, 2, std=-1.0), ValueError, "std must be a finite number >= 0"),
    (lambda: nn.Linear(2, 1)([1.0]), ValueError, "Linear expects 2 inputs, got 1"),
    (lambda: nn.Linear(2, 1)([1.0, "x"]), TypeError, "expects numbers or Values, got str"),
    (lambda: nn.Linear(2, 1)([1.0, True]), TypeError, "got bool"),
    (lambda: nn.Embedding(3, 2)(3), ValueError, "Embedding index 3 is out of range: ids go from 0 to 2"),
    (lambda: nn.Embedding(3, 2)(1.0), TypeError, "Embedding index must be an int, got float"),
    (lambda: nn.RMSNorm(2, eps=0.0), ValueError, "eps must be a finite number > 0"),
    (lambda: nn.LayerNorm(2, eps=float("nan")), ValueError, "eps must be a finite number > 0"),
    (lambda: nn.CausalSelfAttention(6, 4), ValueError, r"n_embd \(6\) must be divisible by n_head \(4\)"),
    (lambda: nn.CausalSelfAttention(4, 2)([]), ValueError, "non-empty list of vectors"),
    (lambda: nn.CausalSelfAttention(4, 2).step([1.0] * 4, []), TypeError, "KVCache"),
])
def test_bad_arguments_are_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_init_functions_set_values_tensors_and_modules_in_order():
    layer = nn.Linear(2, 2, seed=0)
    nn.init.normal_(layer, 1.0, random.Random(3))
    rng = random.Random(3)
    assert [p.data for p in layer.parameters()] == [rng.gauss(0, 1.0) for _ in range(6)]
    nn.init.constant_(layer.bias, 0.25)
    assert layer.state_dict()["bias"] == [0.25, 0.25]
    nn.init.uniform_([layer.weight], 2.0, 3.0, random.Random(4))
    rng = random.Random(4)
    assert layer.state_dict()["weight"] == [[rng.uniform(2, 3) for _ in range(2)] for _ in range(2)]


@pytest.mark.parametrize("call, error, match", [
    (lambda p: nn.init.normal_(p, -1.0), ValueError, "std must be a finite number >= 0"),
    (lambda p: nn.init.normal_(p, 1.0, rng=42), TypeError, "rng must be a random.Random"),
    (lambda p: nn.init.uniform_(p, 1.0, 0.0), ValueError, "low <= high"),
    (lambda p: nn.init.constant_(p + p, 1.0), ValueError, "same parameter twice"),
    (lambda p: nn.init.constant_([1.0], 1.0), TypeError, "expects Values"),
])
def test_init_refuses_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call([Value(0.0)])


def test_generate_samples_as_microgpts_loop_does():
    model = nn.GPT(5, 6, n_embd=4, n_head=2, std=1.0, seed=3)
    rng, token, expected, tokens = random.Random(11), 4, [], [4]
    for _ in range(5):  # microgpt's inference loop, over our (PyTorch-checked) logits
        logits = [z.data / 0.7 for z in model(tokens)[-1]]
        top = max(logits)
        exps = [math.exp(z - top) for z in logits]
        token = rng.choices(range(5), weights=[e / sum(exps) for e in exps])[0]
        expected.append(token)
        tokens.append(token)
    assert nn.generate(model, 5, temperature=0.7, seed=11) == expected
