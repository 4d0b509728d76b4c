"""nn.GPT as microgpt: its state-dict layout and initialisation, next-token loss, sampling,
and the errors bad input gets. (Against PyTorch: test_nn_blocks_torch.py.)"""

import gc
import math
import random
import weakref

import pytest

from autograd_lite import Value
from autograd_lite import nn

MICROGPT_KEYS = ["wte", "wpe", "lm_head", "layer0.attn_wq", "layer0.attn_wk", "layer0.attn_wv", "layer0.attn_wo",
                 "layer0.mlp_fc1", "layer0.mlp_fc2"]


def microgpt_state_dict(vocab_size, block_size, n_layer, n_embd, rng, std=0.08):
    """microgpt's parameter construction, as its program writes it (Values, list of rows)."""
    matrix = lambda nout, nin: [[Value(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]  # noqa: E731
    sd = {"wte": matrix(vocab_size, n_embd), "wpe": matrix(block_size, n_embd), "lm_head": matrix(vocab_size, n_embd)}
    for i in range(n_layer):
        sd[f"layer{i}.attn_wq"] = matrix(n_embd, n_embd)
        sd[f"layer{i}.attn_wk"] = matrix(n_embd, n_embd)
        sd[f"layer{i}.attn_wv"] = matrix(n_embd, n_embd)
        sd[f"layer{i}.attn_wo"] = matrix(n_embd, n_embd)
        sd[f"layer{i}.mlp_fc1"] = matrix(4 * n_embd, n_embd)
        sd[f"layer{i}.mlp_fc2"] = matrix(n_embd, 4 * n_embd)
    return sd


def as_floats(sd):
    return {k: [[v.data for v in row] for row in rows] for k, rows in sd.items()}


def test_the_state_dict_has_microgpts_keys_and_shapes():
    sd = nn.GPT(27, 16).state_dict()
    assert list(sd) == MICROGPT_KEYS
    shapes = {k: (len(rows), len(rows[0])) for k, rows in sd.items()}
    assert shapes == {"wte": (27, 16), "wpe": (16, 16), "lm_head": (27, 16), "layer0.attn_wq": (16, 16),
                      "layer0.attn_wk": (16, 16), "layer0.attn_wv": (16, 16), "layer0.attn_wo": (16, 16),
                      "layer0.mlp_fc1": (64, 16), "layer0.mlp_fc2": (16, 64)}
    assert nn.GPT(27, 16).num_parameters == 4192  # microgpt's "num params" for this configuration


def test_a_microgpt_state_dict_of_values_loads_and_round_trips():
    theirs = microgpt_state_dict(11, 8, 2, 8, random.Random(5))
    model = nn.GPT(11, 8, n_layer=2, n_embd=8, n_head=2)
    model.load_state_dict(theirs)
    assert model.state_dict() == as_floats(theirs)
    again = nn.GPT(11, 8, n_layer=2, n_embd=8, n_head=2)
    again.load_state_dict(model.state_dict())
    assert again.state_dict() == as_floats(theirs)


def test_the_default_init_draws_microgpts_gaussians_in_microgpts_order():
    assert nn.GPT(7, 4, n_embd=4, n_head=2, seed=42).state_dict() == \
        as_floats(microgpt_state_dict(7, 4, 1, 4, random.Random(42)))


def test_init_normal_over_named_tensors_starts_where_microgpt_starts():
    model = nn.GPT(7, 4, n_embd=4, n_head=2, seed=0)
    rng = random.Random(42)
    rng.random()  # microgpt's generator has done other work (the shuffle) before the weights
    nn.init.normal_(model.named_tensors(), 0.08, rng)
    expected = random.Random(42)
    expected.random()
    assert model.state_dict() == as_floats(microgpt_state_dict(7, 4, 1, 4, expected))


def test_named_parameters_follow_the_module_tree_in_state_dict_order():
    model = nn.GPT(5, 4, n_embd=4, n_head=2)
    names = [n for n, _ in model.named_parameters()]
    assert names[0] == "wte.weight.0.0" and "blocks.0.attn.wq.weight.2.3" in names
    assert names[-1] == "blocks.0.fc2.weight.3.15"
    flat = [v for _, rows in model.state_dict().items() for row in rows for v in row]
    assert [p.data for p in model.parameters()] == flat


def test_the_loss_is_the_mean_next_token_cross_entropy_of_the_logits():
    model = nn.GPT(6, 5, n_embd=4, n_head=2, seed=1)
    tokens = [5, 0, 3, 3, 5]
    logits = model(tokens[:-1])
    by_hand = sum(math.log(sum(math.exp(z.data) for z in row)) - row[t].data
                  for row, t in zip(logits, tokens[1:])) / 4
    assert model.loss(tokens).data == pytest.approx(by_hand, abs=1e-12)


def test_the_loss_gradient_matches_finite_differences():
    model = nn.GPT(5, 4, n_embd=4, n_head=2, std=0.5, seed=3)
    tokens = [4, 1, 2, 0, 4]
    model.loss(tokens).backward()
    for p in model.parameters()[::37]:
        original, h = p.data, 1e-6
        p.data = original + h
        up = model.loss(tokens).data
        p.data = original - h
        down = model.loss(tokens).data
        p.data = original
        assert p.grad == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_each_position_sees_only_the_tokens_so_far():
    model = nn.GPT(6, 5, n_embd=4, n_head=2, seed=2)
    full = model([1, 2, 3, 4])
    prefix = model([1, 2])
    assert [[v.data for v in row] for row in full[:2]] == [[v.data for v in row] for row in prefix]


def test_step_with_a_cache_gives_the_logits_of_the_whole_sequence():
    model = nn.GPT(6, 5, n_embd=4, n_head=2, seed=2)
    cache = model.new_cache()
    stepped = [[v.data for v in model.step(t, cache)] for t in [1, 2, 3]]
    assert stepped == [[v.data for v in row] for row in model([1, 2, 3])]


def test_a_training_step_graph_is_freed_without_the_cyclic_gc():
    model = nn.GPT(5, 4, n_embd=4, n_head=2, seed=0)
    gc.disable()
    try:
        loss = model.loss([4, 1, 2, 4])
        loss.backward()
        probe = weakref.ref(loss.parents[0])
        del loss
        assert probe() is None
    finally:
        gc.enable()


def test_generate_at_a_low_temperature_takes_the_most_likely_token():
    model = nn.GPT(6, 8, n_embd=4, n_head=2, std=1.0, seed=4)
    tokens = [5]
    for _ in range(4):
        last = [z.data for z in model(tokens)[-1]]
        tokens.append(last.index(max(last)))
    assert nn.generate(model, 4, temperature=1e-4, seed=0) == tokens[1:]


def test_generate_is_reproducible_stops_at_stop_and_builds_no_graph():
    model = nn.GPT(6, 16, n_embd=4, n_head=2, std=1.0, seed=4)
    first = nn.generate(model, 16, temperature=0.5, seed=7)
    assert first == nn.generate(model, 16, temperature=0.5, seed=7) and len(first) == 16
    stopped = nn.generate(model, 16, temperature=0.5, seed=7, stop=first[3])
    assert stopped == first[:first.index(first[3])]
    assert {p.grad for p in model.parameters()} == {0.0}
    assert nn.generate(model, 0, seed=1) == []


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_embd=10, n_head=4), ValueError, r"n_embd \(10\) must be divisible by n_head \(4\)"),
    (dict(n_layer=0), ValueError, "n_layer must be a positive int"),
    (dict(n_embd=-4), ValueError, "n_embd must be a positive int"),
    (dict(n_head=True), ValueError, "n_head must be a positive int"),
    (dict(std=float("nan")), ValueError, "std must be a finite number"),
])
def test_bad_sizes_are_refused_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        nn.GPT(5, 4, **kwargs)


