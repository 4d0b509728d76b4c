"""nn.GPT against microgpt's own program (re-created in benchmarks/microgpt_reference.py):
with the same weights, the same loss and every gradient to 1e-12, and the same parameters
after Adam steps with microgpt's betas and linear decay."""

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from autograd_lite import nn

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "microgpt_reference.py"
TOL = 1e-12


@pytest.fixture(scope="module")
def micro():
    spec = importlib.util.spec_from_file_location("microgpt_reference", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def deep_recursion():
    limit = sys.getrecursionlimit()  # microgpt's topological sort recurses once per graph level
    sys.setrecursionlimit(max(limit, 20_000))
    yield
    sys.setrecursionlimit(limit)


DOCUMENTS = [[26, 4, 12, 12, 0, 26], [26, 14, 11, 8, 21, 8, 0, 26], [26] + list(range(20)) + [26]]


@pytest.mark.parametrize("n_layer, n_embd, n_head", [(1, 16, 4), (2, 8, 2)])
def test_same_weights_give_microgpts_loss_and_gradients(micro, deep_recursion, n_layer, n_embd, n_head):
    sd = micro.init_state_dict(27, 16, n_layer, n_embd, rng=random.Random(42))
    model = nn.GPT(27, 16, n_layer=n_layer, n_embd=n_embd, n_head=n_head)
    model.load_state_dict(sd)  # microgpt's dict of its own Values, as it is
    for tokens in DOCUMENTS:
        theirs = micro.document_loss(tokens, sd, n_layer, n_head, 16)
        theirs.backward()
        ours = model.loss(tokens[:17])  # microgpt truncates to block_size positions itself
        model.zero_grad()
        ours.backward()
        assert abs(ours.data - theirs.data) <= TOL
        their_grads = [p.grad for p in micro.parameters(sd)]
        assert max(abs(a.grad - b) for a, b in zip(model.parameters(), their_grads)) <= TOL
        for p in micro.parameters(sd):
            p.grad = 0


def test_adam_steps_with_microgpts_schedule_land_on_the_same_weights(micro, deep_recursion):
    sd = micro.init_state_dict(27, 16, 1, 16, rng=random.Random(0))
    model = nn.GPT(27, 16)
    model.load_state_dict(sd)
    num_steps = 10
    theirs = micro.Adam(micro.parameters(sd), num_steps=num_steps)
    ours = nn.Adam(model.parameters(), lr=nn.linear_decay(0.01, 0.0, num_steps), betas=(0.85, 0.99), eps=1e-8)
    for step in range(3):
        tokens = DOCUMENTS[step % len(DOCUMENTS)]
        micro.document_loss(tokens, sd, 1, 4, 16).backward()
        theirs.step(step)
        ours.zero_grad()
        model.loss(tokens[:17]).backward()
        ours.step()
    flat = [p.data for p in micro.parameters(sd)]
    assert max(abs(a.data - b) for a, b in zip(model.parameters(), flat)) <= TOL


def test_the_default_init_is_microgpts_from_the_same_generator(micro):
    sd = micro.init_state_dict(27, 16, 1, 16, rng=random.Random(7))
    assert nn.GPT(27, 16, seed=7).state_dict() == {k: [[v.data for v in row] for row in m] for k, m in sd.items()}