@pytest.mark.parametrize("tokens, error, match", [
    ([1, 5], ValueError, "token id at position 1 5 is out of range: ids go from 0 to 4"),
    ([1, -1], ValueError, "out of range"),
    ([1, 2.0], TypeError, "token id at position 1 must be an int, got float"),
    ([True, 1], TypeError, "must be an int, got bool"),
    ([0, 1, 2, 3, 4, 0], ValueError, r"has 6 tokens but the model sees at most 5 \(block_size 4\)"),
    ([], ValueError, "empty"),
    ("abc", TypeError, "list of token ids"),
    ([3], ValueError, "at least 2 tokens"),
])
def test_bad_tokens_are_refused_with_what_to_do(tokens, error, match):
    model = nn.GPT(5, 4, n_embd=4, n_head=2)
    with pytest.raises(error, match=match):
        model.loss(tokens)


def test_a_sequence_longer_than_block_size_is_refused_by_the_forward_pass():
    with pytest.raises(ValueError, match="at most 4"):
        nn.GPT(5, 4, n_embd=4, n_head=2)([0, 1, 2, 3, 4])


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=-1), "n must be an int >= 0"),
    (dict(n=2.5), "n must be an int >= 0"),
    (dict(n=2, temperature=0.0), "temperature must be a finite number > 0"),
    (dict(n=2, temperature=float("nan")), "temperature must be a finite number > 0"),
    (dict(n=5), r"need 5 positions; block_size is 4, so n can be at most 4"),
    (dict(n=2, prompt=[9]), "out of range"),
])
def test_generate_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.generate(nn.GPT(5, 4, n_embd=4, n_head=2), **kwargs)


def test_generate_needs_a_gpt():
    with pytest.raises(TypeError, match="expects an nn.GPT"):
        nn.generate(nn.MLP(2, [1]), 3)


def test_a_mis_shaped_microgpt_state_dict_changes_nothing():
    model = nn.GPT(5, 4, n_embd=4, n_head=2, seed=0)
    before = model.state_dict()
    bad = microgpt_state_dict(5, 4, 1, 4, random.Random(1))
    bad["layer0.mlp_fc1"] = bad["layer0.mlp_fc1"][:-1]
    with pytest.raises(ValueError, match=r"mis-shaped \['layer0.mlp_fc1 \(expected shape \(16, 4\), got length 15\)'"):
        model.load_state_dict(bad)
    assert model.state_dict() == before
